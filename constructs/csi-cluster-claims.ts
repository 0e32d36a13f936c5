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
  /** Its volumes' parent and its detached snapshots' parent (constructs: their stack is their TrueNAS's). */
  readonly datasets: readonly { readonly fullPath: string; readonly node: IConstruct["node"] }[];
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
// Per TrueNAS (the stack that declares the datasets): dataset parents of every instance of every
// cluster must be disjoint there. Two TrueNAS may well both have a fast/kubernetes.
const datasetsByTrueNAS = new WeakMap<IConstruct, DatasetClaim[]>();

/**
 * The rules that span democratic-csi instances: in a cluster (the instance's stack) a CSI driver
 * name and a StorageClass name belong to one instance, and at most one class is the default; on
 * one TrueNAS, no two instances' datasets overlap (democratic-csi's "unique parent per deployment").
 */
export class ClusterClaims {
  /** The claims of `instance`'s cluster and app. */
  static of(instance: IConstruct): ClusterClaims {
    const stack = TerraformStack.of(instance);
    let names = namesByStack.get(stack);
    if (!names) namesByStack.set(stack, (names = { drivers: new Map(), classes: new Map() }));
    return new ClusterClaims(names);
  }

  private constructor(private readonly names: NameClaims) {}

  /** The dataset claims on the TrueNAS that declares `dataset` (its stack). */
  private static claimsOn(dataset: { readonly node: IConstruct["node"] }): DatasetClaim[] {
    const home = TerraformStack.of(dataset as IConstruct);
    let claims = datasetsByTrueNAS.get(home);
    if (!claims) datasetsByTrueNAS.set(home, (claims = []));
    return claims;
  }

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
    for (const d of claim.datasets) ClusterClaims.claimsOn(d).push({ path: d.fullPath, owner });
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
    for (const d of datasets) {
      const other = ClusterClaims.claimsOn(d).find((c) => datasetsOverlap(c.path, d.fullPath));
      if (other) problems.add(instance, `dataset overlaps ${other.path} of ${other.owner}`, d.fullPath, "datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment)");
    }
  }
}
