/**
 * Verification after apply (issue 9.7), offline: the shipped stacks with a health check on every
 * adopted pool (constructs/pool-health-check.ts), and `npm run verify` (scripts/verify.ts) running
 * the real `terraform plan -refresh-only` against the schema-serving provider, whose "live system"
 * fixture (SCHEMA_PROVIDER_LIVE_FILE, tools/schema-provider/live.ts) plays TrueNAS's `pool.query`:
 * the planned layout passes; a pool reported one vdev short, degraded, made with another
 * partition scheme or on smaller disks fails its check with both figures and the likely cause.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Construct } from "constructs";
import { poolCapacity, Size, type PoolLayout } from "../../capacity";
import { PoolHealthCheck } from "../../constructs/pool-health-check";
import { homelab } from "../../inventory/homelab";
import type { Homelab } from "../../inventory/types";
import { App } from "../../lib/cdktf";
import { checkLines, diagnosticsOf, formatCheck, parseArgs, verify, type CheckConfig, type VerifyReport } from "../../scripts/verify";
import { REPO_ROOT } from "../../scripts/validate/synth";
import { buildHomelab } from "../../stacks/homelab-app";
import { TerraformSession } from "../../tools/schema-provider/session";
import { describeWithTerraform, repoSchemas, rm, runScript, terraform } from "./helpers";

jest.setTimeout(180_000);

// The shipped inventory with grogu online, so prod-backup (pool backup) is synthesized too.
const online: Homelab = { ...homelab, hosts: homelab.hosts.map((h) => ({ ...h, online: true })) };
const layoutOf = (name: string): PoolLayout => online.truenasVms.flatMap((v) => v.storage?.pools ?? []).find((p) => p.name === name)!.layout;
const TRUENAS_TYPE: Record<string, string> = { disk: "DISK", mirror: "MIRROR", raidz1: "RAIDZ1", raidz2: "RAIDZ2", raidz3: "RAIDZ3" };

/**
 * What the truenas provider's data source reads for a pool made exactly from `layout`
 * (`pool.query`: status, healthy, `size` = `zpool list` SIZE in bytes, topology with one disk name
 * per child); `edit` changes it.
 */
function livePool(name: string, layout: PoolLayout, edit: Record<string, unknown> = {}) {
  let disk = 0;
  const vdev = (v: PoolLayout["vdevs"][number]) => ({ type: TRUENAS_TYPE[v.type], disks: v.disks.map(() => `SER${name.toUpperCase()}${String(++disk).padStart(3, "0")}`) });
  const of = (cls: string) => layout.vdevs.filter((v) => (v.class ?? "normal") === cls).map(vdev);
  return {
    match: { name },
    values: {
      id: 1,
      guid: "1234567890",
      path: `/mnt/${name}`,
      status: "ONLINE",
      healthy: true,
      size: Number(poolCapacity(layout).zpoolSize.bytes),
      allocated: 0,
      free: Number(poolCapacity(layout).zpoolSize.bytes),
      autotrim: false,
      topology: { data: of("normal"), log: of("log"), cache: of("cache").flatMap((v) => v.disks), spare: of("spare").flatMap((v) => v.disks) },
      ...edit,
    },
  };
}

const planned = ["fast", "bulk", "scratch", "backup"].map((n) => livePool(n, layoutOf(n)));

function writeLive(file: string, pools: ReturnType<typeof livePool>[]): void {
  writeFileSync(file, JSON.stringify({ data_sources: { truenas_pool: pools } }, null, 2));
}

/** node scripts/app.js scripts/verify.ts <args>, as npm run verify runs it. */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runScript(["scripts/verify.ts", ...args], env);
  return { code, stdout, stderr };
}

const lines = (r: VerifyReport) => r.checks.map(formatCheck);

describeWithTerraform("npm run verify: the pool checks against a live TrueNAS fixture, with real Terraform", () => {
  let tmp: string;
  let outdir: string;
  let liveFile: string;
  let session: TerraformSession;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "verify-"));
    // <tmp>/out/stacks/<stack>: the stacks' local backend (../../../terraform.<stack>.tfstate) stays in <tmp>.
    outdir = join(tmp, "out");
    const app = new App({ outdir, stackTraces: false });
    const built = buildHomelab(app, online, { backend: { kind: "local" } });
    // The wiring TrueNASStorage gets (one check per adopted pool); a no-op once it is there.
    for (const pool of built.pools) {
      if (pool.creation === "adopt" && !PoolHealthCheck.of(pool)) new PoolHealthCheck(pool.node.scope as Construct, `verify-${pool.name}`, { pool });
    }
    app.synth();
    liveFile = join(tmp, "live.json");
    writeLive(liveFile, planned);
    session = await TerraformSession.start({ terraform: terraform!, schemas: repoSchemas(), liveFile });
    env = session.env;
  });

  afterAll(async () => {
    await session?.close();
    if (tmp) rm(tmp);
  });

  test("the planned layout passes: one ok line per adopted pool (in the stack's order of check blocks), in prod-storage and prod-backup", async () => {
    writeLive(liveFile, planned);
    const storage = await verify({ stack: "prod-storage", outdir, synth: "never", env });
    expect(storage.error).toBeUndefined();
    expect(lines(storage)).toEqual([
      "ok   pool bulk: ONLINE, 1 × raidz2 of 6, SIZE 47.983 TB (usable 31.820 TB)",
      "ok   pool fast: ONLINE, 3 × raidz2 of 7, SIZE 18.812 TB (usable 12.392 TB)",
      "ok   pool scratch: ONLINE, 1 × raidz1 of 6, SIZE 17.987 TB (usable 14.231 TB)",
    ]);
    expect(storage.code).toBe(0);
    expect(storage.notes).toContain(`ran terraform init in ${join(outdir, "stacks", "prod-storage")}`);
    // The state the stack's backend names is the throwaway one in <tmp>, never the project's.
    expect(resolve(outdir, "stacks", "prod-storage", "../../../terraform.prod-storage.tfstate").startsWith(tmp)).toBe(true);

    const backup = await verify({ stack: "prod-backup", outdir, synth: "never", env });
    expect(lines(backup)).toEqual(["ok   pool backup: ONLINE, 1 × raidz2 of 11, SIZE 32.968 TB (usable 24.975 TB)"]);
    expect(backup.code).toBe(0);
  });

  test("a pool reported one vdev short fails its check, with both figures and the likely cause", async () => {
    const fast = layoutOf("fast");
    const short: PoolLayout = { ...fast, vdevs: fast.vdevs.slice(1) }; // one of the three RAIDZ2 vdevs missing
    writeLive(liveFile, [livePool("fast", short), ...planned.slice(1)]);
    const r = await verify({ stack: "prod-storage", outdir, synth: "never", env });
    expect(r.code).toBe(1);
    const missing = "a data vdev missing — the pool reports 2 RAIDZ2 vdevs, the inventory 3";
    expect(lines(r)).toEqual([
      "ok   pool bulk: ONLINE, 1 × raidz2 of 6, SIZE 47.983 TB (usable 31.820 TB)",
      "FAIL pool fast: data vdevs 2 × RAIDZ2 of 7 but the inventory's layout has 3 × RAIDZ2 of 7 (likely: " + missing + "); " +
        `size 12.541 TB (11.406 TiB, ${poolCapacity(short).zpoolSize.bytes} bytes) but the inventory's layout gives 18.812 TB (17.109 TiB, ${poolCapacity(fast).zpoolSize.bytes} bytes) as zpool list SIZE (likely: ${missing})`,
      "ok   pool scratch: ONLINE, 1 × raidz1 of 6, SIZE 17.987 TB (usable 14.231 TB)",
    ]);
    expect(r.checks.map((c) => [c.address, c.status])).toEqual([["check.pool_bulk", "pass"], ["check.pool_fast", "fail"], ["check.pool_scratch", "pass"]]);
  });

  test("other causes are named: an extra vdev, another partition scheme, a degraded pool, a vdev of another width, smaller or larger disks, a pool not imported", async () => {
    const scratch = layoutOf("scratch");
    const bulk = layoutOf("bulk");
    const fast = layoutOf("fast");
    writeLive(liveFile, [
      livePool("fast", { ...fast, vdevs: [...fast.vdevs, fast.vdevs[0]!] }), // a fourth RAIDZ2 vdev, added by hand
      livePool("bulk", { ...bulk, partitionScheme: "zpool-create-linux" }), // made on whole disks by zpool create
      livePool("scratch", scratch, { status: "DEGRADED", healthy: false }),
      livePool("backup", layoutOf("backup"), { topology: { data: [{ type: "RAIDZ2", disks: Array.from({ length: 10 }, (_, i) => `D${i}`) }], log: [], cache: [], spare: [] } }),
    ]);
    const storage = await verify({ stack: "prod-storage", outdir, synth: "never", env });
    expect(storage.code).toBe(1);
    const [bulkLine, fastLine, scratchLine] = lines(storage); // check blocks in the stack's (alphabetical) order
    expect(fastLine).toMatch(/^FAIL pool fast: data vdevs 4 × RAIDZ2 of 7 but the inventory's layout has 3 × RAIDZ2 of 7 \(likely: a data vdev more than the inventory — the pool reports 4 RAIDZ2 vdevs, the inventory 3 \(one added by hand belongs in the inventory\)\); size 25\.083 TB .* as zpool list SIZE \(likely: a data vdev more than the inventory — the pool reports 4 RAIDZ2 vdevs, the inventory 3 \(one added by hand belongs in the inventory\)\)$/);
    // Degraded, but the vdevs and the SIZE are the planned ones: only the status assertion fails.
    expect(scratchLine).toBe("FAIL pool scratch: status DEGRADED, not healthy but it must be ONLINE and healthy (likely: a faulted, removed or missing disk — zpool status -x scratch names it)");
    const whole = poolCapacity({ ...bulk, partitionScheme: "zpool-create-linux" }).zpoolSize;
    expect(bulkLine).toBe(
      `FAIL pool bulk: size ${whole.in("TB").toFixed(3)} TB (${whole.in("TiB").toFixed(3)} TiB, ${whole.bytes} bytes) but the inventory's layout gives 47.983 TB (43.641 TiB, ${poolCapacity(bulk).zpoolSize.bytes} bytes) as zpool list SIZE ` +
        "(likely: another partition scheme — the size is exactly what truenas-24.10 (SCALE 24.10: whole disk, no swap) or zpool-create-linux (zpool create on whole disks) gives for these disks; the inventory says truenas-25.04 (SCALE 25.04+: disk less min(2 GiB, 1%)))",
    );
    // (A 2 GiB swap partition, TrueNAS <= 24.04, gives these pools the very SIZE of 25.04's 2 GiB margin: no check can tell them apart, nor needs to.)
    expect(poolCapacity({ ...scratch, partitionScheme: "truenas-swap-2g" }).zpoolSize).toEqual(poolCapacity(scratch).zpoolSize);

    const backup = await verify({ stack: "prod-backup", outdir, synth: "never", env });
    expect(lines(backup)[0]).toMatch(/^FAIL pool backup: data vdevs 1 × RAIDZ2 of 10 but the inventory's layout has 1 × RAIDZ2 of 11 \(likely: vdevs of another type or width — the pool reports 1 × RAIDZ2 of 10, the inventory 1 × RAIDZ2 of 11 \(wrong disks in a vdev, or the pool was made from another layout\)\)$/);

    // Same vdevs, other disks: the size says which way.
    const backupOn = (disk: Size): PoolLayout => ({ ...layoutOf("backup"), vdevs: [{ type: "raidz2", disks: Array(11).fill(disk) }] });
    writeLive(liveFile, [livePool("backup", backupOn(Size.terabytes(2)))]);
    const smaller = await verify({ stack: "prod-backup", outdir, synth: "never", env });
    expect(lines(smaller)[0]).toMatch(/^FAIL pool backup: size 21\.\d{3} TB .* \(likely: smaller disks than the inventory's 3 TB, or another partition scheme or ashift than its truenas-25\.04, ashift 12: compare lsblk -b on the disks with the inventory\)$/);
    writeLive(liveFile, [livePool("backup", backupOn(Size.terabytes(4)))]);
    const larger = await verify({ stack: "prod-backup", outdir, synth: "never", env });
    expect(lines(larger)[0]).toMatch(/^FAIL pool backup: size 43\.\d{3} TB .* \(likely: larger disks than the inventory's 3 TB \(a vdev grown onto bigger disks\), or another partition scheme than its truenas-25\.04\)$/);

    // Not imported: TrueNAS reports it OFFLINE, with no size and no topology (pool_normalize_info's defaults).
    writeLive(liveFile, [livePool("backup", layoutOf("backup"), { status: "OFFLINE", healthy: false, size: 0, topology: { data: [], log: [], cache: [], spare: [] } })]);
    const offline = await verify({ stack: "prod-backup", outdir, synth: "never", env });
    expect(lines(offline)).toEqual([
      "FAIL pool backup: status OFFLINE, not healthy but it must be ONLINE and healthy (likely: the pool is not imported or lost a whole vdev — zpool import; zpool status backup); " +
        "data vdevs no data vdevs but the inventory's layout has 1 × RAIDZ2 of 11 (likely: a data vdev missing — the pool reports 0 vdevs, the inventory 1); " +
        `size 0.000 TB (0.000 TiB, 0 bytes) but the inventory's layout gives 32.968 TB (29.984 TiB, ${poolCapacity(layoutOf("backup")).zpoolSize.bytes} bytes) as zpool list SIZE (likely: the pool is not ONLINE (status OFFLINE): see its status)`,
    ]);
  });

  test("a pool the check's own data source cannot read fails its check with Terraform's reason (a warning: the plan goes on)", async () => {
    // A stack with prod-storage's provider, variables and the check of fast only (the stack's own
    // data source of fast would stop the plan with an error first, as it should).
    const doc = JSON.parse(readFileSync(join(outdir, "stacks", "prod-storage", "cdk.tf.json"), "utf8")) as Record<string, any>;
    const out = join(tmp, "checks-only", "out");
    mkdirSync(join(out, "stacks", "checks-only"), { recursive: true });
    writeFileSync(join(out, "stacks", "checks-only", "cdk.tf.json"), JSON.stringify({
      terraform: { required_providers: doc.terraform.required_providers },
      provider: { truenas: doc.provider.truenas },
      variable: doc.variable,
      check: { pool_fast: doc.check.pool_fast },
    }));
    writeFileSync(liveFile, JSON.stringify({ data_sources: { truenas_pool: [{ match: { name: "fast" }, values: { no_such_attribute: 1 } }] } }));
    const r = await verify({ stack: "checks-only", outdir: out, synth: "never", env });
    expect(r.code).toBe(1);
    expect(r.checks.map((c) => [c.address, c.status])).toEqual([["check.pool_fast", expect.stringMatching(/^(fail|unknown|error)$/)]]);
    expect(lines(r)).toEqual([expect.stringMatching(/^FAIL pool fast: .*no_such_attribute/)]);
  });

  test("the CLI: one line per check and exit 1 on a failure; exit 2 with one line on usage and infrastructure errors", async () => {
    const fast = layoutOf("fast");
    writeLive(liveFile, [livePool("fast", { ...fast, vdevs: fast.vdevs.slice(1) }), ...planned.slice(1)]);
    const failed = await cli(["prod-storage", "--out", outdir, "--no-synth"], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout.split("\n").filter(Boolean).map((l) => l.slice(0, 20))).toEqual(["ok   pool bulk: ONLI", "FAIL pool fast: data", "ok   pool scratch: O"]);

    writeLive(liveFile, planned);
    const passed = await cli(["prod-storage", "--out", outdir, "--no-synth"], env);
    expect({ code: passed.code, stderr: passed.stderr }).toEqual({ code: 0, stderr: "" });
    expect(passed.stdout).toBe([
      "ok   pool bulk: ONLINE, 1 × raidz2 of 6, SIZE 47.983 TB (usable 31.820 TB)",
      "ok   pool fast: ONLINE, 3 × raidz2 of 7, SIZE 18.812 TB (usable 12.392 TB)",
      "ok   pool scratch: ONLINE, 1 × raidz1 of 6, SIZE 17.987 TB (usable 14.231 TB)",
      "",
    ].join("\n"));

    const usage = await cli([], env);
    expect(usage).toEqual({ code: 2, stdout: "", stderr: "verify: which stack? e.g. npm run verify -- prod-storage\nusage: npm run verify -- <stack> [--out <dir>] [--synth | --no-synth]\n" });
    const unknown = await cli(["nope", "--out", outdir, "--no-synth"], env);
    expect(unknown).toEqual({ code: 2, stdout: "", stderr: `verify: no stack nope in ${outdir} (have: dev-compute, prod-backup, prod-k8s-storage, prod-storage; a stack whose host is offline is not synthesized)\n` });
    const nothing = await cli(["dev-compute", "--out", outdir, "--no-synth"], env);
    expect(nothing).toEqual({ code: 2, stdout: "", stderr: "verify: dev-compute has no check blocks: nothing to verify\n" });
    // A plan that cannot run (here: a bad variable from the environment) is exit 2 with Terraform's error on one line.
    const broken = await cli(["prod-storage", "--out", outdir, "--no-synth"], { ...env, TF_VAR_truenas_insecure: "maybe" });
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/^verify: terraform plan -refresh-only failed: Invalid value for input variable: .*truenas_insecure.*\n$/);
  });

  test("with the shipped inventory (grogu offline) prod-backup is not synthesized: exit 2, saying why", async () => {
    const out = join(mkdtempSync(join(tmp, "synth-")), "out");
    const ledger = join(tmp, "ledger.json");
    const shippedLedger = join(REPO_ROOT, "inventory", "homelab.data-holders.json");
    if (existsSync(shippedLedger)) copyFileSync(shippedLedger, ledger); // synth may rewrite the ledger: never the project's
    const r = await verify({ stack: "prod-backup", outdir: out, synth: "always", env: { ...env, HOMELAB_DATA_HOLDER_LEDGER: ledger, HOMELAB_STATE_BACKEND: "local" } });
    expect(r.code).toBe(2);
    expect(r.error).toMatch(/^prod-backup is not synthesized: host grogu is offline \(.*\); set online: true for it in the inventory to synthesize this stack$/);
  });
});

describe("npm run verify: reading Terraform's answers (no Terraform needed)", () => {
  const config: CheckConfig[] = [{ name: "pool_fast", comment: { verify: "pool fast", expected: "ONLINE, 3 × raidz2 of 7, SIZE 18.812 TB (usable 12.392 TB)" } }, { name: "other", comment: {} }];
  const warning = (context: string, detail: string, summary = "Check block assertion failed") => ({ severity: "warning" as const, summary, detail, snippet: { context } });

  test("failed assertions in the block's order (Terraform evaluates them concurrently), the line's label not repeated", () => {
    const shown = {
      checks: [
        { address: { kind: "check", name: "pool_fast", to_display: "check.pool_fast" }, status: "fail" as const, instances: [{ status: "fail", problems: [{ message: "pool fast: size 1 but 2" }, { message: "pool fast: data vdevs 2 but 3" }] }] },
        { address: { kind: "check", name: "other", to_display: "check.other" }, status: "pass" as const, instances: [{ status: "pass" }] },
      ],
    };
    const warnings = [warning("check.pool_fast.assert[2]", "pool fast: size 1 but 2"), warning("check.pool_fast.assert[1]", "pool fast: data vdevs 2 but 3")];
    expect(checkLines(config, shown, warnings).map(formatCheck)).toEqual(["FAIL pool fast: data vdevs 2 but 3; size 1 but 2", "ok   check.other"]);
  });

  test("a check without problems to show: the warnings on its block say why, else what is known", () => {
    const shown = { checks: [{ address: { kind: "check", name: "pool_fast", to_display: "check.pool_fast" }, status: "fail" as const, instances: [{ status: "fail", problems: [] }] }] };
    const readFailed = warning("check.pool_fast", "no pool named \"fast\" found on TrueNAS", "Pool not found");
    expect(checkLines(config.slice(0, 1), shown, [readFailed]).map(formatCheck)).toEqual(['FAIL pool fast: Pool not found: no pool named "fast" found on TrueNAS']);
    expect(checkLines(config.slice(0, 1), { checks: [] }, []).map(formatCheck)).toEqual(["FAIL pool fast: not evaluated: Terraform did not know the values at plan time"]);
  });

  test("diagnostics from terraform's -json lines; the command line", () => {
    const out = [
      '{"@level":"info","type":"version","terraform":"1.11.4"}',
      '{"@level":"warn","type":"diagnostic","diagnostic":{"severity":"warning","summary":"Check block assertion failed","detail":"x","snippet":{"context":"check.a.assert[0]"}}}',
      "not json",
      '{"@level":"error","type":"diagnostic","diagnostic":{"severity":"error","summary":"Invalid value for input variable","detail":"y"}}',
    ].join("\n");
    expect(diagnosticsOf(out).map((d) => [d.severity, d.summary])).toEqual([["warning", "Check block assertion failed"], ["error", "Invalid value for input variable"]]);
    expect(parseArgs(["prod-storage"])).toEqual({ stack: "prod-storage", outdir: undefined, synth: "auto" });
    expect(parseArgs(["--no-synth", "prod-backup", "--out", "x"])).toEqual({ stack: "prod-backup", outdir: resolve("x"), synth: "never" });
    expect(parseArgs(["--synth", "a"])).toMatchObject({ synth: "always" });
    expect(() => parseArgs([])).toThrow("which stack? e.g. npm run verify -- prod-storage");
    expect(() => parseArgs(["a", "b"])).toThrow("one stack at a time (got a and b)");
    expect(() => parseArgs(["a", "--stack"])).toThrow("unknown option --stack");
    expect(() => parseArgs(["a", "--out"])).toThrow("--out needs a directory");
    expect(parseArgs(["-h"])).toBe("help");
  });
});
