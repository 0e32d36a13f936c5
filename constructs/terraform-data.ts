import type { Construct } from "constructs";
import { TerraformResource } from "../lib/cdktf";

export interface TerraformDataProps {
  /** The value Terraform stores; a change to it is an in-place update, visible to `replace_triggered_by`. */
  readonly input: Record<string, unknown>;
}

/**
 * Terraform's built-in `terraform_data` (Terraform >= 1.4), without cdktf's DataResource: that one
 * adds a validation which runs `terraform version` at every synth, and synth must not need
 * Terraform installed. The project requires Terraform >= 1.11 anyway (write-only attributes).
 */
export class TerraformData extends TerraformResource {
  private readonly input: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: TerraformDataProps) {
    super(scope, id, { terraformResourceType: "terraform_data", terraformGeneratorMetadata: { providerName: "terraform" } });
    this.input = props.input;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.input };
  }
}
