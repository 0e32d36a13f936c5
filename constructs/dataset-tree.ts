import { Construct } from "constructs";
import { Dataset } from "../.gen/providers/truenas/dataset";
import { Size, type PlannedDataset } from "../capacity";
import { DATASET_PROFILES, type DatasetProfile, type DatasetProperties } from "./dataset-profiles";
import { describe, invalidProp, verbatim } from "./errors";
import type { ZfsPool } from "./zfs-pool";

export interface DatasetProps extends Partial<DatasetProperties> {
  /** Path below the pool, e.g. `kubernetes/nfs-dynamic`. Its parent must be declared before it (or be the pool). */
  readonly path: string;
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

export interface DatasetTreeProps {
  /** The pool every dataset lives on. */
  readonly pool: ZfsPool;
  /** Datasets, parents before children. */
  readonly datasets: DatasetProps[];
  /**
   * Turns OFF destroy protection (`prevent_destroy`) for every dataset. Throwaway test stacks only.
   * @default false
   */
  readonly allowDestroyInThrowawayTestStack?: boolean;
}

/** The TrueNAS API refuses quotas below 1 GiB (pool.dataset: "Quota must be at least 1 GiB"). */
const MIN_QUOTA = Size.gibibytes(1);
/** ZFS dataset name component: alphanumerics and `_ - . :`, starting alphanumeric (zfs_namecheck.c). */
const COMPONENT = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const MAX_NAME = 255; // ZFS_MAX_DATASET_NAME_LEN - 1

/** One ZFS filesystem dataset (`truenas_dataset`), protected from destroy. */
export class ZfsDataset extends Construct {
  readonly resource: Dataset;
  /** Full ZFS name, e.g. `fast/kubernetes/nfs-dynamic`. */
  readonly path: string;
  readonly poolName: string;
  readonly props: DatasetProps;
  readonly properties: DatasetProperties;

  constructor(scope: Construct, id: string, pool: ZfsPool, parent: ZfsDataset | undefined, props: DatasetProps, protect: boolean) {
    super(scope, id);
    this.path = `${pool.name}/${props.path}`;
    this.poolName = pool.name;
    this.props = props;
    this.properties = { ...DATASET_PROFILES[props.profile ?? "general"], ...definedOnly(props) };
    const leaf = props.path.split("/").pop()!;
    this.resource = new Dataset(this, "Resource", {
      // The parent's name by reference: Terraform creates the parent first and destroys it last.
      name: parent ? `${parent.resource.name}/${leaf}` : this.path,
      comments: props.purpose,
      quota: bytes(props.quota),
      refquota: bytes(props.refquota),
      reservation: bytes(props.reservation),
      ...this.properties,
      lifecycle: { preventDestroy: protect },
    });
    // A readable address that is the path itself (`truenas_dataset.bulk--photos`): retiring a
    // dataset (a `removed` block) names it, and plans read like the pool.
    this.resource.overrideLogicalId(datasetAddressName(this.path));
  }

  /** Mount point (`/mnt/<path>`), as a reference: NFS shares use it, so they come after the dataset. */
  get mountpoint(): string {
    return this.resource.mountpoint;
  }
}

/**
 * The datasets of one pool, created parents first. Quotas and reservations are checked against
 * each other here and against the pool's usable space by the capacity model at synth.
 */
export class DatasetTree extends Construct {
  readonly pool: ZfsPool;
  private readonly byPath = new Map<string, ZfsDataset>();

  constructor(scope: Construct, id: string, props: DatasetTreeProps) {
    super(scope, id);
    this.pool = props.pool;
    const protect = !props.allowDestroyInThrowawayTestStack;
    for (const d of props.datasets) {
      this.validate(d);
      const parentPath = d.path.includes("/") ? d.path.slice(0, d.path.lastIndexOf("/")) : undefined;
      const parent = parentPath === undefined ? undefined : this.byPath.get(parentPath);
      // Construct ids are Terraform addresses: the path, with '/' made safe, keeps them stable.
      this.byPath.set(d.path, new ZfsDataset(this, d.path.replace(/\//g, "--"), props.pool, parent, d, protect));
    }
    props.pool.addDatasets(() => this.planned());
  }

  /** The dataset at `path` below the pool (e.g. `kubernetes/nfs-dynamic`); throws if not declared. */
  dataset(path: string): ZfsDataset {
    const d = this.byPath.get(path);
    if (!d) invalidProp(this, "dataset referenced but never declared", `${this.pool.name}/${path}`, [...this.byPath.values()].map((x) => x.path).join(", "));
    return d;
  }

  get datasets(): ZfsDataset[] {
    return [...this.byPath.values()];
  }

  /** What the capacity model needs: every dataset with its quotas and reservations. */
  planned(): PlannedDataset[] {
    return this.datasets.map((d) => ({
      path: d.path,
      quota: d.props.quota,
      refquota: d.props.refquota,
      reservation: d.props.reservation,
      expectedSize: d.props.expectedSize,
      purpose: d.props.purpose,
    }));
  }

  private validate(d: DatasetProps): void {
    const full = `${this.pool.name}/${d.path}`;
    const parts = d.path.split("/");
    const bad = parts.find((p) => !COMPONENT.test(p));
    if (bad !== undefined) {
      invalidProp(this, `invalid dataset name component ${describe(bad)} in ${full}`, d.path, "components of letters, digits, '_', '-', '.', ':' starting with a letter or digit, separated by '/'");
    }
    if (full.length > MAX_NAME) invalidProp(this, "dataset name too long", full, `at most ${MAX_NAME} characters`);
    if (this.byPath.has(d.path)) invalidProp(this, "dataset declared twice", full, "each path once");
    const address = datasetAddressName(full);
    const clash = [...this.byPath.values()].find((x) => datasetAddressName(x.path) === address);
    if (clash) invalidProp(this, `dataset ${full} and ${clash.path} map to the same Terraform address ${address}`, full, "names that differ in more than '.', ':' and '_'");
    if (parts.length > 1) {
      const parentPath = parts.slice(0, -1).join("/");
      if (!this.byPath.has(parentPath)) {
        invalidProp(this, `parent ${this.pool.name}/${parentPath} of ${full} is not declared (before it)`, full, "children after their parents");
      }
    }
    for (const [what, size] of [["quota", d.quota], ["refquota", d.refquota]] as const) {
      if (size !== undefined && size.compare(MIN_QUOTA) < 0) {
        invalidProp(this, `${what} of ${full} below the 1 GiB TrueNAS accepts`, verbatim(`${size.bytes} bytes`), "at least 1 GiB, or no quota");
      }
    }
    if (d.quota && d.refquota && d.refquota.compare(d.quota) > 0) {
      invalidProp(this, `refquota of ${full} above its quota`, verbatim(d.refquota.toHuman()), `at most the quota, ${d.quota.toHuman()}`);
    }
    if (d.quota && d.reservation && d.reservation.compare(d.quota) > 0) {
      invalidProp(this, `reservation of ${full} above its quota`, verbatim(d.reservation.toHuman()), `at most the quota, ${d.quota.toHuman()}`);
    }
    // The nearest ancestor with a quota caps this one.
    for (let i = parts.length - 1; i > 0 && d.quota; i--) {
      const ancestor = this.byPath.get(parts.slice(0, i).join("/"));
      if (ancestor?.props.quota) {
        if (d.quota.compare(ancestor.props.quota) > 0) {
          invalidProp(this, `quota of ${full} above its parent ${ancestor.path}'s quota`, verbatim(d.quota.toHuman()), `at most ${ancestor.props.quota.toHuman()}`);
        }
        break;
      }
    }
  }
}

/** The Terraform resource name of the dataset at `path` (full ZFS path): `/` becomes `--`, `.` and `:` become `_`. */
export function datasetAddressName(path: string): string {
  return path.replace(/\//g, "--").replace(/[.:]/g, "_");
}

function bytes(size: Size | undefined): number | undefined {
  return size === undefined ? undefined : size.toNumberExact();
}

function definedOnly(props: DatasetProps): Partial<DatasetProperties> {
  const keys: (keyof DatasetProperties)[] = ["recordsize", "compression", "atime", "sync", "acltype", "exec", "snapdir"];
  return Object.fromEntries(keys.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}
