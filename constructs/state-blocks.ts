/**
 * What a stack tells Terraform about its state beyond its resources: readable addresses, `moved`,
 * `removed` and `import` blocks, and `prevent_destroy` on what serves clients. Each kind of block
 * is one override per stack holding all of them (so each call re-sets the list), written without
 * cdktf's helpers that make synth run `terraform version` (importFrom's and terraform_data's
 * version validations): synth needs no Terraform.
 */
import type { IConstruct } from "constructs";
import { TerraformStack, type TerraformResource } from "../lib/cdktf";

// All `moved` blocks of a stack: one override holds them all, so each call re-sets the list.
const movedBlocks = new WeakMap<TerraformStack, { from: string; to: string }[]>();

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
  const list = movedBlocks.get(stack) ?? [];
  if (list.some((b) => b.from === from)) return;
  list.push({ from, to });
  movedBlocks.set(stack, list);
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

// All `removed` blocks of a stack: one override holds them all, so each call re-sets the list.
const removedBlocks = new WeakMap<TerraformStack, { from: string; lifecycle: { destroy: false } }[]>();

/**
 * Tells Terraform (>= 1.7) to forget the resource at `address` if its state has it, without
 * destroying the real object: how something that holds data leaves Terraform's hands. A block
 * whose address is not in the state does nothing.
 */
export function forgetWithoutDestroying(scope: IConstruct, address: string): void {
  const stack = TerraformStack.of(scope);
  const list = removedBlocks.get(stack) ?? [];
  if (list.some((b) => b.from === address)) return;
  list.push({ from: address, lifecycle: { destroy: false } });
  removedBlocks.set(stack, list);
  stack.addOverride("removed", [...list]);
}

// All `import` blocks of a stack.
const importBlocks = new WeakMap<TerraformStack, { to: string; id: string }[]>();

/** Tells Terraform (>= 1.5) that the object with `id` already exists and is `to`: the plan imports it. */
export function addImportBlock(scope: IConstruct, to: string, id: string): void {
  const stack = TerraformStack.of(scope);
  const list = importBlocks.get(stack) ?? [];
  if (list.some((b) => b.to === to)) return;
  list.push({ to, id });
  importBlocks.set(stack, list);
  stack.addOverride("import", [...list]);
}
