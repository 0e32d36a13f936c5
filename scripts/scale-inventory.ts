/**
 * The scale benchmark's app: N copies of the shipped homelab (inventory/homelab.ts) in ONE app,
 * each with its own stack ids (`site<i>-prod-storage`, ...), VM ids moved by i x 10,000 so they
 * stay unique across the app (100..999999999), pools renamed `<pool><i>` (`fast3`: democratic-csi
 * instances claim their datasets app-wide, constructs/csi-cluster-claims.ts, so two sites may not
 * both use `fast/kubernetes/...`), and every host online so everything synthesizes (the copy of
 * grogu too: prod-backup and the replication to it are built and written).
 *
 *   node scripts/app.js scripts/scale-inventory.ts [copies]     (what `npm run bench` runs; default 10)
 *   npx tsx scripts/scale-inventory.ts [copies]
 *
 * Writes to CDKTF_OUTDIR (default cdktf.out) and prints one line: copies, stacks, pools.
 * 10 copies: 20 TrueNAS VMs, 40 pools, 240 datasets, 40 CSI instances, 10 Talos clusters.
 */
import { homelab } from "../inventory/homelab";
import type { Homelab } from "../inventory/types";
import { App } from "../lib/cdktf";
import { buildHomelab } from "../stacks/homelab-app";
import { isEntry } from "./is-entry";

/** VM ids of copy i are the shipped ones + i x VM_ID_STRIDE (the shipped homelab uses 300..3212). */
export const VM_ID_STRIDE = 10_000;
/** Copies that fit Proxmox's VM id range (100..999999999) with that stride. */
export const MAX_COPIES = 99_990;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;

/** Names of the pools of `lab`: every object with a `name` and a `layout` with `vdevs`. */
function poolNames(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) poolNames(v, into);
  else if (isPlainObject(value)) {
    if (typeof value.name === "string" && isPlainObject(value.layout) && Array.isArray(value.layout.vdevs)) into.add(value.name);
    for (const v of Object.values(value)) poolNames(v, into);
  }
  return into;
}

/**
 * Copy `i` (0-based) of `lab`: a deep copy of its plain data (class instances such as sizes and
 * schedules are shared: they are immutable), named `<name>-site<i>`, every `vmId`/`firstVmId`
 * moved by i x VM_ID_STRIDE, every host online, every pool `<pool><i>`: the pool's `name`, every
 * record key that is a pool name (`scrubs`) and every string `<pool>/...` (ZFS paths). A bare
 * word elsewhere is not a pool (`role: "backup"`, `profile: "scratch"`). Generic over the
 * inventory's shape: it follows keys and values, not types, so it keeps working while the
 * inventory's types are refactored.
 */
export function copyOfHomelab(lab: Homelab, i: number): Homelab {
  if (!Number.isInteger(i) || i < 0 || i >= MAX_COPIES) throw new Error(`copy index out of range (got ${i}; allowed: 0..${MAX_COPIES - 1})`);
  const pools = poolNames(lab);
  const renamePool = (s: string) => (pools.has(s) ? `${s}${i}` : s);
  const renamePath = (s: string) => {
    const slash = s.indexOf("/");
    return slash > 0 && pools.has(s.slice(0, slash)) ? `${s.slice(0, slash)}${i}${s.slice(slash)}` : s;
  };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === "string") return renamePath(value);
    if (!isPlainObject(value)) return value;
    const isPool = typeof value.name === "string" && pools.has(value.name) && isPlainObject(value.layout);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if ((k === "vmId" || k === "firstVmId") && typeof v === "number") out[k] = v + i * VM_ID_STRIDE;
      else if (k === "online" && typeof v === "boolean") out[k] = true;
      else if (k === "offlineReason") continue;
      else if (k === "name" && isPool) out[k] = renamePool(v as string);
      else out[renamePool(k)] = walk(v);
    }
    return out;
  };
  return { ...(walk(lab) as Homelab), name: `${lab.name}-site${i}` };
}

/** `copies` copies of the shipped homelab, built into `app`; returns what was built. */
export function buildScaledHomelab(app: App, copies: number) {
  return Array.from({ length: copies }, (_, i) =>
    buildHomelab(app, copyOfHomelab(homelab, i), { stackIdPrefix: `site${i}-`, backend: { kind: "local" } }));
}

if (isEntry(__filename)) {
  const copies = Number(process.argv[2] ?? 10);
  if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) throw new Error(`copies: a whole number 1..${MAX_COPIES} (got ${JSON.stringify(process.argv[2])})`);
  const app = new App({ stackTraces: false });
  const built = buildScaledHomelab(app, copies);
  app.synth();
  const stacks = built.reduce((n, b) => n + b.stacks.length, 0);
  const pools = built.reduce((n, b) => n + b.pools.length, 0);
  const skipped = built.reduce((n, b) => n + b.skipped.length, 0);
  console.log(`scale: ${copies} copies, ${stacks} stacks written (${skipped} skipped), ${pools} pools, out ${app.outdir}`);
}
