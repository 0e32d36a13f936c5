/**
 * One prepared stack through Terraform: its remote states linked to the applied state of the stacks
 * it reads, plan (which validates; saved, for a stack others read), and apply for the stacks that read it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type PlanCounts, parsePlanCounts } from "../../tools/schema-provider/plan-counts";
import type { LoadedProvider } from "../../tools/schema-provider/schema";
import { schemaProblems } from "../../tools/schema-provider/schema-problems";
import type { RunResult, TerraformSession } from "../../tools/schema-provider/session";
import { linkRemoteStates } from "./remote-state";
import type { StackDir, TfJson } from "./stacks";

export interface StackResult {
  stack: string;
  ok: boolean;
  /** Where it failed: a dependency (not planned), our schema check, validate, plan, or the apply for dependents. */
  phase?: "dependency" | "schema" | "validate" | "plan" | "apply";
  /** Terraform's own output for a failure (or our schema problem). */
  message?: string;
  plan?: PlanCounts;
  /** Only when the plan failed: `terraform validate` then tells a configuration error from a plan error. */
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

export const SAVED_PLAN = "validate.tfplan";

export const failureText = (r: RunResult) => (r.stderr.trim() || r.stdout.trim()).replace(/\n{3,}/g, "\n\n");

/**
 * Plan a prepared stack directory, which validates it too; with `planOut` the plan is saved there
 * (relative to `dir`), for `applyStackDir`.
 *
 * No separate `terraform validate` on the way to a passing plan: `plan` runs the very same
 * validation walk first and stops on its errors (hashicorp/terraform v1.11.4,
 * internal/backend/local/backend_local.go, localRun: `if b.OpValidation { ... Core.Validate(config) }`;
 * Terraform 1.11.4's trace of a plan here logs "backend/local: running validation operation" and
 * "Starting graph walk: walkValidate" before the plan walk). Only a plan that fails is followed by
 * `terraform validate`, which tells a configuration error (phase "validate", with validate's own
 * message) from a plan error. That saves one Terraform command, and in --spawn mode two provider
 * starts, per passing stack.
 */
export async function checkStackDir(session: TerraformSession, name: string, dir: string, schemas: Map<string, LoadedProvider>, opts: { planOut?: string } = {}): Promise<StackResult> {
  const problems = schemaProblems(dir, schemas);
  if (problems.length) return { stack: name, ok: false, phase: "schema", message: problems.join("\n"), workdir: dir };
  const doc = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as TfJson;
  if (doc.module) {
    const g = await session.run(dir, ["get"]);
    if (g.code !== 0) return { stack: name, ok: false, phase: "validate", message: failureText(g), workdir: dir };
  }
  const p = await session.run(dir, ["plan", "-input=false", "-lock=false", "-refresh=false", ...(opts.planOut ? [`-out=${opts.planOut}`] : [])]);
  const plan = parsePlanCounts(p.stdout);
  if (p.code === 0 && plan) return { stack: name, ok: true, plan, planMs: p.ms, workdir: dir };
  const v = await session.run(dir, ["validate"]);
  if (v.code !== 0) return { stack: name, ok: false, phase: "validate", message: failureText(v), validateMs: v.ms, workdir: dir };
  return { stack: name, ok: false, phase: "plan", message: failureText(p), validateMs: v.ms, planMs: p.ms, workdir: dir };
}

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

/** One stack of a run: link its remote states, plan (which validates), and apply it if others read it. */
export async function checkStack(
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
