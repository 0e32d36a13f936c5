/**
 * One top-level vdev, as OpenZFS sizes it: leaf labels, vdev asize, metaslabs, RAIDZ/dRAID deflation.
 * All figures are bigint bytes; function names follow the OpenZFS functions they reproduce.
 */

/** `sizeof (vdev_label_t)`: each of the 4 labels is 256 KiB, and leaf sizes are aligned to it. */
const LABEL = 256n << 10n;
/** `VDEV_LABEL_START_SIZE`: labels L0 and L1 plus the 3.5 MiB boot reserve (`VDEV_BOOT_SIZE`). */
const LABEL_START = 2n * LABEL + (7n << 19n);
/** `VDEV_LABEL_END_SIZE`: labels L2 and L3. */
const LABEL_END = 2n * LABEL;
/** `SPA_MINDEVSIZE`: ZFS refuses smaller devices with EOVERFLOW. */
export const MIN_DEVICE_BYTES = 64n << 20n;
/** `SPA_MINBLOCKSHIFT`: deflated space is counted in 512-byte units. */
const MIN_BLOCK_SHIFT = 9n;
/** `SPA_OLD_MAXBLOCKSIZE`: the "typical" 128K block every deflate ratio is computed for. */
export const TYPICAL_BLOCK = 1n << 17n;
/** `VDEV_DRAID_ROWHEIGHT` (2^SPA_MAXBLOCKSHIFT) and `VDEV_DRAID_REFLOW_RESERVE`. */
const DRAID_ROW = 1n << 24n;
const DRAID_REFLOW_RESERVE = 2n * DRAID_ROW;

/** The redundancy of a top-level vdev; `width` counts every child, including dRAID distributed spares. */
export type VdevShape =
  | { readonly kind: "disk" }
  | { readonly kind: "mirror" }
  | { readonly kind: "raidz"; readonly parity: bigint; readonly width: bigint }
  | { readonly kind: "draid"; readonly parity: bigint; readonly data: bigint; readonly spares: bigint; readonly width: bigint };

export interface VdevGeometry {
  /** `vdev_asize` of the top-level vdev. */
  readonly asize: bigint;
  /** `vdev_ms_shift`: metaslabs are 2^msShift bytes. */
  readonly msShift: bigint;
  /** `vdev_ms_count`: whole metaslabs only; the tail of `asize` is never allocatable. */
  readonly msCount: bigint;
  /** `vdev_deflate_ratio`, in 1/512 units: 512 means no parity overhead. */
  readonly deflateRatio: bigint;
  /** Σ ms_size: this vdev's share of `zpool list` SIZE. */
  readonly rawBytes: bigint;
  /** Σ deflated ms_size: what the vdev adds to the pool's dataset space. */
  readonly dspace: bigint;
  /** Deflated size of the metaslab `vdev_metaslab_init()` would move to the embedded log class (the first). */
  readonly firstMetaslabDspace: bigint;
}

/** `vdev_open()` for a leaf: align the device down to a label, then take the labels and boot area off. */
export function leafAsize(osize: bigint): bigint {
  return (osize / LABEL) * LABEL - LABEL_START - LABEL_END;
}

/** `highbit64()`: 1-based index of the highest set bit; 0 for 0. */
function highbit(x: bigint): bigint {
  return x === 0n ? 0n : BigInt(x.toString(2).length);
}

/**
 * `vdev_metaslab_set_size()` with the OpenZFS 0.8+ defaults: aim for 200 metaslabs, at least 16,
 * between 16 MiB (SPA_MAXBLOCKSHIFT) and 16 GiB (zfs_vdev_max_ms_shift), and at most 2^17 of them.
 */
export function metaslabShift(asize: bigint): bigint {
  const count = asize >> 29n; // zfs_vdev_default_ms_shift
  let shift = count < 16n ? highbit(asize / 16n) : count > 200n ? highbit(asize / 200n) : 29n;
  if (shift < 24n) {
    shift = 24n;
  } else if (shift > 34n) {
    shift = 34n;
    if (asize >> shift > 131_072n) shift = highbit(asize / 131_072n);
  }
  return shift;
}

/**
 * `vdev_raidz_psize_to_asize()` (`vdev_raidz_asize()` before 2.3): data sectors, one parity sector per
 * parity per row, then padding ("skip" sectors) to a multiple of parity + 1.
 */
export function raidzPsizeToAsize(psize: bigint, ashift: bigint, parity: bigint, width: bigint): bigint {
  let sectors = ((psize - 1n) >> ashift) + 1n;
  sectors += parity * ((sectors + width - parity - 1n) / (width - parity));
  sectors = ((sectors + parity) / (parity + 1n)) * (parity + 1n);
  return sectors << ashift;
}

/** `vdev_draid_psize_to_asize()`: whole rows of `data` sectors, each written across the full group. */
export function draidPsizeToAsize(psize: bigint, ashift: bigint, data: bigint, parity: bigint): bigint {
  const rows = (psize - 1n) / (data << ashift) + 1n;
  return (rows * (data + parity)) << ashift;
}

/** `vdev_psize_to_asize()` for any shape: mirrors and disks only round up to a sector (`vdev_default_asize`). */
export function psizeToAsize(shape: VdevShape, psize: bigint, ashift: bigint): bigint {
  switch (shape.kind) {
    case "raidz": return raidzPsizeToAsize(psize, ashift, shape.parity, shape.width);
    case "draid": return draidPsizeToAsize(psize, ashift, shape.data, shape.parity);
    default: return (((psize - 1n) >> ashift) + 1n) << ashift;
  }
}

/**
 * `vdev_set_deflate_ratio()`: 128K over its allocated size, floored, in 512ths. Fixed at 128K and txg 0
 * on purpose, so the ratio never changes (not even after RAIDZ expansion).
 */
export function deflateRatio(shape: VdevShape, ashift: bigint): bigint {
  return TYPICAL_BLOCK / (psizeToAsize(shape, TYPICAL_BLOCK, ashift) >> MIN_BLOCK_SHIFT);
}

/** The top-level `vdev_asize` from the children's leaf asizes (`vdev_raidz_open`, `vdev_mirror_open`, `vdev_draid_open`). */
export function topLevelAsize(shape: VdevShape, leafAsizes: readonly bigint[]): bigint {
  const smallest = leafAsizes.reduce((a, b) => (b < a ? b : a));
  switch (shape.kind) {
    case "raidz": return smallest * shape.width;
    case "draid": {
      // Spares are distributed, so only width − spares children hold data; rows are 16 MiB high.
      const child = ((smallest - DRAID_REFLOW_RESERVE) / DRAID_ROW) * DRAID_ROW;
      const groupBytes = (shape.data + shape.parity) * DRAID_ROW;
      return ((child * (shape.width - shape.spares)) / groupBytes) * groupBytes;
    }
    default: return smallest;
  }
}

/** Smallest child a dRAID accepts: `vdev_draid_open()` fails with ENXIO below the reflow reserve. */
export const DRAID_MIN_LEAF_ASIZE = DRAID_REFLOW_RESERVE;

/** Metaslab layout and deflated space of one top-level vdev. */
export function vdevGeometry(shape: VdevShape, leafAsizes: readonly bigint[], ashift: bigint): VdevGeometry {
  const asize = topLevelAsize(shape, leafAsizes);
  const msShift = metaslabShift(asize);
  const msCount = asize >> msShift;
  const ratio = deflateRatio(shape, ashift);
  const msSize = 1n << msShift;
  if (shape.kind !== "draid") {
    const msDspace = (msSize >> MIN_BLOCK_SHIFT) * ratio; // vdev_deflated_space()
    return { asize, msShift, msCount, deflateRatio: ratio, rawBytes: msCount * msSize, dspace: msCount * msDspace, firstMetaslabDspace: msDspace };
  }
  // vdev_draid_metaslab_init(): each metaslab starts on a group boundary and holds whole groups only.
  const group = (shape.data + shape.parity) << ashift;
  let rawBytes = 0n;
  let firstRaw = 0n;
  for (let m = 0n; m < msCount; m++) {
    const start = m << msShift;
    const astart = ((start + group - 1n) / group) * group;
    const size = ((msSize - (astart - start)) / group) * group;
    if (m === 0n) firstRaw = size;
    rawBytes += size;
  }
  // Deflation is per metaslab (metaslab_space_update); every dRAID metaslab is a whole number of 512-byte units.
  return {
    asize, msShift, msCount, deflateRatio: ratio, rawBytes,
    dspace: (rawBytes >> MIN_BLOCK_SHIFT) * ratio,
    firstMetaslabDspace: (firstRaw >> MIN_BLOCK_SHIFT) * ratio,
  };
}
