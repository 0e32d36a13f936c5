import type { IConstruct } from "constructs";
import { TerraformStack } from "../lib/cdktf";

// All `removed` blocks of a stack: one override holds them all, so each call re-sets the list.
const blocks = new WeakMap<TerraformStack, { from: string; lifecycle: { destroy: false } }[]>();

/**
 * Tells Terraform (>= 1.7) to forget the resource at `address` if its state has it, without
 * destroying the real object: how something that holds data leaves Terraform's hands. A block
 * whose address is not in the state does nothing.
 */
export function forgetWithoutDestroying(scope: IConstruct, address: string): void {
  const stack = TerraformStack.of(scope);
  const list = blocks.get(stack) ?? [];
  if (list.some((b) => b.from === address)) return;
  list.push({ from: address, lifecycle: { destroy: false } });
  blocks.set(stack, list);
  stack.addOverride("removed", [...list]);
}
