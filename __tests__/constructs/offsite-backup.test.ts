import { OffsiteBackup, type OffsiteBackupProps } from "../../constructs/offsite-backup";
import { Schedule } from "../../constructs/schedule";
import { SecretValue } from "../../constructs/secret";
import { TerraformVariable, type TerraformStack } from "../../lib/cdktf";
import { synth, truenasTestStack } from "../helpers";
import { tankDatasets } from "./storage-fixtures";

function props(stack: TerraformStack): OffsiteBackupProps & { others: ReturnType<typeof tankDatasets> } {
  const secret = (name: string) => SecretValue.fromVariable(stack, name, { description: name });
  const others = tankDatasets(stack);
  const keyId = new TerraformVariable(stack, "key_id", { type: "string", sensitive: true }).stringValue;
  return { bucket: "homelab-offsite", keyId, applicationKey: secret("app_key"), resticPassword: secret("restic"), datasets: [others.photos], schedule: Schedule.daily({ hour: 2, minute: 30 }), keepLast: 30, others };
}

describe("OffsiteBackup", () => {
  test("defaults: B2 credentials and restic password only as write-only references, consistent snapshots", () => {
    const { stack } = truenasTestStack();
    const backup = new OffsiteBackup(stack, "offsite", props(stack));
    const json = synth(stack);
    const creds = Object.values(json.resource!.truenas_cloudsync_credentials)[0] as any;
    expect(creds).toEqual({
      name: "b2-offsite",
      lifecycle: { prevent_destroy: true },
      provider_config: '${jsonencode({"type" = "B2", "account" = var.key_id})}',
      provider_secrets_wo: '${jsonencode({"key" = var.app_key})}',
      provider_secrets_wo_version: "${var.app_key_version}",
    });
    // Each write-only secret has its version variable, 1 until bumped after a rotation.
    expect(json.variable).toMatchObject({ app_key: { sensitive: true, nullable: false }, app_key_version: { type: "number", default: 1 }, restic_version: { type: "number", default: 1 } });
    const task = json.resource!.truenas_cloud_backup[backup.tasks[0].friendlyUniqueId] as any;
    expect(task).toMatchObject({
      keep_last: 30,
      password_wo: "${var.restic}",
      password_wo_version: "${var.restic_version}",
      snapshot: true,
      schedule: { minute: "30", hour: "2", dom: "*", month: "*", dow: "*" },
      attributes: '${jsonencode({"bucket" = "homelab-offsite", "folder" = "/tank/photos"})}',
    });
    expect(task.password).toBeUndefined();
  });

  test("custom: several datasets share the password and its version", () => {
    const { stack } = truenasTestStack();
    const p = props(stack);
    const backup = new OffsiteBackup(stack, "offsite", { ...p, datasets: [p.others.photos, p.others.apps] });
    const json = synth(stack);
    const tasks = backup.tasks.map((t) => json.resource!.truenas_cloud_backup[t.friendlyUniqueId] as any);
    expect(tasks.map((t) => [t.description, t.password_wo_version])).toEqual([["offsite tank/photos", "${var.restic_version}"], ["offsite tank/apps", "${var.restic_version}"]]);
    expect(Object.keys(json.resource!.truenas_cloudsync_credentials)).toHaveLength(1); // one credential for all
    expect(json).toMatchSnapshot();
  });

  test.each<[string, Partial<OffsiteBackupProps>, string]>([
    ["an invalid bucket", { bucket: "Photos_Bucket" }, `test/offsite: invalid B2 bucket name (got "Photos_Bucket"; allowed: 6-50 lowercase letters, digits and '-')`],
    ["zero retention", { keepLast: 0 }, "test/offsite: offsite retention keeps nothing (got 0; allowed: keepLast >= 1)"],
    ["a plain object for a schedule", { schedule: { minute: "30", hour: "2", dom: "*", month: "*", dow: "*" } as never }, `test/offsite: offsite backup schedule is not a Schedule (got {"minute":"30","hour":"2","dom":"*","month":"*","dow":"*"}; allowed: Schedule.hourly(), .everyHours(), .daily(), .weekly() or .cron())`],
    ["no datasets", { datasets: [] }, "test/offsite: offsite backup of nothing (got []; allowed: at least one dataset)"],
    ["a literal restic password", { resticPassword: "hunter2hunter2" as never }, "test/offsite: resticPassword is not a secret from a Terraform variable, and would be written into cdk.tf.json (got a literal string of 14 characters; allowed: SecretValue.fromVariable(...))"],
    ["a literal application key", { applicationKey: "K001abc" as never }, "test/offsite: applicationKey is not a secret from a Terraform variable"],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    expect(() => new OffsiteBackup(stack, "offsite", { ...props(stack), ...override })).toThrow(message);
  });
});
