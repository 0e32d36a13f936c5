/**
 * The shape of a homelab inventory: what the homelab IS, as typed data. Stacks read it; constructs
 * never see it. A second homelab is a second file of this type, not a fork of a construct.
 */
import type { Size } from "../capacity/size";
import type { PciDeviceKind } from "../constructs/pci-mapping";
import type { NicModel } from "../constructs/vm-network";

export interface Homelab {
  /** Short name, used in descriptions and the capacity report. */
  readonly name: string;
  readonly hosts: readonly HostSpec[];
  readonly vlans: readonly VlanSpec[];
  /** PCI devices to be passed through, each becoming a cluster hardware mapping. */
  readonly pciDevices: readonly PciDeviceSpec[];
  readonly truenasVms: readonly TrueNASVmSpec[];
  /** @default - none */
  readonly talosClusters?: readonly TalosClusterSpec[];
}

export interface HostSpec {
  /** Proxmox node name. */
  readonly nodeName: string;
  /** Offline hosts' stacks are skipped at synth, with a message saying so. */
  readonly online: boolean;
  /** Why a host is offline (printed when its stacks are skipped). @default - none */
  readonly offlineReason?: string;
  /** Linux bridges on the host that VMs may use. */
  readonly bridges: readonly string[];
  /** Local storage for VM boot disks, e.g. `local-zfs`. */
  readonly localDatastoreId: string;
  /** Hardware, for humans. @default - none */
  readonly hardware?: string;
}

export interface VlanSpec {
  readonly name: string;
  readonly id: number;
  readonly cidr: string;
  readonly purpose: string;
}

export interface PciDeviceSpec {
  /** Mapping name VMs refer to. */
  readonly name: string;
  readonly kind: PciDeviceKind;
  readonly nodeName: string;
  readonly path: string;
  readonly deviceId: string;
  readonly iommuGroup: number;
  readonly subsystemId: string;
  /** What it is and what hangs off it. */
  readonly description: string;
  /** For NICs: the VLAN (by name) the port carries, checked against `vlans`. @default - none */
  readonly vlan?: string;
}

/** A device passed through to a VM, by mapping name (checked against `pciDevices`). */
export interface PassthroughSpec {
  readonly mapping: string;
  /** @default true */
  readonly rombar?: boolean;
}

/** A NIC on a host bridge, on a VLAN by name (checked against `vlans`). */
export interface NicSpec {
  readonly bridge: string;
  /** VLAN name from `Homelab.vlans`. @default - untagged */
  readonly vlan?: string;
  readonly model?: NicModel;
  readonly mtuBytes?: number;
  readonly macAddress?: string;
}

export interface TrueNASVmSpec {
  /** `primary` goes to the prod-storage stack, `backup` (the replication target) to prod-backup. */
  readonly role: "primary" | "backup";
  readonly nodeName: string;
  readonly vmId: number;
  readonly name: string;
  readonly memory: Size;
  readonly cpuCores: number;
  readonly bootDiskSize: Size;
  /** Devices in hostpci order. */
  readonly passthrough: readonly PassthroughSpec[];
  /** @default - none: NICs are passed through */
  readonly nics?: readonly NicSpec[];
  /** @default - no CD-ROM */
  readonly installerIsoFileId?: string;
}

export interface TalosClusterSpec {
  readonly clusterName: string;
  /** Environment the cluster belongs to: `dev` clusters go to the dev-compute stack. */
  readonly environment: "dev";
  readonly nodeName: string;
  readonly datastoreId: string;
  readonly nic: NicSpec;
  readonly isoFileId: string;
  readonly controlPlane: { count: number; firstVmId: number; cpuCores: number; memory: Size; diskSize: Size };
  readonly workers: { count: number; firstVmId: number; cpuCores: number; memory: Size; diskSize: Size };
}
