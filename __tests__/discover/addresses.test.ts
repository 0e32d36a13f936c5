import { homelab } from "../../inventory/homelab";
import type { Homelab } from "../../inventory/types";
import { Testing } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import { resourceAddress, type ResourceRef } from "../../scripts/discover/addresses";
import { synth } from "../helpers";

/**
 * Every address discovery writes must be one synth declares: the shipped inventory with grogu
 * online (so replication is synthesized) and every pool's scrub task id known (so the scrub tasks
 * are too), synthesized here, in this process.
 */
const online: Homelab = { ...homelab, hosts: homelab.hosts.map((h) => ({ ...h, online: true })) };
const scrubIds = (stack: string, pools: string[]) => ({ [stack]: Object.fromEntries(pools.map((p, i) => [`truenas_scrub_task.${p}`, `${i + 1}`])) });
const built = buildHomelab(Testing.app(), online, { imports: { ...scrubIds("prod-storage", ["fast", "bulk", "scratch"]), ...scrubIds("prod-backup", ["backup"]) } });
const declared = (stack: string) => {
  const json = synth(built.stacks.find((s) => s.node.id === stack)!) as { resource: Record<string, Record<string, unknown>> };
  return new Set(Object.entries(json.resource).flatMap(([type, rs]) => Object.keys(rs).map((name) => `${type}.${name}`)));
};
const storage = declared("prod-storage");
const backup = declared("prod-backup");

const PRIMARY: [ResourceRef, string][] = [
  [{ type: "proxmox_virtual_environment_vm", vmName: "truenas-primary" }, "proxmox_virtual_environment_vm.truenas-primary"],
  [{ type: "proxmox_hardware_mapping_pci", mappingName: "din-hba-md1220" }, "proxmox_hardware_mapping_pci.din-hba-md1220"],
  [{ type: "truenas_dataset", fullPath: "fast/kubernetes/nfs-static" }, "truenas_dataset.fast--kubernetes--nfs-static"],
  [{ type: "truenas_scrub_task", pool: "fast" }, "truenas_scrub_task.fast"],
  [{ type: "truenas_nfs_share", dataset: "fast/kubernetes/nfs-static" }, "truenas_nfs_share.fast--kubernetes--nfs-static"],
  [{ type: "truenas_iscsi_portal" }, "truenas_iscsi_portal.iscsi"],
  [{ type: "truenas_iscsi_initiator" }, "truenas_iscsi_initiator.iscsi"],
  [{ type: "truenas_periodic_snapshot_task", dataset: "bulk/photos" }, "truenas_periodic_snapshot_task.bulk--photos"],
  [{ type: "truenas_replication_task", dataset: "fast/vms" }, "truenas_replication_task.fast--vms"],
  [{ type: "truenas_cloud_backup", dataset: "bulk/backups/forgejo" }, "truenas_cloud_backup.bulk--backups--forgejo"],
  [{ type: "truenas_service", service: "nfs" }, "truenas_service.nfs"],
  [{ type: "truenas_nfs_config" }, "truenas_nfs_config.nfs"],
  [{ type: "truenas_mail" }, "truenas_mail.alerts"],
];
const BACKUP: [ResourceRef, string][] = [
  [{ type: "truenas_scrub_task", pool: "backup" }, "truenas_scrub_task.backup"],
  [{ type: "truenas_service", service: "ssh" }, "truenas_service.ssh"],
  [{ type: "truenas_dataset", fullPath: "backup/replicas" }, "truenas_dataset.backup--replicas"],
];

describe("resourceAddress", () => {
  test.each(PRIMARY)("%j is %s, declared by prod-storage", (ref, address) => {
    expect(resourceAddress(ref)).toBe(address);
    expect(storage.has(address)).toBe(true);
  });

  test.each(BACKUP)("%j is %s, declared by prod-backup", (ref, address) => {
    expect(resourceAddress(ref)).toBe(address);
    expect(backup.has(address)).toBe(true);
  });

  test("a dataset path with '.' or ':' maps as synth maps it", () => {
    expect(resourceAddress({ type: "truenas_dataset", fullPath: "tank/a.b:c" })).toBe("truenas_dataset.tank--a_b_c");
  });
});
