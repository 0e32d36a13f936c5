import { ProxmoxProvider } from "../.gen/providers/proxmox/provider";
import { TruenasProvider } from "../.gen/providers/truenas/provider";
import { TerraformVariable, Token, VariableType, type TerraformStack } from "../lib/cdktf";

/**
 * Provider configuration without a single credential in the JSON. Each setting is a Terraform
 * variable defaulting to null; null makes the provider fall back to its own environment variables.
 * So either `export PROXMOX_VE_API_TOKEN=...` or `TF_VAR_proxmox_ve_api_token=...` works, and the
 * secret variables are `sensitive`, so Terraform never prints them.
 */
function optionalSetting(stack: TerraformStack, name: string, type: string, description: string, sensitive = false): TerraformVariable {
  return new TerraformVariable(stack, name, { type, nullable: true, default: Token.nullValue(), sensitive: sensitive || undefined, description });
}

/** bpg/proxmox; env fallbacks `PROXMOX_VE_ENDPOINT`, `PROXMOX_VE_API_TOKEN`, `PROXMOX_VE_INSECURE`. */
export function addProxmoxProvider(stack: TerraformStack): ProxmoxProvider {
  return new ProxmoxProvider(stack, "proxmox", {
    endpoint: optionalSetting(stack, "proxmox_ve_endpoint", VariableType.STRING, "Proxmox VE API URL, e.g. https://din.lan:8006/ (null: PROXMOX_VE_ENDPOINT)").stringValue,
    apiToken: optionalSetting(stack, "proxmox_ve_api_token", VariableType.STRING, "API token user@realm!id=uuid (null: PROXMOX_VE_API_TOKEN)", true).stringValue,
    insecure: optionalSetting(stack, "proxmox_ve_insecure", VariableType.BOOL, "Skip TLS verification for a self-signed PVE certificate (null: PROXMOX_VE_INSECURE)").booleanValue,
  });
}

/** truenas/truenas (WebSocket API, TrueNAS 25.04+); env fallbacks `TRUENAS_ENDPOINT`, `TRUENAS_API_KEY`. */
export function addTrueNASProvider(stack: TerraformStack): TruenasProvider {
  return new TruenasProvider(stack, "truenas", {
    endpoint: optionalSetting(stack, "truenas_endpoint", VariableType.STRING, "TrueNAS WebSocket endpoint, e.g. wss://10.10.10.5/api/current (null: TRUENAS_ENDPOINT)").stringValue,
    apiKey: optionalSetting(stack, "truenas_api_key", VariableType.STRING, "TrueNAS API key (null: TRUENAS_API_KEY)", true).stringValue,
    insecure: optionalSetting(stack, "truenas_insecure", VariableType.BOOL, "Skip TLS verification for TrueNAS's self-signed certificate").booleanValue,
  });
}
