/**
 * Reads of the real world, answered offline from a "live system" fixture (SCHEMA_PROVIDER_LIVE_FILE,
 * tools/schema-provider/README.md) with the machine's real Terraform: an `import` block of an existing
 * TrueNAS scrub task plans as an import (nothing created, nothing destroyed), drift in the live
 * object is read back by refresh, and a `check` block over a truenas_pool data source passes for the
 * pool the inventory describes and warns, with the assertion's message, for a pool one vdev short.
 */
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LiveFixture } from "../../tools/schema-provider/live";
import { type Mode, TerraformSession } from "../../tools/schema-provider/session";
import { describeWithTerraform, FIXTURES, once, prefetch, repoSchemas, rm, terraform } from "./helpers";

jest.setTimeout(60_000);

const schedule = { minute: "0", hour: "2", dom: "*", month: "*", dow: "0" };
/** The scrub task as TrueNAS reports it: what the fixture stack configures (import id 7). */
const scrubTask = { pool: 1, pool_name: "fast", threshold: 35, description: "scrub fast (homelab-cdktf)", enabled: true, schedule };
const raidz2 = (first: number) => ({ type: "RAIDZ2", disks: Array.from({ length: 7 }, (_, i) => `sd${String.fromCharCode(97 + first + i)}`) });
/** The pool fast as TrueNAS reports it: 3 × RAIDZ2 of 7 and a mirrored log, ONLINE, the SIZE the inventory's layout gives. */
const fastPool = (dataVdevs: number) => ({
  match: { name: "fast" },
  values: {
    id: 1,
    status: "ONLINE",
    healthy: true,
    size: "18811956756480",
    topology: { data: [0, 7, 14].slice(0, dataVdevs).map(raidz2), log: [{ type: "MIRROR", disks: ["nvme0n1p1", "nvme1n1p1"] }] },
  },
});

const live = {
  asConfigured: { resources: { truenas_scrub_task: { "7": scrubTask } }, data_sources: { truenas_pool: [fastPool(3)] } },
  oneVdevShort: { resources: { truenas_scrub_task: { "7": scrubTask } }, data_sources: { truenas_pool: [fastPool(2)] } },
  drifted: { resources: { truenas_scrub_task: { "7": { ...scrubTask, threshold: 30 } } }, data_sources: { truenas_pool: [fastPool(3)] } },
  nothing: {},
} satisfies Record<string, LiveFixture>;

const flat = (s: string) => s.replace(/\s+/g, " ");
const IMPORTED = "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.";
const CHECK_FAILED = "Warning: Check block assertion failed";

describeWithTerraform("import blocks and checks against a live fixture (real Terraform, offline)", () => {
  const schemas = new Map([...repoSchemas()].filter(([fqpn]) => fqpn.endsWith("/truenas")));
  let home: string | undefined;
  const sessions: Promise<TerraformSession>[] = [];
  afterAll(async () => {
    for (const s of sessions) await (await s).close();
    if (home) rm(home);
  });

  /** A session whose provider reads the live fixture `name` (written to a file first), and a copy of the fixture stack. */
  async function withLive(name: keyof typeof live, mode: Mode = "reattach") {
    home ??= mkdtempSync(join(tmpdir(), "validate-import-"));
    const liveFile = join(home, `${name}-${mode}.json`);
    writeFileSync(liveFile, JSON.stringify(live[name]));
    const started = TerraformSession.start({ terraform: terraform!, schemas, mode, liveFile });
    sessions.push(started);
    const session = await started;
    const dir = session.workdir("import");
    cpSync(join(FIXTURES, "import"), dir, { recursive: true });
    return { session, dir, liveFile, plan: () => session.run(dir, ["plan", "-input=false", "-lock=false"]) };
  }

  const plans = {
    asConfigured: once(async () => (await withLive("asConfigured")).plan()),
    withoutLiveObject: once(async () => (await withLive("nothing")).plan()),
    oneVdevShort: once(async () => (await withLive("oneVdevShort")).plan()),
    spawned: once(async () => (await withLive("asConfigured", "spawn")).plan()),
    drift: once(async () => {
      const s = await withLive("asConfigured");
      const applied = await s.session.run(s.dir, ["apply", "-auto-approve", "-input=false", "-lock=false"]);
      writeFileSync(s.liveFile, JSON.stringify(live.drifted));
      return { applied, drifted: await s.plan() };
    }),
  };
  beforeAll(() => prefetch(...Object.values(plans)));

  test("an import block of an existing scrub task: 1 to import, 0 to add, nothing destroyed (the live object is as configured: nothing to change)", async () => {
    const r = await plans.asConfigured();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("truenas_scrub_task.fast: Preparing import... [id=7]");
    expect(r.stdout).toContain("# truenas_scrub_task.fast will be imported");
    expect(r.stdout).toContain(IMPORTED);
    expect(r.stdout).not.toMatch(/will be destroyed|must be replaced/);
  });

  test("without the object in the live fixture it is imported with its id only: the plan fills in the configuration (1 to import, 0 to add, 1 to change)", async () => {
    const r = await plans.withoutLiveObject();
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("# truenas_scrub_task.fast will be updated in-place\n  # (imported from \"7\")");
    expect(r.stdout).toContain("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.");
  });

  test("after the import is applied, drift in the live system (threshold 35 -> 30) is read back and planned as an in-place update", async () => {
    const { applied, drifted } = await plans.drift();
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.");
    expect(drifted.stderr).toBe("");
    expect(drifted.stdout).toContain("# truenas_scrub_task.fast will be updated in-place");
    expect(drifted.stdout).toMatch(/~ threshold\s+= 30 -> 35\n/);
    expect(drifted.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  test("the pool check passes when the live pool is the one the inventory describes: no warning", async () => {
    const r = await plans.asConfigured();
    expect(r.stdout).toContain("data.truenas_pool.verify_fast: Read complete");
    expect(r.stdout).not.toContain(CHECK_FAILED);
  });

  test("a pool one vdev short fails the check: Terraform 1.11 warns (the plan still succeeds) with the assertion's error message", async () => {
    const r = await plans.oneVdevShort();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(IMPORTED);
    // One failed assertion (status and size still match), printed after the plan as a warning:
    expect(r.stdout.split(CHECK_FAILED)).toHaveLength(2);
    expect(r.stdout).toMatch(/Warning: Check block assertion failed\n\n {2}on cdk\.tf\.json line \d+, in check\.pool_fast\.assert\[1\]:/);
    expect(flat(r.stdout)).toContain("pool fast: data vdevs RAIDZ2:7,RAIDZ2:7 but the inventory's layout has 3 × RAIDZ2 of 7");
  });

  test("spawn mode: the provider Terraform starts itself reads the same fixture (SCHEMA_PROVIDER_LIVE_FILE in its environment)", async () => {
    const r = await plans.spawned();
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(IMPORTED);
    expect(r.stdout).not.toContain(CHECK_FAILED);
  });
});
