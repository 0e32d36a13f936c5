import { Construct } from "constructs";
import { ScrubTask } from "../.gen/providers/truenas/scrub-task";
import { invalidProp } from "./errors";
import { Schedule } from "./schedule";
import type { ZfsPool } from "./zfs-pool";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export interface ScrubScheduleProps {
  readonly pool: ZfsPool;
  /** When the scrub may start (e.g. `Schedule.weekly({ dayOfWeek: "sunday", hour: 2 })`). */
  readonly schedule: Schedule;
  /**
   * Days since the last scrub before a scheduled run actually scrubs.
   * @default 6 (weekly)
   */
  readonly thresholdDays?: number;
}

/** A periodic scrub: ZFS only finds silent corruption on the blocks it reads. */
export class ScrubSchedule extends Construct {
  readonly resource: ScrubTask;

  constructor(scope: Construct, id: string, props: ScrubScheduleProps) {
    super(scope, id);
    if (!Schedule.isSchedule(props.schedule)) invalidProp(this, "scrub schedule is not a Schedule", props.schedule, Schedule.FACTORIES);
    props.schedule.check(this.node.path); // a schedule built from bad fields: its problems, at this construct
    const threshold = props.thresholdDays ?? 6;
    if (!Number.isInteger(threshold) || threshold < 0) invalidProp(this, "invalid scrub threshold", threshold, "whole days >= 0");
    this.resource = new ScrubTask(this, "Resource", {
      pool: props.pool.poolId,
      schedule: props.schedule.toTrueNAS(),
      threshold,
      description: `scrub ${props.pool.name} (homelab-cdktf)`,
      enabled: true,
    });
    readableAddress(this.resource, props.pool.name);
    protectFromDestroy(this.resource);
  }
}
