import { Construct } from "constructs";
import { KeychainSshConnection } from "../.gen/providers/truenas/keychain-ssh-connection";
import { KeychainSshKeypair } from "../.gen/providers/truenas/keychain-ssh-keypair";
import { ReplicationTask } from "../.gen/providers/truenas/replication-task";
import { TerraformOutput } from "../lib/cdktf";
import { datasetAddressName } from "./zfs-dataset";
import { invalidProp } from "./errors";
import type { SnapshotPolicy } from "./snapshot-policy";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export interface ReplicationProps {
  /** Address of the backup TrueNAS (reachable over SSH from this one). */
  readonly targetHost: string;
  /** The target's SSH host key line(s) (`ssh-keyscan <host>`), as a Terraform value: pinned, never trusted on first use. */
  readonly targetHostKey: string;
  /** Dataset on the target under which each source lands (`<targetParent>/<source without pool>`). */
  readonly targetParent: string;
  /** Snapshot policies whose snapshots are pushed; one replication task each. */
  readonly sources: SnapshotPolicy[];
  /**
   * SSH user on the target (needs `zfs` rights there).
   * @default "root"
   */
  readonly sshUser?: string;
}

/**
 * Tier 2 of the backup plan: push replication of snapshotted datasets to the backup TrueNAS over
 * SSH. The target copies are read-only (`readonly: REQUIRE`) and keep the source's retention.
 */
export class Replication extends Construct {
  readonly tasks: ReplicationTask[] = [];

  constructor(scope: Construct, id: string, props: ReplicationProps) {
    super(scope, id);
    if (props.sources.length === 0) invalidProp(this, "replication without sources", [], "at least one snapshot policy");
    const keypair = new KeychainSshKeypair(this, "Keypair", { name: "replication-key", generate: true });
    readableAddress(keypair, this.node.id); // before anything references it: the address is fixed then
    protectFromDestroy(keypair);
    // The target must trust this key (root's authorized keys on the backup TrueNAS): print it.
    new TerraformOutput(this, "public_key", { value: keypair.publicKey, description: `add to the authorized keys of ${props.sshUser ?? "root"} on ${props.targetHost}` });
    const connection = new KeychainSshConnection(this, "Connection", {
      name: `replication-${props.targetHost}`,
      host: props.targetHost,
      port: 22,
      username: props.sshUser ?? "root",
      privateKeyId: keypair.id,
      remoteHostKey: props.targetHostKey,
      connectTimeout: 10,
    });
    readableAddress(connection, this.node.id);
    protectFromDestroy(connection);
    for (const source of props.sources) {
      const relative = source.dataset.fullPath.slice(source.dataset.poolName.length + 1);
      const name = source.dataset.fullPath.replace(/\//g, "-");
      this.tasks.push(new ReplicationTask(this, name, {
        name: `push-${name}`,
        direction: "PUSH",
        transport: "SSH",
        sshCredentials: connection.id,
        sourceDatasets: [source.dataset.resource.name],
        targetDataset: `${props.targetParent}/${relative}`,
        recursive: true,
        auto: true, // runs after each snapshot of its periodic task
        periodicSnapshotTasks: [source.resource.id],
        retentionPolicy: "SOURCE",
        readonly: "REQUIRE",
        allowFromScratch: false, // never wipe the target to start over: that is a human decision
        enabled: true,
      }));
      readableAddress(this.tasks[this.tasks.length - 1], datasetAddressName(source.dataset.fullPath));
      protectFromDestroy(this.tasks[this.tasks.length - 1]);
    }
  }
}
