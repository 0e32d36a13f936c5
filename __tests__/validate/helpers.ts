import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gate } from "../../scripts/validate/app";
import { applyStackDir } from "../../scripts/validate/check";
import { prepareStack } from "../../scripts/validate/prepare";
import { linkRemoteStates } from "../../scripts/validate/remote-state";
import { listStacks, type StackDir } from "../../scripts/validate/stacks";
import { REPO_ROOT } from "../../scripts/validate/synth";
import { loadSchemas } from "../../tools/schema-provider/main";
import type { LoadedProvider } from "../../tools/schema-provider/schema";
import { type RunResult, runProcess, type TerraformSession } from "../../tools/schema-provider/session";
import { findTerraform, type TerraformBinary } from "../../tools/schema-provider/terraform";

export const FIXTURES = join(__dirname, "fixtures");

/** Terraform on PATH, or the reason tests that need it are skipped (printed once, visibly). */
export const terraform: TerraformBinary | undefined = (() => {
  const tf = findTerraform();
  if ("error" in tf) {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED: Terraform-backed validate tests: ${tf.error}`);
    return undefined;
  }
  return tf;
})();

/** `describe`, or `describe.skip` when terraform is missing. */
export const describeWithTerraform = terraform ? describe : describe.skip;

/** The committed schemas (schemas/*.json), exactly what npm run validate uses. */
export function repoSchemas(): Map<string, LoadedProvider> {
  return loadSchemas([join(REPO_ROOT, "schemas")]);
}

export type Json = Record<string, any>;

/** Terraform's messages are wrapped at 78 columns: compare them with whitespace collapsed. */
export const flat = (s: string) => s.replace(/\s+/g, " ");

/**
 * A copy of a fixture stack directory as a synth output (`<out>/stacks/<name>/cdk.tf.json`),
 * after `edit` has changed its JSON. Returns the outdir.
 */
export function fixtureOutdir(fixture: string, edit: (doc: Json) => void = () => {}, name = fixture): string {
  const out = mkdtempSync(join(tmpdir(), "validate-fixture-"));
  const dir = join(out, "stacks", name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  const file = join(dir, "cdk.tf.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as Json;
  edit(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return out;
}

export function editJson(file: string, edit: (doc: Json) => void): void {
  const doc = JSON.parse(readFileSync(file, "utf8")) as Json;
  edit(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

export function rm(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A private copy, inside `into`, of a directory (an applied stack, a synth output of the shared fixture). */
export function copyOf(dir: string, into: string): string {
  const copy = mkdtempSync(join(into, "copy-"));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** `f`'s promise, made on the first call and shared by every later one. */
export function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

/**
 * Start these now, side by side (each Terraform command is one process, so a file that runs two at
 * once keeps a core busy while the other waits on the provider); each test then awaits its own, and
 * a failure is reported by the test that awaits it.
 */
export function prefetch(...started: (() => Promise<unknown>)[]): void {
  for (const f of started) f().catch(() => {});
}

/** `session.run`, at most `n` at once across everything that uses the returned function (two: the other jest worker runs Terraform too). */
export function limitedRun(session: () => Promise<TerraformSession>, n = 2): (dir: string, args: string[]) => Promise<RunResult> {
  const limit = gate(n);
  return async (dir, args) => {
    const s = await session();
    return limit(() => s.run(dir, args));
  };
}

/** `node scripts/app.js <script.ts> ...args` in the repository: the launcher, as `npm run <tool>` runs it. */
export function runScript(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return runProcess(process.execPath, [join(REPO_ROOT, "scripts", "app.js"), ...args], { cwd: REPO_ROOT, env });
}

/**
 * Apply every stack of a synth output, each into a throwaway local state in its own prepared copy
 * under `into` (default: the session's temp home), dependents after the stacks they read and
 * against their applied state (exactly how npm run validate links them), independent stacks side
 * by side. Returns stack name -> applied directory, in dependency order.
 */
export async function applyAll(session: TerraformSession, outdir: string, into?: string): Promise<Map<string, string>> {
  const all = listStacks(outdir);
  const dirOf = (s: StackDir) => (into ? join(into, s.name) : session.workdir(`applied-${s.name}`));
  const done = new Map<string, Promise<string>>();
  for (const s of all) {
    const deps = (s.dependencies ?? []).map((d) => done.get(d)!);
    done.set(
      s.name,
      Promise.all(deps).then(async () => {
        const dir = prepareStack(s, dirOf(s));
        const states = new Map(await Promise.all([...done].filter(([n]) => s.dependencies?.includes(n)).map(async ([n, p]) => [n, join(await p, "terraform.tfstate")] as const)));
        const link = linkRemoteStates(dir, all, states);
        if (link.problems.length) throw new Error(`${s.name}: ${link.problems.join("\n")}`);
        const r = await applyStackDir(session, dir);
        if (r.code !== 0) throw new Error(`apply of ${s.name} failed:\n${r.stderr}`);
        return dir;
      }),
    );
  }
  const applied = new Map<string, string>();
  for (const s of all) applied.set(s.name, await done.get(s.name)!);
  return applied;
}

/**
 * A copy of stack `name` from another synth output (`outdir`, e.g. an edited inventory) with the
 * applied state of `applied`'s copy of it, its remote states linked to `applied`'s states: then
 * `terraform plan` shows what deploying that edit over the applied stacks would do.
 */
export function editedOverApplied(session: TerraformSession, outdir: string, name: string, applied: Map<string, string>): string {
  const all = listStacks(outdir);
  const stack = all.find((s) => s.name === name);
  if (!stack) throw new Error(`no stack ${name} in ${outdir} (have: ${all.map((s) => s.name).join(", ")})`);
  const dir = prepareStack(stack, session.workdir(`edited-${name}`));
  cpSync(join(applied.get(name)!, "terraform.tfstate"), join(dir, "terraform.tfstate"));
  const link = linkRemoteStates(dir, all, new Map([...applied].map(([n, d]) => [n, join(d, "terraform.tfstate")])));
  if (link.problems.length) throw new Error(`${name}: ${link.problems.join("\n")}`);
  return dir;
}

/** `value` with every string equal to `from` or under `from/` renamed (plain objects and arrays; class instances kept). */
export function renamePath<T>(value: T, from: string, to: string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return v === from || v.startsWith(`${from}/`) ? to + v.slice(from.length) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
