/** A TrueNAS task schedule (cron fields, as the API takes them). */
export interface CronSchedule {
  readonly minute: string;
  readonly hour: string;
  readonly dom: string;
  readonly month: string;
  readonly dow: string;
}

export const Cron = {
  /** Every hour at `minute`. */
  hourly(minute = 0): CronSchedule {
    return { minute: `${minute}`, hour: "*", dom: "*", month: "*", dow: "*" };
  },
  /** Every `hours` hours (a divisor of 24), at `minute`. */
  everyHours(hours: number, minute = 0): CronSchedule {
    if (!Number.isInteger(hours) || hours < 1 || 24 % hours !== 0) {
      throw new RangeError(`Cron.everyHours: hours must divide 24 (got ${hours}; allowed: 1, 2, 3, 4, 6, 8, 12, 24)`);
    }
    return { minute: `${minute}`, hour: hours === 1 ? "*" : `*/${hours}`, dom: "*", month: "*", dow: "*" };
  },
  /** Every day at `hour`:`minute`. */
  daily(hour: number, minute = 0): CronSchedule {
    return { minute: `${minute}`, hour: `${hour}`, dom: "*", month: "*", dow: "*" };
  },
  /** Every week on `dow` (0 = Sunday) at `hour`:`minute`. */
  weekly(dow: number, hour: number, minute = 0): CronSchedule {
    return { minute: `${minute}`, hour: `${hour}`, dom: "*", month: "*", dow: `${dow}` };
  },
};

/** Hours between runs for schedules built by `Cron` (used to turn "keep N" into a lifetime). */
export function intervalHours(s: CronSchedule): number {
  if (s.dow !== "*") return 24 * 7;
  if (s.hour === "*") return 1;
  if (s.hour.startsWith("*/")) return Number(s.hour.slice(2));
  return 24;
}
