import { invalid } from "./errors";
import { OPENZFS_RULES, OpenZfsRules, PoolCapacity, PoolLayout, VDEV_CLASSES, VDEV_TYPES, VdevClass, VdevSpec, VdevType } from "./pool";
import { Size } from "./size";

/**
 * The calculator's machine format: the partition-level form of `PoolLayout`, where `devices` are the
 * byte sizes ZFS is given (partition scheme `raw`):
 *
 *   {"ashift": 12, "openzfs": "2.4", "vdevs": [{"class": "normal", "type": "raidz2", "devices": [900183621632, …]}]}
 *
 * Unknown keys are refused, so a typo cannot silently change a result.
 */
export function layoutFromJson(value: unknown, where = "layout"): PoolLayout {
  const obj = object(value, where, ["ashift", "openzfs", "vdevs"]);
  if (!Number.isInteger(obj.ashift)) invalid(`${where}.ashift`, "sector size as a power of two", obj.ashift, "a whole number from 9 to 16");
  const openzfs = obj.openzfs ?? "2.4";
  if (!OPENZFS_RULES.includes(openzfs as OpenZfsRules)) invalid(`${where}.openzfs`, "unknown OpenZFS rule set", openzfs, OPENZFS_RULES.join(", "));
  if (!Array.isArray(obj.vdevs) || obj.vdevs.length === 0) invalid(`${where}.vdevs`, "expected a non-empty array of vdevs", obj.vdevs, "[{\"type\": …, \"devices\": […]}]");
  const vdevs = (obj.vdevs as unknown[]).map((v, i): VdevSpec => {
    const at = `${where}.vdevs[${i}]`;
    const vdev = object(v, at, ["class", "type", "devices"]);
    const cls = vdev.class ?? "normal";
    if (!VDEV_CLASSES.includes(cls as VdevClass)) invalid(`${at}.class`, "unknown vdev class", cls, VDEV_CLASSES.join(", "));
    if (!VDEV_TYPES.includes(vdev.type as VdevType)) invalid(`${at}.type`, "unknown vdev type", vdev.type, VDEV_TYPES.join(", "));
    if (!Array.isArray(vdev.devices) || vdev.devices.length === 0) {
      invalid(`${at}.devices`, "expected a non-empty array of device sizes in bytes", vdev.devices, "[900183621632, …]");
    }
    const disks = (vdev.devices as unknown[]).map((d, j) => bytes(d, `${at}.devices[${j}]`));
    return { class: cls as VdevClass, type: vdev.type as VdevType, disks };
  });
  return { ashift: obj.ashift as number, openzfs: openzfs as OpenZfsRules, partitionScheme: "raw", vdevs };
}

/** The calculator's machine output: exact byte counts as decimal strings (JSON numbers stop being exact at 2^53). */
export function capacityToJson(capacity: PoolCapacity): { usableBytes: string; zpoolSizeBytes: string; slopBytes: string } {
  return { usableBytes: `${capacity.usable.bytes}`, zpoolSizeBytes: `${capacity.zpoolSize.bytes}`, slopBytes: `${capacity.slop.bytes}` };
}

function object(value: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) invalid(where, "expected an object", value, `an object with ${keys.join(", ")}`);
  const extra = Object.keys(value as object).filter((k) => !keys.includes(k));
  if (extra.length > 0) invalid(`${where}.${extra[0]}`, "unknown key", extra[0], keys.join(", "));
  return value as Record<string, unknown>;
}

function bytes(value: unknown, where: string): Size {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return Size.bytes(value);
  if (typeof value === "string" && /^[1-9]\d*$/.test(value)) return Size.bytes(BigInt(value));
  return invalid(where, "a device size is a positive whole number of bytes (above 2^53, a decimal string)", value, "900183621632 or \"900183621632\"");
}
