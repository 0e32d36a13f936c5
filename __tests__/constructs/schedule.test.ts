import { InvalidInputError } from "../../constructs/errors";
import { InvalidScheduleError, Schedule } from "../../constructs/schedule";

const fields = (minute: string, hour: string, dom = "*", month = "*", dow = "*") => ({ minute, hour, dom, month, dow });

describe("Schedule", () => {
  test("defaults: minute 0, every day of every month", () => {
    expect(Schedule.hourly().toTrueNAS()).toEqual(fields("0", "*"));
    expect(Schedule.everyHours(4).toTrueNAS()).toEqual(fields("0", "*/4"));
    expect(Schedule.everyHours(1).toTrueNAS()).toEqual(fields("0", "*"));
    expect(Schedule.daily({ hour: 3 }).toTrueNAS()).toEqual(fields("0", "3"));
    expect(Schedule.weekly({ dayOfWeek: "sunday", hour: 2 }).toTrueNAS()).toEqual(fields("0", "2", "*", "*", "0"));
    expect(Schedule.cron({ minute: 0, hour: 3 }).toTrueNAS()).toEqual(fields("0", "3"));
  });

  test("custom: minutes, weekdays by name or number, hand-written fields kept as written", () => {
    expect(Schedule.hourly({ minute: 15 }).toTrueNAS()).toEqual(fields("15", "*"));
    expect(Schedule.everyHours(6, { minute: 30 }).toTrueNAS()).toEqual(fields("30", "*/6"));
    expect(Schedule.daily({ hour: 2, minute: 30 }).toTrueNAS()).toEqual(fields("30", "2"));
    expect(Schedule.weekly({ dayOfWeek: "friday", hour: 23, minute: 59 }).toTrueNAS()).toEqual(fields("59", "23", "*", "*", "5"));
    expect(Schedule.weekly({ dayOfWeek: 7, hour: 4 }).toTrueNAS()).toEqual(fields("0", "4", "*", "*", "7"));
    const custom = Schedule.cron({ minute: "0,30", hour: "8-18/2", dayOfMonth: "1-15", month: "*/3", dayOfWeek: "1-5" });
    expect(custom.toTrueNAS()).toEqual(fields("0,30", "8-18/2", "1-15", "*/3", "1-5"));
    expect(`${custom}`).toBe("0,30 8-18/2 1-15 */3 1-5");
    expect(Schedule.cron({ minute: "00", hour: "06" }).toTrueNAS()).toEqual(fields("00", "06")); // TrueNAS reads "00" as 0
  });

  test("toTrueNAS returns a fresh object each time", () => {
    const s = Schedule.hourly();
    expect(s.toTrueNAS()).not.toBe(s.toTrueNAS());
    expect(Schedule.isSchedule(s)).toBe(true);
    expect(Schedule.isSchedule(s.toTrueNAS())).toBe(false);
  });

  // The interval is the SHORTEST gap between consecutive runs, in minutes.
  test.each<[string, () => Schedule, number]>([
    ["hourly", () => Schedule.hourly(), 60],
    ["every 4 hours", () => Schedule.everyHours(4), 4 * 60],
    ["every 24 hours", () => Schedule.everyHours(24), 24 * 60],
    ["daily", () => Schedule.daily({ hour: 0, minute: 15 }), 24 * 60],
    ["weekly", () => Schedule.weekly({ dayOfWeek: "wednesday", hour: 2 }), 7 * 24 * 60],
    ["hours 0,12", () => Schedule.cron({ minute: 0, hour: "0,12" }), 12 * 60],
    ["hours */4", () => Schedule.cron({ minute: 0, hour: "*/4" }), 4 * 60],
    ["hours 0,6,12: the shortest gap, not the 12 h overnight", () => Schedule.cron({ minute: 0, hour: "0,6,12" }), 6 * 60],
    ["hours */5: 20:00 to midnight is the shortest gap", () => Schedule.cron({ minute: 0, hour: "*/5" }), 4 * 60],
    ["hours 22,2: across midnight", () => Schedule.cron({ minute: 0, hour: "2,22" }), 4 * 60],
    ["minutes 0,30 every hour", () => Schedule.cron({ minute: "0,30", hour: "*" }), 30],
    ["minutes 0,45: 45 past to the next hour", () => Schedule.cron({ minute: "0,45", hour: "*" }), 15],
    ["every minute", () => Schedule.cron({ minute: "*", hour: "*" }), 1],
    ["weekdays 1-5: Friday to Monday does not count, Monday to Tuesday does", () => Schedule.cron({ minute: 0, hour: 3, dayOfWeek: "1-5" }), 24 * 60],
    ["Sundays written as 7", () => Schedule.cron({ minute: 0, hour: 3, dayOfWeek: 7 }), 7 * 24 * 60],
    ["Saturday and Sunday (6,0)", () => Schedule.cron({ minute: 0, hour: 3, dayOfWeek: "0,6" }), 24 * 60],
    ["monthly on the 1st: February's 28 days", () => Schedule.cron({ minute: 0, hour: 3, dayOfMonth: 1 }), 28 * 24 * 60],
    ["on the 31st: July 31st to August 31st is the shortest", () => Schedule.cron({ minute: 0, hour: 3, dayOfMonth: 31 }), 31 * 24 * 60],
    ["quarterly", () => Schedule.cron({ minute: 0, hour: 3, dayOfMonth: 1, month: "1,4,7,10" }), 90 * 24 * 60],
    ["yearly on February 29th: 4 years", () => Schedule.cron({ minute: 0, hour: 3, dayOfMonth: 29, month: 2 }), 1461 * 24 * 60],
    ["day of month OR day of week when both are given", () => Schedule.cron({ minute: 0, hour: 3, dayOfMonth: 15, dayOfWeek: 1 }), 24 * 60],
  ])("interval: %s", (_name, make, minutes) => {
    const s = make();
    expect(s.intervalMinutes).toBe(minutes);
    expect(s.intervalHours).toBe(minutes / 60);
  });

  test.each<[string, () => Schedule, string]>([
    ["a minute past 59", () => Schedule.hourly({ minute: 60 }), "Schedule.hourly: minute 60 out of range (got 60; allowed: 0-59)"],
    ["a fractional minute", () => Schedule.hourly({ minute: 1.5 }), "Schedule.hourly: minute is not a whole number (got 1.5; allowed: 0-59)"],
    ["hours that do not divide 24", () => Schedule.everyHours(5), "Schedule.everyHours: hours must divide 24 (got 5; allowed: 1, 2, 3, 4, 6, 8, 12, 24)"],
    ["hour 24", () => Schedule.daily({ hour: 24 }), "Schedule.daily: hour 24 out of range (got 24; allowed: 0-23)"],
    ["a negative hour", () => Schedule.daily({ hour: -1 }), "Schedule.daily: hour -1 out of range (got -1; allowed: 0-23)"],
    ["a daily schedule without hour", () => (Schedule.daily as (o: object) => Schedule)({}), `Schedule.daily: hour not given (got nothing; allowed: 0-23, as n, a-b, *, */s or a-b/s, comma-separated ("*" for every hour))`],
    ["a misspelled weekday", () => Schedule.weekly({ dayOfWeek: "sundy" as never, hour: 2 }), `Schedule.weekly: day of week is not a weekday (got "sundy"; allowed: sunday, monday, tuesday, wednesday, thursday, friday, saturday, or 0-7 (0 and 7 = Sunday))`],
    ["day of week 8", () => Schedule.weekly({ dayOfWeek: 8, hour: 2 }), "Schedule.weekly: day of week 8 out of range (got 8; allowed: 0-7 (0 and 7 = Sunday))"],
    ["a weekly schedule without day", () => (Schedule.weekly as (o: object) => Schedule)({ hour: 2 }), "Schedule.weekly: day of week not given (got nothing; allowed: sunday, monday, tuesday, wednesday, thursday, friday, saturday, or 0-7 (0 and 7 = Sunday))"],
    ["a list item out of range", () => Schedule.cron({ minute: "0,75,90", hour: "*" }), `Schedule.cron: minute 75, 90 out of range (got "0,75,90"; allowed: 0-59)`],
    ["a range end out of range", () => Schedule.cron({ minute: 0, hour: "20-24" }), `Schedule.cron: hour 24 out of range (got "20-24"; allowed: 0-23)`],
    ["day of month 0", () => Schedule.cron({ minute: 0, hour: 0, dayOfMonth: 0 }), "Schedule.cron: day of month 0 out of range (got 0; allowed: 1-31)"],
    ["month 13", () => Schedule.cron({ minute: 0, hour: 0, month: "13" }), `Schedule.cron: month 13 out of range (got "13"; allowed: 1-12)`],
    ["a range running backwards", () => Schedule.cron({ minute: 0, hour: "22-2" }), `Schedule.cron: hour range 22-2 runs backwards (got "22-2"; allowed: a-b with a <= b)`],
    ["a step of 0", () => Schedule.cron({ minute: "*/0", hour: "*" }), `Schedule.cron: minute step 0 out of range (got "*/0"; allowed: steps of 1-60)`],
    ["a step after a single number", () => Schedule.cron({ minute: 0, hour: "5/2" }), `Schedule.cron: hour step after a single number "5/2" (got "5/2"; allowed: a step after * or a range, */s or a-b/s (TrueNAS refuses n/s))`],
    ["a weekday name in cron", () => Schedule.cron({ minute: 0, hour: 0, dayOfWeek: "mon" }), `Schedule.cron: cannot read "mon" in the day of week (got "mon"; allowed: 0-7 (0 and 7 = Sunday), as n, a-b, *, */s or a-b/s, comma-separated)`],
    ["an empty field", () => Schedule.cron({ minute: "", hour: "*" }), `Schedule.cron: cannot read "" in the minute (got ""; allowed: 0-59, as n, a-b, *, */s or a-b/s, comma-separated)`],
    ["spaces", () => Schedule.cron({ minute: "0, 30", hour: "*" }), `Schedule.cron: cannot read " 30" in the minute (got "0, 30"; allowed: 0-59, as n, a-b, *, */s or a-b/s, comma-separated)`],
    ["a missing minute", () => Schedule.cron({ hour: 3 } as never), `Schedule.cron: minute not given (got nothing; allowed: 0-59, as n, a-b, *, */s or a-b/s, comma-separated ("*" for every minute))`],
    ["a day that no month given has", () => Schedule.cron({ minute: 0, hour: 3, dayOfMonth: 31, month: "2,4" }), `Schedule.cron: schedule never runs: no month has that day (got "0 3 31 2,4 *"; allowed: a day of month that exists in one of the months given)`],
  ])("rejects %s", (_name, make, message) => {
    // The factory itself never throws (an inventory module always loads): the schedule carries its problems.
    const schedule = make();
    expect(schedule.isValid()).toBe(false);
    expect(() => schedule.check()).toThrow(InvalidScheduleError);
    expect(() => schedule.toTrueNAS()).toThrow(InvalidScheduleError);
    expect(() => schedule.intervalMinutes).toThrow(InvalidScheduleError);
    try {
      schedule.check();
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });

  test("every bad field in ONE error, in field order, with the parts to re-report it elsewhere", () => {
    let error: InvalidScheduleError | undefined;
    try {
      Schedule.cron({ minute: 60, hour: "x", dayOfMonth: "32", month: "0-12", dayOfWeek: "*/9" }).check();
    } catch (e) {
      error = e as InvalidScheduleError;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error!.message).toBe([
      "Schedule.cron: minute 60 out of range (got 60; allowed: 0-59)",
      `Schedule.cron: cannot read "x" in the hour (got "x"; allowed: 0-23, as n, a-b, *, */s or a-b/s, comma-separated)`,
      `Schedule.cron: day of month 32 out of range (got "32"; allowed: 1-31)`,
      `Schedule.cron: month 0 out of range (got "0-12"; allowed: 1-12)`,
      `Schedule.cron: day of week step 9 out of range (got "*/9"; allowed: steps of 1-7)`,
    ].join("\n"));
    expect(error!.issues.map((i) => [i.field, i.got])).toEqual([["minute", 60], ["hour", "x"], ["dayOfMonth", "32"], ["month", "0-12"], ["dayOfWeek", "*/9"]]);
    expect(error!.at("inventory homelab/truenasVms/truenas-primary/scrubs/fast").problems[0]).toBe(
      "inventory homelab/truenasVms/truenas-primary/scrubs/fast: minute 60 out of range (got 60; allowed: 0-59)",
    );
  });

  test("a factory's problems come in field order too", () => {
    expect(() => Schedule.weekly({ dayOfWeek: "someday" as never, hour: 24, minute: 1.5 }).check()).toThrow([
      "Schedule.weekly: minute is not a whole number (got 1.5; allowed: 0-59)",
      "Schedule.weekly: hour 24 out of range (got 24; allowed: 0-23)",
      `Schedule.weekly: day of week is not a weekday (got "someday"; allowed: sunday, monday, tuesday, wednesday, thursday, friday, saturday, or 0-7 (0 and 7 = Sunday))`,
    ].join("\n"));
  });
});
