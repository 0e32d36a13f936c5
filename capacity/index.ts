/**
 * The capacity model: pure TypeScript (no cdktf, no I/O), bigint bytes throughout.
 *
 * - `poolCapacity(layout)`: what OpenZFS gives a pool, byte for byte (usable, `zpool list` SIZE, slop).
 * - `zvolRefreservation(layout, zvol)`: what `zfs create -V` reserves for a thick zvol.
 * - `checkPoolBudget` / `checkBudgets` / `enforceBudgets`: what a plan commits, and its verdict.
 * - `renderConsoleTable`, `renderMarkdown`, `renderSvg`: the reports synth prints and writes.
 */
export { Size, describeSizeIssue } from "./size";
export type { SizeIssue } from "./size";
export { CapacityInputError } from "./errors";
export { PARTITION_SCHEMES, driveCapacity, partitionSize } from "./partition";
export type { PartitionScheme } from "./partition";
export { OPENZFS_RULES, VDEV_CLASSES, VDEV_TYPES, poolCapacity } from "./pool";
export type { DraidVdevSpec, OpenZfsRules, PoolCapacity, PoolLayout, VdevCapacity, VdevClass, VdevSpec, VdevType } from "./pool";
export { DEFAULT_VOLBLOCKSIZE, zvolRefreservation } from "./zvol";
export type { ZvolSpec } from "./zvol";
export {
  CapacityError, DEFAULT_CRITICAL_PERCENT, DEFAULT_WARNING_PERCENT, checkBudgets, checkPoolBudget, enforceBudgets, explain,
} from "./budget";
export type {
  BudgetReport, BudgetThresholds, CommitBasis, Contributor, Finding, PlannedDataset, PoolBudget, PoolPlan, Verdict,
} from "./budget";
export { describeLayout, renderConsoleTable, renderMarkdown, renderSvg } from "./report";
export { capacityToJson, layoutFromJson } from "./layout-json";
