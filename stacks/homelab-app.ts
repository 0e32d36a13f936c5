import { Construct } from "constructs";
import { enforceBudgets, type BudgetReport } from "../capacity";
import { ZfsPool } from "../constructs/zfs-pool";
import type { Homelab, TrueNASVmSpec } from "../inventory/types";
import type { TerraformStack } from "../lib/cdktf";
import type { BackendChoice } from "./backend";
import { ComputeStack } from "./compute-stack";
import { csiInstancesFromInventory, K8sStorageStack } from "./k8s-storage-stack";
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
  /** Capacity verdicts for every pool, including those of skipped stacks. */
  readonly capacity: BudgetReport[];
  /** Pools by name, for the manual `pool.create` payloads. */
  readonly pools: ZfsPool[];
  /** Notes for the user (e.g. replication held by its gate). */
  readonly notes: string[];
}

const STORAGE_STACK_BY_ROLE = { primary: "prod-storage", backup: "prod-backup" } as const;

/**
 * Composes a homelab's stacks from its inventory. Stacks whose host is offline are skipped (and
 * listed), but they are still built in a scratch app that is never synthesized: their inventory
 * is checked and their pools are in the capacity verdict, so nothing waits for the host to return.
 * The capacity check runs once over all pools and reports every failing pool at once.
 */
export function buildHomelab(app: Construct, homelab: Homelab, options: HomelabAppOptions = {}): HomelabStacks {
  const backend = options.backend ?? { kind: "local" };
  const inventory = new InventoryIndex(homelab);
  inventory.checkReferences();
  const stacks: TerraformStack[] = [];
  const skipped: SkippedStack[] = [];
  const notes: string[] = [];
  // A second construct tree for skipped stacks: built (so validated) but never synthesized.
  const scratch = new Construct(undefined as unknown as Construct, "skipped");
  const offline = (nodeName: string) => {
    const host = inventory.host(`inventory ${homelab.name}`, nodeName);
    return host.online ? undefined : `host ${nodeName} is offline${host.offlineReason ? ` (${host.offlineReason})` : ""}; set online: true for it in the inventory to synthesize this stack`;
  };
  const replicationTarget = (vm: TrueNASVmSpec) => {
    const r = vm.storage?.replication;
    if (!r) return undefined;
    const target = homelab.truenasVms.find((t) => t.role === r.targetRole);
    if (!target?.storage) throw new Error(`inventory ${homelab.name}/truenasVms/${vm.name}: replication target referenced but never declared (got "${r.targetRole}"; allowed: the role of a TrueNAS VM with storage)`);
    return { nodeName: target.nodeName, online: inventory.host(vm.name, target.nodeName).online, address: target.storage.storageAddress };
  };

  const storageStacks: StorageStack[] = [];
  for (const vm of homelab.truenasVms) {
    const id = STORAGE_STACK_BY_ROLE[vm.role];
    const reason = offline(vm.nodeName);
    const stack = new StorageStack(reason ? scratch : app, id, { inventory, vm, backend, replicationTarget: replicationTarget(vm) });
    storageStacks.push(stack);
    if (reason) skipped.push({ stack: id, reason });
    else stacks.push(stack);
    if (!reason && stack.storage?.replicationHeld) notes.push(`${id}: ${stack.storage.replicationHeld}`);
  }

  const dev = (homelab.talosClusters ?? []).filter((c) => c.environment === "dev");
  if (dev.length > 0) {
    const reason = dev.map((c) => offline(c.nodeName)).find((r) => r !== undefined);
    if (reason) skipped.push({ stack: "dev-compute", reason });
    else stacks.push(new ComputeStack(app, "dev-compute", { inventory, clusters: dev, backend }));
  }

  const k8s = homelab.kubernetesStorage;
  if (k8s) {
    const storageStack = storageStacks.find((st) => st.node.id === STORAGE_STACK_BY_ROLE[k8s.truenasRole]);
    const storage = storageStack?.storage;
    const vm = homelab.truenasVms.find((v) => v.role === k8s.truenasRole);
    if (!storageStack || !storage || !vm?.storage) {
      throw new Error(`inventory ${homelab.name}/kubernetesStorage: TrueNAS referenced but never declared (got "${k8s.truenasRole}"; allowed: the role of a TrueNAS VM with storage)`);
    }
    const reason = offline(vm.nodeName);
    const stack = new K8sStorageStack(reason ? scratch : app, "prod-k8s-storage", {
      backend,
      storageStack,
      pools: [...storage.pools.keys()],
      truenasHost: vm.storage.storageAddress,
      iscsi: storage.iscsi,
      instances: csiInstancesFromInventory(
        k8s.instances,
        (path) => storage.dataset(path),
        k8s.nfsClientVlans.map((v) => inventory.vlan(`inventory ${homelab.name}/kubernetesStorage`, v).cidr),
      ),
    });
    if (reason) skipped.push({ stack: "prod-k8s-storage", reason });
    else stacks.push(stack);
  }

  const pools = storageStacks.flatMap((s) => s.node.findAll().filter((c): c is ZfsPool => c instanceof ZfsPool));
  const capacity = enforceBudgets(pools.map((p) => p.plan()));
  return { stacks, skipped, capacity, pools, notes };
}
