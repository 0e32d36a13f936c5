import { invalidProp } from "../constructs/errors";
import type { VmNetworkInterface } from "../constructs/vm-network";
import type { InventoryFacts } from "./rules/context";
import type { Homelab, HostEntry, NicEntry, PciDeviceEntry, VlanEntry } from "./types";

/**
 * Turns the inventory's names (hosts, VLANs, PCI devices) into what constructs take. Every name is
 * checked up front by `checkInventory` (inventory/check-inventory.ts), so in the app these never
 * fail; they still refuse an undeclared name, with the referencing path, when used on their own.
 */
export class InventoryIndex {
  readonly homelab: Homelab;
  // By name, the first of each (the maps the checker built): lookups stay O(1) however large the inventory.
  private readonly hosts: ReadonlyMap<string, HostEntry>;
  private readonly pciDevices: ReadonlyMap<string, PciDeviceEntry>;
  private readonly vlans: ReadonlyMap<string, VlanEntry>;

  /** The inventory as `checkInventory` indexed it (its `facts`). */
  constructor(facts: InventoryFacts) {
    this.homelab = facts.lab;
    this.hosts = facts.hosts;
    this.pciDevices = facts.pciDevices;
    this.vlans = facts.vlans;
  }

  host(path: string, nodeName: string): HostEntry {
    const host = this.hosts.get(nodeName);
    if (!host) invalidProp(path, "host referenced but never declared", nodeName, list(this.homelab.hosts.map((h) => h.nodeName)));
    return host;
  }

  pciDevice(path: string, name: string): PciDeviceEntry {
    const device = this.pciDevices.get(name);
    if (!device) invalidProp(path, "PCI mapping referenced but never declared", name, list(this.homelab.pciDevices.map((d) => d.name)));
    return device;
  }

  vlan(path: string, name: string): VlanEntry {
    const vlan = this.vlans.get(name);
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
}

function list(names: readonly string[]): string {
  return names.length === 0 ? "none declared" : names.join(", ");
}
