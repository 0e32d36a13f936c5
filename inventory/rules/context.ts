/**
 * What every inventory rule shares: the inventory indexed once (maps by name, built in one pass),
 * the paths that name inventory entries, and the collector of problems and warnings.
 *
 * Paths: `inventory <homelab>/<list>/<entry>/...`. An entry of a list is named by its `name`
 * (`clusterName`, `fullPath`, `dataset`, `nodeName`) when it has one, else by its index:
 * `inventory homelab/truenasVms/truenas-primary/storage/nfsExports/bulk/media`,
 * `inventory homelab/truenasVms/truenas-primary/nics/0`. A rule about one field of an entry that has
 * several of its kind (sizes, schedules, any string for the secret scanner) appends the field name.
 *
 * Every structure here is a Map or a Set filled in one pass, so each rule is linear in the size of
 * the inventory (the scale benchmark builds 10x and 100x inventories).
 */
import { Size } from "../../capacity/size";
import { problem } from "../../constructs/errors";
import { Schedule } from "../../constructs/schedule";
import type { DatasetEntry, Homelab, HostEntry, PciDeviceEntry, PoolEntry, TrueNASStorageEntry, TrueNASVmEntry, VlanEntry } from "../types";

export interface InventoryCheckOptions {
  /**
   * The id of the storage stack of a TrueNAS role (`prod-storage`), for messages.
   * @default - `prod-storage` for primary, `prod-backup` for backup
   */
  readonly storageStackIdOf?: (role: TrueNASVmEntry["role"]) => string;
}

/** One TrueNAS VM with its storage, indexed. */
export interface TrueNASFacts {
  readonly vm: TrueNASVmEntry;
  /** `inventory homelab/truenasVms/<name>` */
  readonly path: string;
  readonly storage?: TrueNASStorageEntry;
  /** `<path>/storage` */
  readonly storagePath: string;
  /** Pools by name (the first of a name; duplicates are a uniqueness problem). */
  readonly pools: Map<string, PoolEntry>;
  /** Datasets by full path (the first of a path). */
  readonly datasets: Map<string, DatasetEntry>;
  /** Full paths per pool name, for the `allowed:` of a dataset that is not declared. */
  readonly datasetsByPool: Map<string, string[]>;
}

/** A string, Size or Schedule somewhere in the inventory, with the path of the field holding it. */
export interface InventoryLeaf {
  readonly path: string;
  readonly value: unknown;
  /** The leaf is an object key (a record key such as a pool name in `scrubs`), not a value. */
  readonly isKey: boolean;
}

/** Lists of names in `allowed:` stop after this many, saying how many more there are. */
const ALLOWED_NAMES_SHOWN = 12;

/** The inventory, indexed once for every rule. */
export class InventoryFacts {
  /** `inventory <homelab name>` */
  readonly root: string;
  readonly hosts = new Map<string, HostEntry>();
  readonly vlans = new Map<string, VlanEntry>();
  readonly pciDevices = new Map<string, PciDeviceEntry>();
  readonly truenas: TrueNASFacts[] = [];
  /** The first TrueNAS VM of each role. */
  readonly truenasByRole = new Map<string, TrueNASFacts>();
  private readonly allowedMemo = new Map<unknown, string>();
  private leafList?: InventoryLeaf[];

  constructor(readonly lab: Homelab, readonly options: InventoryCheckOptions) {
    this.root = `inventory ${typeof lab?.name === "string" ? lab.name : "(unnamed)"}`;
    for (const h of list<HostEntry>(lab.hosts)) if (isRecord(h) && !this.hosts.has(h.nodeName)) this.hosts.set(h.nodeName, h);
    for (const v of list<VlanEntry>(lab.vlans)) if (isRecord(v) && !this.vlans.has(v.name)) this.vlans.set(v.name, v);
    for (const d of list<PciDeviceEntry>(lab.pciDevices)) if (isRecord(d) && !this.pciDevices.has(d.name)) this.pciDevices.set(d.name, d);
    list<TrueNASVmEntry>(lab.truenasVms).forEach((vm, i) => {
      if (!isRecord(vm)) return;
      const path = entryPath(`${this.root}/truenasVms`, vm, i);
      const storage = isRecord(vm.storage) ? vm.storage : undefined;
      const facts: TrueNASFacts = { vm, path, storage, storagePath: `${path}/storage`, pools: new Map(), datasets: new Map(), datasetsByPool: new Map() };
      for (const p of list<PoolEntry>(storage?.pools)) if (isRecord(p) && !facts.pools.has(p.name)) facts.pools.set(p.name, p);
      for (const d of list<DatasetEntry>(storage?.datasets)) {
        if (!isRecord(d) || typeof d.fullPath !== "string" || facts.datasets.has(d.fullPath)) continue;
        facts.datasets.set(d.fullPath, d);
        const pool = d.fullPath.split("/")[0];
        const paths = facts.datasetsByPool.get(pool);
        if (paths) paths.push(d.fullPath);
        else facts.datasetsByPool.set(pool, [d.fullPath]);
      }
      this.truenas.push(facts);
      if (!this.truenasByRole.has(vm.role)) this.truenasByRole.set(vm.role, facts);
    });
  }

  /** `a, b, c` (at most ALLOWED_NAMES_SHOWN, then "and N more"), or `none declared`; computed once per list. */
  allowed(key: unknown, names: () => Iterable<string>): string {
    let text = this.allowedMemo.get(key);
    if (text === undefined) {
      const all = [...names()];
      text = all.length === 0 ? "none declared"
        : all.length <= ALLOWED_NAMES_SHOWN ? all.join(", ")
        : `${all.slice(0, ALLOWED_NAMES_SHOWN).join(", ")} and ${all.length - ALLOWED_NAMES_SHOWN} more`;
      this.allowedMemo.set(key, text);
    }
    return text;
  }

  /** Every string (values and record keys), Size and Schedule in the inventory, with its field path; walked once. */
  leaves(): readonly InventoryLeaf[] {
    if (!this.leafList) {
      const out: InventoryLeaf[] = [];
      walk(this.lab, this.root, out, new Set());
      this.leafList = out;
    }
    return this.leafList;
  }
}

/** Problems and warnings, each line once, in the order found. */
export class Findings {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  private readonly seen = new Set<string>();
  /** Values the secret scanner flagged: no line may echo them. */
  private readonly secrets = new Set<string>();

  problem(path: string, what: string, got: unknown, allowed: string): void {
    this.push(this.problems, problem(path, what, got, allowed));
  }

  warning(path: string, what: string, got: unknown, allowed: string): void {
    this.push(this.warnings, problem(path, what, got, allowed));
  }

  /** A value that must appear in no message (also not in another rule's `got`, nor in a path). */
  redact(value: string): void {
    if (value.length > 0) this.secrets.add(value);
  }

  /** The lines, every flagged value replaced by `<redacted>` wherever it appears (raw or JSON-escaped). */
  redacted(lines: readonly string[]): string[] {
    if (this.secrets.size === 0) return [...lines];
    const forms = [...this.secrets].flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]).sort((a, b) => b.length - a.length);
    return lines.map((line) => forms.reduce((l, f) => l.split(f).join("<redacted>"), line));
  }

  private push(into: string[], line: string): void {
    if (this.seen.has(line)) return;
    this.seen.add(line);
    into.push(line);
  }
}

/** A rule: reads the facts, reports what is wrong. */
export type InventoryRule = (facts: InventoryFacts, findings: Findings) => void;

/** The list at `x`, or no entries when it is missing or not a list (a shape problem reported elsewhere). */
export function list<T>(x: unknown): readonly T[] {
  return Array.isArray(x) ? (x as T[]) : [];
}

export function isRecord(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** What names a list entry in a path: its name-like field, else its index. */
export function entryKey(entry: unknown, index: number): string {
  if (isRecord(entry)) {
    for (const k of ["name", "clusterName", "fullPath", "dataset", "nodeName"]) {
      const v = entry[k];
      if (typeof v === "string" && v !== "") return v;
    }
  }
  return String(index);
}

/** `<listPath>/<entry key>`. */
export function entryPath(listPath: string, entry: unknown, index: number): string {
  return `${listPath}/${entryKey(entry, index)}`;
}

function isPlain(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function walk(value: unknown, path: string, out: InventoryLeaf[], onPath: Set<object>): void {
  if (typeof value === "string" || value instanceof Size || Schedule.isSchedule(value)) {
    out.push({ path, value, isKey: false });
    return;
  }
  if (Array.isArray(value)) {
    if (onPath.has(value)) return;
    onPath.add(value);
    value.forEach((v, i) => walk(v, entryPath(path, v, i), out, onPath));
    onPath.delete(value);
    return;
  }
  if (!isPlain(value) || onPath.has(value)) return;
  onPath.add(value);
  for (const [k, v] of Object.entries(value)) {
    out.push({ path, value: k, isKey: true });
    walk(v, `${path}/${k}`, out, onPath);
  }
  onPath.delete(value);
}
