import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSchemas } from "../../tools/schema-provider/main";
import type { LoadedProvider } from "../../tools/schema-provider/schema";
import {
  applyStackDir,
  findTerraform,
  linkRemoteStates,
  listStacks,
  prepareStack,
  REPO_ROOT,
  type TerraformBinary,
  type TerraformSession,
} from "../../tools/schema-provider/validate";

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

/**
 * Apply every stack of a synth output, in dependency order, each into a throwaway local state in
 * its own prepared copy, dependents planned and applied against their dependencies' applied state
 * (exactly how npm run validate links them). Returns stack name -> applied directory.
 */
export async function applyAll(session: TerraformSession, outdir: string): Promise<Map<string, string>> {
  const all = listStacks(outdir);
  const applied = new Map<string, string>();
  const states = new Map<string, string>();
  for (const s of all) {
    const dir = prepareStack(s, session.workdir(`applied-${s.name}`));
    const link = linkRemoteStates(dir, all, states);
    if (link.problems.length) throw new Error(`${s.name}: ${link.problems.join("\n")}`);
    const r = await applyStackDir(session, dir);
    if (r.code !== 0) throw new Error(`apply of ${s.name} failed:\n${r.stderr}`);
    applied.set(s.name, dir);
    states.set(s.name, r.stateFile);
  }
  return applied;
}

/**
 * A copy of stack `name` from another synth output (`outdir`, e.g. an edited inventory) with the
 * applied state of `appliedDir`, its remote states linked to `applied`'s states: then
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
