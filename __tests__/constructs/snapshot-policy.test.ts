import { Schedule } from "../../constructs/schedule";
import { SnapshotPolicy, type SnapshotPolicyProps } from "../../constructs/snapshot-policy";
import { jsonOf, synth, truenasTestStack } from "../helpers";
import { tankDatasets } from "./storage-fixtures";

describe("SnapshotPolicy", () => {
  test("defaults: recursive, auto- naming, hourly x 24 is a 1-day lifetime", () => {
    const { stack } = truenasTestStack();
    const { apps } = tankDatasets(stack);
    const policy = new SnapshotPolicy(stack, "snap", { dataset: apps, schedule: Schedule.hourly(), keep: 24 });
    expect(jsonOf(synth(stack), policy.resource)).toEqual({
      dataset: `\${truenas_dataset.${apps.resource.friendlyUniqueId}.name}`,
      recursive: true,
      schedule: { minute: "0", hour: "*", dom: "*", month: "*", dow: "*" },
      lifetime_value: 1,
      lifetime_unit: "DAY",
      naming_schema: "auto-%Y-%m-%d_%H-%M",
      allow_empty: false,
      enabled: true,
      // Serves clients or runs a task: a plan that would delete it fails (constructs/state-blocks.ts).
      lifecycle: { prevent_destroy: true },
    });
  });

  test.each<[string, Partial<SnapshotPolicyProps>, { value: number; unit: string }]>([
    ["every 4 hours keep 6 (the review's fast/vms)", { schedule: Schedule.everyHours(4), keep: 6 }, { value: 1, unit: "DAY" }],
    ["daily keep 30 (the review's bulk/photos)", { schedule: Schedule.daily({ hour: 0, minute: 15 }), keep: 30 }, { value: 30, unit: "DAY" }],
    ["hourly keep 5", { schedule: Schedule.hourly(), keep: 5 }, { value: 5, unit: "HOUR" }],
    ["weekly keep 4", { schedule: Schedule.weekly({ dayOfWeek: "sunday", hour: 3 }), keep: 4 }, { value: 28, unit: "DAY" }],
    ["twice a day keep 14 (hand-written hours)", { schedule: Schedule.cron({ minute: 0, hour: "0,12" }), keep: 14 }, { value: 7, unit: "DAY" }],
    ["irregular hours keep 4: the shortest gap, 6 h", { schedule: Schedule.cron({ minute: 0, hour: "0,6,12" }), keep: 4 }, { value: 1, unit: "DAY" }],
    ["every 20 minutes keep 4: rounded up to whole hours", { schedule: Schedule.cron({ minute: "*/20", hour: "*" }), keep: 4 }, { value: 2, unit: "HOUR" }],
    ["monthly keep 3: February's 28 days", { schedule: Schedule.cron({ minute: 0, hour: 3, dayOfMonth: 1 }), keep: 3 }, { value: 84, unit: "DAY" }],
  ])("custom: %s", (_name, override, lifetime) => {
    const { stack } = truenasTestStack();
    const { photos } = tankDatasets(stack);
    const policy = new SnapshotPolicy(stack, "snap", { dataset: photos, schedule: Schedule.hourly(), keep: 1, recursive: false, ...override });
    expect(policy.lifetime).toEqual(lifetime);
    expect(jsonOf(synth(stack), policy.resource)).toMatchObject({ lifetime_value: lifetime.value, lifetime_unit: lifetime.unit, recursive: false });
  });

  test.each<[string, Partial<SnapshotPolicyProps>, string]>([
    ["retention of zero", { keep: 0 }, "test/snap: snapshot retention of tank/apps keeps nothing (got 0; allowed: keep >= 1 snapshots)"],
    ["a plain object for a schedule", { schedule: { minute: "0", hour: "*", dom: "*", month: "*", dow: "*" } as never }, `test/snap: snapshot schedule is not a Schedule (got {"minute":"0","hour":"*","dom":"*","month":"*","dow":"*"}; allowed: Schedule.hourly(), .everyHours(), .daily(), .weekly() or .cron())`],
    ["a naming schema without minutes", { namingSchema: "auto-%Y-%m-%d" }, `test/snap: naming schema cannot tell snapshots apart (got "auto-%Y-%m-%d"; allowed: a strftime pattern with %Y, %m, %d, %H and %M)`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    const { apps } = tankDatasets(stack);
    expect(() => new SnapshotPolicy(stack, "snap", { dataset: apps, schedule: Schedule.hourly(), keep: 24, ...override })).toThrow(message);
  });

  test("keeps its schedule, sent to TrueNAS as cron fields", () => {
    const { stack } = truenasTestStack();
    const { apps } = tankDatasets(stack);
    const schedule = Schedule.cron({ minute: 5, hour: "8-18/2", dayOfWeek: "1-5" });
    const policy = new SnapshotPolicy(stack, "snap", { dataset: apps, schedule, keep: 10 });
    expect(policy.schedule).toBe(schedule);
    expect(jsonOf(synth(stack), policy.resource).schedule).toEqual({ minute: "5", hour: "8-18/2", dom: "*", month: "*", dow: "1-5" });
  });
});
