import { invalid } from "./errors";
import { Size } from "./size";

/**
 * How a disk becomes the block device ZFS is given (its `osize` in `vdev_open()`).
 *
 * - `truenas-25.04`: SCALE 25.04 Fangtooth and later. One data partition, the disk less
 *   min(2 GiB, 1%), rounded down to 1 MiB (middleware `get_data_partition_size()`, commit c9247c8511).
 * - `truenas-24.10`: SCALE 24.10 Electric Eel. No swap, no margin: the largest 1 MiB-aligned region
 *   from sector 2048 (libparted optimal alignment; inferred from fdisk listings, not measured).
 * - `truenas-swap-2g`: CORE ≤13 and SCALE ≤24.04, which put a 2 GiB swap partition first. Uses CORE's
 *   exact `gpart -a 4k` geometry; SCALE's 1 MiB alignment differs by under 2 MiB, which moves a
 *   metaslab boundary only in rare cases — measure the partition (`lsblk -b`) and use `raw` to be exact.
 * - `zpool-create-linux`: `zpool create` on a whole Linux disk (`zpool_label_disk()`).
 * - `raw`: the size given is exactly what ZFS gets: a measured partition, a FreeBSD whole disk, a file.
 */
export type PartitionScheme = "truenas-25.04" | "truenas-24.10" | "truenas-swap-2g" | "zpool-create-linux" | "raw";

export const PARTITION_SCHEMES: readonly PartitionScheme[] = [
  "truenas-25.04", "truenas-24.10", "truenas-swap-2g", "zpool-create-linux", "raw",
];

const SECTOR = 512n;
const MIB = 1n << 20n;
const GIB = 1n << 30n;
const GB = 10n ** 9n;

/**
 * The bytes a drive sold as `label` really holds. Labels up to 8 TB follow the IDEMA LBA1-03 rule
 * (97,696,368 + 1,953,504 × (GB − 50) sectors), so "900GB" holds 900,185,481,216 bytes. Larger drives
 * do not follow it (an 18 TB Seagate holds 18,000,207,937,536 bytes, less than IDEMA's figure), so
 * their label is used as is: a lower bound, never an overestimate. A size that is not a whole number
 * of GB is taken as a measured byte count.
 */
export function driveCapacity(label: Size): Size {
  const bytes = label.bytes;
  if (bytes % GB !== 0n || bytes < 50n * GB || bytes > 8000n * GB) return label;
  return Size.bytes((97_696_368n + 1_953_504n * (bytes / GB - 50n)) * SECTOR);
}

/** The size of the device ZFS is given when `disk` (a drive size as sold, or measured bytes) is laid out by `scheme`. */
export function partitionSize(disk: Size, scheme: PartitionScheme, where = "disk"): Size {
  if (scheme === "raw") return disk;
  const bytes = driveCapacity(disk).bytes;
  if (bytes % SECTOR !== 0n) {
    invalid(where, "a disk is a whole number of 512-byte sectors", disk, "a multiple of 512 bytes, or the `raw` scheme");
  }
  const n = bytes / SECTOR;
  let osize: bigint;
  switch (scheme) {
    case "truenas-25.04": {
      // Python's int(size * 0.01) truncates; floor is the same for any real disk size.
      const margin = bytes / 100n < 2n * GIB ? bytes / 100n : 2n * GIB;
      osize = ((bytes - margin) / MIB) * MIB;
      break;
    }
    case "truenas-24.10":
      // Start at sector 2048, end on the last 1 MiB boundary before the backup GPT (33 sectors).
      osize = ((n - 33n) / 2048n - 1n) * 2048n * SECTOR;
      break;
    case "truenas-swap-2g":
      // p2 starts after 128 sectors of GPT and a 2 GiB (4,194,304-sector) swap; last usable LBA is n − 34; 4 KiB-aligned.
      osize = ((n - 34n - 4_194_432n + 1n) / 8n) * 8n * SECTOR;
      break;
    case "zpool-create-linux":
      // efi_last_u_lba + 1 − EFI_MIN_RESV_SIZE (16384) − NEW_START_BLOCK (2048), aligned to 2048 sectors.
      osize = ((n - 18_465n) / 2048n) * 2048n * SECTOR;
      break;
    default:
      return invalid(where, "unknown partition scheme", scheme, PARTITION_SCHEMES.join(", "));
  }
  if (osize <= 0n) invalid(where, `too small to partition with ${scheme}`, disk, "a disk larger than 64 MiB");
  return Size.bytes(osize);
}
