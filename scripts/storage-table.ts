/**
 * Prints the README's storage layout table from the inventory (`npx tsx scripts/storage-table.ts`),
 * so the README never drifts from what is built: a test compares the two.
 */
import { homelab } from "../inventory/homelab";
import type { Homelab } from "../inventory/types";
import { isEntry } from "./is-entry";

export function storageTable(lab: Homelab): string {
  const rows = ["| dataset | quota | purpose | snapshots (tier 1) | replicated (tier 2) | offsite (tier 3) |", "|---|---:|---|---|---|---|"];
  for (const vm of lab.truenasVms) {
    const s = vm.storage;
    if (!s) continue;
    for (const d of s.datasets) {
      // A dataset is covered by a recursive task on it or on an ancestor.
      const covers = (p: string) => d.fullPath === p || d.fullPath.startsWith(`${p}/`);
      const snap = (s.snapshots ?? []).find((x) => covers(x.dataset));
      const every = snap ? snap.schedule.intervalHours : 0;
      const snapText = snap ? `${every === 1 ? "hourly" : every === 24 ? "daily" : `every ${every} h`}, keep ${snap.keep}${snap.dataset === d.fullPath ? "" : ` (via ${snap.dataset})`}` : "–";
      const repl = s.replication && s.replication.datasets.some(covers)
        ? `→ ${s.replication.targetRole}${s.replication.whenTargetOffline ? " (held while offline)" : ""}` : "–";
      const offsite = s.offsiteBackup?.datasets.some(covers) ? `B2, keep ${s.offsiteBackup.keepLast}` : "–";
      const quota = !d.quota ? "–" : d.quota.bytes >= 1n << 40n ? `${d.quota.in("TiB")} TiB` : `${d.quota.in("GiB")} GiB`;
      rows.push(`| \`${d.fullPath}\` | ${quota} | ${d.purpose} | ${snapText} | ${repl} | ${offsite} |`);
    }
  }
  return rows.join("\n");
}

if (isEntry(__filename)) console.log(storageTable(homelab));
