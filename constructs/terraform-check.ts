import type { IConstruct } from "constructs";
import { TerraformStack } from "../lib/cdktf";
import { invalidProp } from "./errors";

/** One `assert` of a check block: a condition and the message Terraform shows when it is false. */
export interface CheckAssertion {
  /** A Terraform expression that must be true, as a template string (`"${a == b}"`). */
  readonly condition: string;
  /** A Terraform template string; it may interpolate values (`"size ${data.x.size}"`). */
  readonly error_message: string;
}

/** The body of a Terraform `check` block in JSON syntax (Terraform >= 1.5). */
export interface CheckBlock {
  /** A comment Terraform ignores (JSON syntax's `//`); `npm run verify` reads it. */
  readonly "//"?: Record<string, string>;
  /** Scoped data sources: `{ <type>: { <name>: { <arguments> } } }`, read when the check runs. */
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly assert: readonly CheckAssertion[];
}

// Check names per stack: a block name is unique in its module.
const names = new WeakMap<TerraformStack, Set<string>>();
const CHECK_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Adds a Terraform `check` block (>= 1.5) to `scope`'s stack. CDKTF 0.21 has no construct for
 * them, so each is an override at `check.<name>`: the blocks of a stack merge, whoever adds them.
 * A failed assertion is a warning at plan and apply (never an error): `npm run verify` reads the
 * results. Returns the address, `check.<name>`.
 */
export function addTerraformCheck(scope: IConstruct, name: string, block: CheckBlock): string {
  if (!CHECK_NAME.test(name)) invalidProp(scope, "invalid check block name", name, "a letter or '_', then letters, digits, '_' or '-'");
  const stack = TerraformStack.of(scope);
  const seen = names.get(stack) ?? new Set<string>();
  if (seen.has(name)) invalidProp(scope, "check block declared twice in the stack", name, "a name unique in its stack");
  seen.add(name);
  names.set(stack, seen);
  stack.addOverride(`check.${name}`, block);
  return `check.${name}`;
}
