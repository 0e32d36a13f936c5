/**
 * ZFS properties per use, as a storage engineer would set them. A dataset picks a profile and may
 * override single properties. Values are in the truenas/truenas provider's vocabulary.
 */
export type DatasetProfile =
  | "general"
  | "database"
  | "vm-images"
  | "media"
  | "photos"
  | "backups"
  | "scratch"
  | "kubernetes-nfs"
  | "kubernetes-zvols"
  | "replica";

export type Compression = "LZ4" | "ZSTD" | "ZSTD-FAST" | "OFF";
export type SyncMode = "STANDARD" | "ALWAYS" | "DISABLED";
export type AclType = "posix" | "nfsv4" | "off" | "inherit";
export type RecordSize = "16K" | "32K" | "64K" | "128K" | "256K" | "512K" | "1M";

export interface DatasetProperties {
  readonly recordsize: RecordSize;
  readonly compression: Compression;
  readonly atime: "ON" | "OFF";
  readonly sync: SyncMode;
  readonly acltype: AclType;
  readonly exec: "ON" | "OFF";
  readonly snapdir: "VISIBLE" | "HIDDEN" | "DISABLED";
}

const BASE: DatasetProperties = {
  recordsize: "128K",
  compression: "LZ4",
  atime: "OFF", // a write per read is pure cost on every dataset here
  sync: "STANDARD",
  acltype: "posix", // NFS/Linux clients; SMB shares would want nfsv4
  exec: "ON",
  snapdir: "HIDDEN",
};

export const DATASET_PROFILES: Record<DatasetProfile, DatasetProperties> = {
  general: BASE,
  // Small random I/O: 16K matches PostgreSQL's 8K pages and InnoDB's 16K pages closely enough.
  database: { ...BASE, recordsize: "16K" },
  // QEMU disk images do 4K-64K I/O; 64K keeps read-modify-write small without starving compression.
  "vm-images": { ...BASE, recordsize: "64K" },
  // Large sequential files that do not compress: big records, no execution.
  media: { ...BASE, recordsize: "1M", exec: "OFF" },
  photos: { ...BASE, recordsize: "1M", exec: "OFF" },
  // Written once, read rarely: zstd trades CPU (host-type cores have it) for space.
  backups: { ...BASE, recordsize: "1M", compression: "ZSTD", exec: "OFF" },
  // Ephemeral by definition (CI caches, downloads): async writes are a fair trade on RAIDZ1.
  scratch: { ...BASE, recordsize: "1M", sync: "DISABLED" },
  // democratic-csi creates one child dataset per PVC below it; general-purpose app data.
  "kubernetes-nfs": BASE,
  // Parent of democratic-csi zvols: volblocksize is set per zvol by the driver, not inherited.
  "kubernetes-zvols": { ...BASE, recordsize: "16K" },
  // Replication targets: properties come with the stream; keep the mount read-only-ish and quiet.
  replica: { ...BASE, recordsize: "1M", compression: "ZSTD", exec: "OFF" },
};
