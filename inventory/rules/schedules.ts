/**
 * Schedules: every schedule field (snapshot tasks, the offsite backup, scrubs) holds a `Schedule`,
 * and a schedule built from bad cron fields (hour 27, day of week 9) is reported, every problem of
 * it, at the field that holds it. The factories never throw, so the inventory module always loads.
 */
import { Schedule } from "../../constructs/schedule";
import type { SnapshotEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts } from "./context";

export function checkSchedules(facts: InventoryFacts, findings: Findings): void {
  for (const leaf of facts.leaves()) {
    if (!Schedule.isSchedule(leaf.value) || leaf.value.isValid()) continue;
    for (const issue of leaf.value.issues) findings.problem(leaf.path, `${issue.what} in ${leaf.value.factory}`, issue.got, issue.allowed);
  }

  const required = (path: string, value: unknown) => {
    if (!Schedule.isSchedule(value)) findings.problem(path, "not a Schedule", value, Schedule.FACTORIES);
  };
  for (const t of facts.truenas) {
    const s = t.storage;
    if (!s) continue;
    list<SnapshotEntry>(s.snapshots).forEach((snap, i) => {
      if (isRecord(snap)) required(`${entryPath(`${t.storagePath}/snapshots`, snap, i)}/schedule`, snap.schedule);
    });
    if (isRecord(s.offsiteBackup)) required(`${t.storagePath}/offsiteBackup/schedule`, s.offsiteBackup.schedule);
    if (isRecord(s.scrubs)) for (const [pool, schedule] of Object.entries(s.scrubs)) required(`${t.storagePath}/scrubs/${pool}`, schedule);
  }
}
