/**
 * Storage rules that span entries of a TrueNAS (or two): every pool has a scrub, replication sends
 * snapshotted datasets to another TrueNAS and waits behind its gate while the target's host is
 * offline; and
 * the warning for a vdev mixing disk sizes (ZFS uses every disk of a vdev as if it were the
 * smallest), with the bytes lost. One pool's own layout and budget are the pool's checks; what is
 * retired and the ledger are the ledger step's (stacks/ledger.ts).
 */
import { partitionSize } from "../../capacity/partition";
import type { PoolLayout } from "../../capacity/pool";
import { Size } from "../../capacity/size";
import { verbatim } from "../../constructs/errors";
import type { PoolEntry, SnapshotEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts, type TrueNASFacts } from "./context";

export function checkStorage(facts: InventoryFacts, findings: Findings): void {
  for (const t of facts.truenas) {
    const s = t.storage;
    if (!s) continue;
    if (isRecord(s.scrubs)) {
      for (const pool of t.pools.keys()) {
        if (!(pool in s.scrubs)) findings.problem(`${t.storagePath}/scrubs`, `pool ${pool} has no scrub schedule`, pool, "a weekly scrub for every pool (staggered: two pools never scrub at once)");
      }
    }
    checkReplication(facts, findings, t);
    list<PoolEntry>(s.pools).forEach((p, i) => {
      if (isRecord(p) && isRecord(p.layout)) checkMixedDiskSizes(findings, entryPath(`${t.storagePath}/pools`, p, i), p.layout);
    });
  }
}

function checkReplication(facts: InventoryFacts, findings: Findings, t: TrueNASFacts): void {
  const r = t.storage!.replication;
  if (!isRecord(r)) return;
  const path = `${t.storagePath}/replication`;
  const snapshotted = new Set(list<SnapshotEntry>(t.storage!.snapshots).filter(isRecord).map((s) => s.dataset));
  for (const d of list<string>(r.datasets)) {
    if (t.datasets.has(d) && !snapshotted.has(d)) {
      findings.problem(path, "replicated dataset has no snapshot task", d, `datasets with an entry in snapshots (${facts.allowed(snapshotted, () => snapshotted)}): replication sends their snapshots`);
    }
  }
  if (r.targetRole === t.vm.role) {
    findings.problem(path, "replication to the TrueNAS itself", r.targetRole, "the role of another TrueNAS VM");
    return;
  }
  const target = facts.truenasByRole.get(r.targetRole);
  const host = target ? facts.hosts.get(target.vm.nodeName) : undefined;
  if (host && host.online !== true && r.whenTargetOffline !== "hold") {
    findings.problem(path, `replication target host ${host.nodeName} is offline`, host.nodeName, `an online host, or whenTargetOffline: "hold" to keep it defined until the host is online`);
  }
}

/**
 * ZFS sizes every device of a vdev to its smallest: a vdev mixing disk sizes loses the difference
 * on every larger disk. A warning (it is valid ZFS), with the bytes lost after partitioning.
 */
function checkMixedDiskSizes(findings: Findings, path: string, layout: PoolLayout): void {
  list<{ disks: readonly Size[]; type: string; class?: string }>(layout.vdevs).forEach((v, i) => {
    if (!isRecord(v)) return;
    const disks = list<Size>(v.disks);
    if (disks.length < 2 || !disks.every((d) => d instanceof Size && d.isValid())) return;
    let devices: bigint[];
    try {
      devices = disks.map((d) => partitionSize(d, layout.partitionScheme).bytes);
    } catch {
      return; // a disk the capacity model refuses: the pool reports it
    }
    const smallest = devices.reduce((a, b) => (b < a ? b : a));
    const lost = devices.reduce((sum, d) => sum + (d - smallest), 0n);
    if (lost === 0n) return;
    const counts = new Map<bigint, number>();
    for (const d of disks) counts.set(d.bytes, (counts.get(d.bytes) ?? 0) + 1);
    const sizes = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([bytes, n]) => `${n} x ${Size.bytes(bytes).in("TB").toFixed(3)} TB`).join(", ");
    findings.warning(`${path}/layout/vdevs/${i}`, `${v.type} vdev mixes disk sizes: ZFS uses every disk as if it were the smallest, so ${lost.toLocaleString("en-US")} bytes, ${Size.bytes(lost).toHuman()}, of its disks are never used`, verbatim(sizes), "disks of one size per vdev (or accept the loss)");
  });
}
