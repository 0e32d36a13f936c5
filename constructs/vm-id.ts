import type { IConstruct } from "constructs";
import { invalidProp } from "./errors";

/** What Proxmox VE accepts as a VM id (pve-common `pve_verify_vmid`: `^[1-9][0-9]{2,8}$`). */
export const VM_ID_MIN = 100;
export const VM_ID_MAX = 999_999_999;

// One registry per construct tree (per App): VM ids are unique across every stack of the app,
// since two stacks that both create VM 300 would fight over it on the same cluster.
const claimed = new WeakMap<IConstruct, Map<number, string>>();

/** Validates `vmId` and claims it for `scope`, throwing if another construct of the app holds it. */
export function claimVmId(scope: IConstruct, vmId: number): void {
  if (!Number.isInteger(vmId) || vmId < VM_ID_MIN || vmId > VM_ID_MAX) {
    invalidProp(scope, "vm id out of range", vmId, `integers ${VM_ID_MIN}..${VM_ID_MAX}`);
  }
  const root = scope.node.root;
  let ids = claimed.get(root);
  if (!ids) claimed.set(root, (ids = new Map()));
  const owner = ids.get(vmId);
  if (owner !== undefined) {
    invalidProp(scope, `vm id ${vmId} is already used by ${owner}`, vmId, "ids unique across the app");
  }
  ids.set(vmId, scope.node.path);
}
