import { Construct } from "constructs";
import { PeriodicSnapshotTask } from "../.gen/providers/truenas/periodic-snapshot-task";
import { datasetAddressName, type ZfsDataset } from "./zfs-dataset";
import { invalidProp } from "./errors";
import { Schedule } from "./schedule";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export interface SnapshotPolicyProps {
  readonly dataset: ZfsDataset;
  /** When snapshots are taken (`Schedule.hourly()`, `Schedule.everyHours(4)`, ...). */
  readonly schedule: Schedule;
  /**
   * How many snapshots to keep: the lifetime is `keep` x the schedule's interval, the shortest gap
   * between runs (see `Schedule.intervalMinutes`), so never more than `keep` are kept.
   */
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
  readonly schedule: Schedule;
  /** Retention as TrueNAS stores it: whole days when it is, else hours (rounded up: TrueNAS has no minutes). */
  readonly lifetime: { readonly value: number; readonly unit: "HOUR" | "DAY" };

  constructor(scope: Construct, id: string, props: SnapshotPolicyProps) {
    super(scope, id);
    if (!Schedule.isSchedule(props.schedule)) invalidProp(this, "snapshot schedule is not a Schedule", props.schedule, Schedule.FACTORIES);
    props.schedule.check(this.node.path); // a schedule built from bad fields: its problems, at this construct
    if (!Number.isInteger(props.keep) || props.keep < 1) {
      invalidProp(this, `snapshot retention of ${props.dataset.fullPath} keeps nothing`, props.keep, "keep >= 1 snapshots");
    }
    const namingSchema = props.namingSchema ?? "auto-%Y-%m-%d_%H-%M";
    if (!["%Y", "%m", "%d", "%H", "%M"].every((t) => namingSchema.includes(t))) {
      invalidProp(this, "naming schema cannot tell snapshots apart", namingSchema, "a strftime pattern with %Y, %m, %d, %H and %M");
    }
    const minutes = props.keep * props.schedule.intervalMinutes;
    this.lifetime = minutes % (24 * 60) === 0 ? { value: minutes / (24 * 60), unit: "DAY" } : { value: Math.ceil(minutes / 60), unit: "HOUR" };
    this.schedule = props.schedule;
    this.dataset = props.dataset;
    this.namingSchema = namingSchema;
    this.resource = new PeriodicSnapshotTask(this, "Resource", {
      dataset: props.dataset.resource.name,
      recursive: props.recursive ?? true,
      schedule: props.schedule.toTrueNAS(),
      lifetimeValue: this.lifetime.value,
      lifetimeUnit: this.lifetime.unit,
      namingSchema,
      allowEmpty: false,
      enabled: true,
    });
    readableAddress(this.resource, datasetAddressName(props.dataset.fullPath));
    protectFromDestroy(this.resource);
  }
}
