/**
 * The stacks of a synth output (cdktf.out or a temp dir) and their order: every stack after the
 * stacks it reads (manifest.json's `dependencies`, plus any terraform_remote_state that reads
 * another stack's state).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { remoteStates, stackReadBy } from "./remote-state";

/** The parts of a synthesized cdk.tf.json that validate looks at. */
export interface TfJson {
  terraform?: { backend?: unknown; cloud?: unknown; required_providers?: Record<string, { source?: string; version?: string } | string> };
  module?: unknown;
  data?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
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
