import { Construct } from "constructs";
import { DataTruenasPool } from "../.gen/providers/truenas/data-truenas-pool";
import { Pool } from "../.gen/providers/truenas/pool";
import { checkPoolBudget, explain, poolCapacity, type BudgetThresholds, type PoolCapacity, type PoolLayout, type PoolPlan } from "../capacity";
import { DatasetTree } from "./dataset-tree";
import { Problems } from "./errors";
import { forgetWithoutDestroying } from "./state-blocks";
import type { ZfsDataset, ZfsDatasetOptions } from "./zfs-dataset";

/**
 * How Terraform treats the pool.
 * - `adopt`: read it by name (a data source). An apply can never create, replace or destroy it.
 * - `create`: Terraform creates it from the layout (and `prevent_destroy` guards it). Only for a
 *   pool on blank disks, chosen deliberately: creation wipes the disks named in the layout.
 */
export type PoolCreation = "adopt" | "create";

/** A pool that exists already: what `ZfsPool.fromName` needs to adopt it and plan its space. */
export interface ZfsPoolAttributes {
  /** Pool name, as `zpool list` shows it. */
  readonly name: string;
  /** The physical layout: vdevs of disks with their sizes as sold, ashift, partition scheme. */
  readonly layout: PoolLayout;
  /**
   * Disk identifiers per vdev, in layout order (serials, as TrueNAS's `disk.query` shows them).
   * Used in the manual `pool.create` payload.
   * @default - none (the payload then carries placeholders to fill in)
   */
  readonly diskIds?: readonly (readonly string[])[];
  /**
   * Capacity thresholds for this pool; overriding the defaults needs a written reason.
   * @default warning above 80% of usable, error above 95%
   */
  readonly thresholds?: BudgetThresholds;
}

/** A pool Terraform creates on blank disks (`new ZfsPool`): the disks are required. */
export interface ZfsPoolProps extends ZfsPoolAttributes {
  /** Disk identifiers per vdev, in layout order: creation wipes exactly these disks. */
  readonly diskIds: readonly (readonly string[])[];
}

const POOL_NAME = /^[A-Za-z][A-Za-z0-9_.:-]*$/;
// Names ZFS reserves for vdev types and TrueNAS for its own use.
const RESERVED = /^(mirror|raidz|draid|spare|log|cache|special|dedup|boot-pool|freenas-boot|ix-)/;
const TRUENAS_VDEV_TYPE: Record<string, string> = { disk: "STRIPE", mirror: "MIRROR", raidz1: "RAIDZ1", raidz2: "RAIDZ2", raidz3: "RAIDZ3" };

/**
 * A ZFS pool on TrueNAS. Its layout feeds the capacity model, and the pool refuses (at synth) a
 * plan of datasets that does not fit it. `ZfsPool.fromName` adopts a pool that exists (the usual
 * way: pool creation stays a manual, deliberate act, with the payload written at synth);
 * `new ZfsPool` lets Terraform create one on blank disks.
 */
export class ZfsPool extends Construct {
  /**
   * Adopts an existing pool by name (a data source: no apply can create, replace or destroy it).
   * Construct id: `pool-<name>` by convention (it is part of the Terraform address).
   */
  static fromName(scope: Construct, id: string, attrs: ZfsPoolAttributes): ZfsPool {
    return new ZfsPool(scope, id, attrs, "adopt");
  }

  readonly name: string;
  readonly layout: PoolLayout;
  readonly creation: PoolCreation;
  readonly thresholds?: BudgetThresholds;
  /** What OpenZFS will give this pool (usable, SIZE, slop), byte for byte. */
  readonly capacity: PoolCapacity;
  /** The pool's numeric TrueNAS id (for scrub tasks), as a Terraform reference. */
  readonly poolId: number;
  /** The `truenas_pool` resource of a pool Terraform creates (none for an adopted pool). */
  readonly resource?: Pool;
  private readonly diskIds?: readonly (readonly string[])[];
  private readonly trees: DatasetTree[] = [];

  /** Creates the pool on the disks `props.diskIds` names (guarded by `prevent_destroy`, topology frozen). */
  constructor(scope: Construct, id: string, props: ZfsPoolProps);
  /** @internal */
  constructor(scope: Construct, id: string, props: ZfsPoolAttributes, creation: PoolCreation);
  constructor(scope: Construct, id: string, props: ZfsPoolAttributes, creation: PoolCreation = "create") {
    super(scope, id);
    const problems = new Problems();
    if (!POOL_NAME.test(props.name) || RESERVED.test(props.name) || /^c[0-9]/.test(props.name)) {
      problems.add(this, "invalid pool name", props.name, "a letter, then letters, digits, '_', '.', ':' or '-'; not a vdev keyword (mirror, raidz, draid, spare, log, cache, special, dedup) nor c[0-9]...");
    }
    let capacity: PoolCapacity | undefined;
    try {
      capacity = poolCapacity(props.layout);
    } catch (e) {
      problems.add(this, `invalid layout: ${(e as Error).message}`, props.layout.vdevs.length, "see the capacity model's rules");
    }
    if (props.diskIds) this.checkDiskIds(props.layout, props.diskIds, problems);
    if (creation === "create" && !props.diskIds) {
      problems.add(this, "creating a pool needs the disk ids of every vdev", creation, `diskIds for all ${props.layout.vdevs.length} vdevs, or adopt the pool (ZfsPool.fromName; creation "adopt" in the inventory)`);
    }
    if (props.layout.vdevs.some((v) => v.type === "draid") && creation === "create") {
      problems.add(this, "dRAID pools cannot be created through this provider", creation, `"adopt" (create it by hand)`);
    }
    problems.throwIfAny();
    this.capacity = capacity!;
    this.name = props.name;
    this.layout = props.layout;
    this.creation = creation;
    this.thresholds = props.thresholds;
    this.diskIds = props.diskIds;
    // The pool checks its own budget, so a ZfsPool with datasets refuses a plan that cannot fit
    // even without the app (whose up-front check over all pools reports every failing one at once).
    this.node.addValidation({ validate: () => {
      const plan = this.plan();
      const report = checkPoolBudget(plan, plan.datasets);
      return report.verdict === "error" ? [explain(report)] : [];
    } });

    if (creation === "adopt") {
      this.poolId = new DataTruenasPool(this, "Adopted", { name: props.name }).id;
      // Had an apply created this pool before (creation "create"), switching to "adopt" removes
      // its resource, which Terraform would destroy, wiping the pool: make it forget it instead.
      forgetWithoutDestroying(this, `${Pool.tfResourceType}.${props.name}`);
    } else {
      const topology = this.topology();
      const pool = new Pool(this, "Resource", {
        name: props.name,
        topology: {
          data: topology.data,
          log: topology.log.length ? topology.log : undefined,
          cache: topology.cache.length ? topology.cache : undefined,
          spare: topology.spares.length ? topology.spares : undefined,
        },
        autotrim: false,
        // Topology changes are made by hand (adding a vdev is irreversible): never by an apply.
        lifecycle: { preventDestroy: true, ignoreChanges: ["topology"] },
      });
      pool.overrideLogicalId(props.name); // `truenas_pool.<name>`: the address adopt mode forgets
      this.poolId = pool.id;
      this.resource = pool;
    }
  }

  /**
   * Declares a dataset on this pool at `pathBelowPool` (parents before children). The datasets
   * live in a DatasetTree beside the pool (construct id `datasets-<pool>`, part of their paths).
   */
  addDataset(pathBelowPool: string, options: ZfsDatasetOptions): ZfsDataset {
    const tree = this.trees[0] ?? new DatasetTree(this.node.scope as Construct, `datasets-${this.name}`, { pool: this });
    return tree.add(pathBelowPool, options);
  }

  /** Every dataset declared on this pool (by `addDataset` or a DatasetTree), parents first. */
  get datasets(): ZfsDataset[] {
    return this.trees.flatMap((t) => t.datasets);
  }

  /** The dataset at `pathBelowPool`, if declared. */
  tryFindDataset(pathBelowPool: string): ZfsDataset | undefined {
    for (const tree of this.trees) {
      const found = tree.tryFind(pathBelowPool);
      if (found) return found;
    }
    return undefined;
  }

  /** Called by every DatasetTree on this pool: its datasets count in the pool's budget. */
  registerTree(tree: DatasetTree): void {
    this.trees.push(tree);
  }

  /** The pool with every dataset planned on it: the capacity model's input. */
  plan(): PoolPlan {
    return { name: this.name, layout: this.layout, thresholds: this.thresholds, datasets: this.trees.flatMap((t) => t.planned()) };
  }

  /**
   * The `pool.create` payload for the TrueNAS API (`midclt call pool.create '<json>'`), for the
   * manual path. Disks are the ids from `diskIds`, or placeholders naming vdev, position and size.
   */
  createPayload(): Record<string, unknown> {
    const t = this.topology();
    return {
      name: this.name,
      encryption: false,
      topology: {
        data: t.data,
        ...(t.log.length ? { log: t.log } : {}),
        ...(t.cache.length ? { cache: t.cache } : {}),
        ...(t.spares.length ? { spares: t.spares } : {}),
        ...(t.special.length ? { special: t.special } : {}),
      },
      allow_duplicate_serials: false,
    };
  }

  private topology() {
    const out = { data: [] as { type: string; disks: string[] }[], log: [] as { type: string; disks: string[] }[], special: [] as { type: string; disks: string[] }[], cache: [] as string[], spares: [] as string[] };
    this.layout.vdevs.forEach((v, i) => {
      const disks = this.diskIds?.[i] ? [...this.diskIds[i]] : v.disks.map((d, j) => `<vdev ${i + 1} disk ${j + 1}: ${d.in("GB").toFixed(0)} GB>`);
      const type = v.type === "draid" ? `DRAID${v.parity}` : TRUENAS_VDEV_TYPE[v.type];
      switch (v.class ?? "normal") {
        case "normal": out.data.push({ type, disks }); break;
        case "log": out.log.push({ type, disks }); break;
        case "special": out.special.push({ type, disks }); break;
        case "cache": out.cache.push(...disks); break;
        case "spare": out.spares.push(...disks); break;
      }
    });
    return out;
  }

  private checkDiskIds(layout: PoolLayout, ids: readonly (readonly string[])[], problems: Problems): void {
    if (ids.length !== layout.vdevs.length) {
      problems.add(this, "diskIds must list every vdev", ids.length, `${layout.vdevs.length} lists, one per vdev in layout order`);
      return;
    }
    const seen = new Set<string>();
    ids.forEach((list, i) => {
      if (list.length !== layout.vdevs[i].disks.length) {
        problems.add(this, `vdev ${i + 1} has ${layout.vdevs[i].disks.length} disks but ${list.length} ids`, list, `${layout.vdevs[i].disks.length} ids`);
      }
      for (const d of list) {
        if (seen.has(d)) problems.add(this, "disk id used twice", d, "each disk in one vdev only");
        seen.add(d);
      }
    });
  }
}
