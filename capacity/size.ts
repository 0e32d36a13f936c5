/**
 * A byte quantity with its unit in the type, never a bare number.
 *
 * Disks are sold in decimal units (a "900 GB" drive holds 900,185,481,216 bytes), ZFS reads sizes
 * in binary units ("4T" = 4 TiB = 4 × 2^40). Both construct a `Size`; only `Size` crosses module
 * boundaries, so no caller ever guesses the unit of a number.
 *
 * Pure: no cdktf import, no I/O. Bytes are bigint so pool-sized sums never lose precision.
 */
export class Size {
  static readonly ZERO = new Size(0n);

  /** Exact byte count. Accepts a bigint, or a number that is a safe non-negative integer. */
  static bytes(count: bigint | number): Size {
    return new Size(toBigInt(count, "bytes"));
  }

  // Binary units: what ZFS, Proxmox memory and Kubernetes `Gi` mean.
  static kibibytes(n: number | bigint): Size { return Size.scaled(n, 1n << 10n, "kibibytes"); }
  static mebibytes(n: number | bigint): Size { return Size.scaled(n, 1n << 20n, "mebibytes"); }
  static gibibytes(n: number | bigint): Size { return Size.scaled(n, 1n << 30n, "gibibytes"); }
  static tebibytes(n: number | bigint): Size { return Size.scaled(n, 1n << 40n, "tebibytes"); }
  static pebibytes(n: number | bigint): Size { return Size.scaled(n, 1n << 50n, "pebibytes"); }

  // Decimal units: what drive labels and "TB" in a spreadsheet mean.
  static kilobytes(n: number | bigint): Size { return Size.scaled(n, 10n ** 3n, "kilobytes"); }
  static megabytes(n: number | bigint): Size { return Size.scaled(n, 10n ** 6n, "megabytes"); }
  static gigabytes(n: number | bigint): Size { return Size.scaled(n, 10n ** 9n, "gigabytes"); }
  static terabytes(n: number | bigint): Size { return Size.scaled(n, 10n ** 12n, "terabytes"); }

  /** Sum of sizes; `Size.ZERO` for none. */
  static sum(sizes: Iterable<Size>): Size {
    let total = 0n;
    for (const s of sizes) total += s.bytes;
    return new Size(total);
  }

  private constructor(readonly bytes: bigint) {}

  plus(other: Size): Size { return new Size(this.bytes + other.bytes); }

  /** Throws when the result would be negative: a size is never below zero. */
  minus(other: Size): Size {
    if (other.bytes > this.bytes) {
      throw new RangeError(`size subtraction below zero (${this} - ${other})`);
    }
    return new Size(this.bytes - other.bytes);
  }

  times(factor: number | bigint): Size { return new Size(this.bytes * toBigInt(factor, "factor")); }

  compare(other: Size): -1 | 0 | 1 {
    return this.bytes < other.bytes ? -1 : this.bytes > other.bytes ? 1 : 0;
  }
  equals(other: Size): boolean { return this.bytes === other.bytes; }
  isZero(): boolean { return this.bytes === 0n; }

  /** Whole mebibytes, throwing if not exact: Proxmox memory is configured in MiB. */
  toMebibytesExact(): number { return this.exact(1n << 20n, "MiB"); }
  /** Whole gibibytes, throwing if not exact: Proxmox disks are configured in GiB. */
  toGibibytesExact(): number { return this.exact(1n << 30n, "GiB"); }

  /** Byte count as a JS number, for provider attributes typed `number` (exact below 2^53). */
  toNumberExact(): number {
    if (this.bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`${this.bytes} bytes does not fit in a JSON number exactly`);
    }
    return Number(this.bytes);
  }

  /** Value in the given unit as a float, for display only. */
  in(unit: "TB" | "GB" | "TiB" | "GiB" | "MiB"): number {
    const div = UNIT_BYTES[unit];
    // Split to keep precision for sizes above 2^53.
    return Number(this.bytes / div) + Number(this.bytes % div) / Number(div);
  }

  /** "12.392 TB (11.270 TiB)": both readings, so nobody confuses them. */
  toHuman(digits = 3): string {
    return `${this.in("TB").toFixed(digits)} TB (${this.in("TiB").toFixed(digits)} TiB)`;
  }

  toString(): string { return `${this.bytes} B`; }

  private static scaled(n: number | bigint, unit: bigint, what: string): Size {
    if (typeof n === "number" && !Number.isInteger(n)) {
      // Allow fractions only when they land on a whole byte (e.g. 1.5 GiB).
      if (!Number.isFinite(n) || n < 0) throw new RangeError(`${what}: expected a non-negative amount (got ${n})`);
      const scaled = n * Number(unit);
      if (!Number.isSafeInteger(scaled)) {
        throw new RangeError(`${what}: ${n} is not a whole number of bytes`);
      }
      return new Size(BigInt(scaled));
    }
    return new Size(toBigInt(n, what) * unit);
  }

  private exact(unit: bigint, name: string): number {
    if (this.bytes % unit !== 0n) throw new RangeError(`${this.bytes} bytes is not a whole number of ${name}`);
    return Number(this.bytes / unit);
  }
}

const UNIT_BYTES = { TB: 10n ** 12n, GB: 10n ** 9n, TiB: 1n << 40n, GiB: 1n << 30n, MiB: 1n << 20n } as const;

function toBigInt(n: number | bigint, what: string): bigint {
  if (typeof n === "bigint") {
    if (n < 0n) throw new RangeError(`${what}: expected a non-negative whole number (got ${n})`);
    return n;
  }
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what}: expected a non-negative whole number (got ${n})`);
  }
  return BigInt(n);
}
