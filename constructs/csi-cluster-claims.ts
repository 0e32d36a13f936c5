import type { IConstruct } from "constructs";
import { TerraformStack } from "../lib/cdktf";
import { Problems } from "./errors";

/** Whether one ZFS path is the other or inside it (whole path components). */
export function datasetsOverlap(a: string, b: string): boolean {
  return `${a}/`.startsWith(`${b}/`) || `${b}/`.startsWith(`${a}/`);
}

/** What one democratic-csi instance takes for itself. */
export interface CsiClaim {
  readonly csiDriverName: string;
  readonly storageClassName: string;
  readonly isDefault: boolean;
  /** Full ZFS paths: its volumes' parent and its detached snapshots' parent. */
  readonly datasets: readonly string[];
}

interface NameClaims {
  readonly drivers: Map<string, string>;
  readonly classes: Map<string, string>;
  defaultClass?: string;
}

interface DatasetClaim {
  readonly path: string;
  readonly owner: string;
}

// One cluster per stack: driver names, StorageClass names and the default class are unique there.
const namesByStack = new WeakMap<IConstruct, NameClaims>();
// One TrueNAS per app: dataset parents of every instance of every stack must be disjoint.
const datasetsByApp = new WeakMap<IConstruct, DatasetClaim[]>();

/**
 * The rules that span democratic-csi instances: in a cluster (the instance's stack) a CSI driver
 * name and a StorageClass name belong to one instance, and at most one class is the default; in
 * the app, no two instances' datasets overlap (democratic-csi's "unique parent per deployment").
 */
export class ClusterClaims {
  /** The claims of `instance`'s cluster and app. */
  static of(instance: IConstruct): ClusterClaims {
    const stack = TerraformStack.of(instance);
    const root = instance.node.root;
    let names = namesByStack.get(stack);
    if (!names) namesByStack.set(stack, (names = { drivers: new Map(), classes: new Map() }));
    let datasets = datasetsByApp.get(root);
    if (!datasets) datasetsByApp.set(root, (datasets = []));
    return new ClusterClaims(names, datasets);
  }

  private constructor(
    private readonly names: NameClaims,
    private readonly datasets: DatasetClaim[],
  ) {}

  /**
   * Checks every rule for `instance`, throws all its problems at once, and records the claim only
   * when there are none: a rejected instance claims nothing.
   */
  claim(instance: IConstruct, claim: CsiClaim): void {
    const problems = new Problems();
    this.checkNames(instance, claim, problems);
    this.checkDatasets(instance, claim, problems);
    problems.throwIfAny();

    const owner = instance.node.path;
    this.names.drivers.set(claim.csiDriverName, owner);
    this.names.classes.set(claim.storageClassName, owner);
    if (claim.isDefault) this.names.defaultClass = owner;
    for (const path of claim.datasets) this.datasets.push({ path, owner });
  }

  private checkNames(instance: IConstruct, { csiDriverName, storageClassName, isDefault }: CsiClaim, problems: Problems): void {
    const driverOwner = this.names.drivers.get(csiDriverName);
    if (driverOwner !== undefined) problems.add(instance, `CSI driver name already used by ${driverOwner}`, csiDriverName, "one driver name per instance in a cluster");
    const classOwner = this.names.classes.get(storageClassName);
    if (classOwner !== undefined) problems.add(instance, `StorageClass name already used by ${classOwner}`, storageClassName, "one StorageClass name per instance in a cluster");
    if (isDefault && this.names.defaultClass !== undefined) {
      problems.add(instance, `a second default StorageClass (${this.names.defaultClass} is the default already)`, storageClassName, "at most one isDefault instance per cluster");
    }
  }

  private checkDatasets(instance: IConstruct, { datasets }: CsiClaim, problems: Problems): void {
    for (const path of datasets) {
      const other = this.datasets.find((c) => datasetsOverlap(c.path, path));
      if (other) problems.add(instance, `dataset overlaps ${other.path} of ${other.owner}`, path, "datasets disjoint from every other instance's (a unique parent per deployment)");
    }
  }
}
