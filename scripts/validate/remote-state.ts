/**
 * Cross-stack references: a stack reads another stack's outputs through a terraform_remote_state
 * data source (what CDKTF writes). In a throwaway copy, validate points each one at the applied
 * throwaway state of the stack it reads, whatever backend it named: nothing real is read.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { StackDir, TfJson } from "./stacks";

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
