/**
 * What discovery reports per object (`Finding`), and the small comparisons behind "differs from the
 * inventory": sizes in binary units, record sizes, cron fields, lists compared as sets.
 */
import type { TrueNASCronFields } from "../../constructs/schedule";

/** One property where the live object differs from what the inventory (and so the plan) says. */
export interface Drift {
  readonly property: string;
  readonly live: string;
  readonly inventory: string;
}

export interface Finding {
  /** Stack id (`prod-storage`). */
  readonly stack: string;
  /** Terraform address; none for objects that are not imported (pools are data sources). */
  readonly address?: string;
  /** For people: `dataset fast/vms`, `VM truenas-primary`. */
  readonly object: string;
  /** `error`: could not be checked (the file keeps what it had for it). */
  readonly status: "found" | "absent" | "error";
  /** The import id (only when found). */
  readonly id?: string;
  readonly drift: readonly Drift[];
  readonly note?: string;
}

/** Collects drift: `check("quota", live, inventory)` adds one when the readable forms differ. */
export class DriftList {
  readonly items: Drift[] = [];
  check(property: string, live: string, inventory: string): this {
    if (live !== inventory) this.items.push({ property, live, inventory });
    return this;
  }
}

const BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Bytes in binary units, exact where it can be: `3.5 TiB`, `512 GiB`; null/0 as `none`. */
export function binarySize(bytes: bigint | number | null | undefined, zero = "none"): string {
  if (bytes === null || bytes === undefined) return zero;
  let b = BigInt(bytes);
  if (b === 0n) return zero;
  let unit = 0;
  while (unit < BINARY.length - 1 && b >= 1024n ** BigInt(unit + 1)) unit++;
  const div = 1024n ** BigInt(unit);
  const value = Number(b / div) + Number(b % div) / Number(div);
  const text = value.toFixed(3).replace(/\.?0+$/, "");
  return `${text} ${BINARY[unit]}`;
}

/** ZFS record size text (`16K`, `1M`, `512`) to bytes, as `zfs set recordsize=` reads it. */
export function recordsizeBytes(text: string): number {
  const m = /^(\d+)([KMG]?)B?$/i.exec(text.trim());
  if (!m) return NaN;
  const mult = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * mult;
}

/** Bytes as TrueNAS shows a record size (`131072` → `128K`). */
export function recordsizeText(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}M`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}K`;
  return String(bytes);
}

/**
 * Crontab text of TrueNAS cron fields, normalized so equal schedules read equal: leading zeros
 * dropped (`00` = `0`), day of week 7 = 0 (Sunday; api/v25_10_0/common.py `CronModel`).
 */
export function cronText(f: Partial<TrueNASCronFields> | undefined): string {
  const norm = (v: string | undefined, dow = false) =>
    String(v ?? "*").split(",").map((part) => part.replace(/\d+/g, (n) => {
      const x = String(Number(n));
      return dow && x === "7" ? "0" : x;
    })).join(",");
  return [norm(f?.minute), norm(f?.hour), norm(f?.dom), norm(f?.month), norm(f?.dow, true)].join(" ");
}

/** A list as a sorted, comma-joined set (order is not a difference); empty as `none`. */
export function setText(items: readonly string[] | null | undefined): string {
  const sorted = [...new Set(items ?? [])].sort();
  return sorted.length ? sorted.join(", ") : "none";
}

export function text(value: unknown, none = "none"): string {
  return value === null || value === undefined || value === "" ? none : String(value);
}
