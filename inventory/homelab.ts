/**
 * The homelab of the architecture review (shared/seeds/000_*): Proxmox hosts din (R730xd) and
 * grogu (R630), TrueNAS on each, a Talos test cluster. Edit this file to change what is built;
 * `npm run synth` checks it and says what is wrong.
 *
 * PCI addresses, IOMMU groups and subsystem ids below were not in the review: they are what the
 * named cards report on these Dell chassis and MUST be checked on the host before a deploy
 * (`lspci -nnv -s <path>`, or `pvesh get /nodes/<node>/hardware/pci`). A wrong value makes
 * Proxmox refuse to start the VM, never pass the wrong device.
 */
import { Size, type PoolLayout } from "../capacity";
import { Schedule } from "../constructs/schedule";
import type { Homelab } from "./types";

// Real byte counts of the drives as sold (IDEMA LBA counts x 512): a "900 GB" drive is not 900e9.
const SAS_900GB = Size.bytes(900_185_481_216n); // 1,758,174,768 sectors
const SSD_120GB = Size.bytes(120_034_123_776n); // 234,441,648 sectors
const HGST_8TB = Size.bytes(8_001_563_222_016n); // 15,628,053,168 sectors
const HDD_3TB = Size.bytes(3_000_592_982_016n); // 5,860,533,168 sectors

const disks = (n: number, size: Size) => Array.from({ length: n }, () => size);
// TrueNAS 25.04+ partitions every pool disk itself (2 GiB margin, no swap), with ashift 12.
const truenasLayout = (vdevs: PoolLayout["vdevs"]): PoolLayout => ({ ashift: 12, openzfs: "2.4", partitionScheme: "truenas-25.04", vdevs });
const TiB = Size.tebibytes;
const GiB = Size.gibibytes;

export const homelab: Homelab = {
  name: "homelab",
  hosts: [
    {
      nodeName: "din",
      online: true,
      bridges: ["vmbr0"],
      localDatastoreId: "local-zfs",
      hardware: "Dell R730xd, Proxmox VE on 2x 256 GB NVMe (ZFS mirror); MD1220 shelf attached",
    },
    {
      nodeName: "grogu",
      online: false,
      offlineReason: "awaiting the MikroTik switch (architecture review, 2026-02-05)",
      bridges: ["vmbr0"],
      localDatastoreId: "local-zfs",
      hardware: "Dell R630, Proxmox VE on 2x 128 GB SSD (ZFS mirror); MD1200 shelf attached",
    },
  ],
  vlans: [
    { name: "management", id: 1, cidr: "10.10.1.0/24", purpose: "iDRAC, switches" },
    { name: "storage", id: 10, cidr: "10.10.10.0/24", purpose: "NFS and iSCSI: TrueNAS primary" },
    { name: "lan", id: 20, cidr: "192.168.0.0/24", purpose: "infrastructure VMs" },
    { name: "k8s-shared", id: 30, cidr: "10.0.1.0/24", purpose: "Kubernetes shared services" },
    { name: "k8s-prod", id: 31, cidr: "10.0.2.0/24", purpose: "Kubernetes production apps" },
    { name: "k8s-test", id: 32, cidr: "10.0.3.0/24", purpose: "Kubernetes test and staging" },
  ],
  pciDevices: [
    {
      name: "din-hba-internal",
      kind: "storage-controller",
      nodeName: "din",
      path: "0000:03:00.0",
      deviceId: "1000:0097",
      subsystemId: "1028:1f53",
      iommuGroup: 30,
      description: "Dell HBA330 Mini (SAS3008, IT mode): front bays, bulk 6x 8 TB and scratch 6x 3 TB",
    },
    {
      name: "din-hba-md1220",
      kind: "storage-controller",
      nodeName: "din",
      path: "0000:82:00.0",
      deviceId: "1000:0072",
      subsystemId: "1000:3080",
      iommuGroup: 46,
      description: "LSI 9201-8e (SAS2008, IT mode): MD1220 shelf, fast 21x 900 GB + 2x SLOG SSD",
    },
    {
      name: "grogu-hba-md1200",
      kind: "storage-controller",
      nodeName: "grogu",
      path: "0000:04:00.0",
      deviceId: "1000:0087",
      subsystemId: "1000:3040",
      iommuGroup: 32,
      description: "LSI 9207-8e (SAS2308, IT mode): MD1200 shelf, backup 11x 3 TB",
    },
  ],
  truenasVms: [
    {
      role: "primary",
      nodeName: "din",
      vmId: 300,
      name: "truenas-primary",
      memory: Size.gibibytes(32),
      cpuCores: 6,
      bootDiskSize: Size.gibibytes(32),
      passthrough: [{ mapping: "din-hba-internal" }, { mapping: "din-hba-md1220" }],
      // Dual-homed on the host bridge: storage traffic stays on VLAN 10 (jumbo frames), the
      // management UI and replication on the LAN.
      nics: [
        { bridge: "vmbr0", vlan: "storage", mtuBytes: 9000 },
        { bridge: "vmbr0", vlan: "lan" },
      ],
      installerIsoFileId: "local:iso/TrueNAS-SCALE-25.10.1.iso",
      storage: {
        storageAddress: "10.10.10.5",
        pools: [
          {
            name: "fast",
            // 21x 900 GB 10K SAS in the MD1220 as 3x 7-wide RAIDZ2, with a mirrored SLOG.
            layout: truenasLayout([
              { type: "raidz2", disks: disks(7, SAS_900GB) },
              { type: "raidz2", disks: disks(7, SAS_900GB) },
              { type: "raidz2", disks: disks(7, SAS_900GB) },
              { class: "log", type: "mirror", disks: disks(2, SSD_120GB) },
            ]),
          },
          { name: "bulk", layout: truenasLayout([{ type: "raidz2", disks: disks(6, HGST_8TB) }]) },
          { name: "scratch", layout: truenasLayout([{ type: "raidz1", disks: disks(6, HDD_3TB) }]) },
        ],
        // Quotas are the plan that FITS (see README, "Capacity: what changed from the review").
        datasets: [
          { fullPath: "fast/kubernetes", purpose: "Kubernetes volumes (democratic-csi parents)" },
          { fullPath: "fast/kubernetes/iscsi-zvols", purpose: "PostgreSQL, MySQL, Redis, ClickHouse zvols (truenas-iscsi-fast)", profile: "kubernetes-zvols", quota: TiB(3.5) },
          { fullPath: "fast/kubernetes/iscsi-snapshots", purpose: "detached snapshots of truenas-iscsi-fast", profile: "kubernetes-zvols", quota: GiB(512) },
          { fullPath: "fast/kubernetes/nfs-dynamic", purpose: "general app data PVCs (truenas-nfs-fast)", profile: "kubernetes-nfs", quota: TiB(2) },
          { fullPath: "fast/kubernetes/nfs-snapshots", purpose: "detached snapshots of truenas-nfs-fast", profile: "kubernetes-nfs", quota: GiB(256) },
          { fullPath: "fast/kubernetes/nfs-static", purpose: "shared configs (static PVs)", quota: GiB(64) },
          { fullPath: "fast/vms", purpose: "VM disk images", profile: "vm-images", quota: TiB(1.5) },
          { fullPath: "fast/ml-models", purpose: "trained models", profile: "media", quota: GiB(512) },

          { fullPath: "bulk/kubernetes", purpose: "Kubernetes volumes (democratic-csi parents)" },
          { fullPath: "bulk/kubernetes/nfs-dynamic", purpose: "Forgejo registry, large PVCs (truenas-nfs-bulk)", profile: "kubernetes-nfs", quota: TiB(5) },
          { fullPath: "bulk/kubernetes/nfs-snapshots", purpose: "detached snapshots of truenas-nfs-bulk", profile: "kubernetes-nfs", quota: GiB(512) },
          { fullPath: "bulk/media", purpose: "Jellyfin streaming", profile: "media", quota: TiB(8.5) },
          { fullPath: "bulk/photos", purpose: "Immich library (irreplaceable)", profile: "photos", quota: TiB(5) },
          { fullPath: "bulk/signoz-cold", purpose: "old observability data", quota: TiB(1) },
          { fullPath: "bulk/backups", purpose: "timemachine, proxmox and forgejo backups", profile: "backups", quota: TiB(2) },
          { fullPath: "bulk/backups/forgejo", purpose: "Forgejo git backups", profile: "backups", quota: GiB(256) },
          { fullPath: "bulk/archive", purpose: "cold storage", profile: "backups", quota: GiB(512) },

          { fullPath: "scratch/kubernetes", purpose: "Kubernetes volumes (democratic-csi parents)" },
          { fullPath: "scratch/kubernetes/nfs-dynamic", purpose: "CI cache, ephemeral PVCs (truenas-nfs-scratch)", profile: "scratch", quota: TiB(5) },
          { fullPath: "scratch/kubernetes/nfs-snapshots", purpose: "detached snapshots of truenas-nfs-scratch", profile: "scratch", quota: GiB(256) },
          { fullPath: "scratch/downloads", purpose: "torrent and usenet staging", profile: "scratch", quota: TiB(3.5) },
          { fullPath: "scratch/ml-datasets", purpose: "training data", profile: "media", quota: TiB(1) },
          { fullPath: "scratch/temp", purpose: "general scratch", profile: "scratch", quota: GiB(512) },
        ],
        nfsExports: [
          { dataset: "bulk/media", vlans: ["storage", "k8s-prod"], readOnly: true },
          { dataset: "bulk/photos", vlans: ["storage", "k8s-prod"] },
          { dataset: "bulk/signoz-cold", vlans: ["storage", "k8s-shared"] },
          { dataset: "fast/kubernetes/nfs-static", vlans: ["storage", "k8s-shared", "k8s-prod"], maprootUser: "root" },
        ],
        iscsi: true,
        // Tier 1, the review's schedules.
        snapshots: [
          { dataset: "fast/kubernetes", schedule: Schedule.hourly(), keep: 24 },
          { dataset: "fast/vms", schedule: Schedule.everyHours(4), keep: 6 },
          { dataset: "bulk/photos", schedule: Schedule.daily({ hour: 0, minute: 15 }), keep: 30 },
        ],
        // Tier 2: defined now, held until grogu is online.
        replication: {
          targetRole: "backup",
          datasets: ["fast/kubernetes", "fast/vms", "bulk/photos"],
          targetParent: "backup/replicas",
          whenTargetOffline: "hold",
        },
        // Tier 3: what cannot be replaced, to B2.
        offsiteBackup: {
          bucket: "homelab-din-offsite",
          datasets: ["bulk/photos", "fast/kubernetes/nfs-static", "bulk/backups/forgejo"],
          schedule: Schedule.daily({ hour: 2, minute: 30 }),
          keepLast: 30,
        },
        // Staggered so two pools never scrub at once.
        scrubs: {
          fast: Schedule.weekly({ dayOfWeek: "sunday", hour: 2 }),
          bulk: Schedule.weekly({ dayOfWeek: "wednesday", hour: 2 }),
          scratch: Schedule.weekly({ dayOfWeek: "friday", hour: 2 }),
        },
        alerts: {
          recipients: ["admin@homelab.example"],
          smtpServer: "smtp.homelab.example",
          smtpUser: "truenas@homelab.example",
          fromAddress: "truenas@homelab.example",
        },
      },
    },
    {
      role: "backup",
      nodeName: "grogu",
      vmId: 301,
      name: "truenas-backup",
      memory: Size.gibibytes(16),
      cpuCores: 4,
      bootDiskSize: Size.gibibytes(32),
      passthrough: [{ mapping: "grogu-hba-md1200" }],
      nics: [
        { bridge: "vmbr0", vlan: "storage", mtuBytes: 9000 },
        { bridge: "vmbr0", vlan: "lan" },
      ],
      installerIsoFileId: "local:iso/TrueNAS-SCALE-25.10.1.iso",
      storage: {
        storageAddress: "10.10.10.6",
        pools: [{ name: "backup", layout: truenasLayout([{ type: "raidz2", disks: disks(11, HDD_3TB) }]) }],
        datasets: [
          { fullPath: "backup/replicas", purpose: "Tier 2 replicas of din's fast/kubernetes, fast/vms and bulk/photos", profile: "replica", quota: TiB(17) },
        ],
        scrubs: { backup: Schedule.weekly({ dayOfWeek: "sunday", hour: 4 }) },
        alerts: {
          recipients: ["admin@homelab.example"],
          smtpServer: "smtp.homelab.example",
          smtpUser: "truenas-backup@homelab.example",
          fromAddress: "truenas-backup@homelab.example",
        },
      },
    },
  ],
  talosClusters: [
    {
      clusterName: "test",
      environment: "dev",
      nodeName: "din",
      datastoreId: "local-zfs",
      nic: { bridge: "vmbr0", vlan: "k8s-test" },
      // A Talos Image Factory ISO with the iscsi-tools and util-linux-tools extensions (democratic-csi iSCSI).
      isoFileId: "local:iso/talos-v1.11.5-iscsi-metal-amd64.iso",
      controlPlane: { count: 3, firstVmId: 3201, cpuCores: 2, memory: Size.gibibytes(4), diskSize: Size.gibibytes(32) },
      workers: { count: 2, firstVmId: 3211, cpuCores: 4, memory: Size.gibibytes(8), diskSize: Size.gibibytes(64) },
    },
  ],
  // The review's four democratic-csi instances, each on its dataset with a sibling for detached
  // snapshots, and the storage-class choices per use:
  // - iscsi-fast: databases (PostgreSQL, ClickHouse, Redis, Git repos). Retain: deleting a PVC never
  //   deletes a database's zvol. xfs (grown with xfs_growfs, clones mounted nouuid), noatime.
  //   WaitForFirstConsumer: no zvol for a claim no pod uses yet.
  // - nfs-fast: general app data and configs; the cluster default. Delete.
  // - nfs-bulk: large PVCs (Forgejo registry): Retain, they are expensive to rebuild.
  // - nfs-scratch: CI caches, ephemeral by design: Delete.
  kubernetesStorage: {
    truenasRole: "primary",
    // Talos nodes mount over the storage VLAN; pods on the Kubernetes VLANs never see the exports.
    nfsClientVlans: ["storage", "k8s-shared", "k8s-prod", "k8s-test"],
    instances: [
      {
        name: "truenas-iscsi-fast", protocol: "iscsi", dataset: "fast/kubernetes/iscsi-zvols", snapshotsDataset: "fast/kubernetes/iscsi-snapshots",
        reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer", fsType: "xfs", mountOptions: ["noatime"],
      },
      {
        name: "truenas-nfs-fast", protocol: "nfs", dataset: "fast/kubernetes/nfs-dynamic", snapshotsDataset: "fast/kubernetes/nfs-snapshots",
        isDefault: true, reclaimPolicy: "Delete",
      },
      {
        name: "truenas-nfs-bulk", protocol: "nfs", dataset: "bulk/kubernetes/nfs-dynamic", snapshotsDataset: "bulk/kubernetes/nfs-snapshots",
        reclaimPolicy: "Retain",
      },
      {
        name: "truenas-nfs-scratch", protocol: "nfs", dataset: "scratch/kubernetes/nfs-dynamic", snapshotsDataset: "scratch/kubernetes/nfs-snapshots",
        reclaimPolicy: "Delete",
      },
    ],
  },
};
