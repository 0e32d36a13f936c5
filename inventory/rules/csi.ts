/**
 * democratic-csi (kubernetesStorage): an iSCSI instance needs a TrueNAS that serves iSCSI, at most
 * one instance is the cluster's default StorageClass, and no two instances' datasets overlap
 * (democratic-csi's "a unique parent per deployment"). Datasets and client VLANs are references
 * (references.ts), NFS open to everyone a network rule (networks.ts); one instance's own options
 * (names, fsType, mount options, its two datasets on one pool) are the CsiInstance construct's checks.
 */
import type { CsiInstanceEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts } from "./context";

export function checkCsi(facts: InventoryFacts, findings: Findings): void {
  const k8s = facts.lab.kubernetesStorage;
  if (!isRecord(k8s)) return;
  const target = facts.truenasByRole.get(k8s.truenasRole);
  const listPath = `${facts.root}/kubernetesStorage/instances`;
  let defaultPath: string | undefined;
  const claimed = new Map<string, string>(); // dataset full path -> the instance claiming it
  list<CsiInstanceEntry>(k8s.instances).forEach((inst, i) => {
    if (!isRecord(inst)) return;
    const path = entryPath(listPath, inst, i);
    if (inst.protocol === "iscsi" && target?.storage && target.storage.iscsi !== true) {
      findings.problem(path, `iSCSI instance on ${target.vm.name}, which serves no iSCSI`, inst.protocol, `protocol "nfs", or iscsi: true in ${target.storagePath}`);
    }
    if (inst.isDefault === true) {
      if (defaultPath !== undefined) findings.problem(path, `a second default StorageClass (${defaultPath} is the default already)`, inst.name, "at most one instance with isDefault: true");
      else defaultPath = path;
    }
    for (const d of new Set([inst.dataset, inst.snapshotsDataset])) {
      if (typeof d !== "string") continue;
      // Overlap: the same path, an ancestor of it, or a descendant (found when the descendant comes, from its ancestors).
      const parts = d.split("/");
      let owner: string | undefined;
      for (let n = parts.length; n >= 1 && owner === undefined; n--) owner = claimed.get(parts.slice(0, n).join("/"));
      if (owner === undefined) owner = claimedBelow(claimed, d);
      if (owner !== undefined && owner !== path) {
        findings.problem(path, `dataset overlaps one of ${owner}`, d, "datasets disjoint from every other instance's (democratic-csi needs a unique parent per deployment)");
      }
      claimed.set(d, path);
      for (let n = parts.length - 1; n >= 1; n--) {
        const ancestor = `${parts.slice(0, n).join("/")}/`;
        if (!claimed.has(ancestor)) claimed.set(ancestor, path); // marks "something below is claimed"
      }
    }
  });
}

/** The instance claiming a dataset below `d`, if any (ancestors are marked with a trailing `/`). */
function claimedBelow(claimed: ReadonlyMap<string, string>, d: string): string | undefined {
  return claimed.get(`${d}/`);
}
