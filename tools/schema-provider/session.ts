/**
 * Running the machine's Terraform against the schema-serving provider, in either of two ways:
 * - "reattach" (default, fast): this Node process serves every provider schema itself on unix
 *   sockets and hands Terraform TF_REATTACH_PROVIDERS;
 * - "spawn": Terraform starts the provider executable itself through a CLI configuration with
 *   dev_overrides (go-plugin handshake, AutoMTLS), exactly as it starts a real provider.
 * Either way no `terraform init` is needed and nothing is downloaded.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LIVE_FILE_ENV } from "./live";
import type { LoadedProvider } from "./schema";
import { loadReplaceTable, protoJson, type ReattachServers, startReattachServers } from "./server";
import type { TerraformBinary } from "./terraform";

/** The package this tool lives in (its node_modules hold esbuild and tsx). */
const PACKAGE_ROOT = resolve(__dirname, "..", "..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run a command to completion, collecting its output (`shell`: `cmd` is a shell command line). */
export function runProcess(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; shell?: boolean }): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolvePromise) => {
    // Asynchronous on purpose: in reattach mode this process serves the provider while
    // Terraform runs, so the event loop must keep turning.
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], shell: opts.shell });
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
  /**
   * A "live system" fixture (see tools/schema-provider/README.md): what ReadResource,
   * ImportResourceState and ReadDataSource answer from. Without it the provider reads nothing.
   */
  liveFile?: string;
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
    const liveFile = opts.liveFile ? resolve(opts.liveFile) : undefined;
    if (mode === "reattach") {
      const log = opts.providerLog ? (l: string) => writeFileSync(opts.providerLog!, `${l}\n`, { flag: "a" }) : undefined;
      const servers = await startReattachServers(providers, table, log, { liveFile });
      writeFileSync(cliConfig, "# empty: providers are attached with TF_REATTACH_PROVIDERS\n");
      env.TF_CLI_CONFIG_FILE = cliConfig;
      env.TF_REATTACH_PROVIDERS = servers.reattach;
      return new TerraformSession(opts.terraform, mode, home, env, servers);
    }
    // spawn: one executable per provider, named terraform-provider-<type>, in its own directory.
    // Terraform starts it with its own environment, which carries the live fixture's path.
    if (liveFile) env[LIVE_FILE_ENV] = liveFile;
    const entry = providerBundle();
    const overrides: string[] = [];
    for (const p of providers) {
      const bin = join(home, "bin", p.fqpn.replace(/[^a-z0-9.-]/gi, "_"));
      mkdirSync(bin, { recursive: true });
      const exe = join(bin, `terraform-provider-${p.type}`);
      // Only its own schema file: every start (several per Terraform command) parses what it is given.
      const args = [...entry, "--provider", p.fqpn, "--schemas", p.file];
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
    return runProcess(this.terraform.path, [sub!, "-no-color", ...rest], { cwd: dir, env: this.env }).then((r) => ({
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

/**
 * Terraform's environment: hermetic (no user TF_* settings, no inherited live fixture), no
 * checkpoint calls, no prompts, a lazier garbage collector (unless GOGC is set).
 */
function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("TF_") && !k.startsWith("TF_VAR_") && !k.startsWith("TF_LOG")) continue;
    if (k === LIVE_FILE_ENV) continue;
    env[k] = v;
  }
  env.CHECKPOINT_DISABLE = "1";
  env.TF_IN_AUTOMATION = "1";
  env.TF_INPUT = "0";
  // Go's garbage collector at its default pace takes ~15 % of a short Terraform run's CPU; a run
  // here is short and small (tens of MB), so let the heap grow 4x between collections instead.
  env.GOGC ??= "400";
  return env;
}

/**
 * The provider as one JavaScript file (esbuild, which tsx already brings) plus its protocol
 * definitions (as protobufjs JSON: no .proto parsing at start) and replace table, run through a
 * small loader with V8's code cache of the bundle (written by the first start): a spawned provider
 * then starts in ~0.1 s of CPU instead of compiling TypeScript. Built once per content of this
 * directory, Node version and installed packages, into node_modules/.cache/schema-provider/ (not
 * the temp dir: a test run gets a temp dir of its own, removed after it), where later sessions and
 * runs find it. Falls back to running main.ts through tsx's loader. Returns node's arguments.
 */
function providerBundle(): string[] {
  const src = __dirname;
  const fallback = ["--import", `file://${join(PACKAGE_ROOT, "node_modules", "tsx", "dist", "loader.mjs")}`, join(src, "main.ts")];
  const esbuild = join(PACKAGE_ROOT, "node_modules", ".bin", "esbuild");
  if (!existsSync(esbuild)) return fallback;
  const hash = createHash("sha256").update(process.version);
  const inputs = readdirSync(src, { recursive: true }).map(String).filter((f) => /\.(ts|proto|json)$/.test(f)).sort();
  for (const f of inputs) hash.update(f).update(readFileSync(join(src, f)));
  const installed = join(PACKAGE_ROOT, "node_modules", ".package-lock.json");
  if (existsSync(installed)) hash.update(readFileSync(installed));
  const cache = join(PACKAGE_ROOT, "node_modules", ".cache", "schema-provider");
  const dir = join(cache, `bundle-${hash.digest("hex").slice(0, 16)}`);
  const entry = join(dir, "start.js");
  if (existsSync(entry)) {
    utimesSync(dir, new Date(), new Date()); // in use: see below
    return [entry];
  }
  // A new version: bundles of other versions unused for a day go.
  try {
    mkdirSync(cache, { recursive: true });
  } catch {
    return fallback; // node_modules not writable
  }
  for (const old of readdirSync(cache).filter((n) => /^bundle-[0-9a-f]{16}$/.test(n))) {
    try {
      if (Date.now() - statSync(join(cache, old)).mtimeMs > 86_400_000) rmSync(join(cache, old), { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
  const tmp = mkdtempSync(`${dir}.tmp-`);
  try {
    const r = spawnSync(esbuild, [join(src, "main.ts"), "--bundle", "--platform=node", "--target=node20", `--outfile=${join(tmp, "main.js")}`, "--log-level=error"], { encoding: "utf8" });
    if (r.status !== 0) return fallback;
    writeFileSync(join(tmp, "proto.json"), JSON.stringify(protoJson()));
    cpSync(join(src, "requires-replace.json"), join(tmp, "requires-replace.json"));
    writeFileSync(join(tmp, "start.js"), START_JS);
    renameSync(tmp, dir);
  } catch {
    // Another process built the same bundle first: use that one.
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return existsSync(entry) ? [entry] : fallback;
}

/** The bundle's loader: main.js with V8's code cache beside it (main.js.cache, taken when the first run exits). */
const START_JS = `"use strict";
const fs = require("node:fs"), path = require("node:path"), vm = require("node:vm"), Module = require("node:module");
const file = path.join(__dirname, "main.js"), cacheFile = file + ".cache";
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8").replace(/^#!.*/, "")), { filename: file, cachedData });
if (!cachedData || script.cachedDataRejected) {
  process.on("exit", () => {
    try { const tmp = cacheFile + "." + process.pid; fs.writeFileSync(tmp, script.createCachedData()); fs.renameSync(tmp, cacheFile); } catch {}
  });
}
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(__dirname);
const req = Module.createRequire(file);
req.main = m;
script.runInThisContext().call(m.exports, m.exports, req, m, file, __dirname);
`;

/** dev_overrides makes Terraform print this warning on every run; it says nothing about the stack. */
export function stripOverrideWarning(s: string): string {
  return s.replace(/\n?Warning: Provider development overrides are in effect[\s\S]*?releases\.\n/g, "").replace(/^\n+/, "");
}
