/**
 * Benchmarks the budget check that runs on every synth: `npx tsx scripts/bench-capacity.ts`.
 * Targets (issue 3): the shipped homelab (4 pools, ~25 datasets) under 5 ms; a 10,000-dataset pool under 100 ms.
 */
import { PlannedDataset, PoolLayout, PoolPlan, Size, checkBudgets } from "../capacity";

const disks = (label: string, n: number) => Array.from({ length: n }, () => Size.parseDriveSize(label));
const truenas = { ashift: 12, openzfs: "2.4", partitionScheme: "truenas-25.04" } as const;
const fast: PoolLayout = { ...truenas, vdevs: [...[0, 1, 2].map(() => ({ type: "raidz2" as const, disks: disks("900GB", 7) })), { class: "log", type: "mirror", disks: disks("120GB", 2) }] };

const homelab: PoolPlan[] = [
  {
    name: "fast", layout: fast, datasets: [
      { path: "fast/kubernetes", quota: Size.parseZfs("7T") },
      { path: "fast/kubernetes/iscsi-zvols", quota: Size.parseZfs("3T") },
      ...["postgres", "mysql", "redis", "clickhouse"].map((db): PlannedDataset => ({ path: `fast/kubernetes/iscsi-zvols/${db}`, thickZvol: { volsize: Size.parseZfs("500G") } })),
      { path: "fast/kubernetes/nfs-dynamic", quota: Size.parseZfs("3T") },
      { path: "fast/kubernetes/nfs-static", quota: Size.parseZfs("100G") },
      { path: "fast/vms", quota: Size.parseZfs("1500G") },
      { path: "fast/ml-models", quota: Size.parseZfs("500G") },
    ],
  },
  {
    name: "bulk", layout: { ...truenas, vdevs: [{ type: "raidz2", disks: disks("8TB", 6) }] }, datasets: [
      { path: "bulk/kubernetes/nfs-dynamic", quota: Size.parseZfs("6T") },
      { path: "bulk/media", quota: Size.parseZfs("9T") },
      { path: "bulk/photos", quota: Size.parseZfs("5T"), reservation: Size.parseZfs("2T") },
      { path: "bulk/signoz-cold", quota: Size.parseZfs("1T") },
      { path: "bulk/backups", quota: Size.parseZfs("2T") },
      { path: "bulk/archive", quota: Size.parseZfs("1T") },
    ],
  },
  {
    name: "scratch", layout: { ...truenas, vdevs: [{ type: "raidz1", disks: disks("3TB", 6) }] }, datasets: [
      { path: "scratch/kubernetes/nfs-dynamic", quota: Size.parseZfs("5T") },
      { path: "scratch/downloads", quota: Size.parseZfs("4T") },
      { path: "scratch/ml-datasets", quota: Size.parseZfs("1T") },
      { path: "scratch/temp", quota: Size.parseZfs("500G") },
    ],
  },
  {
    name: "backup", layout: { ...truenas, vdevs: [{ type: "raidz2", disks: disks("3TB", 11) }] }, datasets: [
      { path: "backup/replicas", quota: Size.parseZfs("18T") },
      { path: "backup/replicas/fast", quota: Size.parseZfs("8T") },
      { path: "backup/replicas/bulk", quota: Size.parseZfs("9T") },
      { path: "backup/restic", quota: Size.parseZfs("1T") },
    ],
  },
];

/** 10,000 datasets: 100 tenants, each with a quota'd parent, 98 quota'd volumes and one thick zvol. */
const big: PoolPlan = {
  name: "fast", layout: fast, datasets: Array.from({ length: 100 }, (_, t): PlannedDataset[] => [
    { path: `fast/tenants/t${t}`, quota: Size.parseZfs("100G") },
    { path: `fast/tenants/t${t}/db`, thickZvol: { volsize: Size.parseZfs("10G") } },
    ...Array.from({ length: 98 }, (_, v): PlannedDataset => ({ path: `fast/tenants/t${t}/pvc-${v}`, refquota: Size.parseZfs("1G") })),
  ]).flat(),
};

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

const datasets = homelab.reduce((n, p) => n + p.datasets.length, 0);
console.log(`shipped homelab (${homelab.length} pools, ${datasets} datasets): median ${medianMs(() => checkBudgets(homelab), 500).toFixed(3)} ms (target < 5 ms)`);
console.log(`one pool, ${big.datasets.length} datasets: median ${medianMs(() => checkBudgets([big]), 50).toFixed(3)} ms (target < 100 ms)`);
console.log(`verdicts: ${checkBudgets(homelab).map((r) => `${r.pool} ${r.percent.toFixed(1)}% ${r.verdict}`).join(", ")}; big pool ${checkBudgets([big])[0].verdict}`);
