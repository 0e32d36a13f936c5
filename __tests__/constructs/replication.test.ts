import { Replication, type ReplicationProps } from "../../constructs/replication";
import { Schedule } from "../../constructs/schedule";
import { SnapshotPolicy } from "../../constructs/snapshot-policy";
import { TerraformVariable, type TerraformStack } from "../../lib/cdktf";
import { synth, truenasTestStack } from "../helpers";
import { tankDatasets } from "./storage-fixtures";

function setup(stack: TerraformStack) {
  const { photos, apps } = tankDatasets(stack);
  const hostKey = new TerraformVariable(stack, "host_key", { type: "string" }).stringValue;
  return {
    hostKey,
    photos: new SnapshotPolicy(stack, "snap-photos", { dataset: photos, schedule: Schedule.daily({ hour: 0 }), keep: 30 }),
    apps: new SnapshotPolicy(stack, "snap-apps", { dataset: apps, schedule: Schedule.hourly(), keep: 24 }),
  };
}

describe("Replication", () => {
  test("defaults: SSH push as root with a generated key and a pinned host key, one task per source", () => {
    const { stack } = truenasTestStack();
    const s = setup(stack);
    const replication = new Replication(stack, "replication", { targetHost: "10.10.10.6", targetHostKey: s.hostKey, targetParent: "backup/replicas", sources: [s.photos] });
    const json = synth(stack);
    expect(Object.values(json.resource!.truenas_keychain_ssh_keypair)).toEqual([{ name: "replication-key", generate: true, lifecycle: { prevent_destroy: true } }]);
    expect(Object.keys(json.resource!.truenas_keychain_ssh_keypair)).toEqual(["replication"]); // readable: truenas_keychain_ssh_keypair.replication
    expect(Object.values(json.resource!.truenas_keychain_ssh_connection)[0]).toMatchObject({ host: "10.10.10.6", username: "root", port: 22, remote_host_key: "${var.host_key}" });
    expect(replication.tasks).toHaveLength(1);
    expect(Object.values(json.output!)).toEqual([expect.objectContaining({ value: expect.stringMatching(/^\$\{truenas_keychain_ssh_keypair\.[^.]+\.public_key\}$/) })]);
    expect(json.resource!.truenas_replication_task[replication.tasks[0].friendlyUniqueId]).toMatchObject({
      name: "push-tank-photos",
      direction: "PUSH",
      transport: "SSH",
      target_dataset: "backup/replicas/photos",
      recursive: true,
      auto: true,
      periodic_snapshot_tasks: [`\${truenas_periodic_snapshot_task.${s.photos.resource.friendlyUniqueId}.id}`],
      retention_policy: "SOURCE",
      readonly: "REQUIRE",
      allow_from_scratch: false,
    });
  });

  test("custom: two sources, another SSH user", () => {
    const { stack } = truenasTestStack();
    const s = setup(stack);
    const replication = new Replication(stack, "replication", { targetHost: "backup.lan", targetHostKey: s.hostKey, targetParent: "vault", sources: [s.photos, s.apps], sshUser: "zfsrecv" });
    const json = synth(stack);
    const tasks = replication.tasks.map((t) => json.resource!.truenas_replication_task[t.friendlyUniqueId] as any);
    expect(tasks.map((t) => t.target_dataset)).toEqual(["vault/photos", "vault/apps"]);
    expect(Object.values(json.resource!.truenas_keychain_ssh_connection)[0]).toMatchObject({ username: "zfsrecv" });
    expect(json).toMatchSnapshot();
  });

  test.each<[string, Partial<ReplicationProps>, string]>([
    ["no sources", { sources: [] }, "test/replication: replication without sources (got []; allowed: at least one snapshot policy)"],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    const s = setup(stack);
    expect(() => new Replication(stack, "replication", { targetHost: "10.10.10.6", targetHostKey: s.hostKey, targetParent: "backup", sources: [s.photos], ...override })).toThrow(message);
  });
});
