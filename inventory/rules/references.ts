/**
 * Names and references: every name the inventory uses refers to something it declares (hosts,
 * bridges, VLANs, PCI mappings, TrueNAS roles, pools, datasets), and the lists every homelab needs
 * are there. Reported at the entry that holds the reference, with the declared names as `allowed:`.
 */
import type { CsiInstanceEntry, HostEntry, NfsExportEntry, NicEntry, PassthroughEntry, PciDeviceEntry, SnapshotEntry, TalosClusterEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts, type TrueNASFacts } from "./context";

export function checkReferences(facts: InventoryFacts, findings: Findings): void {
  checkRequiredLists(facts, findings);
  const { lab, root } = facts;
  const host = (path: string, nodeName: unknown): HostEntry | undefined => {
    const h = facts.hosts.get(nodeName as string);
    if (!h) findings.problem(path, "host referenced but never declared", nodeName, facts.allowed("hosts", () => facts.hosts.keys()));
    return h;
  };
  const vlan = (path: string, name: unknown): void => {
    if (!facts.vlans.has(name as string)) findings.problem(path, "VLAN referenced but never declared", name, facts.allowed("vlans", () => facts.vlans.keys()));
  };
  const nic = (path: string, h: HostEntry | undefined, n: NicEntry): void => {
    if (!isRecord(n)) return;
    if (h && !list<string>(h.bridges).includes(n.bridge)) {
      findings.problem(path, `bridge not on host ${h.nodeName}`, n.bridge, facts.allowed(h, () => list<string>(h.bridges)));
    }
    if (n.vlan !== undefined) vlan(path, n.vlan);
  };

  list<PciDeviceEntry>(lab.pciDevices).forEach((d, i) => {
    if (!isRecord(d)) return;
    const path = entryPath(`${root}/pciDevices`, d, i);
    host(path, d.nodeName);
    if (d.vlan !== undefined) vlan(path, d.vlan);
  });

  for (const t of facts.truenas) {
    const h = host(t.path, t.vm.nodeName);
    list<PassthroughEntry>(t.vm.passthrough).forEach((p, i) => {
      const mapping = isRecord(p) ? p.mapping : p;
      if (!facts.pciDevices.has(mapping as string)) {
        findings.problem(`${t.path}/passthrough/${i}`, "PCI mapping referenced but never declared", mapping, facts.allowed("pciDevices", () => facts.pciDevices.keys()));
      }
    });
    list<NicEntry>(t.vm.nics).forEach((n, i) => nic(`${t.path}/nics/${i}`, h, n));
    if (t.storage) checkStorageReferences(facts, findings, t, vlan);
  }

  list<TalosClusterEntry>(lab.talosClusters).forEach((c, i) => {
    if (!isRecord(c)) return;
    const path = entryPath(`${root}/talosClusters`, c, i);
    nic(`${path}/nic`, host(path, c.nodeName), c.nic);
  });

  const k8s = lab.kubernetesStorage;
  if (isRecord(k8s)) {
    const path = `${root}/kubernetesStorage`;
    const target = facts.truenasByRole.get(k8s.truenasRole);
    if (!target?.storage) {
      findings.problem(path, "TrueNAS referenced but never declared", k8s.truenasRole, `the role of a TrueNAS VM with storage (${facts.allowed("storageRoles", () => new Set(facts.truenas.filter((t) => t.storage).map((t) => t.vm.role)))})`);
    }
    for (const v of list<string>(k8s.nfsClientVlans)) vlan(`${path}/nfsClientVlans`, v);
    list<CsiInstanceEntry>(k8s.instances).forEach((inst, i) => {
      if (!isRecord(inst) || !target?.storage) return;
      const instPath = entryPath(`${path}/instances`, inst, i);
      for (const d of [inst.dataset, inst.snapshotsDataset]) dataset(facts, findings, target, instPath, d);
    });
  }
}

/** Pools, datasets, exports, tiers and scrubs of one TrueNAS refer to what it (or its target) declares. */
function checkStorageReferences(facts: InventoryFacts, findings: Findings, t: TrueNASFacts, vlan: (path: string, name: unknown) => void): void {
  const s = t.storage!;
  const pools = () => facts.allowed(t.pools, () => t.pools.keys());
  const seen = new Set<string>();
  list<{ fullPath: string }>(s.datasets).forEach((d, i) => {
    if (!isRecord(d)) return;
    const path = entryPath(`${t.storagePath}/datasets`, d, i);
    if (typeof d.fullPath !== "string") {
      findings.problem(path, "dataset without a full path", d.fullPath, "a ZFS path such as fast/kubernetes/nfs-dynamic (the first component is the pool)");
      return;
    }
    const parts = d.fullPath.split("/");
    if (!t.pools.has(parts[0])) findings.problem(path, "pool referenced but never declared", parts[0], pools());
    else if (parts.length > 2 && !seen.has(parts.slice(0, -1).join("/"))) {
      const parent = parts.slice(0, -1).join("/");
      findings.problem(path, t.datasets.has(parent) ? `parent dataset ${parent} declared after its child` : `parent dataset ${parent} never declared`, d.fullPath, "every parent dataset declared, before its children");
    }
    seen.add(d.fullPath);
  });

  list<NfsExportEntry>(s.nfsExports).forEach((e, i) => {
    if (!isRecord(e)) return;
    const path = entryPath(`${t.storagePath}/nfsExports`, e, i);
    dataset(facts, findings, t, path, e.dataset);
    for (const v of list<string>(e.vlans)) vlan(path, v);
  });
  list<SnapshotEntry>(s.snapshots).forEach((snap, i) => {
    if (isRecord(snap)) dataset(facts, findings, t, entryPath(`${t.storagePath}/snapshots`, snap, i), snap.dataset);
  });
  if (isRecord(s.offsiteBackup)) {
    for (const d of list<string>(s.offsiteBackup.datasets)) dataset(facts, findings, t, `${t.storagePath}/offsiteBackup`, d);
  }
  if (isRecord(s.scrubs)) {
    for (const pool of Object.keys(s.scrubs)) {
      if (!t.pools.has(pool)) findings.problem(`${t.storagePath}/scrubs/${pool}`, "scrub of a pool never declared", pool, pools());
    }
  }

  const r = s.replication;
  if (isRecord(r)) {
    const path = `${t.storagePath}/replication`;
    for (const d of list<string>(r.datasets)) dataset(facts, findings, t, path, d);
    const target = facts.truenasByRole.get(r.targetRole);
    if (!target?.storage) {
      findings.problem(path, "replication target referenced but never declared", r.targetRole, `the role of a TrueNAS VM with storage (${facts.allowed("storageRoles", () => new Set(facts.truenas.filter((x) => x.storage).map((x) => x.vm.role)))})`);
    } else if (typeof r.targetParent !== "string" || !target.pools.has(r.targetParent.split("/")[0])) {
      const pool = typeof r.targetParent === "string" ? r.targetParent.split("/")[0] : r.targetParent;
      findings.problem(path, `replication target parent on a pool that ${target.vm.name} does not have`, pool, `a dataset on a pool of ${target.vm.name} (${facts.allowed(target.pools, () => target.pools.keys())})`);
    }
  }
}

/** A dataset of TrueNAS `t` by full path, referenced from `path`. */
function dataset(facts: InventoryFacts, findings: Findings, t: TrueNASFacts, path: string, fullPath: unknown): void {
  if (typeof fullPath === "string" && t.datasets.has(fullPath)) return;
  const pool = typeof fullPath === "string" ? fullPath.split("/")[0] : "";
  const onPool = t.datasetsByPool.get(pool);
  const allowed = onPool
    ? facts.allowed(onPool, () => onPool)
    : `datasets of ${t.vm.name} (${facts.allowed(t.datasetsByPool, () => [...t.datasets.keys()])})`;
  findings.problem(path, "dataset referenced but never declared", fullPath, allowed);
}

/** The lists every homelab has (synth runs without a type check, so a missing one is possible). */
function checkRequiredLists(facts: InventoryFacts, findings: Findings): void {
  const { lab, root } = facts;
  if (typeof lab.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(lab.name)) {
    findings.problem(root, "invalid homelab name", lab.name, "letters, digits, '_', '.' and '-' (it names every inventory entry in messages)");
  }
  for (const key of ["hosts", "vlans", "pciDevices", "truenasVms"] as const) {
    if (!Array.isArray(lab[key])) findings.problem(`${root}/${key}`, `${key} is not a list`, lab[key], "a list (empty if there are none)");
  }
  for (const t of facts.truenas) {
    if (t.vm.storage !== undefined && !t.storage) findings.problem(t.storagePath, "storage is not an object", t.vm.storage, "a TrueNASStorageEntry, or nothing");
    if (!Array.isArray(t.vm.passthrough)) findings.problem(t.path, "passthrough is not a list", t.vm.passthrough, "the PCI mappings passed through, in hostpci order");
    if (!t.storage) continue;
    for (const key of ["pools", "datasets"] as const) {
      if (!Array.isArray(t.storage[key])) findings.problem(`${t.storagePath}/${key}`, `${key} is not a list`, t.storage[key], "a list");
    }
    if (!isRecord(t.storage.scrubs)) findings.problem(`${t.storagePath}/scrubs`, "scrubs is not a record of pool name to Schedule", t.storage.scrubs, "{ <pool>: Schedule.weekly(...) }");
  }
}
