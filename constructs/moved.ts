import type { IConstruct } from "constructs";
import { TerraformStack, type TerraformResource } from "../lib/cdktf";

// All `moved` blocks of a stack: one override holds them all, so each call re-sets the list.
const blocks = new WeakMap<TerraformStack, { from: string; to: string }[]>();

/**
 * Context key: set on a stack whose state may hold resources under the hashed addresses cdktf
 * derives from construct paths (this project's stacks before readable addresses, 2026-11). Each
 * `readableAddress` there also writes a `moved` block from the hashed address, so such state
 * follows without a destroy. Remove once every deployment has applied once since.
 */
export const MOVE_FROM_HASHED_ADDRESSES = "homelab-cdktf:moveFromHashedAddresses";

/**
 * Gives `resource` the Terraform address `<type>.<logicalId>`, readable and predictable (what an
 * import file, a `removed` block or a plan names), instead of the hashed one cdktf derives from the
 * construct path. Call it before anything references the resource (cdktf fixes the address then).
 */
export function readableAddress(resource: TerraformResource, logicalId: string): string {
  // getLogicalId, not friendlyUniqueId: that one caches, and the override would be ignored.
  const from = `${resource.terraformResourceType}.${TerraformStack.of(resource).getLogicalId(resource)}`;
  resource.overrideLogicalId(logicalId);
  const to = `${resource.terraformResourceType}.${logicalId}`;
  // A `moved` block whose source is not in the state does nothing.
  if (from !== to && resource.node.tryGetContext(MOVE_FROM_HASHED_ADDRESSES) === true) addMovedBlock(resource, from, to);
  return to;
}

/** Tells Terraform that state at `from` is now `to` (same resource type). */
export function addMovedBlock(scope: IConstruct, from: string, to: string): void {
  const stack = TerraformStack.of(scope);
  const list = blocks.get(stack) ?? [];
  if (list.some((b) => b.from === from)) return;
  list.push({ from, to });
  blocks.set(stack, list);
  stack.addOverride("moved", [...list]);
}

/** The Terraform address of a resource. */
export function addressOf(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/**
 * `prevent_destroy` on something that serves clients or runs a task (a service, share, portal,
 * task): a plan that would delete or replace it fails. Leaving Terraform's hands goes through an
 * explicit retirement (a `removed` block with `destroy = false`).
 */
export function protectFromDestroy(resource: TerraformResource): void {
  resource.lifecycle = { ...resource.lifecycle, preventDestroy: true };
}
