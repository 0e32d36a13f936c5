import { Construct } from "constructs";
import { PARTITION_SCHEMES, poolCapacity, Size, type PoolCapacity, type PoolLayout } from "../capacity";
import { TerraformStack } from "../lib/cdktf";
import { invalidProp } from "./errors";
import { addTerraformCheck, type CheckBlock } from "./terraform-check";
import type { ZfsPool } from "./zfs-pool";

/*
 * What the live pool is compared with comes from the truenas/truenas provider's `truenas_pool`
 * data source (github:truenas/terraform-provider-truenas, internal/resources/pool/datasource.go
 * and model.go @ f9bc0189de3f4caf039ff353a6136e0e33e8acc9; schema.go @ the same commit): its Read
 * calls `pool.query [["name", "=", <name>]]` and maps `status`, `healthy`, `size` (int64 bytes)
 * and `topology.data[]` = `{ type, disks: [one name per child] }` (`buildTopology`). TrueNAS fills
 * `size` from the zpool property `size`, i.e. `zpool list` SIZE in bytes
 * (github:truenas/middleware src/middlewared/middlewared/plugins/pool_/pool.py
 * `pool_normalize_info`, `'size': props['size']['value']` @ 010f8a25dad42357af34dd4021669cac141c18fe),
 * and upper-cases vdev types (`pool.transform_topology`): RAIDZ1/2/3, MIRROR, DISK for a
 * single-disk data vdev (STRIPE is the pool.create spelling), DRAID...
 */

/** A data vdev as TrueNAS reports it: `RAIDZ2:7` (type, then the number of disks). */
export type VdevSignature = string;

/** What the inventory's layout says the live pool must report, and how to explain a difference. */
export interface ExpectedPool {
  readonly name: string;
  /** Data (normal-class) vdevs as `TYPE:width`, sorted as Terraform's `sort()` sorts them. */
  readonly dataVdevs: readonly VdevSignature[];
  /** `zpool list` SIZE from the capacity model: what the data source's `size` must equal. */
  readonly size: Size;
  /** Usable space (for the summary line only). */
  readonly usable: Size;
  /** "3 × raidz2 of 7": the data vdevs in the inventory's words. */
  readonly layoutText: string;
  /** "3 × RAIDZ2 of 7": the data vdevs in TrueNAS's words. */
  readonly truenasLayoutText: string;
  /** The inventory's drive sizes of data vdevs, e.g. "900GB". */
  readonly diskText: string;
  readonly partitionScheme: PoolLayout["partitionScheme"];
  readonly ashift: number;
  /**
   * The SIZE the same disks give under each other partition scheme (bytes as decimal string ->
   * scheme names), so a size mismatch can name the scheme that explains it exactly.
   */
  readonly sizeByOtherScheme: Readonly<Record<string, string>>;
  /** The line `npm run verify` prints when the check passes. */
  readonly summary: string;
}

const TRUENAS_TYPE: Record<string, string> = { disk: "DISK", mirror: "MIRROR", raidz1: "RAIDZ1", raidz2: "RAIDZ2", raidz3: "RAIDZ3", draid: "DRAID" };

const SCHEME_NOTE: Record<string, string> = {
  "truenas-25.04": "truenas-25.04 (SCALE 25.04+: disk less min(2 GiB, 1%))",
  "truenas-24.10": "truenas-24.10 (SCALE 24.10: whole disk, no swap)",
  "truenas-swap-2g": "truenas-swap-2g (CORE, SCALE <= 24.04: a 2 GiB swap partition per disk)",
  "zpool-create-linux": "zpool-create-linux (zpool create on whole disks)",
};

/** A drive size as people say it: "900 GB", "8 TB" (for messages; the exact bytes are in the inventory). */
function driveText(d: Size): string {
  return d.in("TB") >= 1 ? `${Number(d.in("TB").toFixed(1))} TB` : `${Math.round(d.in("GB"))} GB`;
}

/** Counts equal items: [["a", 3], ["b", 1]], in first-seen order. */
function groups(items: readonly string[]): [string, number][] {
  const out = new Map<string, number>();
  for (const i of items) out.set(i, (out.get(i) ?? 0) + 1);
  return [...out];
}

/** The facts the health check of pool `name` encodes, from the inventory's layout and the capacity model (pure). */
export function expectedPool(name: string, layout: PoolLayout, capacity: PoolCapacity = poolCapacity(layout)): ExpectedPool {
  const data = layout.vdevs.filter((v) => (v.class ?? "normal") === "normal");
  const dataVdevs = data.map((v) => `${TRUENAS_TYPE[v.type]}:${v.disks.length}`).sort();
  const inventoryKind = (v: PoolLayout["vdevs"][number]) => (v.type === "draid" ? `draid${v.parity}:${v.data}d:${v.spares ?? 0}s` : v.type);
  const layoutText = groups(data.map((v) => `${inventoryKind(v)} of ${v.disks.length}`)).map(([t, n]) => `${n} × ${t}`).join(" + ");
  const truenasLayoutText = groups(data.map((v) => `${TRUENAS_TYPE[v.type]} of ${v.disks.length}`)).map(([t, n]) => `${n} × ${t}`).join(" + ");
  const diskText = [...new Set(data.flatMap((v) => v.disks.map(driveText)))].join("/");

  const sizeByOtherScheme: Record<string, string> = {};
  if (layout.partitionScheme !== "raw") {
    for (const scheme of PARTITION_SCHEMES) {
      if (scheme === "raw" || scheme === layout.partitionScheme) continue;
      let size: bigint;
      try {
        size = poolCapacity({ ...layout, partitionScheme: scheme }).zpoolSize.bytes;
      } catch {
        continue; // a disk too small for that scheme: it cannot be the explanation
      }
      if (size === capacity.zpoolSize.bytes) continue; // indistinguishable by size
      const key = size.toString();
      sizeByOtherScheme[key] = sizeByOtherScheme[key] ? `${sizeByOtherScheme[key]} or ${SCHEME_NOTE[scheme]}` : SCHEME_NOTE[scheme]!;
    }
  }
  const tb = (s: Size) => `${s.in("TB").toFixed(3)} TB`;
  return {
    name,
    dataVdevs,
    size: capacity.zpoolSize,
    usable: capacity.usable,
    layoutText,
    truenasLayoutText,
    diskText,
    partitionScheme: layout.partitionScheme,
    ashift: layout.ashift,
    sizeByOtherScheme,
    summary: `ONLINE, ${layoutText}, SIZE ${tb(capacity.zpoolSize)} (usable ${tb(capacity.usable)})`,
  };
}

/** A Terraform string literal (JSON escaping is HCL's for the characters that matter here). */
const lit = (s: string) => JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");

/**
 * The Terraform `check` block (JSON syntax) for one pool: it reads the pool through a data source
 * scoped to the check, named `dataSourceName`, and asserts (a) ONLINE and healthy, (b) the data
 * vdevs' count, type and width, (c) `size` equal to the model's `zpool list` SIZE, byte for byte.
 * Each message shows both figures and the likely cause.
 */
export function poolCheckBlock(e: ExpectedPool, dataSourceName: string): CheckBlock {
  const D = `data.truenas_pool.${dataSourceName}`;
  // TrueNAS's spellings, made comparable with the inventory's; only the rules this layout needs
  // (the expressions below repeat it: a check block has no locals).
  const rules: [string, string][] = [];
  if (e.dataVdevs.some((v) => v.startsWith("DISK:"))) rules.push(["/^STRIPE$/", "DISK"]);
  if (e.dataVdevs.some((v) => v.startsWith("RAIDZ1:"))) rules.push(["/^RAIDZ$/", "RAIDZ1"]);
  if (e.dataVdevs.some((v) => v.startsWith("DRAID:"))) rules.push(["/^DRAID.*$/", "DRAID"]);
  const norm = (t: string) => rules.reduce((x, [from, to]) => `replace(${x}, "${from}", "${to}")`, `upper(${t})`);
  // Every data vdev as TYPE:width (empty when the pool reports no topology).
  const sigs = `try([for v in ${D}.topology.data : "\${${norm("v.type")}}:\${length(v.disks)}"], [])`;
  const types = `try(distinct([for v in ${D}.topology.data : ${norm("v.type")}]), [])`;
  const count = `length(${sigs})`;
  const m = e.dataVdevs.length;
  const expectedSig = lit(e.dataVdevs.join(","));
  const sigMatches = `join(",", sort(${sigs})) == ${expectedSig}`;
  const status = `(${D}.status == null ? "unknown" : ${D}.status)`;
  // "2 × RAIDZ2 of 7": the pool's data vdevs grouped, in TrueNAS's words.
  const grouped = `(${count} == 0 ? "no data vdevs" : join(" + ", [for s in distinct(${sigs}) : "\${length([for x in ${sigs} : x if x == s])} × \${replace(s, ":", " of ")}"]))`;
  const reports = `join(" ", compact([tostring(${count}), join("/", ${types}), ${count} == 1 ? "vdev" : "vdevs"]))`;
  const diff = `abs(${count} - ${m})`;
  const countCause =
    `${count} < ${m} ? "\${${diff} == 1 ? "a data vdev" : "\${${diff}} data vdevs"} missing — the pool reports \${${reports}}, the inventory ${m}" : ` +
    `"\${${diff} == 1 ? "a data vdev" : "\${${diff}} data vdevs"} more than the inventory — the pool reports \${${reports}}, the inventory ${m} (one added by hand belongs in the inventory)"`;
  const shapeCause = `"vdevs of another type or width — the pool reports \${${grouped}}, the inventory ${e.truenasLayoutText} (wrong disks in a vdev, or the pool was made from another layout)"`;
  const vdevCause = `${count} != ${m} ? (${countCause}) : ${shapeCause}`;
  const bytes = e.size.bytes.toString();
  const schemes = `{${Object.entries(e.sizeByOtherScheme).map(([k, v]) => `${lit(k)} = ${lit(v)}`).join(", ")}}`;
  const scheme = `lookup(${schemes}, tostring(${D}.size), "")`;
  const sizeCause =
    `try(${D}.status != "ONLINE" ? "the pool is not ONLINE (status \${${status}}): see its status" : ` +
    `${count} != ${m} || !(${sigMatches}) ? (${vdevCause}) : ` +
    `${scheme} != "" ? "another partition scheme — the size is exactly what \${${scheme}} gives for these disks; the inventory says ${SCHEME_NOTE[e.partitionScheme] ?? e.partitionScheme}" : ` +
    `${D}.size < ${bytes} ? ${lit(`smaller disks than the inventory's ${e.diskText}, or another partition scheme or ashift than its ${e.partitionScheme}, ashift ${e.ashift}: compare lsblk -b on the disks with the inventory`)} : ` +
    `${lit(`larger disks than the inventory's ${e.diskText} (a vdev grown onto bigger disks), or another partition scheme than its ${e.partitionScheme}`)}, "unknown")`;
  const statusCause =
    `${D}.status == "DEGRADED" ? "a faulted, removed or missing disk — zpool status -x ${e.name} names it" : ` +
    `${D}.status == "ONLINE" ? "read, write or checksum errors, or a pool warning — zpool status -v ${e.name}" : ` +
    `"the pool is not imported or lost a whole vdev — zpool import; zpool status ${e.name}"`;
  const actualSize = `try(format("%.3f TB (%.3f TiB, %d bytes)", ${D}.size / 1e12, ${D}.size / ${2 ** 40}, ${D}.size), "unknown")`;
  const expectedSize = `${e.size.in("TB").toFixed(3)} TB (${e.size.in("TiB").toFixed(3)} TiB, ${bytes} bytes)`;
  const p = `pool ${e.name}`;
  return {
    "//": { verify: p, expected: e.summary },
    data: { truenas_pool: { [dataSourceName]: { name: e.name } } },
    assert: [
      {
        condition: `\${${D}.status == "ONLINE" && ${D}.healthy == true}`,
        error_message: `${p}: status \${${status}}\${${D}.healthy == true ? "" : ", not healthy"} but it must be ONLINE and healthy (likely: \${${statusCause}})`,
      },
      {
        condition: `\${${sigMatches}}`,
        error_message: `${p}: data vdevs \${${grouped}} but the inventory's layout has ${e.truenasLayoutText} (likely: \${${vdevCause}})`,
      },
      {
        condition: `\${${D}.size == ${bytes}}`,
        error_message: `${p}: size \${${actualSize}} but the inventory's layout gives ${expectedSize} as zpool list SIZE (likely: \${${sizeCause}})`,
      },
    ],
  };
}

export interface PoolHealthCheckProps {
  /** The pool to verify after apply: its name, inventory layout and the capacity model's figures. */
  readonly pool: ZfsPool;
}

// One check per pool.
const checks = new WeakMap<ZfsPool, PoolHealthCheck>();

/** `pool_<name>` with what HCL names cannot hold replaced (pool names may contain '.' and ':'). */
function blockName(pool: string): string {
  return `pool_${pool.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * Verification after apply: a Terraform `check` block (`check.pool_<name>`) that reads the pool
 * through a data source scoped to the check (`data.truenas_pool.verify_pool_<name>`) and asserts
 * that it is ONLINE and healthy, that its data vdevs have the inventory's count, type and width,
 * and that its `size` is the capacity model's `zpool list` SIZE for the inventory's layout, byte
 * for byte. Terraform evaluates it at every plan and apply (a failure is a warning, never an
 * error); `npm run verify -- <stack>` runs it on demand and prints one line per pool.
 * The stack needs the truenas provider; the check adds no resource and changes no address.
 */
export class PoolHealthCheck extends Construct {
  /** The check a pool already has, if any. */
  static of(pool: ZfsPool): PoolHealthCheck | undefined {
    return checks.get(pool);
  }

  readonly pool: ZfsPool;
  readonly expected: ExpectedPool;
  /** `check.pool_<name>` */
  readonly checkAddress: string;
  /** `data.truenas_pool.verify_pool_<name>` */
  readonly dataSourceAddress: string;

  constructor(scope: Construct, id: string, props: PoolHealthCheckProps) {
    super(scope, id);
    const { pool } = props;
    const existing = checks.get(pool);
    if (existing) invalidProp(this, `pool ${pool.name} already has a health check`, pool.name, `one PoolHealthCheck per pool (${existing.node.path})`);
    if (TerraformStack.of(pool) !== TerraformStack.of(this)) {
      invalidProp(this, `pool ${pool.name} is in another stack`, TerraformStack.of(pool).node.id, `the pool's own stack, ${TerraformStack.of(pool).node.id} (a check reads the pool through that stack's TrueNAS provider)`);
    }
    checks.set(pool, this);
    this.pool = pool;
    this.expected = expectedPool(pool.name, pool.layout, pool.capacity);
    const name = blockName(pool.name);
    const dataSourceName = `verify_${name}`;
    this.checkAddress = addTerraformCheck(this, name, poolCheckBlock(this.expected, dataSourceName));
    this.dataSourceAddress = `data.truenas_pool.${dataSourceName}`;
  }
}
