/**
 * `npm run validate`, as a library: synthesize the app, then for every stack run the machine's
 * Terraform (>= 1.11) against the schema-serving provider — `terraform validate` and
 * `terraform plan -input=false -lock=false -refresh=false` on a throwaway copy of the stack with
 * an empty local state. No network, no credentials, no registry, no `terraform init`.
 *
 * Stacks run in dependency order (manifest.json's `dependencies`, plus any
 * `terraform_remote_state` that reads another stack's state). A stack that others read is, after
 * its plan passes, applied from that saved plan into its throwaway local state (the provider fills
 * computed values with placeholders); each dependent's remote-state data sources are rewritten in
 * its copy to read that applied state (local backend, absolute path), whatever backend they named
 * (local, pg, s3: nothing is contacted). So a dependent is planned against its dependencies' outputs.
 *
 * Providers are attached one of two ways:
 * - "reattach" (default, fast): this Node process serves every provider schema itself on unix
 *   sockets and hands Terraform TF_REATTACH_PROVIDERS;
 * - "spawn": Terraform starts the provider executable itself through a CLI configuration with
 *   dev_overrides (go-plugin handshake, AutoMTLS), exactly as it starts a real provider.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defaultSchemaPaths, loadSchemas } from "./main";
import { fqpnOf, type LoadedProvider } from "./schema";
import { loadReplaceTable, type ReattachServers, startReattachServers } from "./server";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const MIN_TERRAFORM = [1, 11, 0] as const;

// ---------------------------------------------------------------------------------------------
// Terraform on PATH

export interface TerraformBinary {
  path: string;
  version: string;
}

/** The terraform binary to use (TERRAFORM env, else PATH) and its version, or why not. */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): TerraformBinary | { error: string } {
  const bin = env.TERRAFORM || "terraform";
  const r = spawnSync(bin, ["version", "-json"], { encoding: "utf8", env: { ...env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" } });
  if (r.error || r.status !== 0) {
    return { error: `terraform not found (looked for ${JSON.stringify(bin)} on PATH${r.error ? `: ${(r.error as Error).message}` : ""}). npm run validate needs Terraform >= ${MIN_TERRAFORM.join(".")}: https://developer.hashicorp.com/terraform/install` };
  }
  let version = "";
  try {
    version = (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    version = /v(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] ?? "";
  }
  const parts = version.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    if ((parts[i] ?? 0) > MIN_TERRAFORM[i]!) break;
    if ((parts[i] ?? 0) < MIN_TERRAFORM[i]!) return { error: `terraform ${version} at ${bin} is too old: npm run validate needs >= ${MIN_TERRAFORM.join(".")} (write-only attributes, plugin protocol 6.8)` };
  }
  return { path: bin, version };
}

// ---------------------------------------------------------------------------------------------
// Synthesis and stack discovery

export interface SynthResult {
  outdir: string;
  ms: number;
  output: string;
}

/** Run the CDKTF app (`tsx main.ts`, as cdktf.json's app does) with CDKTF_OUTDIR=outdir. */
export async function synth(outdir: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SynthResult> {
  const cwd = opts.cwd ?? REPO_ROOT;
  const t0 = Date.now();
  const tsx = join(cwd, "node_modules", ".bin", "tsx");
  const r = await run(existsSync(tsx) ? tsx : "npx", existsSync(tsx) ? ["main.ts"] : ["tsx", "main.ts"], {
    cwd,
    env: { ...process.env, ...opts.env, CDKTF_OUTDIR: outdir },
  });
  const output = (r.stdout + r.stderr).trim();
  if (r.code !== 0) throw new Error(`synthesis failed (exit ${r.code}):\n${output}`);
  return { outdir, ms: Date.now() - t0, output };
}

export interface StackDir {
  name: string;
  /** Directory holding cdk.tf.json. */
  dir: string;
  /** Stacks this one depends on (manifest.json, plus the stacks its terraform_remote_state data sources read). */
  dependencies?: string[];
}

/**
 * The stacks in a synth output directory (manifest.json when present, else stacks/*), in
 * dependency order: every stack after the stacks it depends on, otherwise by name. Throws on a
 * dependency cycle or a dependency on a stack that is not there.
 */
export function listStacks(outdir: string): StackDir[] {
  const manifest = join(outdir, "manifest.json");
  let stacks: StackDir[];
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, "utf8")) as { stacks: Record<string, { name: string; workingDirectory: string; dependencies?: string[] }> };
    stacks = Object.values(m.stacks).map((s) => ({ name: s.name, dir: join(outdir, s.workingDirectory), dependencies: [...(s.dependencies ?? [])] }));
  } else {
    const stacksDir = join(outdir, "stacks");
    if (!existsSync(stacksDir)) return [];
    stacks = readdirSync(stacksDir)
      .filter((n) => existsSync(join(stacksDir, n, "cdk.tf.json")))
      .map((name) => ({ name, dir: join(stacksDir, name), dependencies: [] }));
  }
  // What the stacks' remote states read counts too (a synth output without manifest, a hand edit).
  for (const s of stacks) {
    const file = join(s.dir, "cdk.tf.json");
    if (!existsSync(file)) continue;
    for (const ref of remoteStates(JSON.parse(readFileSync(file, "utf8")) as TfJson)) {
      const dep = stackReadBy(ref, stacks);
      if (dep && dep !== s.name && !s.dependencies!.includes(dep)) s.dependencies!.push(dep);
    }
  }
  return orderStacks(stacks);
}

/** Topological order (depth-first: each stack right after the stacks it depends on), ties by name. Throws on a cycle or an unknown dependency. */
export function orderStacks(stacks: StackDir[]): StackDir[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const out: StackDir[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: StackDir, path: string[]) => {
    if (state.get(s.name) === "done") return;
    if (state.get(s.name) === "visiting") throw new Error(`stack dependency cycle: ${[...path, s.name].join(" -> ")}`);
    state.set(s.name, "visiting");
    for (const d of [...(s.dependencies ?? [])].sort()) {
      const dep = byName.get(d);
      if (!dep) throw new Error(`stack ${s.name} depends on ${d}, which is not in the synth output (have: ${[...byName.keys()].join(", ")})`);
      visit(dep, [...path, s.name]);
    }
    state.set(s.name, "done");
    out.push(s);
  };
  for (const s of [...stacks].sort((a, b) => a.name.localeCompare(b.name))) visit(s, []);
  return out;
}

/** `stacks` plus, transitively, every stack they depend on (in `all`'s order). */
export function withDependencies(selected: string[], all: StackDir[]): StackDir[] {
  const byName = new Map(all.map((s) => [s.name, s]));
  const want = new Set<string>();
  const add = (n: string) => {
    if (want.has(n)) return;
    want.add(n);
    for (const d of byName.get(n)?.dependencies ?? []) add(d);
  };
  selected.forEach(add);
  return all.filter((s) => want.has(s.name));
}

interface TfJson {
  terraform?: { backend?: unknown; cloud?: unknown; required_providers?: Record<string, { source?: string; version?: string } | string> };
  module?: unknown;
  data?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Cross-stack references: terraform_remote_state data sources

export interface RemoteStateRef {
  /** `data.terraform_remote_state.<name>` */
  address: string;
  name: string;
  backend: string;
  config: unknown;
}

/** The terraform_remote_state data sources of a stack document. */
export function remoteStates(doc: TfJson): RemoteStateRef[] {
  return Object.entries((doc.data?.terraform_remote_state ?? {}) as Record<string, { backend?: string; config?: unknown }>).map(([name, body]) => ({
    address: `data.terraform_remote_state.${name}`,
    name,
    backend: body.backend ?? "local",
    config: body.config ?? {},
  }));
}

/** JSON with sorted keys, to compare backend configurations. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * The stack whose state a remote-state data source reads: the stack whose own backend block has
 * the same type and configuration (what CDKTF writes for a cross-stack reference, for every
 * backend), else by CDKTF's name `cross-stack-reference-input-<stack>`.
 */
export function stackReadBy(ref: RemoteStateRef, stacks: StackDir[]): string | undefined {
  for (const s of stacks) {
    const file = join(s.dir, "cdk.tf.json");
    if (!existsSync(file)) continue;
    const backend = (JSON.parse(readFileSync(file, "utf8")) as TfJson).terraform?.backend as Record<string, unknown> | undefined;
    const [type, config] = Object.entries(backend ?? {})[0] ?? [];
    if (type === ref.backend && canonical(config) === canonical(ref.config)) return s.name;
  }
  const m = /^cross-stack-reference-input-(.+)$/.exec(ref.name);
  return m && stacks.some((s) => s.name === m[1]) ? m[1] : undefined;
}

export interface LinkResult {
  /** The stacks whose applied state the copy now reads. */
  against: string[];
  /** Remote states that could not be pointed at an applied state (the plan would fail or reach out). */
  problems: string[];
}

/**
 * In a prepared copy (never in the synth output), point every terraform_remote_state at the
 * applied throwaway state of the stack it reads: `backend = "local"`, `config.path` absolute.
 * `applied` maps stack name to its state file. A remote state of something that is not a stack
 * of this app, or of a stack not applied, is a problem: it is left as is and must not be planned
 * (it would read the real state, or fail on a missing one).
 */
export function linkRemoteStates(dir: string, stacks: StackDir[], applied: ReadonlyMap<string, string>): LinkResult {
  const file = join(dir, "cdk.tf.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as TfJson;
  const against = new Set<string>();
  const problems: string[] = [];
  for (const ref of remoteStates(doc)) {
    const stack = stackReadBy(ref, stacks);
    const state = stack && applied.get(stack);
    if (!stack) {
      problems.push(`${ref.address} reads a state (backend "${ref.backend}") that is not a stack of this synth output: validate cannot supply it, and never reads a real state`);
    } else if (!state) {
      problems.push(`${ref.address} reads the state of ${stack}, which was not applied (it failed, or was not validated in this run)`);
    } else {
      const body = doc.data!.terraform_remote_state![ref.name] as Record<string, unknown>;
      body.backend = "local";
      body.config = { path: resolve(state) };
      against.add(stack);
    }
  }
  if (against.size) writeFileSync(file, JSON.stringify(doc, null, 2));
  return { against: [...against].sort(), problems };
}

/**
 * Copy a stack directory to `dest` and neutralise its state backend there (the default local
 * backend, state in `dest`), so the user's state is never read, locked or written.
 */
export function prepareStack(stack: StackDir, dest: string): string {
  mkdirSync(dest, { recursive: true });
  cpSync(stack.dir, dest, { recursive: true, filter: (src) => !/[/\\]\.terraform([/\\]|$)|\.tfstate(\.backup)?$/.test(src) });
  const file = join(dest, "cdk.tf.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as TfJson;
  if (doc.terraform) {
    delete doc.terraform.backend;
    delete doc.terraform.cloud;
  }
  writeFileSync(file, JSON.stringify(doc, null, 2));
  // Secrets are variables without default (a real apply must be given them); a plan here gets
  // placeholders of the right type, auto-loaded by Terraform, so no real secret is ever needed.
  const placeholders = Object.fromEntries(
    Object.entries((doc.variable ?? {}) as Record<string, { default?: unknown; type?: string }>)
      .filter(([, v]) => !("default" in v))
      .map(([name, v]) => [name, v.type === "number" ? 0 : v.type === "bool" ? false : "validate-placeholder"]),
  );
  if (Object.keys(placeholders).length > 0) {
    writeFileSync(join(dest, "validate-placeholders.auto.tfvars.json"), JSON.stringify(placeholders, null, 2));
  }
  return dest;
}

/** Providers a stack requires (FQPN -> version constraint as written). */
export function requiredProviders(dir: string): Map<string, string | undefined> {
  const doc = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as TfJson;
  const out = new Map<string, string | undefined>();
  for (const [name, req] of Object.entries(doc.terraform?.required_providers ?? {})) {
    if (typeof req === "string") out.set(fqpnOf(name), req);
    else out.set(fqpnOf(req.source ?? name), req.version);
  }
  return out;
}

/** Problems with the schemas available for a stack's providers (missing, or a pinned version we don't have). */
export function schemaProblems(dir: string, schemas: Map<string, LoadedProvider>): string[] {
  const problems: string[] = [];
  for (const [fqpn, constraint] of requiredProviders(dir)) {
    if (fqpn.startsWith("terraform.io/builtin/")) continue;
    const s = schemas.get(fqpn);
    if (!s) {
      problems.push(`no schema for provider ${fqpn}: add schemas/<type>@<version>.json (terraform providers schema -json output with a provider_versions map)`);
      continue;
    }
    const exact = constraint ? /^\s*=?\s*v?(\d+\.\d+\.\d+\S*)\s*$/.exec(constraint)?.[1] : undefined;
    if (exact && s.version && exact !== s.version) {
      problems.push(`provider ${fqpn} is pinned to ${exact} but the schema in ${s.file} is from ${s.version}: refresh the schema file`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Running Terraform against the schema-serving provider

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolvePromise) => {
    // Asynchronous on purpose: in reattach mode this process serves the provider while
    // Terraform runs, so the event loop must keep turning.
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => resolvePromise({ code: 127, stdout, stderr: stderr + String(e), ms: Date.now() - t0 }));
    child.on("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr, ms: Date.now() - t0 }));
  });
}

export type Mode = "reattach" | "spawn";

export interface SessionOptions {
  terraform: TerraformBinary;
  schemas: Map<string, LoadedProvider>;
  mode?: Mode;
  /** RPC trace file for the provider (debugging). */
  providerLog?: string;
}

/**
 * A set of providers Terraform can use, and the environment that points Terraform at them.
 * `close()` stops the in-process servers and removes temporary files.
 */
export class TerraformSession {
  readonly env: NodeJS.ProcessEnv;
  private constructor(
    readonly terraform: TerraformBinary,
    readonly mode: Mode,
    private readonly home: string,
    env: NodeJS.ProcessEnv,
    private readonly servers?: ReattachServers,
  ) {
    this.env = env;
  }

  static async start(opts: SessionOptions): Promise<TerraformSession> {
    const mode = opts.mode ?? "reattach";
    const home = mkdtempSync(join(tmpdir(), "homelab-validate-"));
    const env = terraformEnv();
    const cliConfig = join(home, "terraform.rc");
    const table = loadReplaceTable();
    const providers = [...opts.schemas.values()];
    if (mode === "reattach") {
      const log = opts.providerLog ? (l: string) => writeFileSync(opts.providerLog!, `${l}\n`, { flag: "a" }) : undefined;
      const servers = await startReattachServers(providers, table, log);
      writeFileSync(cliConfig, "# empty: providers are attached with TF_REATTACH_PROVIDERS\n");
      env.TF_CLI_CONFIG_FILE = cliConfig;
      env.TF_REATTACH_PROVIDERS = servers.reattach;
      return new TerraformSession(opts.terraform, mode, home, env, servers);
    }
    // spawn: one executable per provider, named terraform-provider-<type>, in its own directory.
    const entry = buildProvider(join(home, "provider"));
    const schemaFiles = [...new Set(providers.map((p) => p.file))];
    const overrides: string[] = [];
    for (const p of providers) {
      const bin = join(home, "bin", p.fqpn.replace(/[^a-z0-9.-]/gi, "_"));
      mkdirSync(bin, { recursive: true });
      const exe = join(bin, `terraform-provider-${p.type}`);
      const args = [...entry, "--provider", p.fqpn, ...schemaFiles.flatMap((f) => ["--schemas", f])];
      if (opts.providerLog) args.push("--log", opts.providerLog);
      writeFileSync(exe, `#!/bin/sh\nexec ${[process.execPath, ...args].map(shellQuote).join(" ")}\n`);
      chmodSync(exe, 0o755);
      overrides.push(`    ${JSON.stringify(p.fqpn)} = ${JSON.stringify(bin)}`);
    }
    writeFileSync(cliConfig, `provider_installation {\n  dev_overrides {\n${overrides.join("\n")}\n  }\n  direct {}\n}\n`);
    env.TF_CLI_CONFIG_FILE = cliConfig;
    return new TerraformSession(opts.terraform, mode, home, env);
  }

  /** Run terraform in `dir` (-no-color is added to every subcommand). */
  run(dir: string, args: string[]): Promise<RunResult> {
    const [sub, ...rest] = args;
    return run(this.terraform.path, [sub!, "-no-color", ...rest], { cwd: dir, env: this.env }).then((r) => ({
      ...r,
      stdout: stripOverrideWarning(r.stdout),
      stderr: stripOverrideWarning(r.stderr),
    }));
  }

  /** A fresh working directory inside the session's temp home. */
  workdir(name: string): string {
    return mkdtempSync(join(this.home, `${name.replace(/[^a-z0-9_-]/gi, "_")}-`));
  }

  /** Stop the in-process providers and (unless keepFiles) remove the session's temp files. */
  async close(opts: { keepFiles?: boolean } = {}): Promise<void> {
    await this.servers?.close();
    if (!opts.keepFiles) rmSync(this.home, { recursive: true, force: true });
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Terraform's environment: hermetic (no user TF_* settings), no checkpoint calls, no prompts. */
function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("TF_") && !k.startsWith("TF_VAR_") && !k.startsWith("TF_LOG")) continue;
    env[k] = v;
  }
  env.CHECKPOINT_DISABLE = "1";
  env.TF_IN_AUTOMATION = "1";
  env.TF_INPUT = "0";
  return env;
}

/**
 * The provider as one JavaScript file (esbuild, which tsx already brings) plus its proto files
 * and replace table: a spawned provider then starts in ~0.1 s instead of compiling TypeScript.
 * Falls back to running main.ts through tsx's loader. Returns node's arguments.
 */
function buildProvider(dir: string): string[] {
  const src = join(REPO_ROOT, "tools", "schema-provider");
  const esbuild = join(REPO_ROOT, "node_modules", ".bin", "esbuild");
  mkdirSync(dir, { recursive: true });
  if (existsSync(esbuild)) {
    const out = join(dir, "main.js");
    const r = spawnSync(esbuild, [join(src, "main.ts"), "--bundle", "--platform=node", "--target=node20", `--outfile=${out}`, "--log-level=error"], { encoding: "utf8" });
    if (r.status === 0) {
      cpSync(join(src, "proto"), join(dir, "proto"), { recursive: true });
      cpSync(join(src, "requires-replace.json"), join(dir, "requires-replace.json"));
      return [out];
    }
  }
  return ["--import", `file://${join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")}`, join(src, "main.ts")];
}

/** dev_overrides makes Terraform print this warning on every run; it says nothing about the stack. */
export function stripOverrideWarning(s: string): string {
  return s.replace(/\n?Warning: Provider development overrides are in effect[\s\S]*?releases\.\n/g, "").replace(/^\n+/, "");
}

// ---------------------------------------------------------------------------------------------
// validate + plan of one stack

export interface PlanCounts {
  import: number;
  add: number;
  change: number;
  destroy: number;
}

export interface StackResult {
  stack: string;
  ok: boolean;
  /** Where it failed: a dependency (not planned), our schema check, validate, plan, or the apply for dependents. */
  phase?: "dependency" | "schema" | "validate" | "plan" | "apply";
  /** Terraform's own output for a failure (or our schema problem). */
  message?: string;
  plan?: PlanCounts;
  validateMs?: number;
  planMs?: number;
  /** Stacks whose applied throwaway state this stack's remote states were pointed at. */
  against?: string[];
  /** Stacks that read this one's state: it was applied (from its saved plan) for them. */
  appliedFor?: string[];
  applyMs?: number;
  /** The applied throwaway state file (when appliedFor). */
  stateFile?: string;
  /** The throwaway working directory (kept only with keepWorkdirs). */
  workdir: string;
}

export function parsePlanCounts(out: string): PlanCounts | undefined {
  if (/No changes\./.test(out)) return { import: 0, add: 0, change: 0, destroy: 0 };
  const m = /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy/.exec(out);
  if (!m) return undefined;
  return { import: Number(m[1] ?? 0), add: Number(m[2]), change: Number(m[3]), destroy: Number(m[4]) };
}

const failureText = (r: RunResult) => (r.stderr.trim() || r.stdout.trim()).replace(/\n{3,}/g, "\n\n");

/**
 * validate, then plan, a prepared stack directory. With `planOut` the plan is saved there
 * (relative to `dir`), for `applyPlan`.
 */
export async function checkStackDir(session: TerraformSession, name: string, dir: string, schemas: Map<string, LoadedProvider>, opts: { planOut?: string } = {}): Promise<StackResult> {
  const problems = schemaProblems(dir, schemas);
  if (problems.length) return { stack: name, ok: false, phase: "schema", message: problems.join("\n"), workdir: dir };
  const doc = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as TfJson;
  if (doc.module) {
    const g = await session.run(dir, ["get"]);
    if (g.code !== 0) return { stack: name, ok: false, phase: "validate", message: failureText(g), workdir: dir };
  }
  const v = await session.run(dir, ["validate"]);
  if (v.code !== 0) return { stack: name, ok: false, phase: "validate", message: failureText(v), validateMs: v.ms, workdir: dir };
  const p = await session.run(dir, ["plan", "-input=false", "-lock=false", "-refresh=false", ...(opts.planOut ? [`-out=${opts.planOut}`] : [])]);
  const plan = parsePlanCounts(p.stdout);
  if (p.code !== 0 || !plan) return { stack: name, ok: false, phase: "plan", message: failureText(p), validateMs: v.ms, planMs: p.ms, workdir: dir };
  return { stack: name, ok: true, plan, validateMs: v.ms, planMs: p.ms, workdir: dir };
}

export const SAVED_PLAN = "validate.tfplan";

/**
 * Apply a prepared stack into its throwaway local state (`<dir>/terraform.tfstate`): from the
 * saved plan when there is one (no second plan), else a fresh `apply -auto-approve`. The
 * schema-serving provider applies by filling computed values with placeholders.
 */
export async function applyStackDir(session: TerraformSession, dir: string, opts: { planFile?: string } = {}): Promise<RunResult & { stateFile: string }> {
  const args = opts.planFile ? ["apply", "-input=false", "-lock=false", opts.planFile] : ["apply", "-auto-approve", "-input=false", "-lock=false", "-refresh=false"];
  const r = await session.run(dir, args);
  return { ...r, stateFile: join(dir, "terraform.tfstate") };
}

// ---------------------------------------------------------------------------------------------
// The whole run

export interface ValidateOptions {
  /** Synth output to validate. Without it (or with synth: true) the app is synthesized into a temp dir. */
  outdir?: string;
  synth?: boolean;
  /** Only these stacks. */
  stacks?: string[];
  /** Schema files or directories (default: schemas/, or SCHEMA_PROVIDER_SCHEMAS). */
  schemaPaths?: string[];
  mode?: Mode;
  keepWorkdirs?: boolean;
  providerLog?: string;
  /** How many stacks may run Terraform at once (default: 2, or 1 on one CPU); dependencies always run first. */
  concurrency?: number;
  /** Called with each stack's result, in dependency order, as soon as it and those before it are known. */
  onResult?: (r: StackResult) => void;
  env?: NodeJS.ProcessEnv;
}

export interface ValidateReport {
  ok: boolean;
  terraform?: TerraformBinary;
  /** Set when nothing could be validated (no terraform, synthesis failed, no stacks). */
  error?: string;
  mode: Mode;
  synthMs?: number;
  /** validate + plan of every stack, provider start included (synthesis excluded). */
  terraformMs?: number;
  totalMs: number;
  results: StackResult[];
}

export async function validateApp(opts: ValidateOptions = {}): Promise<ValidateReport> {
  const t0 = Date.now();
  const mode = opts.mode ?? "reattach";
  const fail = (error: string, extra: Partial<ValidateReport> = {}): ValidateReport => ({ ok: false, error, mode, totalMs: Date.now() - t0, results: [], ...extra });
  const terraform = findTerraform(opts.env);
  if ("error" in terraform) return fail(terraform.error);

  let outdir = opts.outdir;
  let synthMs: number | undefined;
  let synthTmp: string | undefined;
  if (!outdir || opts.synth) {
    if (!outdir) outdir = synthTmp = mkdtempSync(join(tmpdir(), "homelab-synth-"));
    try {
      synthMs = (await synth(resolve(outdir), { env: opts.env })).ms;
    } catch (e) {
      if (synthTmp) rmSync(synthTmp, { recursive: true, force: true });
      return fail((e as Error).message, { terraform });
    }
  }
  try {
    let all: StackDir[];
    try {
      all = listStacks(outdir);
    } catch (e) {
      return fail((e as Error).message, { terraform, synthMs });
    }
    let stacks = all;
    if (opts.stacks?.length) {
      const unknown = opts.stacks.filter((s) => !stacks.some((x) => x.name === s));
      if (unknown.length) return fail(`no such stack: ${unknown.join(", ")} (have: ${stacks.map((s) => s.name).join(", ") || "none"})`, { terraform, synthMs });
      // A dependent is planned against its dependencies' applied state: they run too.
      stacks = withDependencies(opts.stacks, all);
    }
    if (!stacks.length) return fail(`no stacks found in ${outdir}`, { terraform, synthMs });

    const schemas = loadSchemas(opts.schemaPaths ?? defaultSchemaPaths(opts.env ?? process.env));
    const t1 = Date.now();
    const session = await TerraformSession.start({ terraform, schemas, mode, providerLog: opts.providerLog });
    const results: StackResult[] = [];
    try {
      // Stacks (in this run) that read each stack's state.
      const readers = new Map<string, string[]>();
      for (const s of stacks) for (const d of s.dependencies ?? []) readers.set(d, [...(readers.get(d) ?? []), s.name]);
      const applied = new Map<string, string>();
      const failed = new Set<string>();
      // Each stack starts once the stacks it depends on are done; independent stacks run side by
      // side (at most `concurrency` Terraform runs at once). Results are reported in dependency order.
      const limit = gate(Math.max(1, opts.concurrency ?? Math.min(2, availableParallelism())));
      const running = new Map<string, Promise<StackResult>>();
      for (const s of stacks) {
        const deps = (s.dependencies ?? []).map((d) => running.get(d)).filter((p): p is Promise<StackResult> => p !== undefined);
        running.set(
          s.name,
          Promise.all(deps).then(() =>
            limit(async () => {
              const dir = prepareStack(s, session.workdir(s.name));
              const r = await checkStack(session, s, dir, all, schemas, applied, failed, readers.get(s.name) ?? []);
              if (!r.ok) failed.add(s.name);
              if (r.stateFile) applied.set(s.name, r.stateFile);
              return r;
            }),
          ),
        );
      }
      for (const s of stacks) {
        const r = await running.get(s.name)!;
        results.push(r);
        opts.onResult?.(r);
      }
    } finally {
      await session.close({ keepFiles: opts.keepWorkdirs });
    }
    return { ok: results.every((r) => r.ok), terraform, mode, synthMs, terraformMs: Date.now() - t1, totalMs: Date.now() - t0, results };
  } finally {
    if (synthTmp) rmSync(synthTmp, { recursive: true, force: true });
  }
}

/** A concurrency limiter: at most n of the functions it is given run at once. */
function gate(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** One stack of a run: link its remote states, validate + plan, and apply it if others read it. */
async function checkStack(
  session: TerraformSession,
  s: StackDir,
  dir: string,
  all: StackDir[],
  schemas: Map<string, LoadedProvider>,
  applied: ReadonlyMap<string, string>,
  failed: ReadonlySet<string>,
  readers: string[],
): Promise<StackResult> {
  const brokenDeps = (s.dependencies ?? []).filter((d) => failed.has(d));
  if (brokenDeps.length) {
    return { stack: s.name, ok: false, phase: "dependency", message: `depends on ${brokenDeps.join(", ")}, which failed: not planned (it is planned against the applied state of its dependencies)`, workdir: dir };
  }
  const link = linkRemoteStates(dir, all, applied);
  if (link.problems.length) return { stack: s.name, ok: false, phase: "dependency", message: link.problems.join("\n"), workdir: dir };
  const r = await checkStackDir(session, s.name, dir, schemas, { planOut: readers.length ? SAVED_PLAN : undefined });
  if (link.against.length) r.against = link.against;
  if (!r.ok || !readers.length) return r;
  const a = await applyStackDir(session, dir, { planFile: SAVED_PLAN });
  if (a.code !== 0) return { ...r, ok: false, phase: "apply", message: `the apply into a throwaway state (for ${readers.join(", ")}) failed:\n${failureText(a)}`, applyMs: a.ms };
  return { ...r, appliedFor: readers, applyMs: a.ms, stateFile: a.stateFile };
}

/** The one-line verdict for a stack (plus Terraform's message, indented, on failure). */
export function formatResult(r: StackResult): string {
  const secs = (ms?: number) => (ms === undefined ? "" : `${(ms / 1000).toFixed(2)} s`);
  if (r.ok && r.plan) {
    const p = r.plan;
    const extra = [p.change && `${p.change} to change`, p.destroy && `${p.destroy} to destroy`, p.import && `${p.import} to import`].filter(Boolean).join(", ");
    const against = r.against?.length ? ` against the applied state of ${r.against.join(", ")}` : "";
    const appliedFor = r.appliedFor?.length ? `; applied to a throwaway state for ${r.appliedFor.join(", ")}` : "";
    const times = [`validate ${secs(r.validateMs)}`, `plan ${secs(r.planMs)}`, ...(r.applyMs === undefined ? [] : [`apply ${secs(r.applyMs)}`])].join(", ");
    return `PASS ${r.stack}: valid; plan${against}: ${p.add} resource${p.add === 1 ? "" : "s"} to create${extra ? `, ${extra}` : ""}${appliedFor} (${times})`;
  }
  const what =
    r.phase === "schema" ? "no usable provider schema" : r.phase === "dependency" ? "cannot be planned against its dependencies" : r.phase === "apply" ? "apply for its dependents failed" : `terraform ${r.phase} failed`;
  return `FAIL ${r.stack}: ${what}\n${(r.message ?? "").replace(/^/gm, "    ")}`;
}
