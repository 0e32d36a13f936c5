import type { IConstruct } from "constructs";
import type { Problems } from "./errors";

/**
 * ZFS property values as TrueNAS spells them, written in this one place: the types below derive
 * from these lists, and `datasetPropertyProblems` checks them at synth (which runs without a type
 * check), so a dataset cannot carry a misspelled value to the provider.
 *
 * Sources: TrueNAS middleware `plugins/zfs/property_choices.py` (`RECORDSIZE_MAPPING`,
 * `ZFS_COMPRESSION_ALGORITHM_CHOICES`); the truenas/truenas 1.5.11 provider schema
 * (`schemas/truenas@1.5.11.json`, `truenas_dataset`), which validates `atime`, `exec`, `snapdir`
 * and `sync` case-sensitively in upper case, `compression` and `acltype` case-insensitively.
 */
export const ZFS_PROPERTY_VALUES = {
  /** Powers of two, 512 bytes to 16 MiB (TrueNAS offers up to the kernel's `zfs_max_recordsize`, 16M on 25.x). */
  recordsize: ["512", "512B", "1K", "2K", "4K", "8K", "16K", "32K", "64K", "128K", "256K", "512K", "1M", "2M", "4M", "8M", "16M"],
  compression: [
    "ON", "OFF", "LZ4", "GZIP", "GZIP-1", "GZIP-9", "ZSTD", "ZSTD-FAST", "ZLE", "LZJB",
    "ZSTD-1", "ZSTD-2", "ZSTD-3", "ZSTD-4", "ZSTD-5", "ZSTD-6", "ZSTD-7", "ZSTD-8", "ZSTD-9", "ZSTD-10",
    "ZSTD-11", "ZSTD-12", "ZSTD-13", "ZSTD-14", "ZSTD-15", "ZSTD-16", "ZSTD-17", "ZSTD-18", "ZSTD-19",
    "ZSTD-FAST-1", "ZSTD-FAST-2", "ZSTD-FAST-3", "ZSTD-FAST-4", "ZSTD-FAST-5", "ZSTD-FAST-6", "ZSTD-FAST-7",
    "ZSTD-FAST-8", "ZSTD-FAST-9", "ZSTD-FAST-10", "ZSTD-FAST-20", "ZSTD-FAST-30", "ZSTD-FAST-40", "ZSTD-FAST-50",
    "ZSTD-FAST-60", "ZSTD-FAST-70", "ZSTD-FAST-80", "ZSTD-FAST-90", "ZSTD-FAST-100", "ZSTD-FAST-500", "ZSTD-FAST-1000",
  ],
  atime: ["ON", "OFF"],
  sync: ["STANDARD", "ALWAYS", "DISABLED"],
  acltype: ["posix", "nfsv4", "off", "inherit"],
  exec: ["ON", "OFF"],
  snapdir: ["VISIBLE", "HIDDEN", "DISABLED"],
} as const;

/** How `allowed:` reads in an error, where the full list would be a wall of text. */
const ALLOWED_TEXT: Partial<Record<keyof DatasetProperties, string>> = {
  recordsize: "512B, 1K, 2K, ... 16M (powers of two)",
  compression: "ON, OFF, LZ4, GZIP, GZIP-1, GZIP-9, ZSTD, ZSTD-1 ... ZSTD-19, ZSTD-FAST, ZSTD-FAST-1 ... -10, -20 ... -100 by 10, -500, -1000, ZLE, LZJB",
};

/** Suggested block size for files (`recordsize`). */
export type RecordSize = (typeof ZFS_PROPERTY_VALUES.recordsize)[number];
/** Compression algorithm. */
export type Compression = (typeof ZFS_PROPERTY_VALUES.compression)[number];
/** Update access times on read. */
export type Atime = (typeof ZFS_PROPERTY_VALUES.atime)[number];
/** Synchronous write behaviour. */
export type Sync = (typeof ZFS_PROPERTY_VALUES.sync)[number];
/** ACL type (lower case, as the provider documents it). */
export type AclType = (typeof ZFS_PROPERTY_VALUES.acltype)[number];
/** Allow executing files. */
export type Exec = (typeof ZFS_PROPERTY_VALUES.exec)[number];
/** Visibility of the `.zfs/snapshot` directory. */
export type SnapDir = (typeof ZFS_PROPERTY_VALUES.snapdir)[number];

export interface DatasetProperties {
  readonly recordsize: RecordSize;
  readonly compression: Compression;
  readonly atime: Atime;
  readonly sync: Sync;
  readonly acltype: AclType;
  readonly exec: Exec;
  readonly snapdir: SnapDir;
}

/**
 * ZFS properties per use, as a storage engineer would set them. A dataset picks a profile and may
 * override single properties.
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

/** The property names, in the order they are written. */
export const DATASET_PROPERTY_NAMES = Object.keys(ZFS_PROPERTY_VALUES) as (keyof DatasetProperties)[];

/**
 * Adds a problem for an unknown profile and for every property value TrueNAS does not spell that
 * way (synth runs without a type check, so a typo in the inventory reaches here as a string).
 */
export function datasetPropertyProblems(
  scope: IConstruct | string,
  fullPath: string,
  options: Partial<DatasetProperties> & { readonly profile?: DatasetProfile },
  problems: Problems,
): void {
  if (options.profile !== undefined && !Object.prototype.hasOwnProperty.call(DATASET_PROFILES, options.profile)) {
    problems.add(scope, `unknown dataset profile for ${fullPath}`, options.profile, Object.keys(DATASET_PROFILES).join(", "));
  }
  for (const name of DATASET_PROPERTY_NAMES) {
    const value = options[name];
    const allowed: readonly string[] = ZFS_PROPERTY_VALUES[name];
    if (value !== undefined && !allowed.includes(value)) {
      problems.add(scope, `${name} of ${fullPath} is not a value TrueNAS takes`, value, ALLOWED_TEXT[name] ?? allowed.join(", "));
    }
  }
}
