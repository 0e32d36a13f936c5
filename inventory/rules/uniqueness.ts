/**
 * Uniqueness: what two entries may not share, across the whole homelab and every stack (online or
 * skipped): host, VLAN (name and id), PCI device (name and node + address), TrueNAS role, VM id
 * (TrueNAS VMs and every VM of every Talos cluster), Talos cluster name, pool name, and within one
 * entry its datasets, exports, snapshot tasks, offsite datasets, passed-through mappings and CSI
 * instances. The later entry is blamed, naming the earlier one.
 */
import { verbatim } from "../../constructs/errors";
import type { CsiInstanceEntry, HostEntry, PassthroughEntry, PciDeviceEntry, TalosClusterEntry, VlanEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts } from "./context";

/** Reports every value `keyOf` gives twice among `entries` (named by `pathOf`), linear in their number. */
function unique<T>(findings: Findings, entries: readonly T[], keyOf: (e: T) => unknown, pathOf: (e: T, i: number) => string, what: (key: string, first: string) => string, allowed: string, got?: (e: T) => unknown): void {
  const first = new Map<unknown, string>();
  entries.forEach((e, i) => {
    const key = keyOf(e);
    if (key === undefined) return;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, pathOf(e, i));
    else findings.problem(pathOf(e, i), what(String(key), earlier), got ? got(e) : key, allowed);
  });
}

export function checkUniqueness(facts: InventoryFacts, findings: Findings): void {
  const { lab, root } = facts;
  const records = <T>(x: unknown) => list<T>(x).filter(isRecord) as T[];
  const hosts = records<HostEntry>(lab.hosts);
  unique(findings, hosts, (h) => h.nodeName, (h, i) => entryPath(`${root}/hosts`, h, i), () => "host declared twice", "unique node names");

  const vlans = records<VlanEntry>(lab.vlans);
  const vlanPath = (v: VlanEntry, i: number) => entryPath(`${root}/vlans`, v, i);
  unique(findings, vlans, (v) => v.name, vlanPath, () => "VLAN name declared twice", "unique VLAN names");
  unique(findings, vlans, (v) => v.id, vlanPath, (_k, first) => `VLAN id already used by ${first}`, "one VLAN per id");

  const pci = records<PciDeviceEntry>(lab.pciDevices);
  const pciPath = (d: PciDeviceEntry, i: number) => entryPath(`${root}/pciDevices`, d, i);
  unique(findings, pci, (d) => d.name, pciPath, () => "PCI device declared twice", "unique mapping names");
  unique(findings, pci, (d) => (typeof d.path === "string" ? `${d.nodeName} ${d.path.toLowerCase()}` : undefined), pciPath,
    (_k, first) => `PCI address already mapped by ${first}`, "one mapping per device (node and PCI address)", (d) => `${d.nodeName} ${d.path}`);

  const stackOf = facts.options.storageStackIdOf ?? ((role: string) => ({ primary: "prod-storage", backup: "prod-backup" })[role] ?? role);
  unique(findings, facts.truenas, (t) => t.vm.role, (t) => t.path, (_role, first) => `TrueNAS role already taken by ${first}`,
    "one TrueNAS VM per role (primary, backup): each role is one stack", (t) => verbatim(`"${t.vm.role}" (the stack ${stackOf(t.vm.role)})`));
  // A device belongs to one VM: two would both define (and fight over) the same mapping.
  const passedThrough = facts.truenas.flatMap((t) => list<PassthroughEntry>(t.vm.passthrough).map((p, i) => ({ mapping: isRecord(p) ? p.mapping : p, path: `${t.path}/passthrough/${i}`, vm: t.path })));
  unique(findings, passedThrough, (p) => p.mapping, (p) => p.path, (_k, first) => `PCI mapping already passed through by ${first}`, "each mapping passed through once, to one VM");

  const clusters = records<TalosClusterEntry>(lab.talosClusters);
  unique(findings, clusters, (c) => c.clusterName, (c, i) => entryPath(`${root}/talosClusters`, c, i), () => "Talos cluster declared twice", "unique cluster names");
  checkVmIds(facts, findings, clusters);

  const pools = facts.truenas.flatMap((t) => list<{ name: string }>(t.storage?.pools).filter(isRecord).map((p, i) => ({ name: p.name, path: entryPath(`${t.storagePath}/pools`, p, i) })));
  unique(findings, pools, (p) => p.name, (p) => p.path, (_k, first) => `pool name already used by ${first}`, "pool names unique across the homelab (reports and pool-create payloads are per pool name)");

  for (const t of facts.truenas) {
    const s = t.storage;
    if (!s) continue;
    const inList = (key: "datasets" | "nfsExports" | "snapshots") => list<Record<string, any>>(s[key]).filter(isRecord);
    unique(findings, inList("datasets"), (d) => d.fullPath, (d, i) => entryPath(`${t.storagePath}/datasets`, d, i), () => "dataset declared twice", "each full path once");
    unique(findings, inList("nfsExports"), (e) => e.dataset, (e, i) => entryPath(`${t.storagePath}/nfsExports`, e, i), () => "NFS export of a dataset declared twice", "one export per dataset (list every VLAN in it)");
    unique(findings, inList("snapshots"), (e) => e.dataset, (e, i) => entryPath(`${t.storagePath}/snapshots`, e, i), () => "snapshot task of a dataset declared twice", "one snapshot task per dataset");
    unique(findings, list<string>(s.offsiteBackup?.datasets), (d) => d, () => `${t.storagePath}/offsiteBackup`, () => "dataset backed up offsite twice", "each dataset once");
    unique(findings, list<string>(s.replication?.datasets), (d) => d, () => `${t.storagePath}/replication`, () => "dataset replicated twice", "each dataset once");
  }

  const instances = records<CsiInstanceEntry>(isRecord(lab.kubernetesStorage) ? lab.kubernetesStorage.instances : undefined);
  unique(findings, instances, (c) => c.name, (c, i) => entryPath(`${root}/kubernetesStorage/instances`, c, i), () => "CSI instance declared twice", "unique instance names (Helm release and StorageClass names)");
}

interface VmIdRange {
  readonly first: number;
  readonly last: number;
  /** Inventory order, to blame the later entry. */
  readonly order: number;
  readonly path: string;
}

/**
 * VM ids are unique across the homelab, offline hosts and Talos clusters included (cluster groups
 * take `firstVmId + i`). Sorted ranges, swept once: O(k log k) in the number of VMs and groups.
 */
function checkVmIds(facts: InventoryFacts, findings: Findings, clusters: readonly TalosClusterEntry[]): void {
  const ranges: VmIdRange[] = [];
  for (const t of facts.truenas) {
    const id = t.vm.vmId;
    if (Number.isInteger(id)) ranges.push({ first: id, last: id, order: ranges.length, path: t.path });
  }
  clusters.forEach((c, i) => {
    const path = entryPath(`${facts.root}/talosClusters`, c, i);
    for (const group of ["controlPlane", "workers"] as const) {
      const g = c[group];
      if (!isRecord(g) || !Number.isInteger(g.firstVmId) || !Number.isInteger(g.count) || g.count < 1) continue;
      // The range of each id is the construct's check (qemu-vm.ts); only sharing one is checked here.
      ranges.push({ first: g.firstVmId, last: g.firstVmId + g.count - 1, order: ranges.length, path: `${path}/${group}` });
    }
  });
  ranges.sort((a, b) => a.first - b.first || a.order - b.order);
  let widest: VmIdRange | undefined; // of the ranges so far, the one reaching furthest
  for (const r of ranges) {
    if (widest && r.first <= widest.last) {
      const [earlier, later] = r.order > widest.order ? [widest, r] : [r, widest];
      const id = r.first; // the smallest id both take
      const got = later.first === later.last ? later.first : verbatim(`firstVmId ${later.first}, ids ${later.first}..${later.last}`);
      findings.problem(later.path, `vm id ${id} is already used by ${earlier.path}`, got, "ids unique across the homelab, offline hosts and every Talos VM included");
    }
    if (!widest || r.last > widest.last) widest = r;
  }
}
