import type { IConstruct } from "constructs";
import { TerraformStack, TerraformVariable, VariableType } from "../lib/cdktf";
import { invalidProp } from "./errors";

export interface SecretFromVariableOptions {
  /** What the secret is, for `terraform plan`'s prompt and the variable's description. */
  readonly description: string;
  /**
   * An ephemeral variable (Terraform >= 1.10): never in the state nor the saved plan, so it can
   * only feed write-only arguments, and must be set at plan and at apply.
   * @default false (sensitive, kept out of plan output; where it lands depends on the argument)
   */
  readonly ephemeral?: boolean;
}

/**
 * A secret, which can only come from a Terraform variable: never a literal in code, never in
 * cdk.tf.json. It carries a version, `<name>_version` (`TF_VAR_<name>_version`, default 1):
 * write-only arguments are invisible to Terraform, so bumping the version after rotating the
 * secret is what makes the next apply send it again (wired to the provider's `*_wo_version` /
 * `data_wo_revision`, or to `replace_triggered_by` where the provider has none).
 */
export class SecretValue {
  /**
   * The secret in the sensitive variable `name` of `scope`'s stack (no default: a missing one
   * fails the plan instead of sending null), and its version variable `<name>_version`.
   */
  static fromVariable(scope: IConstruct, name: string, options: SecretFromVariableOptions): SecretValue {
    const stack = TerraformStack.of(scope);
    const variable = new TerraformVariable(stack, name, { type: VariableType.STRING, sensitive: true, nullable: false, description: options.description });
    // CDKTF 0.21 has no option for ephemeral variables, hence the override.
    if (options.ephemeral) variable.addOverride("ephemeral", true);
    const version = new TerraformVariable(stack, `${name}_version`, {
      type: VariableType.NUMBER,
      default: 1,
      nullable: false,
      description: `Version of ${name}: bump it (TF_VAR_${name}_version) after rotating the secret, so the next apply sends it again`,
    });
    return new SecretValue(name, variable.stringValue, version.numberValue);
  }

  /** Whether `x` is a SecretValue (a literal string is not: it would be written into cdk.tf.json). */
  static isSecretValue(x: unknown): x is SecretValue {
    return x instanceof SecretValue;
  }

  /**
   * Checks at synth that a prop is a SecretValue: synth runs without a type check, so a literal
   * could otherwise slip through into cdk.tf.json.
   */
  static check(scope: IConstruct, prop: string, x: unknown): SecretValue {
    if (!SecretValue.isSecretValue(x)) {
      invalidProp(scope, `${prop} is not a secret from a Terraform variable, and would be written into cdk.tf.json`, whatWasGiven(x), "SecretValue.fromVariable(...)");
    }
    return x;
  }

  private constructor(
    /** The Terraform variable holding it (`TF_VAR_<variableName>`). */
    readonly variableName: string,
    /** The secret, as a Terraform reference (`${var.<name>}`): for write-only or sensitive arguments only. */
    readonly value: string,
    /** Its version, as a Terraform reference (`${var.<name>_version}`). */
    readonly version: number,
  ) {}
}

/** Never echo what might be a secret: say what kind of thing was given instead. */
function whatWasGiven(x: unknown): { toString(): string } {
  const what = typeof x === "string" ? `a literal string of ${x.length} characters` : x === undefined ? "nothing" : `a ${typeof x}`;
  return { toString: () => what };
}
