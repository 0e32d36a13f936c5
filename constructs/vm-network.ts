import type { IConstruct } from "constructs";
import type { VirtualEnvironmentVmNetworkDevice } from "../.gen/providers/proxmox/virtual-environment-vm";
import { Token } from "../lib/cdktf";
import { invalidProp } from "./errors";

export type NicModel = "virtio" | "e1000" | "e1000e" | "rtl8139" | "vmxnet3";
const NIC_MODELS: readonly NicModel[] = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"];

/** A virtual NIC on a Linux bridge of the host. */
export interface VmNetworkInterface {
  /** Host bridge, e.g. `vmbr0`. */
  readonly bridge: string;
  /**
   * 802.1Q VLAN tag on a VLAN-aware bridge.
   * @default - untagged
   */
  readonly vlanId?: number;
  /**
   * Emulated NIC model.
   * @default "virtio"
   */
  readonly model?: NicModel;
  /**
   * Proxmox firewall on this NIC.
   * @default false
   */
  readonly firewall?: boolean;
  /**
   * MTU in bytes (jumbo frames on a storage VLAN: 9000).
   * @default - the bridge's MTU
   */
  readonly mtuBytes?: number;
  /**
   * Fixed MAC address, for DHCP reservations.
   * @default - assigned by Proxmox and kept in state
   */
  readonly macAddress?: string;
  /**
   * virtio multiqueue count.
   * @default - one queue
   */
  readonly queues?: number;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * Renders NICs for `network_device`, which bpg/proxmox (>= 0.98.1) declares as a list(object)
 * ATTRIBUTE, not a block: in JSON Terraform requires every element to carry all 11 keys
 * ("attribute ... is required"), and cdktf drops unset keys. So every key is set, to the value
 * or to the provider's own "unset" value (0, "", `enabled = true`: proxmoxtf/resource/vm/network),
 * so nothing depends on how the SDK fills defaults inside an object attribute and the plan stays
 * empty after a read. `mac_address` alone is null, never "": it is computed, and "" diffs forever.
 */
export function renderNetworkDevices(scope: IConstruct, nics: readonly VmNetworkInterface[]): VirtualEnvironmentVmNetworkDevice[] {
  if (nics.length > 32) invalidProp(scope, "too many network interfaces", nics.length, "at most 32");
  return nics.map((nic) => {
    const model = nic.model ?? "virtio";
    if (!/^vmbr\d+$|^[a-z][a-z0-9_.-]{0,14}$/i.test(nic.bridge)) invalidProp(scope, "invalid bridge name", nic.bridge, "a Linux bridge name such as vmbr0");
    if (!NIC_MODELS.includes(model)) invalidProp(scope, "unknown NIC model", model, NIC_MODELS.join(", "));
    if (nic.vlanId !== undefined && !(Number.isInteger(nic.vlanId) && nic.vlanId >= 1 && nic.vlanId <= 4094)) {
      invalidProp(scope, "VLAN id out of range", nic.vlanId, "1..4094");
    }
    if (nic.mtuBytes !== undefined && !(Number.isInteger(nic.mtuBytes) && nic.mtuBytes >= 576 && nic.mtuBytes <= 65520)) {
      invalidProp(scope, "MTU out of range", nic.mtuBytes, "576..65520 bytes");
    }
    if (nic.macAddress !== undefined && !MAC.test(nic.macAddress)) invalidProp(scope, "invalid MAC address", nic.macAddress, "six hex pairs separated by ':'");
    if (nic.queues !== undefined && !(Number.isInteger(nic.queues) && nic.queues >= 1 && nic.queues <= 64)) {
      invalidProp(scope, "queue count out of range", nic.queues, "1..64");
    }
    return {
      bridge: nic.bridge,
      disconnected: false,
      // Deprecated, but an unset bool would read as false and the device would not be sent to PVE.
      enabled: true,
      firewall: nic.firewall ?? false,
      macAddress: nic.macAddress?.toUpperCase() ?? Token.asString(Token.nullValue()),
      model,
      mtu: nic.mtuBytes ?? 0,
      queues: nic.queues ?? 0,
      rateLimit: 0,
      trunks: "",
      vlanId: nic.vlanId ?? 0,
    };
  });
}
