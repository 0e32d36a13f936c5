import { Construct } from "constructs";
import { enforceBudgets, type BudgetReport } from "../capacity";
import type { ZfsPool } from "../constructs/zfs-pool";
import { invalidProp } from "../constructs/errors";
import type { Homelab, KubernetesStorageSpec, TrueNASVmSpec } from "../inventory/types";
import type { TerraformStack } from "../lib/cdktf";
import type { BackendChoice } from "./backend";
import { ComputeStack } from "./compute-stack";
import { csiInstancesFromInventory, K8sStorageStack } from "./k8s-storage-stack";
import { InventoryIndex } from "./resolve";
import { StorageStack } from "./storage-stack";

export interface HomelabAppOptions {
  /** @default - local state files */
  readonly backend?: BackendChoice;
  /**
   * The data-holder ledger: every data holder (`<stack>: dataset <path>`, `<stack>: pool <name>`)
   * earlier synths recorded. One that vanished from the inventory without being retired stops
   * synth: Terraform enforces `prevent_destroy` only on resources still in the configuration, so a
   * renamed or deleted dataset would otherwise be destroyed by the next apply.
   * @default - none recorded
   */
  readonly recordedDataHolders?: readonly string[];
  /**
   * Prefix of every stack id (`site2-` gives `site2-prod-storage`): several homelabs in one app
   * (the scale benchmark). Stack ids are Terraform state names: never change it for a deployed one.
   * @default "" (the stack ids the README lists)
   */
  readonly stackIdPrefix?: string;
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
  /** Every data holder of this inventory, sorted: the ledger to record. */
  readonly dataHolders: string[];
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
  const prefix = options.stackIdPrefix ?? "";
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
    if (!target?.storage) invalidProp(`inventory ${homelab.name}/truenasVms/${vm.name}`, "replication target referenced but never declared", r.targetRole, "the role of a TrueNAS VM with storage");
    return { nodeName: target.nodeName, online: inventory.host(vm.name, target.nodeName).online, address: target.storage.storageAddress };
  };

  const storageStacks: StorageStack[] = [];
  for (const vm of homelab.truenasVms) {
    const id = prefix + STORAGE_STACK_BY_ROLE[vm.role];
    const reason = offline(vm.nodeName);
    const stack = new StorageStack(reason ? scratch : app, id, {
      inventory,
      vm,
      backend,
      replicationTarget: replicationTarget(vm),
      servesCsiNfs: homelab.kubernetesStorage?.truenasRole === vm.role && homelab.kubernetesStorage.instances.some((i) => i.protocol === "nfs"),
      receivesReplication: homelab.truenasVms.some((other) => other.storage?.replication?.targetRole === vm.role),
    });
    storageStacks.push(stack);
    if (reason) skipped.push({ stack: id, reason });
    else stacks.push(stack);
    if (!reason && stack.storage?.replicationHeld) notes.push(`${id}: ${stack.storage.replicationHeld}`);
  }

  const dev = (homelab.talosClusters ?? []).filter((c) => c.environment === "dev");
  if (dev.length > 0) {
    const reason = dev.map((c) => offline(c.nodeName)).find((r) => r !== undefined);
    if (reason) skipped.push({ stack: `${prefix}dev-compute`, reason });
    else stacks.push(new ComputeStack(app, `${prefix}dev-compute`, { inventory, clusters: dev, backend }));
  }

  if (homelab.kubernetesStorage) {
    const k8s = homelab.kubernetesStorage;
    const storageStack = storageStacks.find((st) => st.node.id === prefix + STORAGE_STACK_BY_ROLE[k8s.truenasRole]);
    const vm = homelab.truenasVms.find((v) => v.role === k8s.truenasRole)!;
    if (!storageStack?.storage) {
      invalidProp(`inventory ${homelab.name}/kubernetesStorage`, "TrueNAS referenced but never declared", k8s.truenasRole, "the role of a TrueNAS VM with storage");
    }
    const reason = offline(vm.nodeName);
    const stack = kubernetesStorageStack(reason ? scratch : app, `${prefix}prod-k8s-storage`, inventory, storageStack, k8s, backend);
    if (reason) skipped.push({ stack: stack.node.id, reason });
    else stacks.push(stack);
  }

  const dataHolders = storageStacks.flatMap((st) => (st.storage?.dataHolders() ?? []).map((h) => `${st.node.id}: ${h}`)).sort();
  const retired = new Set(storageStacks.flatMap((st) => (st.storage?.retiredDatasets ?? []).map((p) => `${st.node.id}: dataset ${p}`)));
  checkNothingVanished(options.recordedDataHolders ?? [], dataHolders, retired);

  const pools = storageStacks.flatMap((s) => [...(s.storage?.pools.values() ?? [])]);
  const capacity = enforceBudgets(pools.map((p) => p.plan()));
  return { stacks, skipped, capacity, pools, notes, dataHolders };
}

/** prod-k8s-storage: democratic-csi on the datasets and iSCSI portal of `storageStack`. */
function kubernetesStorageStack(scope: Construct, id: string, inventory: InventoryIndex, storageStack: StorageStack, k8s: KubernetesStorageSpec, backend: BackendChoice): K8sStorageStack {
  const storage = storageStack.storage!;
  const path = `inventory ${inventory.homelab.name}/kubernetesStorage`;
  return new K8sStorageStack(scope, id, {
    backend,
    storageStack,
    pools: [...storage.pools.keys()],
    truenasHost: storage.storageAddress,
    iscsi: storage.iscsi,
    instances: csiInstancesFromInventory(k8s.instances, (p) => storage.dataset(p), k8s.nfsClientVlans.map((v) => inventory.vlan(path, v).cidr)),
  });
}

/** Every recorded data holder is still declared or explicitly retired; all offenders at once. */
function checkNothingVanished(recorded: readonly string[], current: readonly string[], retired: ReadonlySet<string>): void {
  const now = new Set(current);
  const vanished = recorded.filter((h) => !now.has(h) && !retired.has(h));
  if (vanished.length === 0) return;
  throw new Error(vanished.map((h) => {
    const [stack, what] = h.split(": ");
    const [kind, name] = what.split(" ");
    const allowed = kind === "dataset"
      ? "keep it in the inventory, or list it in retiredDatasets (Terraform then forgets it and the data stays on TrueNAS)"
      : 'keep it in the inventory (creation "adopt" makes Terraform forget it without touching it)';
    return `${stack}: ${kind} ${name} is in the data-holder ledger but no longer in the inventory; the next apply would destroy it and its data (got ${JSON.stringify(name)}; allowed: ${allowed})`;
  }).join("\n"));
}
