import { invalid } from "./errors";
import { PARTITION_SCHEMES, PartitionScheme, partitionSize } from "./partition";
import { Size } from "./size";
import { DRAID_MIN_LEAF_ASIZE, MIN_DEVICE_BYTES, VdevGeometry, VdevShape, leafAsize, vdevGeometry } from "./vdev";

/** Where a vdev's space goes. Only `normal` vdevs add dataset space; see `poolCapacity`. */
export type VdevClass = "normal" | "log" | "special" | "cache" | "spare";
export const VDEV_CLASSES: readonly VdevClass[] = ["normal", "log", "special", "cache", "spare"];

export type VdevType = "disk" | "mirror" | "raidz1" | "raidz2" | "raidz3";
export const VDEV_TYPES: readonly VdevType[] = ["disk", "mirror", "raidz1", "raidz2", "raidz3"];

/**
 * The OpenZFS release whose space rules apply (the running one; metaslab sizes are the same for all).
 * "2.0" covers 0.8–2.0: no embedded-log metaslab and no 128 GiB slop cap. "2.1"–"2.3" add both.
 * "2.4" also gives special vdevs an embedded-log metaslab, which lowers the slop.
 */
export type OpenZfsRules = "2.0" | "2.1" | "2.2" | "2.3" | "2.4";
export const OPENZFS_RULES: readonly OpenZfsRules[] = ["2.0", "2.1", "2.2", "2.3", "2.4"];

export interface VdevSpec {
  /** @default "normal" */
  readonly class?: VdevClass;
  readonly type: VdevType;
  /** Drive sizes as sold ("900GB"), or with the `raw` scheme the exact bytes ZFS is given. */
  readonly disks: readonly Size[];
}

/** A dRAID vdev: `draid<parity>:<data>d:<spares>s` over `disks.length` children. */
export interface DraidVdevSpec {
  /** @default "normal" */
  readonly class?: "normal" | "special";
  readonly type: "draid";
  readonly parity: 1 | 2 | 3;
  readonly data: number;
  /** Distributed spares. @default 0 */
  readonly spares?: number;
  readonly disks: readonly Size[];
}

export interface PoolLayout {
  /** Sector size as a power of two, 9–16. TrueNAS always uses 12. */
  readonly ashift: number;
  /** @default "2.4" */
  readonly openzfs?: OpenZfsRules;
  /** How each disk is partitioned before ZFS gets it; `raw` when `disks` are measured partition sizes. */
  readonly partitionScheme: PartitionScheme;
  readonly vdevs: readonly (VdevSpec | DraidVdevSpec)[];
}

export interface VdevCapacity extends VdevGeometry {
  readonly class: VdevClass;
  readonly type: VdevType | "draid";
  readonly width: number;
  /** Size of the smallest device ZFS is given (after partitioning); the vdev is sized by it. */
  readonly deviceBytes: bigint;
  /** Whether one metaslab went to the embedded log class (ZIL blocks), away from dataset space. */
  readonly embeddedLog: boolean;
}

export interface PoolCapacity {
  /** Root dataset USED + AVAIL on an empty pool: what `zfs list` and TrueNAS call the pool's capacity. */
  readonly usable: Size;
  /** `zpool list` SIZE: raw metaslab space of normal, special and embedded-log classes (not log vdevs). */
  readonly zpoolSize: Size;
  /** Slop space: held back from datasets so that administrative writes can always proceed. */
  readonly slop: Size;
  /** Deflated normal-class space (`spa_rdspace`) before slop. */
  readonly normalSpace: Size;
  /** Deflated space of the embedded-log metaslabs (normal, and special on 2.4+). */
  readonly embeddedLogSpace: Size;
  /** Top-level vdevs in layout order; log, cache and spare vdevs are listed with zero space. */
  readonly vdevs: readonly VdevCapacity[];
}

const SLOP_SHIFT = 5n; // spa_slop_shift
const MIN_SLOP = 128n << 20n; // spa_min_slop
const MAX_SLOP = 128n << 30n; // spa_max_slop (2.1+)
const EMBEDDED_SLOG_MIN_MS = 64n; // zfs_embedded_slog_min_ms: strictly more metaslabs than this

const PARITY: Record<string, bigint> = { raidz1: 1n, raidz2: 2n, raidz3: 3n };

/**
 * The space OpenZFS gives an empty pool with this layout, byte for byte:
 *
 *   usable = Σ normal vdevs (whole metaslabs − embedded log) × deflate ratio − slop
 *
 * as in `spa_update_dspace()`, `spa_get_slop_space()` and `dsl_pool_adjustedsize()`. Special vdevs add
 * only allocated bytes (zero on an empty pool); log, cache and spare vdevs add nothing.
 */
export function poolCapacity(layout: PoolLayout): PoolCapacity {
  const rules = layout.openzfs ?? "2.4";
  if (!OPENZFS_RULES.includes(rules)) invalid("openzfs", "unknown rule set", rules, OPENZFS_RULES.join(", "));
  const ashift = checkAshift(layout.ashift);
  if (!PARTITION_SCHEMES.includes(layout.partitionScheme)) {
    invalid("partitionScheme", "unknown partition scheme", layout.partitionScheme, PARTITION_SCHEMES.join(", "));
  }
  if (!Array.isArray(layout.vdevs) || !layout.vdevs.some((v) => (v.class ?? "normal") === "normal")) {
    invalid("vdevs", "a pool needs at least one normal vdev", layout.vdevs?.length ?? layout.vdevs, "one or more vdevs of class normal");
  }
  const hasElog = rules !== "2.0";
  const vdevs = layout.vdevs.map((spec, i) => vdevCapacity(spec, layout.partitionScheme, ashift, `vdevs[${i}]`, hasElog, rules === "2.4"));

  let normal = 0n;
  let embedded = 0n;
  let zpoolSize = 0n;
  for (const v of vdevs) {
    if (v.class !== "normal" && v.class !== "special") continue;
    zpoolSize += v.rawBytes;
    if (v.embeddedLog) embedded += v.firstMetaslabDspace;
    if (v.class === "normal") normal += v.dspace - (v.embeddedLog ? v.firstMetaslabDspace : 0n);
  }
  const slop = slopSpace(normal, embedded, hasElog);
  return {
    usable: Size.bytes(normal - slop),
    zpoolSize: Size.bytes(zpoolSize),
    slop: Size.bytes(slop),
    normalSpace: Size.bytes(normal),
    embeddedLogSpace: Size.bytes(embedded),
    vdevs,
  };
}

/**
 * `spa_get_slop_space()`: 1/32 of the normal space, at most 128 GiB (2.1+), less the embedded-log space
 * (up to half), but never below min(half the space, 128 MiB). So large pools lose a flat 128 GiB.
 */
function slopSpace(space: bigint, embeddedLog: bigint, rules21: boolean): bigint {
  let slop = space >> SLOP_SHIFT;
  if (rules21) {
    if (slop > MAX_SLOP) slop = MAX_SLOP;
    slop -= embeddedLog < slop >> 1n ? embeddedLog : slop >> 1n;
  }
  const floor = space >> 1n < MIN_SLOP ? space >> 1n : MIN_SLOP;
  return slop > floor ? slop : floor;
}

function vdevCapacity(
  spec: VdevSpec | DraidVdevSpec, scheme: PartitionScheme, ashift: bigint, where: string, hasElog: boolean, specialElog: boolean,
): VdevCapacity {
  const cls = spec.class ?? "normal";
  if (!VDEV_CLASSES.includes(cls)) invalid(`${where}.class`, "unknown vdev class", cls, VDEV_CLASSES.join(", "));
  const shape = vdevShape(spec, cls, where);
  const devices = spec.disks.map((d, j) => {
    const osize = partitionSize(d, scheme, `${where}.disks[${j}]`).bytes;
    if (osize < MIN_DEVICE_BYTES) {
      invalid(`${where}.disks[${j}]`, "device smaller than SPA_MINDEVSIZE after partitioning", d, "at least 64 MiB given to ZFS");
    }
    return osize;
  });
  const deviceBytes = devices.reduce((a, b) => (b < a ? b : a));
  const base = { class: cls, type: spec.type, width: devices.length, deviceBytes };
  if (cls === "log" || cls === "cache" || cls === "spare") {
    // Log vdevs live in spa_log_class, outside dspace and SIZE; cache and spares are aux vdevs outside the pool.
    return { ...base, asize: 0n, msShift: 0n, msCount: 0n, deflateRatio: 0n, rawBytes: 0n, dspace: 0n, firstMetaslabDspace: 0n, embeddedLog: false };
  }
  const leaves = devices.map(leafAsize);
  if (shape.kind === "draid" && leaves.some((l) => l < DRAID_MIN_LEAF_ASIZE)) {
    invalid(`${where}.disks`, "dRAID children are too small for the 32 MiB reflow reserve", spec.disks.map(String), "larger devices");
  }
  const geometry = vdevGeometry(shape, leaves, ashift);
  // vdev_metaslab_init(): one metaslab of a normal (2.1+) or special (2.4+) vdev becomes the embedded ZIL area.
  const embeddedLog = hasElog && (cls === "normal" || specialElog) && geometry.msCount > EMBEDDED_SLOG_MIN_MS;
  return { ...base, ...geometry, embeddedLog };
}

/**
 * The redundancy of each top-level vdev ZFS lists as a child of the root (normal, special, log), as
 * `volsize_from_vdevs()` walks them; cache and spare devices are not children of the root.
 */
export function topLevelShapes(layout: PoolLayout): { shape: VdevShape; ashift: bigint }[] {
  const ashift = checkAshift(layout.ashift);
  return layout.vdevs
    .map((spec, i) => ({ spec, cls: spec.class ?? "normal", where: `vdevs[${i}]` }))
    .filter(({ cls }) => cls !== "cache" && cls !== "spare")
    .map(({ spec, cls, where }) => ({ shape: vdevShape(spec, cls, where), ashift }));
}

function vdevShape(spec: VdevSpec | DraidVdevSpec, cls: VdevClass, where: string): VdevShape {
  const n = Array.isArray(spec.disks) ? spec.disks.length : invalid(`${where}.disks`, "expected a list of disk sizes", spec.disks, "an array of Size");
  if (n === 0) invalid(`${where}.disks`, "a vdev needs devices", n, "one or more");
  if (n > 255) invalid(`${where}.disks`, "too many children for one vdev", n, "at most 255");
  if ((cls === "cache" || cls === "spare") && spec.type !== "disk") {
    invalid(`${where}.type`, `${cls} devices are single disks`, spec.type, "disk");
  }
  if (cls === "log" && spec.type !== "disk" && spec.type !== "mirror") {
    invalid(`${where}.type`, "log vdevs cannot be RAIDZ or dRAID", spec.type, "disk, mirror");
  }
  switch (spec.type) {
    case "disk":
      if (n !== 1) invalid(`${where}.disks`, "a disk vdev has exactly one device (list several disk vdevs to stripe)", n, "1");
      return { kind: "disk" };
    case "mirror":
      if (n < 2) invalid(`${where}.disks`, "a mirror needs at least two devices", n, "2 or more");
      return { kind: "mirror" };
    case "raidz1": case "raidz2": case "raidz3": {
      const parity = PARITY[spec.type];
      if (BigInt(n) <= parity) invalid(`${where}.disks`, `${spec.type} needs more devices than parity`, n, `${parity + 1n} or more`);
      return { kind: "raidz", parity, width: BigInt(n) };
    }
    case "draid": {
      const { parity, data, spares = 0 } = spec;
      if (![1, 2, 3].includes(parity)) invalid(`${where}.parity`, "dRAID parity", parity, "1, 2, 3");
      if (!Number.isInteger(data) || data < 1) invalid(`${where}.data`, "dRAID data disks per group", data, "a whole number ≥ 1");
      if (!Number.isInteger(spares) || spares < 0) invalid(`${where}.spares`, "dRAID distributed spares", spares, "a whole number ≥ 0");
      if (data + parity + spares > n) {
        invalid(`${where}.disks`, `draid${parity}:${data}d:${spares}s needs data + parity + spares children`, n, `${data + parity + spares} or more`);
      }
      return { kind: "draid", parity: BigInt(parity), data: BigInt(data), spares: BigInt(spares), width: BigInt(n) };
    }
    default:
      return invalid(`${where}.type`, "unknown vdev type", (spec as { type: unknown }).type, [...VDEV_TYPES, "draid"].join(", "));
  }
}

function checkAshift(ashift: number): bigint {
  if (!Number.isInteger(ashift) || ashift < 9 || ashift > 16) {
    invalid("ashift", "sector size as a power of two", ashift, "a whole number from 9 (512 B) to 16 (64 KiB)");
  }
  return BigInt(ashift);
}
