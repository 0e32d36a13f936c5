import { Construct } from "constructs";
import { Testing, TerraformStack, type TerraformResource } from "../lib/cdktf";
import { Size, type PoolLayout } from "../capacity";
import { ZfsPool } from "../constructs/zfs-pool";
import { addProxmoxProvider, addTrueNASProvider } from "../stacks/providers";

/** Synthesized Terraform JSON of one stack. */
export type TfJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, unknown[]>;
  variable?: Record<string, Record<string, unknown>>;
  output?: Record<string, Record<string, unknown>>;
  terraform?: Record<string, any>;
};

export function synth(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** All resources of a type, keyed by logical id. */
export function resourcesOf(json: TfJson, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** The synthesized JSON of one resource construct. */
export function jsonOf(json: TfJson, resource: TerraformResource): any {
  const r = json.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId];
  if (!r) throw new Error(`no ${resource.terraformResourceType} ${resource.friendlyUniqueId} in the synthesized stack`);
  return r;
}

/** A fresh app and stack with the Proxmox provider, for construct tests. */
export function proxmoxTestStack(): { app: Construct; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  addProxmoxProvider(stack);
  return { app, stack };
}

/** A fresh app and stack with the TrueNAS provider, for storage construct tests. */
export function truenasTestStack(): { app: Construct; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  addTrueNASProvider(stack);
  return { app, stack };
}

/** A small pool: one RAIDZ1 of three 4 TB disks (usable about 7.6 TB). */
export const smallLayout: PoolLayout = {
  ashift: 12,
  partitionScheme: "truenas-25.04",
  vdevs: [{ type: "raidz1", disks: [Size.terabytes(4), Size.terabytes(4), Size.terabytes(4)] }],
};

export function smallPool(stack: TerraformStack, name = "tank"): ZfsPool {
  return ZfsPool.fromName(stack, `pool-${name}`, { name, layout: smallLayout });
}
