import { invalid } from "./errors";
import { PoolLayout, topLevelShapes } from "./pool";
import { Size } from "./size";
import { TYPICAL_BLOCK, VdevShape, psizeToAsize } from "./vdev";

export interface ZvolSpec {
  readonly volsize: Size;
  /** `ZVOL_DEFAULT_BLOCKSIZE` since OpenZFS 2.2. @default 16 KiB */
  readonly volblocksize?: Size;
  /** The `copies` property. @default 1 */
  readonly copies?: 1 | 2 | 3;
  /** `zfs create -s`: no refreservation at all. @default false */
  readonly sparse?: boolean;
}

export const DEFAULT_VOLBLOCKSIZE = Size.kibibytes(16);

const DNODES_PER_LEVEL = 1024n; // blocks addressed by one 128K indirect block
const INDIRECT_BLOCK = 1n << 17n; // DN_MAX_INDBLKSHIFT
const DVAS_PER_BP = 3n; // SPA_DVAS_PER_BP

/**
 * The `refreservation` that `zfs create -V` (and TrueNAS ≤25.10 for thick zvols) sets:
 * `zvol_volsize_to_reservation()` in libzfs. Data blocks are scaled by how much worse `volblocksize`
 * allocates than the 128K block the pool's AVAIL already assumes (`volsize_from_vdevs()`, worst RAIDZ
 * or dRAID vdev), and every indirect block level is added at 128K per block. Sparse zvols reserve 0.
 */
export function zvolRefreservation(layout: PoolLayout, zvol: ZvolSpec): Size {
  return refreservationOn(topLevelShapes(layout), zvol);
}

/** `zvolRefreservation` for vdev shapes already read from a layout (the budget check sizes many zvols per pool). */
export function refreservationOn(vdevs: readonly { shape: VdevShape; ashift: bigint }[], zvol: ZvolSpec): Size {
  const volblocksize = (zvol.volblocksize ?? DEFAULT_VOLBLOCKSIZE).bytes;
  const volsize = zvol.volsize.bytes;
  const copies = BigInt(zvol.copies ?? 1);
  if (volblocksize < 512n || volblocksize > 1n << 24n || (volblocksize & (volblocksize - 1n)) !== 0n) {
    invalid("volblocksize", "not a power of two ZFS accepts", zvol.volblocksize, "512 B to 16 MiB, a power of two (16K default)");
  }
  if (volsize === 0n || volsize % volblocksize !== 0n) {
    const down = (volsize / volblocksize) * volblocksize;
    invalid("volsize", `must be a positive multiple of volblocksize ${volblocksize}`, zvol.volsize, down > 0n ? `e.g. ${down} B (rounded down)` : `${volblocksize} B or more`);
  }
  if (copies < 1n || copies > 3n) invalid("copies", "the copies property", zvol.copies, "1, 2, 3");
  if (zvol.sparse) return Size.ZERO;

  const nblocks = volsize / volblocksize;
  let data = 0n;
  for (const { shape, ashift } of vdevs) {
    if (shape.kind !== "raidz" && shape.kind !== "draid") continue;
    const typical = psizeToAsize(shape, TYPICAL_BLOCK, ashift);
    const asize = psizeToAsize(shape, volblocksize, ashift);
    const scaled = ((nblocks * asize) / (typical >> 9n)) * (TYPICAL_BLOCK >> 9n);
    if (scaled > data) data = scaled;
  }
  if (data === 0n) data = nblocks * volblocksize;

  let metadataBlocks = 7n; // the meta-dnode, levels L0–L6
  for (let n = nblocks; n > 1n; ) {
    n = (n + DNODES_PER_LEVEL - 1n) / DNODES_PER_LEVEL;
    metadataBlocks += n;
  }
  metadataBlocks *= copies + 1n < DVAS_PER_BP ? copies + 1n : DVAS_PER_BP;
  return Size.bytes(data * copies + metadataBlocks * INDIRECT_BLOCK);
}
