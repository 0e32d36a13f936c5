import { Cron } from "../../constructs/cron";
import { ScrubSchedule } from "../../constructs/scrub-schedule";
import { jsonOf, smallPool, synth, truenasTestStack } from "../helpers";

describe("ScrubSchedule", () => {
  test("defaults: weekly threshold, the adopted pool's id", () => {
    const { stack } = truenasTestStack();
    const pool = smallPool(stack);
    const scrub = new ScrubSchedule(stack, "scrub", { pool, schedule: Cron.weekly(0, 2) });
    const json = synth(stack);
    expect(jsonOf(json, scrub.resource)).toEqual({
      pool: expect.stringMatching(/^\$\{data\.truenas_pool\.[^.]+\.id\}$/),
      schedule: { minute: "0", hour: "2", dom: "*", month: "*", dow: "0" },
      threshold: 6,
      description: "scrub tank (homelab-cdktf)",
      enabled: true,
    });
  });

  test("custom: monthly-ish threshold", () => {
    const { stack } = truenasTestStack();
    const scrub = new ScrubSchedule(stack, "scrub", { pool: smallPool(stack), schedule: Cron.weekly(3, 1), thresholdDays: 27 });
    expect(jsonOf(synth(stack), scrub.resource)).toMatchObject({ threshold: 27, schedule: { dow: "3", hour: "1" } });
  });

  test("rejects a negative threshold", () => {
    const { stack } = truenasTestStack();
    expect(() => new ScrubSchedule(stack, "scrub", { pool: smallPool(stack), schedule: Cron.weekly(0, 2), thresholdDays: -1 })).toThrow("test/scrub: invalid scrub threshold (got -1; allowed: whole days >= 0)");
  });
});
