/**
 * A byte quantity with its unit in the type, never a bare number.
 *
 * Disks are sold in decimal units (a "900 GB" drive holds 900,185,481,216 bytes), ZFS reads sizes
 * in binary units ("4T" = 4 TiB = 4 × 2^40). Both construct a `Size`; only `Size` crosses module
 * boundaries, so no caller ever guesses the unit of a number.
 *
 * Pure: no cdktf import, no I/O. Bytes are bigint so pool-sized sums never lose precision.
 *
 * The factories never throw: a bad amount (negative, NaN, fractional bytes, a number too large to
 * be exact) gives an INVALID size that carries its problem (`issue`), so an inventory module
 * always loads and its checker reports the bad value with the inventory entry that holds it.
 * Using an invalid size (its `bytes`, arithmetic, comparisons) throws that problem as a RangeError.
 */
export class Size {
  static readonly ZERO = new Size(0n);

  /** Exact byte count. Accepts a bigint, or a number that is a safe non-negative integer. */
  static bytes(count: bigint | number): Size {
    return Size.scaled(count, 1n, "bytes");
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

  /**
   * A drive size as printed on the label, in decimal units: "900GB", "8TB", "1.2TB", "500 MB", or exact
   * bytes as "900185481216B". Units are case-sensitive (B, kB/KB, MB, GB, TB, PB): "900Gb" could be
   * gigabits, "900G" or "900GiB" binary, and both are refused rather than guessed.
   */
  static parseDriveSize(text: string): Size {
    return parseQuantity(text, "drive size", DECIMAL_SUFFIXES, (suffix) => {
      if (suffix === "") return `a bare number is ambiguous: write its unit ("900GB"), or bytes as "900185481216B"`;
      if (/^[kMGTP]b$/i.test(suffix)) return `"${suffix}" reads as bits: write "${suffix[0].toUpperCase()}B"`;
      if (/^[KMGTPE](iB)?$/i.test(suffix)) {
        return `drive sizes are decimal, as sold: write "${suffix[0].toUpperCase()}B" (binary sizes belong to Size.parseZfs)`;
      }
      return undefined;
    });
  }

  /**
   * A ZFS quantity as `zfs set quota=…` reads it, in binary units: "4T" = "4TiB" = 4 × 2^40, "1.5G",
   * "512K", or bare bytes "1073741824". ZFS also reads "4TB" as 4 TiB, which people mean as 4 × 10^12:
   * that spelling is refused as ambiguous.
   */
  static parseZfs(text: string): Size {
    return parseQuantity(text, "ZFS size", BINARY_SUFFIXES, (suffix) => {
      if (/^[KMGTPE]B$/i.test(suffix)) {
        const letter = suffix[0].toUpperCase();
        return `ZFS reads "${suffix}" as binary (${letter}iB) where people read it as decimal: write "${letter}" or "${letter}iB"`;
      }
      return undefined;
    });
  }

  /** Sum of sizes; `Size.ZERO` for none. */
  static sum(sizes: Iterable<Size>): Size {
    let total = 0n;
    for (const s of sizes) total += s.bytes;
    return new Size(total);
  }

  /** The byte count. Throws (a RangeError naming the factory and the amount) for an invalid size. */
  declare readonly bytes: bigint;
  /** Why this size is invalid, for a size built from a bad amount; undefined for a valid one. */
  readonly issue?: SizeIssue;

  private constructor(bytes: bigint, issue?: SizeIssue) {
    if (issue === undefined) {
      (this as { bytes: bigint }).bytes = bytes;
    } else {
      this.issue = issue;
      // Not enumerable: printing or serializing the invalid size never throws, using its bytes does.
      Object.defineProperty(this, "bytes", { enumerable: false, get: () => { throw new RangeError(describeSizeIssue(issue)); } });
    }
  }

  /** False for a size built from a bad amount (see `issue`). */
  isValid(): boolean {
    return this.issue === undefined;
  }

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

  toString(): string { return this.issue ? `${this.issue.factory}(${this.issue.amount})` : `${this.bytes} B`; }

  /** The largest decimal unit that holds this size exactly ("900GB", "123B"); `parseDriveSize` reads it back. */
  toDriveSizeString(): string { return exactString(this.bytes, DECIMAL_SUFFIXES); }

  /** The largest binary unit that holds this size exactly ("4T", "123"), as `zfs set` takes it; `parseZfs` reads it back. */
  toZfsString(): string { return exactString(this.bytes, BINARY_SUFFIXES); }

  /** `n` units of `unit` bytes; an invalid size (never a throw) when that is not a whole, non-negative byte count. */
  private static scaled(n: number | bigint, unit: bigint, what: string): Size {
    const factory = `Size.${what}`;
    const whole = unit === 1n ? "a non-negative whole number of bytes" : `a non-negative amount of ${what} that is a whole number of bytes`;
    const bad = (problem: string, allowed = whole) =>
      new Size(0n, { factory, amount: typeof n === "bigint" ? `${n}n` : typeof n === "number" ? `${n}` : JSON.stringify(n) ?? String(n), problem, allowed });
    if (typeof n === "bigint") return n < 0n ? bad("a size cannot be negative") : new Size(n * unit);
    if (typeof n !== "number") return bad("not a number");
    if (Number.isNaN(n)) return bad("not a number");
    if (!Number.isFinite(n)) return bad("not a finite amount");
    if (n < 0) return bad("a size cannot be negative");
    if (Number.isInteger(n)) {
      if (!Number.isSafeInteger(n)) return bad("too large to be exact as a JS number", "a bigint for amounts above 2^53, e.g. 9007199254740993n");
      return new Size(BigInt(n) * unit);
    }
    // Fractions only when they land on a whole byte (e.g. 1.5 GiB).
    const scaled = n * Number(unit);
    if (!Number.isInteger(scaled)) return bad("not a whole number of bytes");
    if (!Number.isSafeInteger(scaled)) return bad("too large to be exact as a JS number", "a whole amount, or a bigint number of bytes");
    return new Size(BigInt(scaled));
  }

  private exact(unit: bigint, name: string): number {
    if (this.bytes % unit !== 0n) throw new RangeError(`${this.bytes} bytes is not a whole number of ${name}`);
    return Number(this.bytes / unit);
  }
}

/** Why a size is invalid: the factory, the amount as written, what is wrong, what is allowed. */
export interface SizeIssue {
  /** E.g. `Size.gibibytes`. */
  readonly factory: string;
  /** The amount as written, e.g. `-1`, `NaN`, `1.5`, `-3n`. */
  readonly amount: string;
  /** E.g. `a size cannot be negative`. */
  readonly problem: string;
  readonly allowed: string;
}

/** `Size.gibibytes: a size cannot be negative (got -1; allowed: ...)`: the project's one message shape. */
export function describeSizeIssue(issue: SizeIssue): string {
  return `${issue.factory}: ${issue.problem} (got ${issue.amount}; allowed: ${issue.allowed})`;
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

/** Suffix → bytes, largest first (the order `exactString` tries them in). */
const DECIMAL_SUFFIXES: ReadonlyArray<readonly [string, bigint]> = [
  ["PB", 10n ** 15n], ["TB", 10n ** 12n], ["GB", 10n ** 9n], ["MB", 10n ** 6n], ["kB", 10n ** 3n], ["KB", 10n ** 3n], ["B", 1n],
];
const BINARY_SUFFIXES: ReadonlyArray<readonly [string, bigint]> = [
  ["E", 1n << 60n], ["P", 1n << 50n], ["T", 1n << 40n], ["G", 1n << 30n], ["M", 1n << 20n], ["K", 1n << 10n],
  ["EiB", 1n << 60n], ["PiB", 1n << 50n], ["TiB", 1n << 40n], ["GiB", 1n << 30n], ["MiB", 1n << 20n], ["KiB", 1n << 10n],
  ["B", 1n], ["", 1n],
];

/**
 * Parses "<number><suffix>" exactly: the number is read as a decimal fraction in bigint, so "1.5T" is
 * exact and "1.3B" is refused instead of rounded. `ambiguity` explains suffixes refused on purpose.
 */
function parseQuantity(
  text: string,
  what: string,
  suffixes: ReadonlyArray<readonly [string, bigint]>,
  ambiguity: (suffix: string) => string | undefined,
): Size {
  const allowed = `a non-negative number with one of ${suffixes.map(([s]) => (s === "" ? "no suffix" : s)).join(", ")}`;
  const fail = (why: string): never => {
    throw new RangeError(`${what}: ${why} (got ${JSON.stringify(text)}; allowed: ${allowed})`);
  };
  if (typeof text !== "string") fail("expected a string");
  const match = /^\s*([+-]?)(\d+)(?:\.(\d+))?\s*([A-Za-z]*)\s*$/.exec(text);
  if (!match) fail("not a number followed by a unit");
  const [, sign, whole, fraction = "", suffix] = match!;
  if (sign === "-") fail("a size cannot be negative");
  const unit = suffixes.find(([s]) => s === suffix)?.[1];
  if (unit === undefined) fail(ambiguity(suffix) ?? `unknown unit "${suffix}"`);
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * unit!;
  if (scaled % scale !== 0n) fail("not a whole number of bytes");
  return Size.bytes(scaled / scale);
}

/** Bytes in the first (largest) unit that divides them; zero in the last, smallest spelling. */
function exactString(bytes: bigint, suffixes: ReadonlyArray<readonly [string, bigint]>): string {
  const [suffix, unit] = suffixes.find(([, u]) => bytes !== 0n && bytes % u === 0n) ?? suffixes[suffixes.length - 1];
  return `${bytes / unit}${suffix}`;
}
