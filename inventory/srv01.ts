/**
 * The second homelab (shared/seeds/004_*): one Proxmox host, srv01, with TrueNAS SCALE on it,
 * one HBA and both NICs passed through (NIC1 uplink, NIC2 on storage VLAN 50). It exists to prove
 * the constructs carry no knowledge of din or grogu: a second homelab is a second file.
 */
import { Size } from "../capacity/size";
import type { Homelab } from "./types";

export const srv01Homelab: Homelab = {
  name: "srv01",
  hosts: [{ nodeName: "srv01", online: true, bridges: ["vmbr0"], localDatastoreId: "local-lvm", hardware: "boot disks on a local 3 TB HDD" }],
  vlans: [
    { name: "lan", id: 1, cidr: "192.168.1.0/24", purpose: "WAN/LAN uplink" },
    { name: "storage", id: 50, cidr: "10.50.0.0/24", purpose: "iSCSI/NFS" },
  ],
  pciDevices: [
    { name: "HBA", kind: "storage-controller", nodeName: "srv01", path: "0000:01:00.0", deviceId: "1000:0072", subsystemId: "1000:3020", iommuGroup: 14, description: "LSI SAS HBA (IT mode): the ZFS pool's disks" },
    { name: "NIC1", kind: "network", nodeName: "srv01", path: "0000:02:00.0", deviceId: "8086:1533", subsystemId: "8086:0001", iommuGroup: 15, description: "1GbE: dedicated uplink", vlan: "lan" },
    { name: "NIC2", kind: "network", nodeName: "srv01", path: "0000:03:00.0", deviceId: "8086:1533", subsystemId: "8086:0001", iommuGroup: 16, description: "1GbE: dedicated storage network", vlan: "storage" },
  ],
  truenasVms: [
    {
      role: "primary",
      nodeName: "srv01",
      vmId: 200,
      name: "truenas",
      memory: Size.gibibytes(32),
      cpuCores: 6,
      bootDiskSize: Size.gibibytes(32),
      // rombar off on the HBA: its option ROM only slows boot (004: "Disabled for faster boot").
      passthrough: [{ mapping: "HBA", rombar: false }, { mapping: "NIC1" }, { mapping: "NIC2" }],
    },
  ],
};
