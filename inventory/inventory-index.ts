import { invalidProp } from "../constructs/errors";
import type { VmNetworkInterface } from "../constructs/vm-network";
import type { Homelab, HostEntry, NicEntry, PciDeviceEntry, VlanEntry } from "./types";

/**
 * Turns the inventory's names (hosts, VLANs, PCI devices) into what constructs take, failing with
 * the referencing path when a name was never declared.
 */
export class InventoryIndex {
  constructor(readonly homelab: Homelab) {}

  host(path: string, nodeName: string): HostEntry {
    const host = this.homelab.hosts.find((h) => h.nodeName === nodeName);
    if (!host) invalidProp(path, "host referenced but never declared", nodeName, list(this.homelab.hosts.map((h) => h.nodeName)));
    return host;
  }

  pciDevice(path: string, name: string): PciDeviceEntry {
    const device = this.homelab.pciDevices.find((d) => d.name === name);
    if (!device) invalidProp(path, "PCI mapping referenced but never declared", name, list(this.homelab.pciDevices.map((d) => d.name)));
    return device;
  }

  vlan(path: string, name: string): VlanEntry {
    const vlan = this.homelab.vlans.find((v) => v.name === name);
    if (!vlan) invalidProp(path, "VLAN referenced but never declared", name, list(this.homelab.vlans.map((v) => v.name)));
    return vlan;
  }

  nic(path: string, host: HostEntry, nic: NicEntry): VmNetworkInterface {
    if (!host.bridges.includes(nic.bridge)) {
      invalidProp(path, `bridge not on host ${host.nodeName}`, nic.bridge, list(host.bridges));
    }
    return {
      bridge: nic.bridge,
      vlanId: nic.vlan === undefined ? undefined : this.vlan(path, nic.vlan).id,
      model: nic.model,
      mtuBytes: nic.mtuBytes,
      macAddress: nic.macAddress,
    };
  }

  /**
   * Checks every name the inventory uses before any stack is built, so the error names the
   * inventory entry with the typo (and PCI devices no VM uses are checked too).
   */
  checkReferences(): void {
    const names = new Set<string>();
    for (const d of this.homelab.pciDevices) {
      const path = `inventory ${this.homelab.name}/pciDevices/${d.name}`;
      if (names.has(d.name)) invalidProp(path, "PCI device declared twice", d.name, "unique names");
      names.add(d.name);
      this.host(path, d.nodeName);
      if (d.vlan !== undefined) this.vlan(path, d.vlan);
    }
    for (const vm of this.homelab.truenasVms) {
      const path = `inventory ${this.homelab.name}/truenasVms/${vm.name}`;
      const host = this.host(path, vm.nodeName);
      vm.passthrough.forEach((p) => this.pciDevice(path, p.mapping));
      vm.nics?.forEach((n) => this.nic(path, host, n));
    }
    for (const c of this.homelab.talosClusters ?? []) {
      const path = `inventory ${this.homelab.name}/talosClusters/${c.clusterName}`;
      this.nic(path, this.host(path, c.nodeName), c.nic);
    }
  }
}

function list(names: readonly string[]): string {
  return names.length === 0 ? "none declared" : names.join(", ");
}
