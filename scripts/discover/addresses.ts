/**
 * Terraform resource addresses of what discovery finds, exactly as synth writes them into
 * `cdk.tf.json`, computed without building the app: `resourceAddress({ type: "truenas_scrub_task",
 * pool: "fast" })` is `truenas_scrub_task.fast`. Every resource that holds data or serves clients
 * has a readable address chosen by its construct (`readableAddress` in constructs/state-blocks.ts): the
 * VM and mappings by name, datasets, shares and tasks by their dataset path (`/` as `--`), scrub
 * tasks by pool, services by service name, the iSCSI portal and initiator group `iscsi`, mail
 * `alerts`.
 *
 * __tests__/discover/addresses.test.ts synthesizes the shipped inventory and checks every address
 * is in its cdk.tf.json.
 */

export { STORAGE_STACK_BY_ROLE } from "../../stacks/stack-ids";

export type ResourceRef =
  | { readonly type: "proxmox_virtual_environment_vm"; readonly vmName: string }
  | { readonly type: "proxmox_hardware_mapping_pci"; readonly mappingName: string }
  | { readonly type: "truenas_dataset"; readonly fullPath: string }
  | { readonly type: "truenas_scrub_task"; readonly pool: string }
  | { readonly type: "truenas_nfs_share"; readonly dataset: string }
  | { readonly type: "truenas_iscsi_portal" }
  | { readonly type: "truenas_iscsi_initiator" }
  | { readonly type: "truenas_periodic_snapshot_task"; readonly dataset: string }
  | { readonly type: "truenas_replication_task"; readonly dataset: string }
  | { readonly type: "truenas_cloud_backup"; readonly dataset: string }
  | { readonly type: "truenas_service"; readonly service: string }
  | { readonly type: "truenas_nfs_config" }
  | { readonly type: "truenas_mail" };

/** `<type>.<logical id>` of the resource in its stack's `cdk.tf.json`. */
export function resourceAddress(ref: ResourceRef): string {
  return `${ref.type}.${logicalId(ref)}`;
}

function logicalId(ref: ResourceRef): string {
  // constructs/zfs-dataset.ts `datasetAddressName`: `/` becomes `--`, `.` and `:` become `_`.
  const byPath = (path: string) => path.replace(/\//g, "--").replace(/[.:]/g, "_");
  switch (ref.type) {
    case "proxmox_virtual_environment_vm": return ref.vmName;
    case "proxmox_hardware_mapping_pci": return ref.mappingName;
    case "truenas_dataset": return byPath(ref.fullPath);
    case "truenas_scrub_task": return ref.pool;
    case "truenas_nfs_share": return byPath(ref.dataset);
    case "truenas_iscsi_portal": return "iscsi";
    case "truenas_iscsi_initiator": return "iscsi";
    case "truenas_periodic_snapshot_task": return byPath(ref.dataset);
    case "truenas_replication_task": return byPath(ref.dataset);
    case "truenas_cloud_backup": return byPath(ref.dataset);
    case "truenas_service": return ref.service;
    case "truenas_nfs_config": return "nfs";
    case "truenas_mail": return "alerts";
  }
}
