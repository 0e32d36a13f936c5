import { ProxmoxProvider } from "../.gen/providers/proxmox/provider";
import { TerraformVariable, Token, VariableType, type TerraformStack } from "../lib/cdktf";

/**
 * The bpg/proxmox provider, configured without a single credential in the JSON.
 *
 * Each setting is a Terraform variable defaulting to null; null makes the provider fall back to
 * its own environment variables (`PROXMOX_VE_ENDPOINT`, `PROXMOX_VE_API_TOKEN`,
 * `PROXMOX_VE_INSECURE`). So either `export PROXMOX_VE_API_TOKEN=...` or
 * `TF_VAR_proxmox_ve_api_token=...` works, and the token variable is `sensitive`, so Terraform
 * never prints it.
 */
export function addProxmoxProvider(stack: TerraformStack): ProxmoxProvider {
  const endpoint = new TerraformVariable(stack, "proxmox_ve_endpoint", {
    type: VariableType.STRING,
    nullable: true,
    default: Token.nullValue(),
    description: "Proxmox VE API URL, e.g. https://din.lan:8006/ (null: PROXMOX_VE_ENDPOINT)",
  });
  const apiToken = new TerraformVariable(stack, "proxmox_ve_api_token", {
    type: VariableType.STRING,
    nullable: true,
    default: Token.nullValue(),
    sensitive: true,
    description: "API token user@realm!id=uuid (null: PROXMOX_VE_API_TOKEN)",
  });
  const insecure = new TerraformVariable(stack, "proxmox_ve_insecure", {
    type: VariableType.BOOL,
    nullable: true,
    default: Token.nullValue(),
    description: "Skip TLS verification for a self-signed PVE certificate (null: PROXMOX_VE_INSECURE)",
  });
  return new ProxmoxProvider(stack, "proxmox", {
    endpoint: endpoint.stringValue,
    apiToken: apiToken.stringValue,
    insecure: insecure.booleanValue,
  });
}
