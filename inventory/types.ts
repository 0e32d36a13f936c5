/**
 * The shape of a homelab inventory: what the homelab IS, as typed data. Stacks read it; constructs
 * never see it. A second homelab is a second file of this type, not a fork of a construct.
 */
import type { BudgetThresholds, PoolLayout, Size } from "../capacity";
import type { CsiFsType, CsiReclaimPolicy, CsiVolumeBindingMode } from "../constructs/csi-instance";
import type { ZfsDatasetOptions } from "../constructs/zfs-dataset";
import type { PciDeviceKind } from "../constructs/pci-mapping";
import type { Schedule } from "../constructs/schedule";
import type { PoolCreation } from "../constructs/zfs-pool";
import type { NicModel } from "../constructs/vm-network";

export interface Homelab {
  /** Short name, used in descriptions and the capacity report. */
  readonly name: string;
  readonly hosts: readonly HostEntry[];
  readonly vlans: readonly VlanEntry[];
  /** PCI devices to be passed through, each becoming a cluster hardware mapping. */
  readonly pciDevices: readonly PciDeviceEntry[];
  readonly truenasVms: readonly TrueNASVmEntry[];
  /** @default - none */
  readonly talosClusters?: readonly TalosClusterEntry[];
  /** democratic-csi on the production Kubernetes cluster (the prod-k8s-storage stack). @default - none */
  readonly kubernetesStorage?: KubernetesStorageEntry;
}

export interface KubernetesStorageEntry {
  /** The TrueNAS (by role) whose datasets the instances use. */
  readonly truenasRole: "primary" | "backup";
  /** VLANs (by name) whose networks may mount the NFS volumes democratic-csi exports. */
  readonly nfsClientVlans: readonly string[];
  readonly instances: readonly CsiInstanceEntry[];
}

/** One democratic-csi instance: its datasets by full path, checked against the TrueNAS's datasets. */
export interface CsiInstanceEntry {
  readonly name: string;
  readonly protocol: "nfs" | "iscsi";
  /** Parent of the volumes, e.g. `fast/kubernetes/nfs-dynamic`. */
  readonly dataset: string;
  /** Sibling for detached snapshots, e.g. `fast/kubernetes/nfs-snapshots`. */
  readonly snapshotsDataset: string;
  /** @default false */
  readonly isDefault?: boolean;
  /** @default - Retain for iscsi, Delete for nfs */
  readonly reclaimPolicy?: CsiReclaimPolicy;
  /** @default - WaitForFirstConsumer for iscsi, Immediate for nfs */
  readonly volumeBindingMode?: CsiVolumeBindingMode;
  /** @default - ext4 for iscsi, nfs for nfs */
  readonly fsType?: CsiFsType;
  /** @default - nfsvers=4.2,noatime for nfs; none for iscsi */
  readonly mountOptions?: readonly string[];
}

export interface HostEntry {
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

export interface VlanEntry {
  readonly name: string;
  readonly id: number;
  readonly cidr: string;
  readonly purpose: string;
}

export interface PciDeviceEntry {
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
export interface PassthroughEntry {
  readonly mapping: string;
  /** @default true */
  readonly rombar?: boolean;
}

/** A NIC on a host bridge, on a VLAN by name (checked against `vlans`). */
export interface NicEntry {
  readonly bridge: string;
  /** VLAN name from `Homelab.vlans`. @default - untagged */
  readonly vlan?: string;
  readonly model?: NicModel;
  readonly mtuBytes?: number;
  readonly macAddress?: string;
}

export interface TrueNASVmEntry {
  /** `primary` goes to the prod-storage stack, `backup` (the replication target) to prod-backup. */
  readonly role: "primary" | "backup";
  readonly nodeName: string;
  readonly vmId: number;
  readonly name: string;
  readonly memory: Size;
  readonly cpuCores: number;
  readonly bootDiskSize: Size;
  /** Devices in hostpci order. */
  readonly passthrough: readonly PassthroughEntry[];
  /** @default - none: NICs are passed through */
  readonly nics?: readonly NicEntry[];
  /** @default - no CD-ROM */
  readonly installerIsoFileId?: string;
  /** What TrueNAS holds and does: pools, datasets, shares, data protection. @default - VM only */
  readonly storage?: TrueNASStorageEntry;
}

export interface TrueNASStorageEntry {
  /** TrueNAS's address on the storage VLAN: NFS, iSCSI and replication go there. */
  readonly storageAddress: string;
  readonly pools: readonly PoolEntry[];
  /** Datasets by full path (`fast/kubernetes/nfs-dynamic`), parents before children. */
  readonly datasets: readonly DatasetEntry[];
  /**
   * What Terraform is to forget, by ledger label (`"dataset bulk/archive"`, `"nfs-export bulk/media"`,
   * `"service nfs"`, `"scrub-task fast"`, `"snapshot-task fast/vms"`, `"replication-task fast/vms"`,
   * `"offsite-task bulk/photos"`, `"iscsi-portal"`, `"iscsi-initiator-group"`, `"pool <name>"`): a
   * `removed` block with `destroy = false`, so the object stays on TrueNAS, untouched. Deleting one
   * of those from the inventory without listing it here is refused at synth: the apply would destroy
   * it (or stop what it serves). A retired one stays retired in the ledger until
   * `npm run ledger -- forget` after the apply.
   * @default - none
   */
  readonly retired?: readonly string[];
  /** @default - none */
  readonly nfsExports?: readonly NfsExportEntry[];
  /** Serve iSCSI (for democratic-csi's zvols) on the storage address. @default false */
  readonly iscsi?: boolean;
  /** Tier 1. @default - none */
  readonly snapshots?: readonly SnapshotEntry[];
  /** Tier 2. @default - none */
  readonly replication?: ReplicationEntry;
  /** Tier 3. @default - none */
  readonly offsiteBackup?: OffsiteBackupEntry;
  /** Weekly scrub start, per pool name (days staggered so two pools never scrub at once). */
  readonly scrubs: Readonly<Record<string, Schedule>>;
  /** @default - no email alerts */
  readonly alerts?: AlertEntry;
}

export interface PoolEntry {
  readonly name: string;
  readonly layout: PoolLayout;
  /** @default "adopt" */
  readonly creation?: PoolCreation;
  /** @default - none (payload placeholders) */
  readonly diskIds?: readonly (readonly string[])[];
  /** @default 80% warning, 95% error */
  readonly thresholds?: BudgetThresholds;
}

/** A dataset, by its full ZFS path (`fast/kubernetes/nfs-dynamic`: the first component is the pool). */
export interface DatasetEntry extends ZfsDatasetOptions {
  readonly fullPath: string;
}

export interface NfsExportEntry {
  readonly dataset: string;
  /** VLAN names whose networks may mount it. */
  readonly vlans: readonly string[];
  /** @default false */
  readonly readOnly?: boolean;
  /** @default - root squashed */
  readonly maprootUser?: string;
}

export interface SnapshotEntry {
  readonly dataset: string;
  readonly schedule: Schedule;
  readonly keep: number;
}

export interface ReplicationEntry {
  /** Which TrueNAS VM receives (by role). */
  readonly targetRole: "primary" | "backup";
  /** Datasets to replicate; each needs a snapshot policy. */
  readonly datasets: readonly string[];
  /** Parent dataset on the target, e.g. `backup`. */
  readonly targetParent: string;
  /**
   * The gate: while the target's host is offline, replication stays defined here but is not
   * synthesized. Without it, an offline target is an error.
   * @default - no gate
   */
  readonly whenTargetOffline?: "hold";
}

export interface OffsiteBackupEntry {
  readonly bucket: string;
  readonly datasets: readonly string[];
  readonly schedule: Schedule;
  readonly keepLast: number;
}

export interface AlertEntry {
  readonly recipients: readonly string[];
  readonly smtpServer: string;
  readonly smtpUser: string;
  readonly fromAddress: string;
}

export interface TalosClusterEntry {
  readonly clusterName: string;
  /** Environment the cluster belongs to: `dev` clusters go to the dev-compute stack. */
  readonly environment: "dev";
  readonly nodeName: string;
  readonly datastoreId: string;
  readonly nic: NicEntry;
  readonly isoFileId: string;
  readonly controlPlane: { count: number; firstVmId: number; cpuCores: number; memory: Size; diskSize: Size };
  readonly workers: { count: number; firstVmId: number; cpuCores: number; memory: Size; diskSize: Size };
}
