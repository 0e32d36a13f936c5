import { Construct } from "constructs";
import { PeriodicSnapshotTask } from "../.gen/providers/truenas/periodic-snapshot-task";
import { intervalHours, type CronSchedule } from "./cron";
import type { ZfsDataset } from "./dataset-tree";
import { invalidProp } from "./errors";

export interface SnapshotPolicyProps {
  readonly dataset: ZfsDataset;
  /** When snapshots are taken (see `Cron`). */
  readonly schedule: CronSchedule;
  /** How many snapshots to keep: the lifetime is `keep` x the interval between runs. */
  readonly keep: number;
  /**
   * Snapshot child datasets too.
   * @default true
   */
  readonly recursive?: boolean;
  /**
   * strftime naming schema; replication tasks match snapshots by it.
   * @default "auto-%Y-%m-%d_%H-%M"
   */
  readonly namingSchema?: string;
}

/** Tier 1 of the backup plan: a periodic snapshot task with count-based retention. */
export class SnapshotPolicy extends Construct {
  readonly resource: PeriodicSnapshotTask;
  readonly dataset: ZfsDataset;
  readonly namingSchema: string;
  /** Retention as TrueNAS stores it. */
  readonly lifetime: { readonly value: number; readonly unit: "HOUR" | "DAY" };

  constructor(scope: Construct, id: string, props: SnapshotPolicyProps) {
    super(scope, id);
    if (!Number.isInteger(props.keep) || props.keep < 1) {
      invalidProp(this, `snapshot retention of ${props.dataset.path} keeps nothing`, props.keep, "keep >= 1 snapshots");
    }
    const namingSchema = props.namingSchema ?? "auto-%Y-%m-%d_%H-%M";
    if (!["%Y", "%m", "%d", "%H", "%M"].every((t) => namingSchema.includes(t))) {
      invalidProp(this, "naming schema cannot tell snapshots apart", namingSchema, "a strftime pattern with %Y, %m, %d, %H and %M");
    }
    const hours = props.keep * intervalHours(props.schedule);
    this.lifetime = hours % 24 === 0 ? { value: hours / 24, unit: "DAY" } : { value: hours, unit: "HOUR" };
    this.dataset = props.dataset;
    this.namingSchema = namingSchema;
    this.resource = new PeriodicSnapshotTask(this, "Resource", {
      dataset: props.dataset.resource.name,
      recursive: props.recursive ?? true,
      schedule: props.schedule,
      lifetimeValue: this.lifetime.value,
      lifetimeUnit: this.lifetime.unit,
      namingSchema,
      allowEmpty: false,
      enabled: true,
    });
  }
}
