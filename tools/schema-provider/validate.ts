/**
 * `npm run validate`, as a library: synthesize the app, then for every stack run the machine's
 * Terraform (>= 1.11) against the schema-serving provider — `terraform validate` and
 * `terraform plan -input=false -lock=false -refresh=false` on a throwaway copy of the stack with
 * an empty local state. No network, no credentials, no registry, no `terraform init`.
 *
 * Providers are attached one of two ways:
 * - "reattach" (default, fast): this Node process serves every provider schema itself on unix
 *   sockets and hands Terraform TF_REATTACH_PROVIDERS;
 * - "spawn": Terraform starts the provider executable itself through a CLI configuration with
 *   dev_overrides (go-plugin handshake, AutoMTLS), exactly as it starts a real provider.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
}

/** The stacks in a synth output directory: manifest.json when present, else stacks/*. */
export function listStacks(outdir: string): StackDir[] {
  const manifest = join(outdir, "manifest.json");
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, "utf8")) as { stacks: Record<string, { name: string; workingDirectory: string }> };
    return Object.values(m.stacks)
      .map((s) => ({ name: s.name, dir: join(outdir, s.workingDirectory) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir)
    .filter((n) => existsSync(join(stacksDir, n, "cdk.tf.json")))
    .sort()
    .map((name) => ({ name, dir: join(stacksDir, name) }));
}

interface TfJson {
  terraform?: { backend?: unknown; cloud?: unknown; required_providers?: Record<string, { source?: string; version?: string } | string> };
  module?: unknown;
  [k: string]: unknown;
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
  /** Where it failed. */
  phase?: "schema" | "validate" | "plan";
  /** Terraform's own output for a failure (or our schema problem). */
  message?: string;
  plan?: PlanCounts;
  validateMs?: number;
  planMs?: number;
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

/** validate, then plan, a prepared stack directory. */
export async function checkStackDir(session: TerraformSession, name: string, dir: string, schemas: Map<string, LoadedProvider>): Promise<StackResult> {
  const problems = schemaProblems(dir, schemas);
  if (problems.length) return { stack: name, ok: false, phase: "schema", message: problems.join("\n"), workdir: dir };
  const doc = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as TfJson;
  if (doc.module) {
    const g = await session.run(dir, ["get"]);
    if (g.code !== 0) return { stack: name, ok: false, phase: "validate", message: failureText(g), workdir: dir };
  }
  const v = await session.run(dir, ["validate"]);
  if (v.code !== 0) return { stack: name, ok: false, phase: "validate", message: failureText(v), validateMs: v.ms, workdir: dir };
  const p = await session.run(dir, ["plan", "-input=false", "-lock=false", "-refresh=false"]);
  const plan = parsePlanCounts(p.stdout);
  if (p.code !== 0 || !plan) return { stack: name, ok: false, phase: "plan", message: failureText(p), validateMs: v.ms, planMs: p.ms, workdir: dir };
  return { stack: name, ok: true, plan, validateMs: v.ms, planMs: p.ms, workdir: dir };
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
  /** Called with each stack's result as soon as it is known. */
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
    let stacks = listStacks(outdir);
    if (opts.stacks?.length) {
      const unknown = opts.stacks.filter((s) => !stacks.some((x) => x.name === s));
      if (unknown.length) return fail(`no such stack: ${unknown.join(", ")} (have: ${stacks.map((s) => s.name).join(", ") || "none"})`, { terraform, synthMs });
      stacks = stacks.filter((s) => opts.stacks!.includes(s.name));
    }
    if (!stacks.length) return fail(`no stacks found in ${outdir}`, { terraform, synthMs });

    const schemas = loadSchemas(opts.schemaPaths ?? defaultSchemaPaths(opts.env ?? process.env));
    const t1 = Date.now();
    const session = await TerraformSession.start({ terraform, schemas, mode, providerLog: opts.providerLog });
    const results: StackResult[] = [];
    try {
      for (const s of stacks) {
        const dir = prepareStack(s, session.workdir(s.name));
        const r = await checkStackDir(session, s.name, dir, schemas);
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

/** The one-line verdict for a stack (plus Terraform's message, indented, on failure). */
export function formatResult(r: StackResult): string {
  const secs = (ms?: number) => (ms === undefined ? "" : `${(ms / 1000).toFixed(2)} s`);
  if (r.ok && r.plan) {
    const p = r.plan;
    const extra = [p.change && `${p.change} to change`, p.destroy && `${p.destroy} to destroy`, p.import && `${p.import} to import`].filter(Boolean).join(", ");
    return `PASS ${r.stack}: valid; plan: ${p.add} resource${p.add === 1 ? "" : "s"} to create${extra ? `, ${extra}` : ""} (validate ${secs(r.validateMs)}, plan ${secs(r.planMs)})`;
  }
  const what = r.phase === "schema" ? "no usable provider schema" : `terraform ${r.phase} failed`;
  return `FAIL ${r.stack}: ${what}\n${(r.message ?? "").replace(/^/gm, "    ")}`;
}
