/**
 * npm run verify -- <stack> [--out <dir>] [--synth | --no-synth]
 *
 * Verification after apply: runs `terraform plan -refresh-only` in cdktf.out/stacks/<stack> (the
 * directory `cdktf deploy` uses, with its backend and state) and prints one line per Terraform
 * `check` block of the stack (constructs/pool-health-check.ts: every adopted pool ONLINE and
 * healthy, its data vdevs and its `zpool list` SIZE as the inventory's layout gives them):
 *
 *   ok   pool fast: ONLINE, 3 × raidz2 of 7, SIZE 18.812 TB (usable 12.392 TB)
 *   FAIL pool fast: size 12.541 TB (...) but the inventory's layout gives 18.812 TB (...) (likely: ...)
 *
 * A refresh-only plan changes nothing: it reads the real objects (here, the pools through the
 * TrueNAS provider) and evaluates the check blocks. The plan is saved to a private temp directory
 * only to read the check results (`terraform show -json`: pass / fail / unknown / error, with
 * each failed assertion's message), then deleted. Credentials come from the environment, as for
 * `cdktf deploy` (TRUENAS_ENDPOINT, TRUENAS_API_KEY, ...); secret variables the stack requires but
 * the environment does not set get placeholders (TF_VAR_*, the lowest precedence): a refresh-only
 * plan sends them nowhere.
 *
 *   --out <dir>   the synth output (default cdktf.out)
 *   --synth       synthesize first, always (default: only when the stack's cdk.tf.json is missing
 *                 or older than the inventory)
 *   --no-synth    never synthesize
 *
 * Runs `terraform init -input=false` first when the stack directory has no `.terraform/`.
 * Exit codes: 0 every check passed, 1 a check failed (or could not be evaluated), 2 usage or
 * infrastructure error (no terraform, synth refused, stack not synthesized, init or plan failed),
 * one line on stderr.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findTerraform } from "../tools/schema-provider/terraform";
import { REPO_ROOT, synth as synthApp } from "./validate/synth";
import { isEntry } from "./is-entry";

export interface VerifyOptions {
  stack: string;
  /** Synth output directory (default: cdktf.out in the repository). */
  outdir?: string;
  /** "auto" (default): when the stack's output is missing or older than the inventory. */
  synth?: "auto" | "always" | "never";
  /** Environment for Terraform (default: process.env): credentials, TF_VAR_*, TF_CLI_CONFIG_FILE... */
  env?: NodeJS.ProcessEnv;
}

export interface CheckLine {
  /** `check.<name>` */
  address: string;
  /** What the line names: `pool fast` (the check's `//` comment), else the address. */
  label: string;
  status: "pass" | "fail" | "unknown" | "error";
  /** The failed assertions' messages (or why the check could not be evaluated). */
  messages: string[];
  /** The passing summary from the check's `//` comment. */
  expected?: string;
}

export interface VerifyReport {
  /** 0 all passed, 1 a check failed, 2 usage or infrastructure error. */
  code: 0 | 1 | 2;
  checks: CheckLine[];
  /** The one-line reason for code 2. */
  error?: string;
  /** Notes printed before the check lines (a synth was run, init was run). */
  notes: string[];
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    // Asynchronous: a test may serve the provider from this very process (TF_REATTACH_PROVIDERS).
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => resolvePromise({ code: 127, stdout, stderr: stderr + String(e) }));
    child.on("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** One line: whitespace collapsed. */
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

interface Diagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  snippet?: { context?: string };
}

/** The diagnostics of a `-json` Terraform run (one JSON object per line; other lines ignored). */
export function diagnosticsOf(jsonLines: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const line of jsonLines.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const m = JSON.parse(line) as { type?: string; diagnostic?: Diagnostic };
      if (m.type === "diagnostic" && m.diagnostic) out.push(m.diagnostic);
    } catch {
      // not a JSON UI message
    }
  }
  return out;
}

/** The first Terraform error of a plain-text run, as one line. */
function firstError(r: RunResult): string {
  const text = `${r.stderr}\n${r.stdout}`.replace(/^[│╷╵] ?/gm, "");
  const lines = text.split("\n");
  // init first says that it "encountered problems ... described below": the one below is the news.
  const errors = lines.map((l, i) => (l.startsWith("Error: ") ? i : -1)).filter((i) => i >= 0);
  const at = errors.find((i) => !/encountered problems during initiali[sz]ation/.test(lines[i]!)) ?? errors[0] ?? -1;
  if (at < 0) return oneLine(text).slice(0, 400) || `exit ${r.code}`;
  // The summary, then the first paragraph after it that is not the source snippet ("  on x line n").
  const paragraphs = lines.slice(at + 1).join("\n").split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const detail = paragraphs.find((p) => !/^on \S+ line \d+/.test(p));
  return oneLine(`${lines[at]!.slice(7)}${detail ? `: ${detail}` : ""}`);
}

export interface CheckConfig {
  name: string;
  comment: Record<string, string>;
}

/** The check blocks of a synthesized stack, in order, with their `//` comments. */
export function checkBlocksOf(doc: Record<string, unknown>): CheckConfig[] {
  const checks = (doc.check ?? {}) as Record<string, { "//"?: Record<string, string> }>;
  return Object.entries(checks).map(([name, body]) => ({ name, comment: body["//"] ?? {} }));
}

/** Variables the stack requires (no default) that the environment leaves unset: placeholders, as TF_VAR_*. */
function placeholderVariables(doc: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries((doc.variable ?? {}) as Record<string, { default?: unknown; type?: string }>)) {
    if ("default" in v || env[`TF_VAR_${name}`] !== undefined) continue;
    if (v.type === "number") out[`TF_VAR_${name}`] = "0";
    else if (v.type === "bool") out[`TF_VAR_${name}`] = "false";
    else if (v.type === undefined || v.type === "string") out[`TF_VAR_${name}`] = "verify-placeholder";
  }
  return out;
}

/** Whether the stack's output is missing or older than any file of the inventory. */
function stale(stackFile: string): boolean {
  if (!existsSync(stackFile)) return true;
  const built = statSync(stackFile).mtimeMs;
  const dir = join(REPO_ROOT, "inventory");
  return existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => statSync(join(dir, String(f))).mtimeMs > built);
}

interface ShowChecks {
  checks?: {
    address: { kind?: string; name?: string; to_display: string };
    status: "pass" | "fail" | "unknown" | "error";
    instances?: { status: string; problems?: { message: string }[] }[];
  }[];
}

/** The report for `checks` from `terraform show -json <plan>`, with the plan's warnings as fallback messages. */
export function checkLines(config: CheckConfig[], shown: ShowChecks, warnings: Diagnostic[]): CheckLine[] {
  return config.map(({ name, comment }) => {
    const address = `check.${name}`;
    const label = comment.verify ?? address;
    const result = shown.checks?.find((c) => c.address.to_display === address || (c.address.kind === "check" && c.address.name === name));
    const status = result?.status ?? "unknown";
    // Drop the label the message starts with: the line already names it.
    const strip = (m: string) => oneLine(m.startsWith(`${label}: `) ? m.slice(label.length + 2) : m);
    // In the order of the block's assertions (Terraform evaluates them concurrently): the plan's
    // warning for each failed assertion names it (`check.<name>.assert[<i>]`) and carries its message.
    const order = new Map<string, number>();
    for (const w of warnings) {
      const i = /^check\.([^.]+)\.assert\[(\d+)\]$/.exec(w.snippet?.context ?? "");
      if (i && i[1] === name && w.detail !== undefined) order.set(w.detail, Number(i[2]));
    }
    const problems = (result?.instances ?? []).flatMap((i) => (i.problems ?? []).map((p) => p.message));
    problems.sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
    let messages = problems.map(strip);
    if (status !== "pass" && messages.length === 0) {
      // A scoped data source that could not be read, an assertion that could not be evaluated:
      // Terraform said why in a warning on this check block.
      messages = warnings
        .filter((w) => w.snippet?.context === address || w.snippet?.context?.startsWith(`${address}.`) || (w.detail ?? "").includes(address))
        .map((w) => oneLine(`${w.summary}${w.detail ? `: ${w.detail}` : ""}`));
      if (messages.length === 0) {
        messages = [status === "unknown" ? "not evaluated: Terraform did not know the values at plan time" : `check ${status}, without a message (run terraform plan -refresh-only in the stack directory)`];
      }
    }
    return { address, label, status, messages, expected: comment.expected };
  });
}

/** `ok   pool fast: ...` / `FAIL pool fast: ...` */
export function formatCheck(c: CheckLine): string {
  if (c.status === "pass") return `ok   ${c.label}${c.expected ? `: ${c.expected}` : ""}`;
  return `FAIL ${c.label}: ${c.messages.join("; ")}`;
}

export async function verify(opts: VerifyOptions): Promise<VerifyReport> {
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
  const notes: string[] = [];
  const fail = (error: string): VerifyReport => ({ code: 2, checks: [], error, notes });
  const terraform = findTerraform(env);
  if ("error" in terraform) return fail(terraform.error.replace("npm run validate", "npm run verify"));

  const outdir = resolve(opts.outdir ?? join(REPO_ROOT, "cdktf.out"));
  const dir = join(outdir, "stacks", opts.stack);
  const file = join(dir, "cdk.tf.json");
  const mode = opts.synth ?? "auto";
  let synthOutput = "";
  if (mode === "always" || (mode === "auto" && stale(file))) {
    try {
      synthOutput = (await synthApp(outdir, { env })).output;
      notes.push(`synthesized ${outdir} first (${mode === "always" ? "--synth" : existsSync(file) ? "the inventory is newer" : "no output for the stack yet"})`);
    } catch (e) {
      // The project's refusal line (`<path>: <what> (got ...; allowed: ...)`), a capacity verdict, or a crash's Error line.
      const lines = (e as Error).message.split("\n").map((l) => l.trim()).filter((l) => l && !/^synthesis failed|nothing was written/.test(l));
      const line = lines.find((l) => /\(got .*; allowed: /.test(l)) ?? lines.find((l) => /^pool "[^"]+": /.test(l)) ?? lines.find((l) => /^\w*Error: /.test(l)) ?? lines[0];
      return fail(`synth failed (npx cdktf synth shows all of it): ${oneLine(line ?? (e as Error).message)}`);
    }
  }
  if (!existsSync(file)) {
    const skipped = new RegExp(`^${opts.stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: skipped: (.*)$`, "m").exec(synthOutput)?.[1];
    if (skipped) return fail(`${opts.stack} is not synthesized: ${skipped}`);
    const have = existsSync(join(outdir, "stacks")) ? readdirSync(join(outdir, "stacks")).filter((n) => existsSync(join(outdir, "stacks", n, "cdk.tf.json"))) : [];
    return fail(`no stack ${opts.stack} in ${outdir} (have: ${have.join(", ") || "none"}; a stack whose host is offline is not synthesized)`);
  }
  const doc = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const config = checkBlocksOf(doc);
  if (config.length === 0) return fail(`${opts.stack} has no check blocks: nothing to verify`);

  if (!existsSync(join(dir, ".terraform"))) {
    const init = await run(terraform.path, ["init", "-input=false", "-no-color"], dir, env);
    if (init.code !== 0) return fail(`terraform init failed in ${dir}: ${firstError(init)}`);
    notes.push(`ran terraform init in ${dir}`);
  }

  const tmp = mkdtempSync(join(tmpdir(), "homelab-verify-")); // 0700: the plan holds variable values
  try {
    const planFile = join(tmp, "verify.tfplan");
    const planEnv = { ...env, ...placeholderVariables(doc, env) };
    const plan = await run(terraform.path, ["plan", "-refresh-only", "-input=false", "-no-color", "-json", `-out=${planFile}`], dir, planEnv);
    const diags = diagnosticsOf(plan.stdout);
    const error = diags.find((d) => d.severity === "error");
    if (error) return fail(`terraform plan -refresh-only failed: ${oneLine(`${error.summary}${error.detail ? `: ${error.detail}` : ""}`)}`);
    if (plan.code !== 0 || !existsSync(planFile)) return fail(`terraform plan -refresh-only failed: ${firstError(plan)}`);
    const show = await run(terraform.path, ["show", "-json", "-no-color", planFile], dir, planEnv);
    if (show.code !== 0) return fail(`terraform show -json failed: ${firstError(show)}`);
    let shown: ShowChecks;
    try {
      shown = JSON.parse(show.stdout) as ShowChecks;
    } catch (e) {
      return fail(`terraform show -json printed no JSON: ${(e as Error).message}`);
    }
    const checks = checkLines(config, shown, diags.filter((d) => d.severity === "warning"));
    return { code: checks.every((c) => c.status === "pass") ? 0 : 1, checks, notes };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const USAGE = "usage: npm run verify -- <stack> [--out <dir>] [--synth | --no-synth]";

/** Parses the command line; throws a one-line message on bad usage. */
export function parseArgs(argv: string[]): VerifyOptions | "help" {
  let stack: string | undefined;
  let outdir: string | undefined;
  let synth: VerifyOptions["synth"] = "auto";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") return "help";
    else if (a === "--out") {
      outdir = argv[++i];
      if (outdir === undefined) throw new Error("--out needs a directory");
    } else if (a === "--synth") synth = "always";
    else if (a === "--no-synth") synth = "never";
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else if (stack) throw new Error(`one stack at a time (got ${stack} and ${a})`);
    else stack = a;
  }
  if (!stack) throw new Error("which stack? e.g. npm run verify -- prod-storage");
  return { stack, outdir: outdir && resolve(outdir), synth };
}

async function main(argv: string[]): Promise<number> {
  let opts: VerifyOptions | "help";
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`verify: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const report = await verify(opts);
  for (const n of report.notes) process.stderr.write(`verify: ${n}\n`);
  if (report.code === 2) {
    process.stderr.write(`verify: ${report.error}\n`);
    return 2;
  }
  for (const c of report.checks) process.stdout.write(`${formatCheck(c)}\n`);
  return report.code;
}

if (isEntry(__filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`verify: ${(e as Error).stack}\n`);
      process.exit(2);
    },
  );
}
