/**
 * `npm run validate`, as a library: synthesize the app, then for every stack run the machine's
 * Terraform (>= 1.11) against the schema-serving provider (tools/schema-provider) —
 * `terraform validate` and `terraform plan -input=false -lock=false -refresh=false` on a
 * throwaway copy of the stack with an empty local state. No network, no credentials, no
 * registry, no `terraform init`.
 *
 * Stacks run in dependency order (stacks.ts). A stack that others read is, after its plan passes,
 * applied from that saved plan into its throwaway local state (the provider fills computed values
 * with placeholders); each dependent's remote-state data sources are rewritten in its copy to read
 * that applied state (remote-state.ts). So a dependent is planned against its dependencies' outputs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defaultSchemaPaths, loadSchemas } from "../../tools/schema-provider/main";
import { type Mode, TerraformSession } from "../../tools/schema-provider/session";
import { findTerraform, type TerraformBinary } from "../../tools/schema-provider/terraform";
import { checkStack, type StackResult } from "./check";
import { prepareStack } from "./prepare";
import { listStacks, type StackDir, withDependencies } from "./stacks";
import { synth } from "./synth";

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
  /** Terraform for every stack (plan; validate after a failed plan; apply for dependents), provider start included (synthesis excluded). */
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
export function gate(n: number): <T>(f: () => Promise<T>) => Promise<T> {
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
