import { Construct } from "constructs";
import { enforceBudgets, type BudgetReport } from "../capacity";
import { InvalidInputError, invalidProp } from "../constructs/errors";
import type { ZfsPool } from "../constructs/zfs-pool";
import { InventoryIndex } from "../inventory/inventory-index";
import type { CsiInstanceEntry, Homelab, TrueNASVmEntry } from "../inventory/types";
import type { TerraformStack } from "../lib/cdktf";
import type { BackendChoice } from "./backend";
import { ComputeStack } from "./compute-stack";
import { K8sStorageStack, type K8sCsiInstanceOptions } from "./k8s-storage-stack";
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
 * Composes a homelab's stacks from its inventory, in named steps: the inventory is checked up
 * front; storage, compute and Kubernetes-storage stacks are placed (a stack whose host is offline
 * is built in a scratch tree that is never synthesized, so it is still checked and its pools are
 * in the capacity verdict); then the data-holder ledger and the capacity budgets of every pool.
 */
export function buildHomelab(app: Construct, homelab: Homelab, options: HomelabAppOptions = {}): HomelabStacks {
  const composer = new HomelabComposer(app, homelab, options);
  const storageStacks = composer.addStorageStacks();
  composer.addComputeStack();
  composer.addKubernetesStorageStack(storageStacks);
  const dataHolders = checkLedger(storageStacks, options.recordedDataHolders ?? []);
  const pools = storageStacks.flatMap((s) => [...(s.storage?.pools.values() ?? [])]);
  const capacity = enforceBudgets(pools.map((p) => p.plan()));
  return { stacks: composer.stacks, skipped: composer.skipped, capacity, pools, notes: composer.notes, dataHolders };
}

/** Places each stack in the app, or, when its host is offline, in the scratch tree. */
class HomelabComposer {
  readonly stacks: TerraformStack[] = [];
  readonly skipped: SkippedStack[] = [];
  readonly notes: string[] = [];
  private readonly inventory: InventoryIndex;
  private readonly backend: BackendChoice;
  private readonly prefix: string;
  // A second construct tree for skipped stacks: built (so validated) but never synthesized.
  private readonly scratch = new Construct(undefined as unknown as Construct, "skipped");

  constructor(private readonly app: Construct, private readonly homelab: Homelab, options: HomelabAppOptions) {
    this.inventory = new InventoryIndex(homelab);
    this.inventory.checkReferences();
    this.backend = options.backend ?? { kind: "local" };
    this.prefix = options.stackIdPrefix ?? "";
  }

  /** prod-storage and prod-backup: one per TrueNAS VM. */
  addStorageStacks(): StorageStack[] {
    const { homelab, inventory } = this;
    return homelab.truenasVms.map((vm) => {
      const id = this.prefix + STORAGE_STACK_BY_ROLE[vm.role];
      const reason = this.offline(vm.nodeName);
      const stack = new StorageStack(reason ? this.scratch : this.app, id, {
        inventory,
        vm,
        backend: this.backend,
        replicationTarget: this.replicationTarget(vm),
        servesCsiNfs: homelab.kubernetesStorage?.truenasRole === vm.role && homelab.kubernetesStorage.instances.some((i) => i.protocol === "nfs"),
        receivesReplication: homelab.truenasVms.some((other) => other.storage?.replication?.targetRole === vm.role),
      });
      this.place(stack, reason);
      if (!reason && stack.storage?.replicationHeld) this.notes.push(`${id}: ${stack.storage.replicationHeld}`);
      return stack;
    });
  }

  /** dev-compute: the dev Talos clusters. */
  addComputeStack(): void {
    const dev = (this.homelab.talosClusters ?? []).filter((c) => c.environment === "dev");
    if (dev.length === 0) return;
    const id = `${this.prefix}dev-compute`;
    const reason = dev.map((c) => this.offline(c.nodeName)).find((r) => r !== undefined);
    if (reason) this.skipped.push({ stack: id, reason });
    else this.stacks.push(new ComputeStack(this.app, id, { inventory: this.inventory, clusters: dev, backend: this.backend }));
  }

  /** prod-k8s-storage: democratic-csi on the datasets and iSCSI portal of one TrueNAS. */
  addKubernetesStorageStack(storageStacks: readonly StorageStack[]): void {
    const k8s = this.homelab.kubernetesStorage;
    if (!k8s) return;
    const path = `inventory ${this.homelab.name}/kubernetesStorage`;
    const storageStack = storageStacks.find((st) => st.node.id === this.prefix + STORAGE_STACK_BY_ROLE[k8s.truenasRole]);
    if (!storageStack?.storage) invalidProp(path, "TrueNAS referenced but never declared", k8s.truenasRole, "the role of a TrueNAS VM with storage");
    const vm = this.homelab.truenasVms.find((v) => v.role === k8s.truenasRole)!;
    const reason = this.offline(vm.nodeName);
    const stack = new K8sStorageStack(reason ? this.scratch : this.app, `${this.prefix}prod-k8s-storage`, {
      backend: this.backend,
      truenas: storageStack.storage,
      nfsClientNetworks: k8s.nfsClientVlans.map((v) => this.inventory.vlan(path, v).cidr),
      instances: k8s.instances.map(csiInstanceOptions),
    });
    this.place(stack, reason);
  }

  private place(stack: TerraformStack, reason: string | undefined): void {
    if (reason) this.skipped.push({ stack: stack.node.id, reason });
    else this.stacks.push(stack);
  }

  private offline(nodeName: string): string | undefined {
    const host = this.inventory.host(`inventory ${this.homelab.name}`, nodeName);
    return host.online ? undefined : `host ${nodeName} is offline${host.offlineReason ? ` (${host.offlineReason})` : ""}; set online: true for it in the inventory to synthesize this stack`;
  }

  private replicationTarget(vm: TrueNASVmEntry) {
    const r = vm.storage?.replication;
    if (!r) return undefined;
    const target = this.homelab.truenasVms.find((t) => t.role === r.targetRole);
    if (!target?.storage) invalidProp(`inventory ${this.homelab.name}/truenasVms/${vm.name}`, "replication target referenced but never declared", r.targetRole, "the role of a TrueNAS VM with storage");
    return { targetNodeName: target.nodeName, targetOnline: this.inventory.host(vm.name, target.nodeName).online, targetAddress: target.storage.storageAddress };
  }
}

/** An inventory CSI instance as the stack's options (its datasets stay full paths, resolved by the TrueNAS). */
export function csiInstanceOptions({ dataset, snapshotsDataset, mountOptions, ...options }: CsiInstanceEntry): K8sCsiInstanceOptions {
  return { ...options, datasetFullPath: dataset, snapshotsDatasetFullPath: snapshotsDataset, mountOptions: mountOptions ? [...mountOptions] : undefined };
}

/**
 * The data-holder ledger: every recorded holder is still declared or explicitly retired (all
 * offenders at once). Returns the holders to record.
 */
function checkLedger(storageStacks: readonly StorageStack[], recorded: readonly string[]): string[] {
  const current = storageStacks.flatMap((st) => (st.storage?.dataHolders() ?? []).map((h) => `${st.node.id}: ${h}`)).sort();
  const retired = new Set(storageStacks.flatMap((st) => (st.storage?.retiredDatasetFullPaths ?? []).map((p) => `${st.node.id}: dataset ${p}`)));
  const now = new Set(current);
  const vanished = recorded.filter((h) => !now.has(h) && !retired.has(h));
  if (vanished.length > 0) {
    throw new InvalidInputError(vanished.map((h) => {
      const [stack, what] = h.split(": ");
      const [kind, name] = what.split(" ");
      const allowed = kind === "dataset"
        ? "keep it in the inventory, or list it in retiredDatasets (Terraform then forgets it and the data stays on TrueNAS)"
        : 'keep it in the inventory (creation "adopt" makes Terraform forget it without touching it)';
      return `${stack}: ${kind} ${name} is in the data-holder ledger but no longer in the inventory; the next apply would destroy it and its data (got ${JSON.stringify(name)}; allowed: ${allowed})`;
    }));
  }
  return current;
}
