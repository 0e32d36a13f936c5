import type { Construct } from "constructs";
import type { Homelab } from "../inventory/types";
import type { TerraformStack } from "../lib/cdktf";
import type { BackendChoice } from "./backend";
import { ComputeStack } from "./compute-stack";
import { InventoryIndex } from "./resolve";
import { StorageStack } from "./storage-stack";

export interface HomelabAppOptions {
  /** @default - local state files */
  readonly backend?: BackendChoice;
}

export interface SkippedStack {
  readonly stack: string;
  readonly reason: string;
}

export interface HomelabStacks {
  readonly stacks: TerraformStack[];
  readonly skipped: SkippedStack[];
}

const STORAGE_STACK_BY_ROLE = { primary: "prod-storage", backup: "prod-backup" } as const;

/**
 * Composes a homelab's stacks from its inventory. Stacks whose host is offline are skipped (and
 * listed), but their inventory is still checked, so a typo never waits for the host to come back.
 */
export function buildHomelab(app: Construct, homelab: Homelab, options: HomelabAppOptions = {}): HomelabStacks {
  const backend = options.backend ?? { kind: "local" };
  const inventory = new InventoryIndex(homelab);
  inventory.checkReferences();
  const stacks: TerraformStack[] = [];
  const skipped: SkippedStack[] = [];
  const offline = (nodeName: string) => {
    const host = inventory.host(`inventory ${homelab.name}`, nodeName);
    return host.online ? undefined : `host ${nodeName} is offline${host.offlineReason ? ` (${host.offlineReason})` : ""}; set online: true for it in the inventory to synthesize this stack`;
  };

  for (const vm of homelab.truenasVms) {
    const id = STORAGE_STACK_BY_ROLE[vm.role];
    const reason = offline(vm.nodeName);
    if (reason) skipped.push({ stack: id, reason });
    else stacks.push(new StorageStack(app, id, { inventory, vm, backend }));
  }

  const dev = (homelab.talosClusters ?? []).filter((c) => c.environment === "dev");
  if (dev.length > 0) {
    const reason = dev.map((c) => offline(c.nodeName)).find((r) => r !== undefined);
    if (reason) skipped.push({ stack: "dev-compute", reason });
    else stacks.push(new ComputeStack(app, "dev-compute", { inventory, clusters: dev, backend }));
  }
  return { stacks, skipped };
}
