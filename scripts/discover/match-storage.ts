/**
 * Pools, datasets, scrub tasks and NFS shares of one TrueNAS against its inventory entry.
 *
 * Shapes (truenas/middleware TS-25.10.6, src/middlewared/middlewared/api/v25_10_0/): `PoolEntry`
 * (pool.py: id, name, status, healthy), `PoolDatasetEntry` (pool_dataset.py: id = full path, type,
 * and each ZFS property as {parsed, rawvalue, value, source}; plugins/pool_/dataset_query_utils.py:
 * quota rawvalue "0" = none, recordsize rawvalue in bytes, value upper case), `PoolScrubEntry`
 * (pool_scrub.py: id, pool, pool_name, schedule, enabled), `NfsShareEntry` (nfs.py: id, path,
 * networks, hosts, ro, maproot_user, maproot_group, enabled).
 * Import ids: truenas_dataset = full path (terraform-provider-truenas@08172c7931b9bc90e6efa1bf8ef4d2fd06efc0ae
 * internal/resources/dataset/resource.go ImportState); truenas_scrub_task = integer id
 * (@834358861bda009e4b0250ea25cecc9e0129812a internal/resources/scrub_task/resource.go ImportState);
 * truenas_nfs_share = integer id (@0b628e49fd6d11560a5c8f2a21cedea562c014f4 internal/resources/nfs/resource.go).
 */
import { DATASET_PROFILES } from "../../constructs/dataset-profiles";
import { findingsOf, rowsOf, type TrueNASContext } from "./context";
import { DriftList, binarySize, cronText, recordsizeBytes, recordsizeText, setText, text, type Finding } from "./drift";

type Prop = { parsed?: unknown; rawvalue?: string | null; value?: string | null } | undefined;
interface PoolRow { id: number; name: string; status?: string; healthy?: boolean }
interface DatasetRow { id: string; type?: string; quota?: Prop; recordsize?: Prop; compression?: Prop; atime?: Prop; sync?: Prop; exec?: Prop }
interface ScrubRow { id: number; pool: number; pool_name?: string; schedule?: Record<string, string>; enabled?: boolean }
interface ShareRow { id: number; path: string; networks?: string[]; hosts?: string[]; ro?: boolean; maproot_user?: string | null; maproot_group?: string | null; enabled?: boolean }

const upper = (p: Prop) => text(p?.value ?? (typeof p?.parsed === "boolean" ? (p.parsed ? "ON" : "OFF") : p?.rawvalue)).toUpperCase();
const bytesOf = (p: Prop): bigint | null => (p?.rawvalue && /^\d+$/.test(p.rawvalue) ? BigInt(p.rawvalue) : typeof p?.parsed === "number" ? BigInt(p.parsed) : null);

export function matchStorage(ctx: TrueNASContext): Finding[] {
  const f = findingsOf(ctx.stack);
  const out: Finding[] = [];
  const pools = rowsOf<PoolRow>(ctx, "pool.query");
  for (const p of ctx.storage.pools) {
    if (pools.error !== undefined) { out.push(f.error(undefined, `pool ${p.name}`, pools.error)); continue; }
    const live = pools.rows.find((r) => r.name === p.name);
    if (!live) { out.push(f.absent(undefined, `pool ${p.name}`, "create it by hand (README: pools are adopted)")); continue; }
    const drift = new DriftList().check("status", text(live.status), "ONLINE").check("healthy", text(live.healthy), "true");
    out.push(f.found(undefined, `pool ${p.name}`, { id: String(live.id), drift: drift.items, note: "data source: adopted, not imported" }));
  }

  const datasets = rowsOf<DatasetRow>(ctx, "pool.dataset.query");
  for (const d of ctx.storage.datasets) {
    const ref = { type: "truenas_dataset", fullPath: d.fullPath } as const;
    const object = `dataset ${d.fullPath}`;
    if (datasets.error !== undefined) { out.push(f.error(ref, object, datasets.error)); continue; }
    const live = datasets.rows.find((r) => r.id === d.fullPath);
    if (!live) { out.push(f.absent(ref, object)); continue; }
    // What synth sets: the profile's properties, overridden by the entry's own (constructs/zfs-dataset.ts).
    const profile = DATASET_PROFILES[d.profile ?? "general"];
    const want = { recordsize: d.recordsize ?? profile.recordsize, compression: d.compression ?? profile.compression, atime: d.atime ?? profile.atime, sync: d.sync ?? profile.sync, exec: d.exec ?? profile.exec };
    const liveRecord = Number(bytesOf(live.recordsize) ?? recordsizeBytes(text(live.recordsize?.value, "")));
    const drift = new DriftList()
      .check("type", text(live.type), "FILESYSTEM")
      .check("quota", binarySize(bytesOf(live.quota)), binarySize(d.quota?.bytes))
      .check("recordsize", Number.isNaN(liveRecord) ? "unknown" : recordsizeText(liveRecord), recordsizeText(recordsizeBytes(want.recordsize)))
      .check("compression", upper(live.compression), want.compression.toUpperCase())
      .check("atime", upper(live.atime), want.atime)
      .check("sync", upper(live.sync), want.sync)
      .check("exec", upper(live.exec), want.exec);
    out.push(f.found(ref, object, { id: live.id, drift: drift.items }));
  }

  const scrubs = rowsOf<ScrubRow>(ctx, "pool.scrub.query");
  for (const [pool, schedule] of Object.entries(ctx.storage.scrubs)) {
    const ref = { type: "truenas_scrub_task", pool } as const;
    const object = `scrub task of pool ${pool}`;
    if (scrubs.error !== undefined) { out.push(f.error(ref, object, scrubs.error)); continue; }
    const poolId = pools.rows?.find((r) => r.name === pool)?.id;
    const live = scrubs.rows.find((r) => r.pool_name === pool || (poolId !== undefined && r.pool === poolId));
    if (!live) { out.push(f.absent(ref, object, "TrueNAS makes one per pool at pool.create")); continue; }
    const drift = new DriftList().check("schedule", cronText(live.schedule), cronText(schedule.toTrueNAS())).check("enabled", text(live.enabled), "true");
    out.push(f.found(ref, object, { id: String(live.id), drift: drift.items }));
  }

  const shares = rowsOf<ShareRow>(ctx, "sharing.nfs.query");
  for (const e of ctx.storage.nfsExports ?? []) {
    const ref = { type: "truenas_nfs_share", dataset: e.dataset } as const;
    const object = `NFS share /mnt/${e.dataset}`;
    if (shares.error !== undefined) { out.push(f.error(ref, object, shares.error)); continue; }
    const matches = shares.rows.filter((r) => r.path === `/mnt/${e.dataset}`).sort((a, b) => a.id - b.id);
    const live = matches[0];
    if (!live) { out.push(f.absent(ref, object)); continue; }
    const networks = e.vlans.map((v) => ctx.homelab.vlans.find((x) => x.name === v)?.cidr ?? `<vlan ${v}>`);
    const drift = new DriftList()
      .check("networks", setText(live.networks), setText(networks))
      .check("hosts", setText(live.hosts), "none")
      .check("ro", text(live.ro), String(e.readOnly ?? false))
      .check("maproot_user", text(live.maproot_user), text(e.maprootUser))
      .check("maproot_group", text(live.maproot_group), e.maprootUser ? "wheel" : "none")
      .check("enabled", text(live.enabled), "true");
    out.push(f.found(ref, object, { id: String(live.id), drift: drift.items, note: matches.length > 1 ? `${matches.length} shares of this path (ids ${matches.map((m) => m.id).join(", ")}): took the lowest` : undefined }));
  }
  return out;
}
