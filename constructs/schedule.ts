import { InvalidInputError, problem } from "./errors";

/**
 * The five cron fields of a TrueNAS task schedule, as the API and the truenas provider take them
 * (`schedule` of periodic snapshot, scrub and cloud backup tasks).
 */
export interface TrueNASCronFields {
  readonly minute: string;
  readonly hour: string;
  readonly dom: string;
  readonly month: string;
  readonly dow: string;
}

/** A day of the week by name; `Schedule` writes it as cron's number (Sunday = 0). */
export type Weekday = "sunday" | "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday";
const WEEKDAYS: readonly Weekday[] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/**
 * One hand-written cron field: a number, or cron text made of `*`, `n`, `a-b`, `*\/s` and `a-b/s`,
 * comma-separated: `"0"`, `"1-5"`, `"0,12"`, `"*\/4"`, `"8-18/2"`.
 * Names (`mon`, `jan`) are not accepted, nor `n/s` (TrueNAS refuses a step after a single number).
 */
export type CronField = number | string;

export interface CronOptions {
  /** Minute, 0-59. No default: a forgotten minute would run the task every minute (write `"*"` for that). */
  readonly minute: CronField;
  /** Hour, 0-23. No default (write `"*"` for every hour). */
  readonly hour: CronField;
  /** Day of the month, 1-31. @default "*" */
  readonly dayOfMonth?: CronField;
  /** Month, 1-12. @default "*" */
  readonly month?: CronField;
  /**
   * Day of the week, 0-7 (0 and 7 are Sunday, as TrueNAS reads them). When both this and
   * `dayOfMonth` are restricted (not `"*"`), a day matches if either matches, as in cron.
   * @default "*"
   */
  readonly dayOfWeek?: CronField;
}

export interface HourlyOptions {
  /** Minute past the hour, 0-59. @default 0 */
  readonly minute?: number;
}

export interface DailyOptions {
  /** Hour of the day, 0-23. */
  readonly hour: number;
  /** Minute past the hour, 0-59. @default 0 */
  readonly minute?: number;
}

export interface WeeklyOptions extends DailyOptions {
  /** The day: `"sunday"` ... `"saturday"`, or cron's number 0-7 (0 and 7 = Sunday). */
  readonly dayOfWeek: Weekday | number;
}

/** Which input a schedule problem is about: a cron field, `hours` of `everyHours`, or the whole schedule. */
export type ScheduleField = keyof CronOptions | "hours" | "schedule";

/** One problem with a schedule, in the parts of the project's error format. */
export interface ScheduleIssue {
  readonly field: ScheduleField;
  /** What is wrong, e.g. `hour 24 out of range`. */
  readonly what: string;
  readonly got: unknown;
  readonly allowed: string;
}

/**
 * Every problem of one schedule, at once. A schedule is a value built before any construct exists
 * (in the inventory), so its lines start with the factory (`Schedule.weekly: hour 24 out of range
 * (got 24; allowed: 0-23)`); `at(where)` gives the same problems reported from another place (the
 * inventory entry, a construct path).
 */
export class InvalidScheduleError extends InvalidInputError {
  constructor(readonly where: string, readonly issues: readonly ScheduleIssue[]) {
    super(issues.map((i) => problem(where, i.what, i.got, i.allowed)));
    this.name = "InvalidScheduleError";
  }

  /** The same problems, reported at `where` (an inventory entry or a construct path). */
  at(where: string): InvalidScheduleError {
    return new InvalidScheduleError(where, this.issues);
  }
}

type CronFieldName = keyof CronOptions;

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** What `*` stands for (day of week: 0-6; 7 is an alias of 0). */
  readonly starMax: number;
  readonly range: string;
}

const FIELDS: Record<CronFieldName, FieldSpec> = {
  minute: { label: "minute", min: 0, max: 59, starMax: 59, range: "0-59" },
  hour: { label: "hour", min: 0, max: 23, starMax: 23, range: "0-23" },
  dayOfMonth: { label: "day of month", min: 1, max: 31, starMax: 31, range: "1-31" },
  month: { label: "month", min: 1, max: 12, starMax: 12, range: "1-12" },
  dayOfWeek: { label: "day of week", min: 0, max: 7, starMax: 6, range: "0-7 (0 and 7 = Sunday)" },
};
const FIELD_ORDER: readonly CronFieldName[] = ["minute", "hour", "dayOfMonth", "month", "dayOfWeek"];
const SYNTAX = "n, a-b, *, */s or a-b/s, comma-separated";
const DIVISORS_OF_24 = [1, 2, 3, 4, 6, 8, 12, 24];
/** Problems are reported in the order the fields are written. */
const ISSUE_ORDER: readonly ScheduleField[] = ["hours", ...FIELD_ORDER, "schedule"];

/** A parsed field: the text as written, the values it matches, and whether it is `*`. */
interface ParsedField {
  readonly text: string;
  readonly values: readonly number[];
  readonly star: boolean;
}

/**
 * When a TrueNAS task runs: a value built by a factory (`Schedule.hourly()`, `.everyHours(4)`,
 * `.daily({ hour: 0, minute: 15 })`, `.weekly({ dayOfWeek: "sunday", hour: 2 })`) or from
 * hand-written cron fields (`Schedule.cron({ minute: 0, hour: "0,12" })`). Every field is checked
 * when it is built. It knows its own interval (`intervalMinutes`, `intervalHours`): the SHORTEST
 * time between two consecutive runs (see `intervalMinutes`).
 *
 * The factories never throw: bad fields give an INVALID schedule that carries every problem
 * (`issues`), so an inventory module always loads and its checker reports them with the inventory
 * entry that holds the schedule. `check()` throws them (an `InvalidScheduleError`), and so does
 * using an invalid schedule (`toTrueNAS()`, `intervalMinutes`).
 */
export class Schedule {
  /** Every hour at `minute` (default 0). */
  static hourly(options: HourlyOptions = {}): Schedule {
    return Schedule.build("Schedule.hourly", { minute: options.minute ?? 0, hour: "*" });
  }

  /** Every `hours` hours (a divisor of 24: 1, 2, 3, 4, 6, 8, 12, 24), from midnight, at `minute` (default 0). */
  static everyHours(hours: number, options: HourlyOptions = {}): Schedule {
    const issues: ScheduleIssue[] = [];
    const ok = DIVISORS_OF_24.includes(hours);
    if (!ok) issues.push({ field: "hours", what: "hours must divide 24", got: hours, allowed: DIVISORS_OF_24.join(", ") });
    return Schedule.build("Schedule.everyHours", { minute: options.minute ?? 0, hour: !ok || hours === 1 ? "*" : `*/${hours}` }, issues);
  }

  /** Every day at `hour`:`minute`. */
  static daily(options: DailyOptions): Schedule {
    return Schedule.build("Schedule.daily", { minute: options.minute ?? 0, hour: options.hour });
  }

  /** Every week on `dayOfWeek` at `hour`:`minute`. */
  static weekly(options: WeeklyOptions): Schedule {
    const issues: ScheduleIssue[] = [];
    let dayOfWeek: CronField = "*";
    const day = options.dayOfWeek;
    if (day === undefined) {
      issues.push({ field: "dayOfWeek", what: "day of week not given", got: day, allowed: `${WEEKDAYS.join(", ")}, or ${FIELDS.dayOfWeek.range}` });
    } else if (typeof day === "string") {
      const index = WEEKDAYS.indexOf(day);
      if (index < 0) issues.push({ field: "dayOfWeek", what: "day of week is not a weekday", got: day, allowed: `${WEEKDAYS.join(", ")}, or ${FIELDS.dayOfWeek.range}` });
      else dayOfWeek = index;
    } else {
      dayOfWeek = day; // a number: checked as a cron field
    }
    return Schedule.build("Schedule.weekly", { minute: options.minute ?? 0, hour: options.hour, dayOfWeek }, issues);
  }

  /** Hand-written cron fields, each range-checked (lists, ranges and steps included). */
  static cron(options: CronOptions): Schedule {
    return Schedule.build("Schedule.cron", options);
  }

  /** How a schedule is built, for `allowed:` in the errors of constructs that take one. */
  static readonly FACTORIES = "Schedule.hourly(), .everyHours(), .daily(), .weekly() or .cron()";

  /** True for a `Schedule` (constructs use it to refuse a plain object with a clear message). */
  static isSchedule(x: unknown): x is Schedule {
    return x instanceof Schedule;
  }

  private static build(where: string, options: CronOptions, issues: ScheduleIssue[] = []): Schedule {
    const rank = (i: ScheduleIssue) => ISSUE_ORDER.indexOf(i.field);
    const parsed = {} as Record<CronFieldName, ParsedField | undefined>;
    for (const name of FIELD_ORDER) {
      const raw = options[name];
      const fallback = name === "minute" || name === "hour" ? undefined : "*";
      parsed[name] = parseField(name, raw ?? fallback, issues);
    }
    if (issues.length > 0) return new Schedule(where, undefined, NaN, [...issues].sort((a, b) => rank(a) - rank(b)));
    const fields = parsed as Record<CronFieldName, ParsedField>;
    const schedule = new Schedule(where, {
      minute: fields.minute.text,
      hour: fields.hour.text,
      dom: fields.dayOfMonth.text,
      month: fields.month.text,
      dow: fields.dayOfWeek.text,
    }, intervalMinutes(fields));
    if (schedule.intervalMinutes === Infinity) {
      return new Schedule(where, undefined, NaN, [{ field: "schedule", what: "schedule never runs: no month has that day", got: schedule.toString(), allowed: "a day of month that exists in one of the months given" }]);
    }
    return schedule;
  }

  /**
   * Minutes between two consecutive runs; where runs are unevenly spaced, the SHORTEST gap (hour
   * `"0,6,12"`: 360, not 720). Snapshot lifetimes are `keep` x this interval, so a policy never keeps
   * more than `keep` snapshots (the space planned); where runs are sparser it keeps fewer.
   * Examples: hourly 60; `*\/4` hours 240; `"0,12"` hours 720; daily 1440; weekly 10080; monthly
   * (day 1 of every month) 40320 = 28 days, February's gap. Days count by the Gregorian calendar
   * (28 years of it), day of month OR day of week when both are restricted.
   */
  get intervalMinutes(): number {
    return this.valid().interval;
  }

  /** The factory that built it (`Schedule.weekly`), for messages. */
  readonly factory: string;
  /** Every problem of a schedule built from bad fields, in field order; empty for a valid one. */
  readonly issues: readonly ScheduleIssue[];
  private readonly fields?: TrueNASCronFields;
  private readonly interval: number;

  private constructor(factory: string, fields: TrueNASCronFields | undefined, interval: number, issues: readonly ScheduleIssue[] = []) {
    this.factory = factory;
    this.fields = fields;
    this.interval = interval;
    this.issues = issues;
  }

  /** False for a schedule built from bad fields (see `issues`). */
  isValid(): boolean {
    return this.issues.length === 0;
  }

  /**
   * Throws every problem of an invalid schedule at once (an `InvalidScheduleError`), reported at
   * `where` (an inventory entry, a construct path; default: the factory); returns a valid one.
   */
  check(where: string = this.factory): this {
    if (this.issues.length > 0) throw new InvalidScheduleError(where, this.issues);
    return this;
  }

  private valid(): { fields: TrueNASCronFields; interval: number } {
    this.check();
    return { fields: this.fields!, interval: this.interval };
  }

  /** `intervalMinutes` in hours (a fraction for schedules that run more than hourly). */
  get intervalHours(): number {
    return this.intervalMinutes / 60;
  }

  /** The fields as the truenas provider takes them (`schedule` of snapshot, scrub and cloud backup tasks). */
  toTrueNAS(): TrueNASCronFields {
    const { minute, hour, dom, month, dow } = this.valid().fields;
    return { minute, hour, dom, month, dow };
  }

  /** Crontab order, e.g. `0 *\/4 * * *`; `Schedule.weekly(invalid)` for an invalid schedule. */
  toString(): string {
    if (!this.fields) return `${this.factory}(invalid)`;
    const { minute, hour, dom, month, dow } = this.fields;
    return `${minute} ${hour} ${dom} ${month} ${dow}`;
  }
}

/** Parses one field, adding a problem per kind of mistake found in it; undefined if it has any. */
function parseField(name: CronFieldName, raw: unknown, issues: ScheduleIssue[]): ParsedField | undefined {
  const spec = FIELDS[name];
  const before = issues.length;
  const add = (what: string, allowed: string) => issues.push({ field: name, what, got: raw, allowed });
  if (raw === undefined) {
    add(`${spec.label} not given`, `${spec.range}, as ${SYNTAX} ("*" for every ${spec.label})`);
    return undefined;
  }
  if (typeof raw === "number") {
    if (!Number.isInteger(raw)) add(`${spec.label} is not a whole number`, spec.range);
    else if (raw < spec.min || raw > spec.max) add(`${spec.label} ${raw} out of range`, spec.range);
    if (issues.length > before) return undefined;
  } else if (typeof raw !== "string") {
    add(`${spec.label} is neither a number nor cron text`, `${spec.range}, as ${SYNTAX}`);
    return undefined;
  }
  const text = String(raw);
  const values = new Set<number>();
  const unreadable: string[] = [];
  const outOfRange: string[] = [];
  const backwards: string[] = [];
  const badSteps: string[] = [];
  const stepAfterNumber: string[] = [];
  for (const part of text.split(",")) {
    const m = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) {
      unreadable.push(JSON.stringify(part));
      continue;
    }
    const [, star, a, b, s] = m;
    if (!star && b === undefined && s !== undefined) {
      stepAfterNumber.push(JSON.stringify(part));
      continue;
    }
    const low = star ? spec.min : Number(a);
    const high = star ? spec.starMax : b === undefined ? low : Number(b);
    const step = s === undefined ? 1 : Number(s);
    let ok = true;
    for (const n of b === undefined ? [low] : [low, high]) {
      if (!star && (n < spec.min || n > spec.max)) {
        outOfRange.push(`${n}`);
        ok = false;
      }
    }
    if (ok && low > high) {
      backwards.push(part);
      ok = false;
    }
    if (step < 1 || step > spec.starMax - spec.min + 1) {
      badSteps.push(`${step}`);
      ok = false;
    }
    if (!ok) continue;
    for (let v = low; v <= high; v += step) values.add(name === "dayOfWeek" && v === 7 ? 0 : v);
  }
  const list = (xs: string[]) => xs.join(", ");
  if (unreadable.length) add(`cannot read ${list(unreadable)} in the ${spec.label}`, `${spec.range}, as ${SYNTAX}`);
  if (stepAfterNumber.length) add(`${spec.label} step after a single number ${list(stepAfterNumber)}`, "a step after * or a range, */s or a-b/s (TrueNAS refuses n/s)");
  if (outOfRange.length) add(`${spec.label} ${list(outOfRange)} out of range`, spec.range);
  if (backwards.length) add(`${spec.label} range ${list(backwards)} runs backwards`, "a-b with a <= b");
  if (badSteps.length) add(`${spec.label} step ${list(badSteps)} out of range`, `steps of 1-${spec.starMax - spec.min + 1}`);
  if (issues.length > before) return undefined;
  return { text, values: [...values].sort((x, y) => x - y), star: text === "*" };
}

/** The shortest gap between consecutive runs, in minutes (Infinity: the schedule never runs). */
function intervalMinutes(f: Record<CronFieldName, ParsedField>): number {
  const minutes = f.minute.values;
  const hours = f.hour.values;
  const minGap = (xs: readonly number[]) => xs.slice(1).reduce((best, x, i) => Math.min(best, x - xs[i]), Infinity);
  const first = hours[0] * 60 + minutes[0];
  const last = hours[hours.length - 1] * 60 + minutes[minutes.length - 1];
  return Math.min(
    minGap(minutes), // within an hour
    minGap(hours) * 60 - (minutes[minutes.length - 1] - minutes[0]), // last run of an hour to the first of the next
    shortestDayGap(f) * 24 * 60 - (last - first), // last run of a day to the first of the next day that runs
  );
}

/** The fewest days between two days on which the schedule runs (Infinity: no day runs). */
function shortestDayGap(f: Record<CronFieldName, ParsedField>): number {
  const dows = new Set(f.dayOfWeek.values);
  if (f.dayOfMonth.star && f.month.star) {
    if (f.dayOfWeek.star) return 1;
    const days = [...dows];
    return Math.min(...days.map((d) => Math.min(...days.map((e) => ((e - d + 6) % 7) + 1))));
  }
  // Walk 28 Gregorian years (every weekday/leap-year combination; none is a skipped century leap year).
  const doms = new Set(f.dayOfMonth.values);
  const months = new Set(f.month.values);
  const either = !f.dayOfMonth.star && !f.dayOfWeek.star; // cron: restricted day of month OR day of week
  let weekday = 1; // 2001-01-01 was a Monday
  let day = 0;
  let previous: number | undefined;
  let best = Infinity;
  for (let year = 2001; year < 2001 + 28; year++) {
    const leap = year % 4 === 0; // no century year in 2001-2028
    for (let month = 1; month <= 12; month++) {
      const length = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
      for (let dom = 1; dom <= length; dom++, day++, weekday = (weekday + 1) % 7) {
        if (!months.has(month)) continue;
        const runs = either ? doms.has(dom) || dows.has(weekday) : doms.has(dom) && dows.has(weekday);
        if (!runs) continue;
        if (previous !== undefined) best = Math.min(best, day - previous);
        previous = day;
      }
    }
  }
  return best;
}
