import { Construct } from "constructs";
import { enforceBudgets, type BudgetReport } from "../capacity";
import { InvalidInputError, invalidProp } from "../constructs/errors";
import { addImportBlock, addMovedBlock, addressOf, forgetWithoutDestroying } from "../constructs/state-blocks";
import type { ZfsPool } from "../constructs/zfs-pool";
import { InventoryIndex } from "../inventory/inventory-index";
import { checkInventory } from "../inventory/check-inventory";
import type { CsiInstanceEntry, Homelab, TrueNASVmEntry } from "../inventory/types";
import { TerraformResource, type TerraformStack } from "../lib/cdktf";
import type { BackendChoice } from "./backend";
import { ComputeStack } from "./compute-stack";
import type { ImportsFile } from "./imports";
import { K8sStorageStack, type K8sCsiInstanceOptions } from "./k8s-storage-stack";
import { reconcileLedger, type Ledger } from "./ledger";
import { DEV_COMPUTE_STACK, K8S_STORAGE_STACK, STORAGE_STACK_BY_ROLE } from "./stack-ids";
import { StorageStack } from "./storage-stack";

export interface HomelabAppOptions {
  /** @default - local state files */
  readonly backend?: BackendChoice;
  /**
   * The ledger earlier synths recorded (stacks/ledger.ts): what holds data or serves clients. One
   * that vanished from the inventory without being retired stops synth: Terraform enforces
   * `prevent_destroy` only on resources still in the configuration.
   * @default - none recorded
   */
  readonly ledger?: Ledger;
  /**
   * What already exists, by stack and Terraform address, with its import id (stacks/imports.ts):
   * imported instead of created. Scrub tasks are synthesized only for pools whose task id is here.
   * @default - nothing exists yet
   */
  readonly imports?: ImportsFile;
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
  /** The ledger to record. */
  readonly ledger: Ledger;
}

/**
 * Composes a homelab's stacks from its inventory, in named steps: the inventory is checked up
 * front; storage, compute and Kubernetes-storage stacks are placed (a stack whose host is offline
 * is built in a scratch tree that is never synthesized, so it is still checked and its pools are
 * in the capacity verdict); then the ledger, the import blocks and the capacity budgets of every pool.
 */
export function buildHomelab(app: Construct, homelab: Homelab, options: HomelabAppOptions = {}): HomelabStacks {
  const composer = new HomelabComposer(app, homelab, options);
  const storageStacks = composer.addStorageStacks();
  composer.addComputeStack();
  composer.addKubernetesStorageStack(storageStacks);
  const ledger = composer.reconcileLedger(storageStacks, options.ledger ?? {});
  composer.addImports(options.imports ?? {});
  const pools = storageStacks.flatMap((s) => [...(s.storage?.pools.values() ?? [])]);
  const capacity = enforceBudgets(pools.map((p) => p.plan()));
  return { stacks: composer.stacks, skipped: composer.skipped, capacity, pools, notes: composer.notes, ledger };
}

/** Places each stack in the app, or, when its host is offline, in the scratch tree. */
class HomelabComposer {
  readonly stacks: TerraformStack[] = [];
  readonly skipped: SkippedStack[] = [];
  readonly notes: string[] = [];
  private readonly inventory: InventoryIndex;
  private readonly backend: BackendChoice;
  private readonly prefix: string;
  private readonly imports: ImportsFile;
  private readonly all: TerraformStack[] = [];
  // A second construct tree for skipped stacks: built (so validated) but never synthesized.
  private readonly scratch = new Construct(undefined as unknown as Construct, "skipped");

  constructor(private readonly app: Construct, private readonly homelab: Homelab, options: HomelabAppOptions) {
    this.prefix = options.stackIdPrefix ?? "";
    this.backend = options.backend ?? { kind: "local" };
    this.imports = options.imports ?? {};
    // Every inventory rule, once, for every stack (online or skipped), before any construct is built.
    const { warnings, facts } = checkInventory(homelab, { storageStackIdOf: (role) => this.prefix + STORAGE_STACK_BY_ROLE[role] });
    this.notes.push(...warnings);
    this.inventory = new InventoryIndex(facts);
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
        scrubTaskIds: this.scrubTaskIds(id, vm),
      });
      this.place(stack, reason);
      if (!reason && stack.storage?.replicationHeld) this.notes.push(`${id}: ${stack.storage.replicationHeld}`);
      if (!reason && stack.storage && stack.storage.scrubsHeld.length > 0) this.notes.push(scrubsHeldNote(id, stack.storage.scrubsHeld, this.homelab.name));
      return stack;
    });
  }

  /** dev-compute: the dev Talos clusters. */
  addComputeStack(): void {
    const dev = (this.homelab.talosClusters ?? []).filter((c) => c.environment === "dev");
    if (dev.length === 0) return;
    const id = this.prefix + DEV_COMPUTE_STACK;
    const reason = dev.map((c) => this.offline(c.nodeName)).find((r) => r !== undefined);
    if (reason) this.skipped.push({ stack: id, reason });
    else this.place(new ComputeStack(this.app, id, { inventory: this.inventory, clusters: dev, backend: this.backend }), undefined);
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
    const stack = new K8sStorageStack(reason ? this.scratch : this.app, this.prefix + K8S_STORAGE_STACK, {
      backend: this.backend,
      truenas: storageStack.storage,
      nfsClientNetworks: k8s.nfsClientVlans.map((v) => this.inventory.vlan(path, v).cidr),
      instances: k8s.instances.map(csiInstanceOptions),
    });
    this.place(stack, reason);
  }

  /**
   * The ledger step: what holds data or serves clients now, against what was recorded. Retired
   * holders get `removed` blocks, moved ones `moved` blocks; a vanished one stops synth.
   */
  reconcileLedger(storageStacks: readonly StorageStack[], recorded: Ledger): Ledger {
    const current = storageStacks.flatMap((st) => st.heldObjects().map((h) => ({ stack: st.node.id, ...h })));
    const retiring = storageStacks.flatMap((st) => {
      const vm = this.homelab.truenasVms.find((v) => this.prefix + STORAGE_STACK_BY_ROLE[v.role] === st.node.id)!;
      const path = `inventory ${this.homelab.name}/truenasVms/${vm.name}/storage/retired`;
      return (vm.storage?.retired ?? []).map((label) => ({ stack: st.node.id, label, inventoryPath: path }));
    });
    const outcome = reconcileLedger(recorded, current, retiring);
    if (outcome.problems.length > 0) throw new InvalidInputError(outcome.problems);
    const byId = new Map(storageStacks.map((st) => [st.node.id, st]));
    for (const f of outcome.forget) forgetWithoutDestroying(byId.get(f.stack)!, f.address);
    for (const m of outcome.moved) addMovedBlock(byId.get(m.stack)!, m.from, m.to);
    return outcome.ledger;
  }

  /**
   * The imports step: every resource the imports file names in a stack gets an `import` block.
   * Entries for what a stack does not declare now (replication held while its target is offline)
   * are left for later, with a note.
   */
  addImports(imports: ImportsFile): void {
    for (const stack of this.all) {
      const wanted = imports[stack.node.id];
      if (!wanted) continue;
      const byAddress = new Map<string, TerraformResource>();
      for (const c of stack.node.findAll()) if (c instanceof TerraformResource) byAddress.set(addressOf(c), c);
      const unused: string[] = [];
      for (const [address, id] of Object.entries(wanted)) {
        const resource = byAddress.get(address);
        if (resource) addImportBlock(stack, address, id);
        else unused.push(address);
      }
      if (unused.length > 0 && this.stacks.includes(stack)) {
        this.notes.push(`${stack.node.id}: imports not used (nothing declared at ${unused.join(", ")}; held or removed from the inventory)`);
      }
    }
  }

  private scrubTaskIds(stackId: string, vm: TrueNASVmEntry): Record<string, string> {
    const ids: Record<string, string> = {};
    for (const pool of vm.storage?.pools ?? []) {
      const id = this.imports[stackId]?.[`truenas_scrub_task.${pool.name}`];
      if (id !== undefined) ids[pool.name] = id;
    }
    return ids;
  }

  private place(stack: TerraformStack, reason: string | undefined): void {
    this.all.push(stack);
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

/** Why a pool's scrub schedule is not synthesized yet, and how to get the task's id. */
function scrubsHeldNote(stack: string, pools: readonly string[], homelabName: string): string {
  return `${stack}: scrub schedule held for pool${pools.length === 1 ? "" : "s"} ${pools.join(", ")}: TrueNAS made a scrub task when it created each pool and refuses a second one, ` +
    `so synth imports it once its id is known: run npm run discover, or put the id from \`midclt call pool.scrub.query\` in inventory/${homelabName}.imports.json as "truenas_scrub_task.<pool>"`;
}
