/**
 * The capacity budget check that runs on every synth, timed on what synth really checks: the pool
 * plans of the SHIPPED inventory (inventory/homelab.ts, built as synth builds it, offline hosts'
 * pools included), and one synthetic pool of 10,000 datasets. Part of `npm run bench`; alone:
 *
 *   npx tsx scripts/bench-capacity.ts [--json]
 *
 * Targets (issue 3): the shipped homelab under 5 ms; a 10,000-dataset pool under 100 ms. The
 * verdicts printed are the ones synth prints (a test of the bench, not of the model).
 */
import { checkBudgets, type PlannedDataset, type PoolLayout, type PoolPlan, Size } from "../capacity";
import { homelab } from "../inventory/homelab";
import { Testing } from "../lib/cdktf";
import { buildHomelab } from "../stacks/homelab-app";
import { isEntry } from "./is-entry";

export interface CapacityBench {
  readonly shipped: { pools: number; datasets: number; medianMs: number; verdicts: string[] };
  readonly big: { datasets: number; medianMs: number; verdict: string };
}

/** The shipped inventory's pool plans, exactly as synth hands them to the budget check. */
export function shippedPlans(): PoolPlan[] {
  return buildHomelab(Testing.app(), homelab).pools.map((p) => p.plan());
}

/** 10,000 datasets on a fast-like pool: 100 tenants, each a quota'd parent, one thick zvol and 98 refquota'd volumes. */
export function bigPlan(): PoolPlan {
  const disks = (label: string, n: number) => Array.from({ length: n }, () => Size.parseDriveSize(label));
  const layout: PoolLayout = {
    ashift: 12, openzfs: "2.4", partitionScheme: "truenas-25.04",
    vdevs: [...[0, 1, 2].map(() => ({ type: "raidz2" as const, disks: disks("900GB", 7) })), { class: "log", type: "mirror", disks: disks("120GB", 2) }],
  };
  return {
    name: "fast", layout, datasets: Array.from({ length: 100 }, (_, t): PlannedDataset[] => [
      { path: `fast/tenants/t${t}`, quota: Size.parseZfs("100G") },
      { path: `fast/tenants/t${t}/db`, thickZvol: { volsize: Size.parseZfs("10G") } },
      ...Array.from({ length: 98 }, (_, v): PlannedDataset => ({ path: `fast/tenants/t${t}/pvc-${v}`, refquota: Size.parseZfs("1G") })),
    ]).flat(),
  };
}

function medianMs(run: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(20, iterations); i++) run(); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

export function benchCapacity(): CapacityBench {
  const shipped = shippedPlans();
  const big = bigPlan();
  return {
    shipped: {
      pools: shipped.length,
      datasets: shipped.reduce((n, p) => n + p.datasets.length, 0),
      medianMs: medianMs(() => checkBudgets(shipped), 500),
      verdicts: checkBudgets(shipped).map((r) => `${r.pool} ${r.percent.toFixed(1)}% ${r.verdict}`),
    },
    big: { datasets: big.datasets.length, medianMs: medianMs(() => checkBudgets([big]), 50), verdict: checkBudgets([big])[0].verdict },
  };
}

if (isEntry(__filename)) {
  const r = benchCapacity();
  if (process.argv.includes("--json")) console.log(JSON.stringify(r));
  else {
    console.log(`shipped homelab (${r.shipped.pools} pools, ${r.shipped.datasets} datasets): median ${r.shipped.medianMs.toFixed(3)} ms (target < 5 ms); ${r.shipped.verdicts.join(", ")}`);
    console.log(`one pool, ${r.big.datasets} datasets: median ${r.big.medianMs.toFixed(3)} ms (target < 100 ms); ${r.big.verdict}`);
  }
}
