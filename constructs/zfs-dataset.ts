import { Construct } from "constructs";
import { Dataset } from "../.gen/providers/truenas/dataset";
import type { Size } from "../capacity";
import { DATASET_PROFILES, type DatasetProfile, type DatasetProperties } from "./dataset-profiles";

/** What a dataset is for and how it is capped: everything but where it sits. */
export interface ZfsDatasetOptions extends Partial<DatasetProperties> {
  /** What lives here; stored as the dataset's comment and shown in reports. */
  readonly purpose: string;
  /**
   * Property set for the dataset's use; single properties (recordsize, compression, ...) override it.
   * @default "general"
   */
  readonly profile?: DatasetProfile;
  /**
   * Cap on the dataset with its children and snapshots (binary units, as ZFS: `Size.tebibytes(4)`).
   * @default - none: the dataset may fill its parent (a capacity warning unless a parent has a quota)
   */
  readonly quota?: Size;
  /**
   * Cap on the data the dataset itself references (snapshots and children excluded).
   * @default - none
   */
  readonly refquota?: Size;
  /**
   * Space guaranteed to the dataset and its children, taken from the pool up front.
   * @default - none
   */
  readonly reservation?: Size;
  /**
   * For a dataset without quota: the size it is expected to reach, counted in the pool's budget.
   * @default - none
   */
  readonly expectedSize?: Size;
}

/** The pool a dataset lives on: what a dataset needs of it (ZfsPool satisfies it). */
export interface IDatasetPool {
  /** Pool name, the first component of every dataset's full path. */
  readonly name: string;
}

export interface ZfsDatasetProps extends ZfsDatasetOptions {
  readonly pool: IDatasetPool;
  /** Path below the pool, e.g. `kubernetes/nfs-dynamic` (full path `fast/kubernetes/nfs-dynamic`). */
  readonly pathBelowPool: string;
  /**
   * The parent dataset, when the dataset is not directly below the pool: referenced by name, so
   * Terraform creates the parent first and destroys it last.
   * @default - directly below the pool
   */
  readonly parent?: ZfsDataset;
  /**
   * Turns OFF destroy protection (`prevent_destroy`). Throwaway test stacks only.
   * @default false
   */
  readonly allowDestroyInThrowawayTestStack?: boolean;
}

/** One ZFS filesystem dataset (`truenas_dataset`), protected from destroy. */
export class ZfsDataset extends Construct {
  readonly resource: Dataset;
  /** Full ZFS name, e.g. `fast/kubernetes/nfs-dynamic`. */
  readonly fullPath: string;
  /** Path below the pool, e.g. `kubernetes/nfs-dynamic`. */
  readonly pathBelowPool: string;
  readonly poolName: string;
  readonly purpose: string;
  readonly quota?: Size;
  readonly refquota?: Size;
  readonly reservation?: Size;
  readonly expectedSize?: Size;
  /** The ZFS properties set on it: its profile's, overridden by the single ones given. */
  readonly properties: DatasetProperties;

  constructor(scope: Construct, id: string, props: ZfsDatasetProps) {
    super(scope, id);
    this.fullPath = `${props.pool.name}/${props.pathBelowPool}`;
    this.pathBelowPool = props.pathBelowPool;
    this.poolName = props.pool.name;
    this.purpose = props.purpose;
    this.quota = props.quota;
    this.refquota = props.refquota;
    this.reservation = props.reservation;
    this.expectedSize = props.expectedSize;
    this.properties = { ...DATASET_PROFILES[props.profile ?? "general"], ...definedOnly(props) };
    const leaf = props.pathBelowPool.split("/").pop()!;
    this.resource = new Dataset(this, "Resource", {
      name: props.parent ? `${props.parent.resource.name}/${leaf}` : this.fullPath,
      comments: props.purpose,
      quota: bytes(props.quota),
      refquota: bytes(props.refquota),
      reservation: bytes(props.reservation),
      ...this.properties,
      lifecycle: { preventDestroy: !props.allowDestroyInThrowawayTestStack },
    });
    // A readable address that is the path itself (`truenas_dataset.bulk--photos`): retiring a
    // dataset (a `removed` block) names it, and plans read like the pool.
    this.resource.overrideLogicalId(datasetAddressName(this.fullPath));
  }

  /** Mount point (`/mnt/<path>`), as a reference: NFS shares use it, so they come after the dataset. */
  get mountpoint(): string {
    return this.resource.mountpoint;
  }
}

/** The Terraform resource name of the dataset at `fullPath`: `/` becomes `--`, `.` and `:` become `_`. */
export function datasetAddressName(fullPath: string): string {
  return fullPath.replace(/\//g, "--").replace(/[.:]/g, "_");
}

function bytes(size: Size | undefined): number | undefined {
  return size === undefined ? undefined : size.toNumberExact();
}

function definedOnly(props: ZfsDatasetOptions): Partial<DatasetProperties> {
  const keys: (keyof DatasetProperties)[] = ["recordsize", "compression", "atime", "sync", "acltype", "exec", "snapdir"];
  return Object.fromEntries(keys.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}
