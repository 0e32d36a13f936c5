import { invalid } from "./errors";
import { PoolCapacity, PoolLayout, poolCapacity, topLevelShapes } from "./pool";
import { Size } from "./size";
import { refreservationOn } from "./zvol";

/** One dataset or zvol planned on a pool. Nesting comes from the path: a parent's quota caps its children. */
export interface PlannedDataset {
  /** Full ZFS name, starting with the pool: "fast/kubernetes/nfs-dynamic". */
  readonly path: string;
  /** Cap on the dataset with its children and snapshots. */
  readonly quota?: Size;
  /** Cap on the data the dataset itself references. */
  readonly refquota?: Size;
  /** Space guaranteed to the dataset with its children. */
  readonly reservation?: Size;
  /** Space guaranteed to the dataset itself. */
  readonly refreservation?: Size;
  /** A thick (non-sparse) zvol; its refreservation is what `zfs create -V` sets. */
  readonly thickZvol?: { readonly volsize: Size; readonly volblocksize?: Size };
  /** For a dataset with no quota: the size it is expected to reach, counted in the budget. */
  readonly expectedSize?: Size;
  /** Shown in reports. */
  readonly purpose?: string;
}

/** Per-pool thresholds; overriding the defaults needs a reason, which every report shows. */
export interface BudgetThresholds {
  readonly warningPercent: number;
  readonly criticalPercent: number;
  readonly reason: string;
}

export interface PoolBudget {
  /** The pool name, also the first component of every dataset path. */
  readonly name: string;
  readonly layout: PoolLayout;
  /** @default warning above 80% (TrueNAS's own line), error above 95% */
  readonly thresholds?: BudgetThresholds;
}

export interface PoolPlan extends PoolBudget {
  readonly datasets: readonly PlannedDataset[];
}

export type Verdict = "ok" | "warning" | "error";

export interface Finding {
  readonly severity: "warning" | "error";
  /** The dataset the finding is about; absent for pool-wide findings. */
  readonly dataset?: string;
  readonly message: string;
}

/** Why a contributor counts for the bytes it does. */
export type CommitBasis = "quota" | "refquota" | "reservation" | "refreservation" | "thick zvol" | "expected size";

/** A dataset whose own setting decides part of the committed space; contributors add up to `committed`. */
export interface Contributor {
  readonly path: string;
  readonly bytes: Size;
  readonly basis: CommitBasis;
  readonly purpose?: string;
}

export interface BudgetReport {
  readonly pool: string;
  readonly layout: PoolLayout;
  readonly capacity: PoolCapacity;
  /** `capacity.usable`: root USED + AVAIL of the empty pool. */
  readonly usable: Size;
  /** The most the planned datasets can hold: quotas, reservations, thick zvols and expected sizes. */
  readonly committed: Size;
  /** The part of `committed` ZFS sets aside up front: reservations, refreservations and thick zvols. */
  readonly guaranteed: Size;
  /** usable − committed, or zero when over-committed. */
  readonly headroom: Size;
  /** committed − usable, or zero when it fits. */
  readonly shortfall: Size;
  /** committed / usable × 100. */
  readonly percent: number;
  readonly thresholds: { readonly warningPercent: number; readonly criticalPercent: number; readonly reason?: string };
  readonly verdict: Verdict;
  /** Errors first, then warnings. */
  readonly findings: readonly Finding[];
  /** Largest first. */
  readonly contributors: readonly Contributor[];
  /** For a pool over its critical line: what would bring it under. */
  readonly fix?: string;
}

export const DEFAULT_WARNING_PERCENT = 80;
export const DEFAULT_CRITICAL_PERCENT = 95;

/**
 * Checks what the planned datasets commit against the pool's usable space.
 *
 * Quotas are limits that ZFS never checks against the pool, so a plan whose quotas add up to more than
 * the pool can be deployed and then fill it: that is the error this check exists for. Reservations and
 * thick zvols are guarantees that ZFS checks when they are set (`dsl_dir_set_reservation_check`,
 * `dsl_dataset_set_refreservation_check`), so a plan whose guarantees do not fit fails halfway through
 * an apply with ENOSPC: also an error.
 */
export function checkPoolBudget(pool: PoolBudget, datasets: readonly PlannedDataset[]): BudgetReport {
  const thresholds = checkThresholds(pool);
  const capacity = poolCapacity(pool.layout);
  const root = buildTree(pool.name, datasets);
  const shapes = topLevelShapes(pool.layout);
  const findings: Finding[] = [];
  const evaluated = evaluate(root, false, shapes, findings);

  const usable = capacity.usable.bytes;
  const committed = evaluated.committed;
  if (evaluated.guaranteed > usable) {
    findings.push({
      severity: "error",
      message: `reservations and thick zvols guarantee ${human(evaluated.guaranteed)}, more than the ${human(usable)} the pool has: ZFS refuses the last of them with ENOSPC`,
    });
  }
  const percent = usable === 0n ? Infinity : Number((committed * 1_000_000n) / usable) / 10_000;
  const over = (limit: number) => committed * 10_000n > usable * BigInt(Math.round(limit * 100));
  const summary = `${human(committed)} committed of ${human(usable)} usable (${percent.toFixed(1)}%)`;
  let fix: string | undefined;
  if (committed > usable) {
    findings.push({ severity: "error", message: `over-committed: ${summary}; the quotas can fill the pool before they are reached` });
  } else if (over(thresholds.criticalPercent)) {
    findings.push({ severity: "error", message: `above the ${thresholds.criticalPercent}% critical line: ${summary}` });
  } else if (over(thresholds.warningPercent)) {
    findings.push({ severity: "warning", message: `above the ${thresholds.warningPercent}% warning line: ${summary}` });
  }
  if (committed > usable || over(thresholds.criticalPercent)) fix = whatWouldFit(pool.layout, capacity, committed, thresholds.criticalPercent);

  findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  const verdict: Verdict = findings.some((f) => f.severity === "error") ? "error" : findings.length > 0 ? "warning" : "ok";
  return {
    pool: pool.name,
    layout: pool.layout,
    capacity,
    usable: capacity.usable,
    committed: Size.bytes(committed),
    guaranteed: Size.bytes(evaluated.guaranteed),
    headroom: Size.bytes(committed < usable ? usable - committed : 0n),
    shortfall: Size.bytes(committed > usable ? committed - usable : 0n),
    percent,
    thresholds,
    verdict,
    findings,
    contributors: evaluated.contributors.sort((a, b) => b.bytes.compare(a.bytes)),
    fix,
  };
}

/** Checks every pool, so one synth reports every problem at once. */
export function checkBudgets(plans: readonly PoolPlan[]): BudgetReport[] {
  const names = new Set<string>();
  for (const plan of plans) {
    if (names.has(plan.name)) invalid("pools", "two pools with the same name", plan.name, "unique pool names");
    names.add(plan.name);
  }
  return plans.map((plan) => checkPoolBudget(plan, plan.datasets));
}

/** Thrown when a plan cannot be deployed; the message is the whole explanation, one block per failing pool. */
export class CapacityError extends Error {
  constructor(readonly reports: readonly BudgetReport[]) {
    const failing = reports.filter((r) => r.verdict === "error");
    super(
      `capacity: ${failing.length} pool${failing.length === 1 ? "" : "s"} cannot hold ${failing.length === 1 ? "its" : "their"} plan\n\n` +
        failing.map(explain).join("\n\n"),
    );
    this.name = "CapacityError";
  }
}

/** Checks every pool and throws one `CapacityError` naming all failing pools; returns the reports otherwise. */
export function enforceBudgets(plans: readonly PoolPlan[]): BudgetReport[] {
  const reports = checkBudgets(plans);
  if (reports.some((r) => r.verdict === "error")) throw new CapacityError(reports);
  return reports;
}

/** The human explanation of one pool's errors: figures, largest contributors, and what would make it fit. */
export function explain(report: BudgetReport): string {
  const lines = [
    `pool "${report.pool}": ${report.committed.toHuman()} committed of ${report.usable.toHuman()} usable = ${report.percent.toFixed(1)}%` +
      ` (warning above ${report.thresholds.warningPercent}%, error above ${report.thresholds.criticalPercent}%` +
      `${report.thresholds.reason ? `: ${report.thresholds.reason}` : ""})`,
  ];
  for (const f of report.findings) lines.push(`  ${f.severity}: ${f.dataset ? `${f.dataset}: ` : ""}${f.message}`);
  if (report.contributors.length > 0) {
    lines.push("  largest contributors:");
    const top = report.contributors.slice(0, 5);
    const width = Math.max(...top.map((c) => c.path.length));
    for (const c of top) {
      lines.push(`    ${c.path.padEnd(width)}  ${c.bytes.toHuman()}  ${c.basis}${c.purpose ? ` (${c.purpose})` : ""}`);
    }
  }
  if (report.fix) lines.push(`  to make it fit: ${report.fix}`);
  return lines.join("\n");
}

interface Node {
  readonly path: string;
  spec?: PlannedDataset;
  readonly children: Node[];
}

interface Evaluated {
  committed: bigint;
  guaranteed: bigint;
  /** Some data under this node has no limit that stops it growing (no quota, refquota or zvol size). */
  unbounded: boolean;
  contributors: Contributor[];
}

const NAME_COMPONENT = /^[A-Za-z0-9_.:-]+$/;

function buildTree(pool: string, datasets: readonly PlannedDataset[]): Node {
  if (typeof pool !== "string" || !NAME_COMPONENT.test(pool)) {
    invalid("pool name", "not a ZFS pool name", pool, "letters, digits, _ . : -");
  }
  const root: Node = { path: pool, children: [] };
  const nodes = new Map<string, Node>([[pool, root]]);
  for (const ds of datasets) {
    const parts = typeof ds.path === "string" ? ds.path.split("/") : [];
    if (parts[0] !== pool || !parts.every((p) => NAME_COMPONENT.test(p))) {
      invalid("dataset path", `not a dataset of pool "${pool}"`, ds.path, `"${pool}/<name>[/<name>…]" with letters, digits, _ . : -`);
    }
    let node = root;
    for (let i = 1; i < parts.length; i++) {
      const path = node.path + "/" + parts[i];
      let next = nodes.get(path);
      if (!next) {
        next = { path, children: [] };
        nodes.set(path, next);
        node.children.push(next);
      }
      node = next;
    }
    if (node.spec) invalid(ds.path, "planned twice", ds.path, "each dataset path once");
    checkDataset(ds);
    node.spec = ds;
  }
  for (const node of nodes.values()) {
    if (node.spec?.thickZvol && node.children.length > 0) {
      invalid(node.path, "a zvol cannot have child datasets", node.children.map((c) => c.path), "no datasets under a zvol");
    }
  }
  return root;
}

function checkDataset(ds: PlannedDataset): void {
  for (const key of ["quota", "refquota", "reservation", "refreservation", "expectedSize"] as const) {
    const value = ds[key];
    if (value !== undefined && !(value instanceof Size)) invalid(`${ds.path}.${key}`, "expected a Size", value, "Size.terabytes(4), Size.parseZfs(\"4T\"), …");
  }
  if (ds.thickZvol) {
    for (const key of ["quota", "refquota", "refreservation"] as const) {
      if (ds[key] !== undefined) {
        invalid(`${ds.path}.${key}`, `a zvol has no ${key} (its refreservation comes from volsize)`, ds[key], "reservation or expectedSize only");
      }
    }
  }
}

/**
 * Post-order walk. A node commits its own data (thick zvol refreservation, refquota, expected size) plus
 * its children; a quota caps that, and stands for it entirely when anything below is unbounded. A
 * reservation raises it. `capped` says whether an ancestor's quota already bounds this subtree.
 */
function evaluate(node: Node, capped: boolean, shapes: Parameters<typeof refreservationOn>[0], findings: Finding[]): Evaluated {
  const spec = node.spec;
  const quota = spec?.quota?.bytes;
  const hasQuota = quota !== undefined && quota > 0n; // quota=0 is "none" in ZFS
  let own = 0n;
  let ownGuaranteed = 0n;
  let ownBasis: CommitBasis | undefined;
  let ownUnbounded = false;
  if (spec?.thickZvol) {
    own = ownGuaranteed = refreservationOn(shapes, spec.thickZvol).bytes;
    ownBasis = "thick zvol";
  } else if (spec?.refquota && spec.refquota.bytes > 0n) {
    own = spec.refquota.bytes;
    ownBasis = "refquota";
  } else {
    // Datasets that only group children are counted through them; a leaf with no limit can fill the pool.
    ownUnbounded = node.children.length === 0 && node.path.includes("/");
    if (spec?.expectedSize) {
      own = spec.expectedSize.bytes;
      ownBasis = "expected size";
    }
  }
  if (spec?.refreservation) {
    const refres = spec.refreservation.bytes;
    ownGuaranteed = refres;
    if (refres > own) {
      own = refres;
      ownBasis = "refreservation";
    }
    if (spec.refquota && spec.refquota.bytes > 0n && refres > spec.refquota.bytes) {
      findings.push({ severity: "error", dataset: node.path, message: `refreservation ${human(refres)} is above its refquota ${human(spec.refquota.bytes)}: ZFS refuses it with ENOSPC` });
    }
  }
  if (ownUnbounded && !capped && !hasQuota) {
    findings.push({
      severity: "warning",
      dataset: node.path,
      message: `no quota here or above: it can fill the pool (${spec?.expectedSize ? `counted at its expected size ${human(own)}` : "counted at 0; give it a quota or an expectedSize"})`,
    });
  }

  const contributors: Contributor[] = [];
  if (own > 0n && ownBasis) contributors.push(contributor(node, own, ownBasis));
  let committed = own;
  let childGuaranteed = 0n;
  let unbounded = ownUnbounded;
  for (const child of node.children) {
    const c = evaluate(child, capped || hasQuota, shapes, findings);
    committed += c.committed;
    childGuaranteed += c.guaranteed;
    unbounded ||= c.unbounded;
    contributors.push(...c.contributors);
  }

  let guaranteed = ownGuaranteed + childGuaranteed;
  if (hasQuota && guaranteed > quota) {
    findings.push({ severity: "error", dataset: node.path, message: `reservations and thick zvols under it guarantee ${human(guaranteed)}, more than its quota ${human(quota)}: ZFS refuses the last of them with ENOSPC` });
  }
  let counted = contributors;
  // A dataset with a quota but no refquota can hold data of its own up to that quota (bulk/backups
  // holds files beside its child bulk/backups/forgejo), so the quota is what it commits.
  const ownDataUpToQuota = !spec?.refquota && !spec?.thickZvol;
  if (hasQuota && (unbounded || ownDataUpToQuota || committed > quota)) {
    committed = quota;
    unbounded = false;
    counted = [contributor(node, quota, "quota")];
  }
  const reservation = spec?.reservation?.bytes ?? 0n;
  if (reservation > 0n) {
    if (hasQuota && reservation > quota) {
      findings.push({ severity: "error", dataset: node.path, message: `reservation ${human(reservation)} is above its quota ${human(quota)}: ZFS refuses it with ENOSPC` });
    }
    if (reservation > guaranteed) guaranteed = reservation;
    if (reservation > committed) {
      committed = reservation;
      counted = [contributor(node, reservation, "reservation")];
    }
  }
  return { committed, guaranteed, unbounded, contributors: counted };
}

function contributor(node: Node, bytes: bigint, basis: CommitBasis): Contributor {
  return { path: node.path, bytes: Size.bytes(bytes), basis, ...(node.spec?.purpose ? { purpose: node.spec.purpose } : {}) };
}

/** Two ways under the critical line: commit less, or grow the pool by copies of its largest normal vdev. */
function whatWouldFit(layout: PoolLayout, capacity: PoolCapacity, committed: bigint, criticalPercent: number): string {
  const limit = (usable: bigint) => (usable * BigInt(Math.round(criticalPercent * 100))) / 10_000n;
  const reduce = `reduce quotas, reservations and expected sizes by ${human(committed - limit(capacity.usable.bytes))} to reach ${criticalPercent}% of usable`;
  const largest = capacity.vdevs.reduce((best, v, i) =>
    v.class === "normal" && (best < 0 || v.dspace > capacity.vdevs[best].dspace) ? i : best, -1);
  const spec = layout.vdevs[largest];
  for (let more = 1; more <= 64; more++) {
    const grown = poolCapacity({ ...layout, vdevs: [...layout.vdevs, ...Array<typeof spec>(more).fill(spec)] });
    if (committed <= limit(grown.usable.bytes)) {
      const disks = spec.disks.length;
      const shape = `${spec.type === "draid" ? `draid${spec.parity}` : spec.type} vdev${more === 1 ? "" : "s"} of ${disks} × ${spec.disks[0].toDriveSizeString()}`;
      return `${reduce}, or add ${more} more ${shape} (${more * disks} disks; usable becomes ${grown.usable.toHuman()}, ${Number((committed * 1000n) / grown.usable.bytes) / 10}%)`;
    }
  }
  return reduce;
}

function checkThresholds(pool: PoolBudget): BudgetReport["thresholds"] {
  const t = pool.thresholds;
  if (!t) return { warningPercent: DEFAULT_WARNING_PERCENT, criticalPercent: DEFAULT_CRITICAL_PERCENT };
  const where = `pool "${pool.name}" thresholds`;
  if (typeof t.reason !== "string" || t.reason.trim().length < 10) {
    invalid(`${where}.reason`, "overriding the thresholds needs a written reason, shown in every report", t.reason, "a sentence of 10 characters or more");
  }
  for (const key of ["warningPercent", "criticalPercent"] as const) {
    const v = t[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > 100) invalid(`${where}.${key}`, "a percentage of usable space", v, "a number above 0 and at most 100");
  }
  if (t.warningPercent >= t.criticalPercent) {
    invalid(`${where}.warningPercent`, `must be below criticalPercent ${t.criticalPercent}`, t.warningPercent, `less than ${t.criticalPercent}`);
  }
  return { warningPercent: t.warningPercent, criticalPercent: t.criticalPercent, reason: t.reason.trim() };
}

function human(bytes: bigint): string {
  return Size.bytes(bytes).toHuman();
}
