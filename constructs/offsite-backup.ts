import { Construct } from "constructs";
import { CloudBackup as CloudBackupTask } from "../.gen/providers/truenas/cloud-backup";
import { CloudsyncCredentials } from "../.gen/providers/truenas/cloudsync-credentials";
import { Fn } from "../lib/cdktf";
import { datasetAddressName, type ZfsDataset } from "./zfs-dataset";
import { invalidProp } from "./errors";
import { Schedule } from "./schedule";
import { SecretValue } from "./secret";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export interface OffsiteBackupProps {
  /** B2 bucket name. */
  readonly bucket: string;
  /** B2 application key id: an identifier, not a secret (sent in the credential's settings, kept in state). */
  readonly keyId: string;
  /** B2 application key: sent write-only (never in state); its version re-sends it after a rotation. */
  readonly applicationKey: SecretValue;
  /** restic repository password: write-only, versioned. Lose it and the backup is unreadable. */
  readonly resticPassword: SecretValue;
  /** Datasets to back up, each into `<bucket>/<dataset path>`. */
  readonly datasets: ZfsDataset[];
  /** When the backups run (e.g. `Schedule.daily({ hour: 2, minute: 30 })`). */
  readonly schedule: Schedule;
  /** restic snapshots kept per dataset. */
  readonly keepLast: number;
}

const BUCKET = /^[a-z0-9][a-z0-9-]{4,48}[a-z0-9]$/; // B2 bucket names: 6-50 chars

/** Tier 3: restic-encrypted TrueNAS Cloud Backup of the irreplaceable datasets to Backblaze B2. */
export class OffsiteBackup extends Construct {
  readonly tasks: CloudBackupTask[] = [];

  constructor(scope: Construct, id: string, props: OffsiteBackupProps) {
    super(scope, id);
    if (!BUCKET.test(props.bucket)) invalidProp(this, "invalid B2 bucket name", props.bucket, "6-50 lowercase letters, digits and '-'");
    if (!Number.isInteger(props.keepLast) || props.keepLast < 1) invalidProp(this, "offsite retention keeps nothing", props.keepLast, "keepLast >= 1");
    if (!Schedule.isSchedule(props.schedule)) invalidProp(this, "offsite backup schedule is not a Schedule", props.schedule, Schedule.FACTORIES);
    props.schedule.check(this.node.path); // a schedule built from bad fields: its problems, at this construct
    if (props.datasets.length === 0) invalidProp(this, "offsite backup of nothing", [], "at least one dataset");
    const applicationKey = SecretValue.check(this, "applicationKey", props.applicationKey);
    const resticPassword = SecretValue.check(this, "resticPassword", props.resticPassword);
    const credentials = new CloudsyncCredentials(this, "B2", {
      name: "b2-offsite",
      providerConfig: Fn.jsonencode({ type: "B2", account: props.keyId }),
      providerSecretsWo: Fn.jsonencode({ key: applicationKey.value }),
      providerSecretsWoVersion: applicationKey.version,
    });
    readableAddress(credentials, `${this.node.id}-b2`);
    protectFromDestroy(credentials);
    for (const dataset of props.datasets) {
      this.tasks.push(new CloudBackupTask(this, dataset.fullPath.replace(/\//g, "-"), {
        description: `offsite ${dataset.fullPath}`,
        path: dataset.mountpoint,
        credentials: credentials.id,
        attributes: Fn.jsonencode({ bucket: props.bucket, folder: `/${dataset.fullPath}` }),
        keepLast: props.keepLast,
        schedule: props.schedule.toTrueNAS(),
        passwordWo: resticPassword.value,
        passwordWoVersion: resticPassword.version,
        snapshot: true, // back up a consistent snapshot, not files changing underneath
        enabled: true,
      }));
      readableAddress(this.tasks[this.tasks.length - 1], datasetAddressName(dataset.fullPath));
      protectFromDestroy(this.tasks[this.tasks.length - 1]);
    }
  }
}
