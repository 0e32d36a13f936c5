import { Schedule } from "../../constructs/schedule";
import { ScrubSchedule, type ScrubScheduleProps } from "../../constructs/scrub-schedule";
import { jsonOf, smallPool, synth, truenasTestStack } from "../helpers";

describe("ScrubSchedule", () => {
  test("defaults: weekly threshold, the adopted pool's id", () => {
    const { stack } = truenasTestStack();
    const pool = smallPool(stack);
    const scrub = new ScrubSchedule(stack, "scrub", { pool, schedule: Schedule.weekly({ dayOfWeek: "sunday", hour: 2 }) });
    const json = synth(stack);
    expect(jsonOf(json, scrub.resource)).toEqual({
      pool: expect.stringMatching(/^\$\{data\.truenas_pool\.[^.]+\.id\}$/),
      schedule: { minute: "0", hour: "2", dom: "*", month: "*", dow: "0" },
      threshold: 6,
      description: "scrub tank (homelab-cdktf)",
      enabled: true,
      // Serves clients or runs a task: a plan that would delete it fails (constructs/state-blocks.ts).
      lifecycle: { prevent_destroy: true },
    });
  });

  test("custom: monthly-ish threshold", () => {
    const { stack } = truenasTestStack();
    const scrub = new ScrubSchedule(stack, "scrub", { pool: smallPool(stack), schedule: Schedule.weekly({ dayOfWeek: "wednesday", hour: 1 }), thresholdDays: 27 });
    expect(jsonOf(synth(stack), scrub.resource)).toMatchObject({ threshold: 27, schedule: { dow: "3", hour: "1" } });
  });

  test.each<[string, Partial<ScrubScheduleProps>, string]>([
    ["a negative threshold", { thresholdDays: -1 }, "test/scrub: invalid scrub threshold (got -1; allowed: whole days >= 0)"],
    ["a schedule built from a bad field", { schedule: Schedule.weekly({ dayOfWeek: 9, hour: 2 }) }, "test/scrub: day of week 9 out of range (got 9; allowed: 0-7 (0 and 7 = Sunday))"],
    ["a plain object for a schedule", { schedule: { minute: "0", hour: "2", dom: "*", month: "*", dow: "0" } as never }, `test/scrub: scrub schedule is not a Schedule (got {"minute":"0","hour":"2","dom":"*","month":"*","dow":"0"}; allowed: Schedule.hourly(), .everyHours(), .daily(), .weekly() or .cron())`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    expect(() => new ScrubSchedule(stack, "scrub", { pool: smallPool(stack), schedule: Schedule.weekly({ dayOfWeek: "sunday", hour: 2 }), ...override })).toThrow(message);
  });
});
