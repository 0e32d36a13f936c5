/**
 * What a stack tells Terraform about its state beyond its resources: readable addresses, `moved`,
 * `removed` and `import` blocks, and `prevent_destroy` on what serves clients. Blocks are written
 * without cdktf's helpers that make synth run `terraform version` (importFrom's and terraform_data's
 * version validations): synth needs no Terraform.
 */
import type { IConstruct } from "constructs";
import { TerraformStack, type TerraformResource } from "../lib/cdktf";

type BlockKind = "moved" | "removed" | "import";

// Per stack and kind: the blocks (one stack override, set once, holds this very array) and their keys.
const blocksOf = new WeakMap<TerraformStack, Map<BlockKind, { readonly list: object[]; readonly keys: Set<string> }>>();

/** Adds `block` to the stack's top-level `kind` list, once per `key` (the address it is about). */
function addStackBlock(scope: IConstruct, kind: BlockKind, key: string, block: object): void {
  const stack = TerraformStack.of(scope);
  let kinds = blocksOf.get(stack);
  if (!kinds) blocksOf.set(stack, (kinds = new Map()));
  let blocks = kinds.get(kind);
  if (!blocks) {
    kinds.set(kind, (blocks = { list: [], keys: new Set() }));
    // cdktf keeps the array by reference and merges it at synth: later blocks join it.
    stack.addOverride(kind, blocks.list);
  }
  if (blocks.keys.has(key)) return;
  blocks.keys.add(key);
  blocks.list.push(block);
}

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
  addStackBlock(scope, "moved", from, { from, to });
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

/**
 * Tells Terraform (>= 1.7) to forget the resource at `address` if its state has it, without
 * destroying the real object: how something that holds data leaves Terraform's hands. A block
 * whose address is not in the state does nothing.
 */
export function forgetWithoutDestroying(scope: IConstruct, address: string): void {
  addStackBlock(scope, "removed", address, { from: address, lifecycle: { destroy: false } });
}

/** Tells Terraform (>= 1.5) that the object with `id` already exists and is `to`: the plan imports it. */
export function addImportBlock(scope: IConstruct, to: string, id: string): void {
  addStackBlock(scope, "import", to, { to, id });
}
