import { Construct } from "constructs";
import { Size, type PlannedDataset } from "../capacity";
import { datasetPropertyProblems } from "./dataset-profiles";
import { describe, invalidProp, Problems, verbatim } from "./errors";
import { datasetAddressName, ZfsDataset, type ZfsDatasetOptions } from "./zfs-dataset";
import type { ZfsPool } from "./zfs-pool";

/** A dataset to declare in a tree: where it sits below the pool, and its options. */
export interface DatasetDeclaration extends ZfsDatasetOptions {
  /** Path below the pool, e.g. `kubernetes/nfs-dynamic`. Its parent must be declared before it (or be the pool). */
  readonly pathBelowPool: string;
}

export interface DatasetTreeProps {
  /** The pool every dataset lives on. */
  readonly pool: ZfsPool;
  /**
   * Datasets, parents before children.
   * @default - none yet (add them with `add`, or through `pool.addDataset`)
   */
  readonly datasets?: readonly DatasetDeclaration[];
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
/** Sizes Terraform receives as JSON numbers are exact only up to 2^53 - 1 bytes. */
const MAX_JSON_BYTES = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The datasets of one pool, created parents first. Quotas and reservations are checked against
 * each other here, and against the pool's usable space by the pool's own budget check.
 */
export class DatasetTree extends Construct {
  readonly pool: ZfsPool;
  private readonly byPath = new Map<string, ZfsDataset>();
  private readonly addresses = new Map<string, string>();
  private readonly protect: boolean;

  constructor(scope: Construct, id: string, props: DatasetTreeProps) {
    super(scope, id);
    this.pool = props.pool;
    this.protect = !props.allowDestroyInThrowawayTestStack;
    props.pool.registerTree(this);
    const problems = new Problems();
    for (const d of props.datasets ?? []) {
      const { pathBelowPool, ...options } = d;
      problems.collect(() => this.add(pathBelowPool, options));
    }
    problems.throwIfAny();
  }

  /** Declares the dataset at `pathBelowPool`; every problem with it is thrown at once. */
  add(pathBelowPool: string, options: ZfsDatasetOptions): ZfsDataset {
    const problems = new Problems();
    this.check(pathBelowPool, options, problems);
    problems.throwIfAny();
    const parentPath = pathBelowPool.includes("/") ? pathBelowPool.slice(0, pathBelowPool.lastIndexOf("/")) : undefined;
    // Construct ids are Terraform addresses: the path, with '/' made safe, keeps them stable.
    const dataset = new ZfsDataset(this, pathBelowPool.replace(/\//g, "--"), {
      ...options,
      pool: this.pool,
      pathBelowPool,
      parent: parentPath === undefined ? undefined : this.byPath.get(parentPath),
      allowDestroyInThrowawayTestStack: !this.protect,
    });
    this.byPath.set(pathBelowPool, dataset);
    this.addresses.set(datasetAddressName(dataset.fullPath), dataset.fullPath);
    return dataset;
  }

  /** The dataset at `pathBelowPool` (e.g. `kubernetes/nfs-dynamic`); throws if it was never declared. */
  dataset(pathBelowPool: string): ZfsDataset {
    const d = this.byPath.get(pathBelowPool);
    if (!d) invalidProp(this, "dataset referenced but never declared", `${this.pool.name}/${pathBelowPool}`, this.datasets.map((x) => x.fullPath).join(", "));
    return d;
  }

  /** The dataset at `pathBelowPool` (e.g. `kubernetes/nfs-dynamic`), if declared. */
  tryFind(pathBelowPool: string): ZfsDataset | undefined {
    return this.byPath.get(pathBelowPool);
  }

  get datasets(): ZfsDataset[] {
    return [...this.byPath.values()];
  }

  /** What the capacity model needs: every dataset with its quotas and reservations. */
  planned(): PlannedDataset[] {
    return this.datasets.map((d) => ({
      path: d.fullPath,
      quota: d.quota,
      refquota: d.refquota,
      reservation: d.reservation,
      expectedSize: d.expectedSize,
      purpose: d.purpose,
    }));
  }

  private check(pathBelowPool: string, d: ZfsDatasetOptions, problems: Problems): void {
    const full = `${this.pool.name}/${pathBelowPool}`;
    const parts = pathBelowPool.split("/");
    const bad = parts.find((p) => !COMPONENT.test(p));
    if (bad !== undefined) {
      problems.add(this, `invalid dataset name component ${describe(bad)} in ${full}`, pathBelowPool, "components of letters, digits, '_', '-', '.', ':' starting with a letter or digit, separated by '/'");
    }
    if (full.length > MAX_NAME) problems.add(this, "dataset name too long", full, `at most ${MAX_NAME} characters`);
    if (this.byPath.has(pathBelowPool)) problems.add(this, "dataset declared twice", full, "each path once");
    const address = datasetAddressName(full);
    const clash = this.addresses.get(address);
    if (clash !== undefined && clash !== full) problems.add(this, `dataset ${full} and ${clash} map to the same Terraform address ${address}`, full, "names that differ in more than '.', ':' and '_'");
    if (parts.length > 1) {
      const parentPath = parts.slice(0, -1).join("/");
      if (!this.byPath.has(parentPath)) {
        problems.add(this, `parent ${this.pool.name}/${parentPath} of ${full} is not declared (before it)`, full, "children after their parents");
      }
    }
    if (this.sizeProblems(full, d, problems)) {
      datasetPropertyProblems(this, full, d, problems);
      return; // the size rules below need valid sizes
    }
    for (const [what, size] of [["quota", d.quota], ["refquota", d.refquota]] as const) {
      if (size !== undefined && size.compare(MIN_QUOTA) < 0) {
        problems.add(this, `${what} of ${full} below the 1 GiB TrueNAS accepts`, verbatim(`${size.bytes} bytes`), "at least 1 GiB, or no quota");
      }
    }
    if (d.quota && d.refquota && d.refquota.compare(d.quota) > 0) {
      problems.add(this, `refquota of ${full} above its quota`, verbatim(d.refquota.toHuman()), `at most the quota, ${d.quota.toHuman()}`);
    }
    if (d.quota && d.reservation && d.reservation.compare(d.quota) > 0) {
      problems.add(this, `reservation of ${full} above its quota`, verbatim(d.reservation.toHuman()), `at most the quota, ${d.quota.toHuman()}`);
    }
    // The nearest ancestor with a quota caps this one.
    for (let i = parts.length - 1; i > 0 && d.quota; i--) {
      const ancestor = this.byPath.get(parts.slice(0, i).join("/"));
      if (ancestor?.quota) {
        if (d.quota.compare(ancestor.quota) > 0) {
          problems.add(this, `quota of ${full} above its parent ${ancestor.fullPath}'s quota`, verbatim(d.quota.toHuman()), `at most ${ancestor.quota.toHuman()}`);
        }
        break;
      }
    }
    datasetPropertyProblems(this, full, d, problems);
  }

  /** Sizes that are not valid `Size`s, or too large for Terraform's JSON numbers; true if any. */
  private sizeProblems(full: string, d: ZfsDatasetOptions, problems: Problems): boolean {
    let found = false;
    for (const [what, size] of [["quota", d.quota], ["refquota", d.refquota], ["reservation", d.reservation], ["expectedSize", d.expectedSize]] as const) {
      if (size === undefined) continue;
      if (!(size instanceof Size) || !size.isValid()) {
        problems.add(this, `${what} of ${full} is not a valid size`, size, "a Size of whole, non-negative bytes, e.g. Size.tebibytes(2)");
        found = true;
      } else if (what !== "expectedSize" && size.bytes > MAX_JSON_BYTES) {
        problems.add(this, `${what} of ${full} too large for Terraform's JSON (a number, exact only below 2^53 bytes)`, verbatim(size.toHuman()), "less than 8 PiB, or none");
        found = true;
      }
    }
    return found;
  }
}
