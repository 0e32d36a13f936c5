import { Cron } from "../../constructs/cron";
import { SnapshotPolicy, type SnapshotPolicyProps } from "../../constructs/snapshot-policy";
import { jsonOf, synth, truenasTestStack } from "../helpers";
import { tankDatasets } from "./storage-fixtures";

describe("SnapshotPolicy", () => {
  test("defaults: recursive, auto- naming, hourly x 24 is a 1-day lifetime", () => {
    const { stack } = truenasTestStack();
    const { apps } = tankDatasets(stack);
    const policy = new SnapshotPolicy(stack, "snap", { dataset: apps, schedule: Cron.hourly(), keep: 24 });
    expect(jsonOf(synth(stack), policy.resource)).toEqual({
      dataset: `\${truenas_dataset.${apps.resource.friendlyUniqueId}.name}`,
      recursive: true,
      schedule: { minute: "0", hour: "*", dom: "*", month: "*", dow: "*" },
      lifetime_value: 1,
      lifetime_unit: "DAY",
      naming_schema: "auto-%Y-%m-%d_%H-%M",
      allow_empty: false,
      enabled: true,
    });
  });

  test.each<[string, Partial<SnapshotPolicyProps>, { value: number; unit: string }]>([
    ["every 4 hours keep 6 (the review's fast/vms)", { schedule: Cron.everyHours(4), keep: 6 }, { value: 1, unit: "DAY" }],
    ["daily keep 30 (the review's bulk/photos)", { schedule: Cron.daily(0, 15), keep: 30 }, { value: 30, unit: "DAY" }],
    ["hourly keep 5", { schedule: Cron.hourly(), keep: 5 }, { value: 5, unit: "HOUR" }],
    ["weekly keep 4", { schedule: Cron.weekly(0, 3), keep: 4 }, { value: 28, unit: "DAY" }],
  ])("custom: %s", (_name, override, lifetime) => {
    const { stack } = truenasTestStack();
    const { photos } = tankDatasets(stack);
    const policy = new SnapshotPolicy(stack, "snap", { dataset: photos, schedule: Cron.hourly(), keep: 1, recursive: false, ...override });
    expect(policy.lifetime).toEqual(lifetime);
    expect(jsonOf(synth(stack), policy.resource)).toMatchObject({ lifetime_value: lifetime.value, lifetime_unit: lifetime.unit, recursive: false });
  });

  test.each<[string, Partial<SnapshotPolicyProps>, string]>([
    ["retention of zero", { keep: 0 }, "test/snap: snapshot retention of tank/apps keeps nothing (got 0; allowed: keep >= 1 snapshots)"],
    ["a naming schema without minutes", { namingSchema: "auto-%Y-%m-%d" }, `test/snap: naming schema cannot tell snapshots apart (got "auto-%Y-%m-%d"; allowed: a strftime pattern with %Y, %m, %d, %H and %M)`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    const { apps } = tankDatasets(stack);
    expect(() => new SnapshotPolicy(stack, "snap", { dataset: apps, schedule: Cron.hourly(), keep: 24, ...override })).toThrow(message);
  });

  test("Cron.everyHours only takes divisors of 24", () => {
    expect(() => Cron.everyHours(5)).toThrow("Cron.everyHours: hours must divide 24 (got 5; allowed: 1, 2, 3, 4, 6, 8, 12, 24)");
  });
});
