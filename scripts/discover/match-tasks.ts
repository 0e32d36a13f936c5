/**
 * Data-protection tasks of one TrueNAS: periodic snapshots, replication, cloud backups.
 *
 * Shapes (truenas/middleware TS-25.10.6, src/middlewared/middlewared/api/v25_10_0/):
 * `PoolSnapshotTaskEntry` (pool_snapshottask.py: id, dataset, recursive, lifetime_value,
 * lifetime_unit, naming_schema, schedule {minute, hour, dom, month, dow, begin, end}, enabled),
 * `ReplicationEntry` (replication.py: id, name, direction, source_datasets, target_dataset, enabled),
 * `CloudBackupEntry` (cloud_backup.py + cloud.py `BaseCloudEntry`: id, path, attributes, schedule,
 * keep_last, enabled). Import ids, all integers (terraform-provider-truenas ImportState):
 * @e4765dd2044aebea84524a564aa8743f4764ecb6 internal/resources/periodic_snapshot/resource.go,
 * @9e8789e27650d18de97ab79eb21ba5500fd17c3c internal/resources/replication/resource.go,
 * @32e8537c18bea44a6f041f423bbc9a8b950937f4 internal/resources/cloud_backup/resource.go.
 */
import { findingsOf, rowsOf, type TrueNASContext } from "./context";
import { DriftList, cronText, setText, text, type Finding } from "./drift";

interface SnapshotRow { id: number; dataset: string; recursive?: boolean; lifetime_value?: number; lifetime_unit?: string; naming_schema?: string; schedule?: Record<string, string>; enabled?: boolean }
interface ReplicationRow { id: number; name?: string; direction?: string; source_datasets?: string[]; target_dataset?: string; enabled?: boolean }
interface CloudBackupRow { id: number; path: string; attributes?: { bucket?: string; folder?: string }; schedule?: Record<string, string>; keep_last?: number; enabled?: boolean }

const plural = (n: number, unit: string) => `${n} ${unit.toLowerCase()}${n === 1 ? "" : "s"}`;
const dashes = (p: string) => p.replace(/\//g, "-");

export function matchTasks(ctx: TrueNASContext): Finding[] {
  const f = findingsOf(ctx.stack);
  const out: Finding[] = [];
  const snaps = rowsOf<SnapshotRow>(ctx, "pool.snapshottask.query");
  for (const s of ctx.storage.snapshots ?? []) {
    const ref = { type: "truenas_periodic_snapshot_task", dataset: s.dataset } as const;
    const object = `snapshot task of ${s.dataset}`;
    if (snaps.error !== undefined) { out.push(f.error(ref, object, snaps.error)); continue; }
    const matches = snaps.rows.filter((r) => r.dataset === s.dataset).sort((a, b) => a.id - b.id);
    const live = matches.find((r) => r.naming_schema === "auto-%Y-%m-%d_%H-%M") ?? matches[0];
    if (!live) { out.push(f.absent(ref, object)); continue; }
    // Retention as synth writes it: keep x interval, whole days when it is, else hours (constructs/snapshot-policy.ts).
    const minutes = s.keep * s.schedule.intervalMinutes;
    const lifetime = minutes % 1440 === 0 ? plural(minutes / 1440, "DAY") : plural(Math.ceil(minutes / 60), "HOUR");
    const window = `${text(live.schedule?.begin, "00:00")}-${text(live.schedule?.end, "23:59")}`;
    const drift = new DriftList()
      .check("schedule", cronText(live.schedule), cronText(s.schedule.toTrueNAS()))
      .check("window", window, "00:00-23:59")
      .check("lifetime", plural(live.lifetime_value ?? 0, live.lifetime_unit ?? "?"), lifetime)
      .check("recursive", text(live.recursive), "true")
      .check("enabled", text(live.enabled), "true");
    const note = matches.length > 1 ? `${matches.length} tasks on this dataset (ids ${matches.map((m) => m.id).join(", ")})` : undefined;
    out.push(f.found(ref, object, { id: String(live.id), drift: drift.items, note }));
  }

  const r = ctx.storage.replication;
  const reps = rowsOf<ReplicationRow>(ctx, "replication.query");
  const target = r && ctx.homelab.truenasVms.find((v) => v.role === r.targetRole);
  const targetOnline = target ? ctx.homelab.hosts.find((h) => h.nodeName === target.nodeName)?.online !== false : true;
  for (const dataset of r?.datasets ?? []) {
    const ref = { type: "truenas_replication_task", dataset } as const;
    const object = `replication of ${dataset}`;
    const held = targetOnline ? undefined : `held while ${target?.nodeName} is offline: not in the stack until then`;
    if (reps.error !== undefined) { out.push(f.error(ref, object, reps.error)); continue; }
    const live = reps.rows.find((x) => x.name === `push-${dashes(dataset)}`)
      ?? reps.rows.filter((x) => x.direction === "PUSH" && (x.source_datasets ?? []).includes(dataset)).sort((a, b) => a.id - b.id)[0];
    if (!live) { out.push(f.absent(ref, object, held)); continue; }
    const drift = new DriftList()
      .check("source_datasets", setText(live.source_datasets), dataset)
      .check("target_dataset", text(live.target_dataset), `${r!.targetParent}/${dataset.split("/").slice(1).join("/")}`)
      .check("direction", text(live.direction), "PUSH")
      .check("enabled", text(live.enabled), "true");
    out.push(f.found(ref, object, { id: String(live.id), drift: drift.items, note: held }));
  }

  const o = ctx.storage.offsiteBackup;
  const backups = rowsOf<CloudBackupRow>(ctx, "cloud_backup.query");
  for (const dataset of o?.datasets ?? []) {
    const ref = { type: "truenas_cloud_backup", dataset } as const;
    const object = `cloud backup of ${dataset}`;
    if (backups.error !== undefined) { out.push(f.error(ref, object, backups.error)); continue; }
    const live = backups.rows.filter((x) => x.path === `/mnt/${dataset}`).sort((a, b) => a.id - b.id)[0];
    if (!live) { out.push(f.absent(ref, object)); continue; }
    const drift = new DriftList()
      .check("bucket", text(live.attributes?.bucket), o!.bucket)
      .check("folder", text(live.attributes?.folder), `/${dataset}`)
      .check("schedule", cronText(live.schedule), cronText(o!.schedule.toTrueNAS()))
      .check("keep_last", text(live.keep_last), String(o!.keepLast))
      .check("enabled", text(live.enabled), "true");
    out.push(f.found(ref, object, { id: String(live.id), drift: drift.items }));
  }
  return out;
}
