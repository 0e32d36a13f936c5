/**
 * Hosts and VMs: the inventory has something to synthesize, a TrueNAS VM passes through devices of
 * its own host and at least one storage controller, and every Talos cluster lands in a stack.
 * (VM ids are unique: uniqueness.ts. One VM's own settings, such as its id range, memory or core
 * count, are its construct's checks.)
 */
import { verbatim } from "../../constructs/errors";
import type { PassthroughEntry, TalosClusterEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts } from "./context";

/** Environments a stack is built for (stacks/homelab-app.ts: `dev` clusters go to dev-compute). */
const PLACED_ENVIRONMENTS = ["dev"];

export function checkHostsAndVms(facts: InventoryFacts, findings: Findings): void {
  const { lab, root } = facts;
  const clusters = list<TalosClusterEntry>(lab.talosClusters);
  if (facts.truenas.length === 0 && clusters.length === 0) {
    findings.problem(root, "nothing to synthesize: no TrueNAS VM and no Talos cluster", verbatim("no truenasVms, no talosClusters"), "at least one entry in truenasVms or talosClusters");
  }

  for (const t of facts.truenas) {
    const passthrough = list<PassthroughEntry>(t.vm.passthrough);
    passthrough.forEach((p, i) => {
      const device = isRecord(p) ? facts.pciDevices.get(p.mapping) : undefined;
      if (device && device.nodeName !== t.vm.nodeName && facts.hosts.has(t.vm.nodeName)) {
        findings.problem(`${t.path}/passthrough/${i}`, `PCI mapping ${device.name} is a device of host ${device.nodeName}, not of ${t.vm.nodeName} where the VM runs`, p.mapping, `a PCI device of ${t.vm.nodeName} (nodeName: "${t.vm.nodeName}" in pciDevices), or the VM on ${device.nodeName}`);
      }
    });
    const kinds = passthrough.map((p) => (isRecord(p) ? facts.pciDevices.get(p.mapping)?.kind : undefined));
    if (Array.isArray(t.vm.passthrough) && kinds.every((k) => k !== undefined) && !kinds.includes("storage-controller")) {
      findings.problem(t.path, "no storage controller passed through", passthrough.map((p) => (isRecord(p) ? p.mapping : p)), "at least one PCI device of kind storage-controller (the HBA holding the pools' disks)");
    }
  }

  clusters.forEach((c, i) => {
    if (isRecord(c) && !PLACED_ENVIRONMENTS.includes(c.environment)) {
      findings.problem(entryPath(`${root}/talosClusters`, c, i), "Talos cluster environment no stack is built for", c.environment, PLACED_ENVIRONMENTS.join(", "));
    }
  });
}
