/**
 * The capacity model: pure TypeScript (no cdktf, no I/O), bigint bytes throughout.
 *
 * - `poolCapacity(layout)`: what OpenZFS gives a pool, byte for byte (usable, `zpool list` SIZE, slop).
 * - `zvolRefreservation(layout, zvol)`: what `zfs create -V` reserves for a thick zvol.
 * - `checkPoolBudget` / `checkBudgets` / `enforceBudgets`: what a plan commits, and its verdict.
 * - `renderConsoleTable`, `renderMarkdown`, `renderSvg`: the reports synth prints and writes.
 */
export { Size } from "./size";
export { CapacityInputError } from "./errors";
export { PARTITION_SCHEMES, PartitionScheme, driveCapacity, partitionSize } from "./partition";
export {
  DraidVdevSpec, OPENZFS_RULES, OpenZfsRules, PoolCapacity, PoolLayout, VDEV_CLASSES, VDEV_TYPES, VdevCapacity, VdevClass,
  VdevSpec, VdevType, poolCapacity,
} from "./pool";
export { DEFAULT_VOLBLOCKSIZE, ZvolSpec, zvolRefreservation } from "./zvol";
export {
  BudgetReport, BudgetThresholds, CapacityError, CommitBasis, Contributor, DEFAULT_CRITICAL_PERCENT, DEFAULT_WARNING_PERCENT,
  Finding, PlannedDataset, PoolBudget, PoolPlan, Verdict, checkBudgets, checkPoolBudget, enforceBudgets, explain,
} from "./budget";
