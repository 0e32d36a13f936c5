/**
 * The shape of a homelab inventory: what the homelab IS, as typed data. Stacks read it; constructs
 * never see it. A second homelab is a second file of this type, not a fork of a construct.
 */
import type { BudgetThresholds, PoolLayout, Size } from "../capacity";
import type { CronSchedule } from "../constructs/cron";
import type { CsiFsType, CsiReclaimPolicy, CsiVolumeBindingMode } from "../constructs/csi-instance";
import type { DatasetProps } from "../constructs/dataset-tree";
import type { PciDeviceKind } from "../constructs/pci-mapping";
import type { PoolCreation } from "../constructs/zfs-pool";
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
  /** democratic-csi on the production Kubernetes cluster (the prod-k8s-storage stack). @default - none */
  readonly kubernetesStorage?: KubernetesStorageSpec;
}

export interface KubernetesStorageSpec {
  /** The TrueNAS (by role) whose datasets the instances use. */
  readonly truenasRole: "primary" | "backup";
  /** VLANs (by name) whose networks may mount the NFS volumes democratic-csi exports. */
  readonly nfsClientVlans: readonly string[];
  readonly instances: readonly CsiSpec[];
}

/** One democratic-csi instance: its datasets by full path, checked against the TrueNAS's datasets. */
export interface CsiSpec {
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
  /** What TrueNAS holds and does: pools, datasets, shares, data protection. @default - VM only */
  readonly storage?: TrueNASStorageSpec;
}

export interface TrueNASStorageSpec {
  /** TrueNAS's address on the storage VLAN: NFS, iSCSI and replication go there. */
  readonly storageAddress: string;
  readonly pools: readonly PoolSpec[];
  /** Datasets by full path (`fast/kubernetes/nfs-dynamic`), parents before children. */
  readonly datasets: readonly DatasetSpec[];
  /**
   * Datasets taken out of Terraform's hands, by full path: Terraform forgets them (a `removed`
   * block with `destroy = false`) and their data stays on TrueNAS. Deleting a dataset from the
   * inventory without listing it here is refused at synth, because the apply would destroy it.
   * @default - none
   */
  readonly retiredDatasets?: readonly string[];
  /** @default - none */
  readonly nfsExports?: readonly NfsExportSpec[];
  /** Serve iSCSI (for democratic-csi's zvols) on the storage address. @default false */
  readonly iscsi?: boolean;
  /** Tier 1. @default - none */
  readonly snapshots?: readonly SnapshotSpec[];
  /** Tier 2. @default - none */
  readonly replication?: ReplicationSpec;
  /** Tier 3. @default - none */
  readonly offsiteBackup?: OffsiteBackupSpec;
  /** Weekly scrub start, per pool name (days staggered so two pools never scrub at once). */
  readonly scrubs: Readonly<Record<string, CronSchedule>>;
  /** @default - no email alerts */
  readonly alerts?: AlertSpec;
}

export interface PoolSpec {
  readonly name: string;
  readonly layout: PoolLayout;
  /** @default "adopt" */
  readonly creation?: PoolCreation;
  /** @default - none (payload placeholders) */
  readonly diskIds?: readonly (readonly string[])[];
  /** @default 80% warning, 95% error */
  readonly thresholds?: BudgetThresholds;
}

/** A dataset: `path` is the full ZFS path, its first component the pool. */
export type DatasetSpec = DatasetProps;

export interface NfsExportSpec {
  readonly dataset: string;
  /** VLAN names whose networks may mount it. */
  readonly vlans: readonly string[];
  /** @default false */
  readonly readOnly?: boolean;
  /** @default - root squashed */
  readonly maprootUser?: string;
}

export interface SnapshotSpec {
  readonly dataset: string;
  readonly schedule: CronSchedule;
  readonly keep: number;
}

export interface ReplicationSpec {
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

export interface OffsiteBackupSpec {
  readonly bucket: string;
  readonly datasets: readonly string[];
  readonly schedule: CronSchedule;
  readonly keepLast: number;
}

export interface AlertSpec {
  readonly recipients: readonly string[];
  readonly smtpServer: string;
  readonly smtpUser: string;
  readonly fromAddress: string;
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
