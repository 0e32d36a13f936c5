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
import { Size } from "../capacity/size";
import type { Homelab } from "./types";

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
};
