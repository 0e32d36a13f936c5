/**
 * HOMELAB_STATE_BACKEND=pg against a real PostgreSQL (a throwaway server started here, password
 * authentication over TCP) and the machine's real Terraform, with the schema-serving provider
 * (reattached, as npm run validate does): the shipped app synthesizes a pg backend with no
 * password in it, Terraform initialises and applies the shipped stacks into PostgreSQL (one schema
 * per stack), the state lock holds against a concurrent apply, the state is complete and readable
 * (by Terraform and in the database), and a dependent stack reads its dependency's outputs from there.
 *
 * Skipped, loudly, when Terraform >= 1.11 or PostgreSQL's server binaries are missing.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSchemas } from "../../tools/schema-provider/main";
import { prepareStack } from "../../scripts/validate/prepare";
import { listStacks, type StackDir } from "../../scripts/validate/stacks";
import { REPO_ROOT, synth } from "../../scripts/validate/synth";
import { type RunResult, TerraformSession } from "../../tools/schema-provider/session";
import { findTerraform, type TerraformBinary } from "../../tools/schema-provider/terraform";
import { findPostgres, type PgBinaries, pgClientEnv, type PgServer, startPostgres } from "./pg-server";

jest.setTimeout(120_000);

type Json = Record<string, any>;

const terraformFound = findTerraform();
const postgresFound = findPostgres();
const missing = [terraformFound, postgresFound].flatMap((found) => ("error" in found ? [found.error] : []));
const skipBecause = missing.length ? missing.join("; and ") : undefined;
if (skipBecause) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: the pg state backend against a real PostgreSQL (__tests__/validate/pg-backend.test.ts) because ${skipBecause}`);
}
const describeWithPostgres = skipBecause ? describe.skip : describe;

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Json;
const editJson = (file: string, edit: (doc: Json) => void) => {
  const doc = readJson(file);
  edit(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
};

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** `<type>.<name>` and `data.<type>.<name>` of every block a stack declares (none of them uses count or for_each). */
function declaredAddresses(dir: string): string[] {
  const doc = readJson(join(dir, "cdk.tf.json"));
  const out: string[] = [];
  for (const [kind, prefix] of [["resource", ""], ["data", "data."]] as const) {
    for (const [type, byName] of Object.entries((doc[kind] ?? {}) as Record<string, Record<string, Json>>)) {
      for (const [name, body] of Object.entries(byName)) {
        if ("count" in body || "for_each" in body) throw new Error(`${prefix}${type}.${name} uses count/for_each: expand its instances here`);
        out.push(`${prefix}${type}.${name}`);
      }
    }
  }
  return out.sort();
}

/** A Terraform run that is still going: its output so far, input, and a wait for some text. */
interface Running {
  output(): string;
  waitFor(text: string, ms?: number): Promise<void>;
  answer(line: string): void;
  done: Promise<RunResult>;
  kill(): void;
}

describeWithPostgres("the pg state backend against a real PostgreSQL", () => {
  const tf = terraformFound as TerraformBinary;
  let pg: PgServer;
  let connStr: string;
  let outdir: string;
  let stacks: StackDir[];
  let session: TerraformSession;
  let home: string;
  const running: Running[] = [];

  /**
   * Terraform in `dir` with the session's environment (the reattached providers), none of the
   * caller's PG* settings, and PGPASSWORD unless `password: false`. -no-color on every subcommand.
   */
  function terraform(dir: string, args: string[], opts: { password?: boolean; interactive?: boolean } = {}): Running {
    const env = pgClientEnv(session.env, opts.password === false ? undefined : pg.password, home);
    if (opts.interactive) delete env.TF_INPUT;
    const [sub, ...rest] = args;
    // `terraform state <command>` takes its flags after <command>.
    const argv = sub === "state" ? [sub, rest[0]!, "-no-color", ...rest.slice(1)] : [sub!, "-no-color", ...rest];
    const t0 = Date.now();
    const child = spawn(tf.path, argv, { cwd: dir, env, stdio: [opts.interactive ? "pipe" : "ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const waiters: { text: string; resolve: () => void }[] = [];
    const check = () => {
      for (const w of [...waiters]) {
        if (stdout.includes(w.text)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    child.stdout!.setEncoding("utf8").on("data", (d: string) => ((stdout += d), check()));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    let exited = false;
    const done = new Promise<RunResult>((resolveRun) => {
      child.on("error", (e) => ((exited = true), resolveRun({ code: 127, stdout, stderr: stderr + String(e), ms: Date.now() - t0 })));
      child.on("close", (code) => ((exited = true), resolveRun({ code: code ?? 1, stdout, stderr, ms: Date.now() - t0 })));
    });
    const r: Running = {
      output: () => stdout + stderr,
      waitFor: (text, ms = 30_000) =>
        new Promise<void>((resolveWait, reject) => {
          const timer = setTimeout(() => reject(new Error(`terraform ${sub} never printed ${JSON.stringify(text)} within ${ms} ms; output so far:\n${stdout}${stderr}`)), ms);
          waiters.push({ text, resolve: () => (clearTimeout(timer), resolveWait()) });
          check();
          void done.then(() => {
            if (waiters.some((w) => w.text === text)) {
              clearTimeout(timer);
              reject(new Error(`terraform ${sub} exited without printing ${JSON.stringify(text)}:\n${stdout}${stderr}`));
            }
          });
        }),
      answer: (line) => child.stdin!.end(`${line}\n`),
      done,
      kill: () => {
        if (!exited) child.kill("SIGKILL");
      },
    };
    running.push(r);
    return r;
  }
  const tfRun = (dir: string, args: string[], opts: { password?: boolean } = {}) => terraform(dir, args, opts).done;
  const stack = (name: string) => {
    const s = stacks.find((x) => x.name === name);
    if (!s) throw new Error(`no stack ${name} in the synth output (have: ${stacks.map((x) => x.name).join(", ")})`);
    return s;
  };
  /** A copy of a stack with its pg backend kept, `terraform init`-ed (with PGPASSWORD). */
  async function initialised(name: string, label: string): Promise<string> {
    const dir = prepareStack(stack(name), session.workdir(`${name}-${label}`), { keepBackend: true });
    const r = await tfRun(dir, ["init", "-input=false"]);
    if (r.code !== 0) throw new Error(`terraform init of ${name} failed:\n${r.stderr || r.stdout}`);
    return dir;
  }
  const sql = async (query: string) => {
    const r = await pg.psql(query);
    if (r.code !== 0) throw new Error(`psql failed: ${r.stderr}`);
    return r.stdout.trim();
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "pg-backend-test-"));
    const t0 = Date.now();
    pg = await startPostgres(postgresFound as PgBinaries);
    const started = Date.now() - t0;
    connStr = `postgres://${pg.user}@${pg.host}:${pg.port}/${pg.database}?sslmode=disable`;
    outdir = mkdtempSync(join(tmpdir(), "pg-backend-synth-"));
    // As at `PGPASSWORD=... cdktf deploy`: the password is in synth's environment too.
    const synthMs = (await synth(outdir, { env: { HOMELAB_STATE_BACKEND: "pg", HOMELAB_PG_CONN_STR: connStr, PGPASSWORD: pg.password } })).ms;
    stacks = listStacks(outdir);
    session = await TerraformSession.start({ terraform: tf, schemas: loadSchemas([join(REPO_ROOT, "schemas")]) });
    // eslint-disable-next-line no-console
    console.log(`pg-backend: ${pg.binaries.version} (${pg.binaries.bin}) on 127.0.0.1:${pg.port}, started in ${started} ms; synth ${synthMs} ms; terraform ${tf.version}`);
  });
  afterAll(async () => {
    for (const r of running) r.kill();
    await session?.close();
    pg?.stop();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("synth writes a pg backend for every stack, one schema per stack, and the password nowhere", () => {
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(["dev-compute", "prod-storage", "prod-k8s-storage"]));
    for (const s of stacks) {
      expect([s.name, readJson(join(s.dir, "cdk.tf.json")).terraform.backend]).toEqual([s.name, { pg: { conn_str: connStr, schema_name: s.name.replace(/-/g, "_") } }]);
    }
    // The cross-stack reference reads prod-storage's state from the same database.
    expect(readJson(join(stack("prod-k8s-storage").dir, "cdk.tf.json")).data.terraform_remote_state["cross-stack-reference-input-prod-storage"]).toMatchObject({
      backend: "pg",
      config: { conn_str: connStr, schema_name: "prod_storage" },
    });
    const files = filesUnder(outdir);
    expect(files.filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(stacks.length);
    const leaks = files.filter((f) => pg.secrets.some((secret) => readFileSync(f, "utf8").includes(secret)));
    expect(leaks).toEqual([]);
  });

  let dirA: string;

  test("terraform init reaches the server with PGPASSWORD only: refused without it, configured with it, and the password is not cached", async () => {
    dirA = prepareStack(stack("dev-compute"), session.workdir("dev-compute-A"), { keepBackend: true });
    const refused = await tfRun(dirA, ["init", "-input=false"], { password: false });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`password authentication failed for user "${pg.user}"`);
    const ok = await tfRun(dirA, ["init", "-input=false"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Successfully configured the backend "pg"!`);
    // Terraform caches the backend configuration in .terraform/terraform.tfstate: the URL, no password.
    const cached = readFileSync(join(dirA, ".terraform", "terraform.tfstate"), "utf8");
    expect(JSON.parse(cached).backend).toMatchObject({ type: "pg", config: { conn_str: connStr, schema_name: "dev_compute" } });
    for (const secret of pg.secrets) expect(cached.includes(secret)).toBe(false);
    // The backend created the stack's schema and its states table.
    expect(await sql("SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_name = 'states'")).toBe("dev_compute.states");
  });

  test("dev-compute applies into PostgreSQL", async () => {
    const resources = declaredAddresses(dirA).filter((a) => !a.startsWith("data."));
    expect(resources.length).toBeGreaterThan(0);
    const r = await tfRun(dirA, ["apply", "-auto-approve", "-input=false"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Apply complete! Resources: ${resources.length} added, 0 changed, 0 destroyed.`);
    expect(await sql("SELECT name FROM dev_compute.states")).toBe("default");
  });

  const descA = "pg-backend test: applied by A, which held the lock";
  const descC = "pg-backend test: applied by C, after waiting for the lock";
  let refused: RunResult;
  let held: RunResult;
  let waited: RunResult;
  let waitedWhileHeld = false;
  let heldAdvisoryLocks = "";

  test("the state lock holds against concurrent applies: one with -lock-timeout=0s is refused, one with a timeout waits and applies on top", async () => {
    // A second working copy (another engineer's checkout) on the same state in PostgreSQL.
    const dirB = await initialised("dev-compute", "B");
    const vm = (doc: Json, name: string) => doc.resource.proxmox_virtual_environment_vm[name];
    const [first, second] = Object.keys(readJson(join(dirA, "cdk.tf.json")).resource.proxmox_virtual_environment_vm).sort() as [string, string];
    // Both want to write: A changes the first VM's description; B/C the same, plus the second VM's.
    editJson(join(dirA, "cdk.tf.json"), (d) => (vm(d, first).description = descA));
    editJson(join(dirB, "cdk.tf.json"), (d) => ((vm(d, first).description = descA), (vm(d, second).description = descC)));

    // A: an apply waiting at its approval prompt holds the lock (and its plan) until answered.
    const a = terraform(dirA, ["apply", "-input=true"], { interactive: true });
    try {
      await a.waitFor("Enter a value:");
      heldAdvisoryLocks = await sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted");

      // B: at the same time, no waiting for the lock.
      refused = await tfRun(dirB, ["apply", "-auto-approve", "-input=false", "-lock-timeout=0s"]);

      // C: at the same time, willing to wait; released when A is approved and done.
      const c = terraform(dirB, ["apply", "-auto-approve", "-input=false", "-lock-timeout=60s"]);
      // Terraform says so once it has waited for the lock for 0.4 s.
      await c.waitFor("Acquiring state lock. This may take a few moments...");
      waitedWhileHeld = !/Apply complete|Plan:/.test(c.output());
      a.answer("yes");
      held = await a.done;
      waited = await c.done;
    } finally {
      a.kill();
    }

    // While A held it, the lock was a PostgreSQL advisory lock.
    expect(Number(heldAdvisoryLocks)).toBeGreaterThanOrEqual(1);
    // B was refused with Terraform's own message, before planning anything.
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Error: Error acquiring the state lock");
    expect(refused.stderr).toContain("Operation: OperationTypeApply");
    expect(refused.stdout).not.toContain("Plan:");
    // A applied its change.
    expect(held.stderr).toBe("");
    expect(held.code).toBe(0);
    expect(held.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    // C was still waiting when A was approved, then planned on A's written state: only its own
    // change is left (against the state before A it would have been 2 changes).
    expect(waitedWhileHeld).toBe(true);
    expect(waited.stderr).toBe("");
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    // Nothing holds a lock any more.
    expect(await sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).toBe("0");
  });

  test("afterwards the state is complete and readable: state list, show -json, and the row in PostgreSQL", async () => {
    const declared = declaredAddresses(dirA);
    const list = await tfRun(dirA, ["state", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split("\n").sort()).toEqual(declared);

    const show = await tfRun(dirA, ["show", "-json"]);
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout) as Json;
    const descriptions = Object.fromEntries((shown.values.root_module.resources as Json[]).map((r) => [r.address, r.values.description]));
    expect(Object.keys(descriptions).sort()).toEqual(declared);
    // Both writers' changes are in it: A's, and C's on top.
    expect(Object.values(descriptions).filter((d) => d === descA)).toHaveLength(1);
    expect(Object.values(descriptions).filter((d) => d === descC)).toHaveLength(1);

    // The state Terraform reads is the row in PostgreSQL (schema dev_compute, table states).
    const pulled = await tfRun(dirA, ["state", "pull"]);
    expect(pulled.code).toBe(0);
    const state = JSON.parse(pulled.stdout) as Json;
    const rows = JSON.parse(await sql("SELECT json_agg(json_build_object('name', name, 'data', data)) FROM dev_compute.states")) as { name: string; data: string }[];
    expect(rows.map((r) => r.name)).toEqual(["default"]);
    const data = rows[0]!.data;
    const row = JSON.parse(data) as Json;
    expect({ lineage: row.lineage, serial: row.serial }).toEqual({ lineage: state.lineage, serial: state.serial });
    expect((row.resources as Json[]).map((r) => `${r.type}.${r.name}`).sort()).toEqual(declared);
    for (const secret of pg.secrets) expect(data.includes(secret)).toBe(false);
  });

  test("prod-storage applies into PostgreSQL, and prod-k8s-storage (its remote state unchanged: backend pg) reads prod-storage's outputs from there", async () => {
    const storage = await initialised("prod-storage", "apply");
    const s = await tfRun(storage, ["apply", "-auto-approve", "-input=false"]);
    expect(s.stderr).toBe("");
    expect(s.code).toBe(0);
    const storageResources = declaredAddresses(storage).filter((a) => !a.startsWith("data."));
    expect(s.stdout).toContain(`Apply complete! Resources: ${storageResources.length} added, 0 changed, 0 destroyed.`);

    const k8s = await initialised("prod-k8s-storage", "apply");
    expect(readJson(join(k8s, "cdk.tf.json")).data.terraform_remote_state["cross-stack-reference-input-prod-storage"].backend).toBe("pg");
    const k = await tfRun(k8s, ["apply", "-auto-approve", "-input=false"]);
    expect(k.stderr).toBe("");
    expect(k.code).toBe(0);

    const storageState = JSON.parse((await tfRun(storage, ["state", "pull"])).stdout) as Json;
    const k8sState = JSON.parse((await tfRun(k8s, ["state", "pull"])).stdout) as Json;
    const remote = (k8sState.resources as Json[]).find((r) => r.type === "terraform_remote_state")!.instances[0].attributes.outputs.value as Json;
    const crossOutputs = Object.entries(storageState.outputs as Record<string, Json>).filter(([o]) => o.startsWith("cross-stack-output-"));
    expect(crossOutputs.length).toBeGreaterThan(0);
    for (const [o, v] of crossOutputs) expect(remote).toHaveProperty([o], v.value);
    expect((await tfRun(k8s, ["state", "list"])).stdout.trim().split("\n").sort()).toEqual(declaredAddresses(k8s));

    // One schema per stack, each with its state row.
    const schemas = await sql("SELECT table_schema FROM information_schema.tables WHERE table_name = 'states' ORDER BY 1");
    expect(schemas.split("\n")).toEqual(["dev_compute", "prod_k8s_storage", "prod_storage"]);
    for (const schema of ["prod_storage", "prod_k8s_storage"]) expect(await sql(`SELECT count(*) FROM ${schema}.states WHERE name = 'default'`)).toBe("1");
  });
});
