import { Construct } from "constructs";
import { OffsiteBackup } from "../constructs/cloud-backup";
import { DatasetTree, datasetAddressName, type ZfsDataset } from "../constructs/dataset-tree";
import { EmailAlerts } from "../constructs/email-alerts";
import { invalidProp } from "../constructs/errors";
import { IscsiPortal } from "../constructs/iscsi-portal";
import { NfsExport } from "../constructs/nfs-export";
import { Replication } from "../constructs/replication";
import { ScrubSchedule } from "../constructs/scrub-schedule";
import { SnapshotPolicy } from "../constructs/snapshot-policy";
import { forgetWithoutDestroying } from "../constructs/removed";
import { TrueNASServices } from "../constructs/truenas-services";
import { ZfsPool } from "../constructs/zfs-pool";
import type { TrueNASStorageSpec } from "../inventory/types";
import { TerraformVariable, VariableType, type TerraformStack } from "../lib/cdktf";
import { addTrueNASProvider, secretVariable } from "./providers";
import type { InventoryIndex } from "./resolve";

export interface TrueNASStorageProps {
  readonly inventory: InventoryIndex;
  readonly spec: TrueNASStorageSpec;
  /** Where replication goes, resolved by the app (undefined: no replication configured). */
  readonly replicationTarget?: { readonly nodeName: string; readonly online: boolean; readonly address: string };
  /** democratic-csi exports NFS volumes from this TrueNAS. @default false */
  readonly servesCsiNfs?: boolean;
  /** Another TrueNAS replicates to this one (over SSH). @default false */
  readonly receivesReplication?: boolean;
}

/**
 * Everything a TrueNAS holds and does, from the inventory: pools (adopted), datasets, NFS exports,
 * the iSCSI portal, snapshot, replication and offsite tiers, scrubs and email alerts.
 */
export class TrueNASStorage extends Construct {
  readonly pools = new Map<string, ZfsPool>();
  readonly trees = new Map<string, DatasetTree>();
  readonly iscsi?: IscsiPortal;
  readonly snapshots: SnapshotPolicy[] = [];
  /** Why replication is not synthesized, when it is held by its gate. */
  readonly replicationHeld?: string;
  /** Datasets Terraform is told to forget, keeping their data. */
  readonly retiredDatasets: readonly string[];
  /** TrueNAS's address on the storage VLAN (NFS, iSCSI, the API for democratic-csi). */
  readonly storageAddress: string;

  constructor(stack: TerraformStack, id: string, props: TrueNASStorageProps) {
    super(stack, id);
    this.storageAddress = props.spec.storageAddress;
    addTrueNASProvider(stack);
    this.addPoolsAndDatasets(props.spec);
    this.retiredDatasets = this.retire(props.spec);
    this.addNfsExports(props.spec, props.inventory);
    this.iscsi = props.spec.iscsi ? new IscsiPortal(this, "iscsi", { listenAddresses: [props.spec.storageAddress] }) : undefined;
    this.replicationHeld = this.addDataProtection(stack, props);
    this.addScrubsAndAlerts(stack, props.spec);
    new TrueNASServices(this, "services", {
      nfsBindAddresses: (props.spec.nfsExports?.length ?? 0) > 0 || props.servesCsiNfs ? [props.spec.storageAddress] : undefined,
      iscsi: props.spec.iscsi,
      ssh: props.receivesReplication,
    });
  }

  /**
   * What holds data and would be destroyed if it vanished from the configuration: every dataset,
   * and pools Terraform created. (Adopted pools are data sources; the VM has Proxmox protection.)
   */
  dataHolders(): string[] {
    const datasets = [...this.trees.values()].flatMap((t) => t.datasets.map((d) => `dataset ${d.path}`));
    const pools = [...this.pools.values()].filter((p) => p.creation === "create").map((p) => `pool ${p.name}`);
    return [...pools, ...datasets];
  }

  private addPoolsAndDatasets(spec: TrueNASStorageSpec): void {
    for (const p of spec.pools) {
      if (this.pools.has(p.name)) invalidProp(this, "pool declared twice", p.name, "unique pool names");
      this.pools.set(p.name, new ZfsPool(this, `pool-${p.name}`, p));
    }
    for (const [poolName, pool] of this.pools) {
      const datasets = spec.datasets
        .filter((d) => d.path.split("/")[0] === poolName)
        .map((d) => ({ ...d, path: d.path.slice(poolName.length + 1) }));
      this.trees.set(poolName, new DatasetTree(this, `datasets-${poolName}`, { pool, datasets }));
    }
    for (const d of spec.datasets) this.pool(d.path); // a dataset on an undeclared pool is an error
  }

  /** Retired datasets: Terraform forgets them (their data stays); never also declared. */
  private retire(spec: TrueNASStorageSpec): string[] {
    const retired = [...(spec.retiredDatasets ?? [])];
    for (const path of retired) {
      if (spec.datasets.some((d) => d.path === path)) invalidProp(this, `dataset ${path} is both declared and retired`, path, "one of the two");
      forgetWithoutDestroying(this, `truenas_dataset.${datasetAddressName(path)}`);
    }
    return retired;
  }

  private addNfsExports(spec: TrueNASStorageSpec, inventory: InventoryIndex): void {
    for (const e of spec.nfsExports ?? []) {
      new NfsExport(this, `nfs-${e.dataset.replace(/\//g, "-")}`, {
        dataset: this.dataset(e.dataset),
        networks: e.vlans.map((v) => inventory.vlan(`${this.node.path}/nfs ${e.dataset}`, v).cidr),
        readOnly: e.readOnly,
        maprootUser: e.maprootUser,
      });
    }
  }

  /** The three tiers. Returns why replication is held, if its gate holds it. */
  private addDataProtection(stack: TerraformStack, props: TrueNASStorageProps): string | undefined {
    const { spec } = props;
    for (const s of spec.snapshots ?? []) {
      this.snapshots.push(new SnapshotPolicy(this, `snapshots-${s.dataset.replace(/\//g, "-")}`, { dataset: this.dataset(s.dataset), schedule: s.schedule, keep: s.keep }));
    }

    const o = spec.offsiteBackup;
    if (o) {
      new OffsiteBackup(this, "offsite", {
        bucket: o.bucket,
        datasets: o.datasets.map((d) => this.dataset(d)),
        schedule: o.schedule,
        keepLast: o.keepLast,
        keyId: secretVariable(stack, "b2_key_id", "Backblaze B2 application key id"),
        applicationKey: secretVariable(stack, "b2_application_key", "Backblaze B2 application key (sent write-only)"),
        resticPassword: secretVariable(stack, "restic_password", "restic repository password for the offsite backups (sent write-only; keep a copy off this NAS)"),
      });
    }

    const r = spec.replication;
    const target = props.replicationTarget;
    if (!r || !target) return undefined;
    const path = `${this.node.path}/replication`;
    const sources = r.datasets.map((dataset) => {
      const policy = this.snapshots.find((s) => s.dataset.path === dataset);
      if (!policy) invalidProp(path, "replicated dataset has no snapshot policy", dataset, this.snapshots.map((s) => s.dataset.path).join(", ") || "none");
      return policy;
    });
    if (!target.online) {
      if (r.whenTargetOffline !== "hold") {
        invalidProp(path, `replication target host ${target.nodeName} is offline`, target.nodeName, `an online host, or whenTargetOffline: "hold" to keep it defined until the host is online`);
      }
      return `replication to ${target.nodeName} held: host offline (gate whenTargetOffline: "hold")`;
    }
    new Replication(this, "replication", {
      targetHost: target.address,
      targetHostKey: new TerraformVariable(stack, "replication_target_host_key", {
        type: VariableType.STRING,
        description: `SSH host key of ${target.address} (ssh-keyscan -t ed25519 ${target.address})`,
      }).stringValue,
      targetParent: r.targetParent,
      sources,
    });
    return undefined;
  }

  private addScrubsAndAlerts(stack: TerraformStack, spec: TrueNASStorageSpec): void {
    for (const poolName of this.pools.keys()) {
      if (!(poolName in spec.scrubs)) invalidProp(this, `pool ${poolName} has no scrub schedule`, poolName, "a weekly scrub for every pool");
    }
    for (const [poolName, schedule] of Object.entries(spec.scrubs)) {
      new ScrubSchedule(this, `scrub-${poolName}`, { pool: this.pool(poolName), schedule });
    }
    if (spec.alerts) {
      new EmailAlerts(this, "alerts", {
        ...spec.alerts,
        recipients: [...spec.alerts.recipients],
        smtpPassword: secretVariable(stack, "smtp_password", `password of SMTP user ${spec.alerts.smtpUser}`),
      });
    }
  }

  /** A declared pool by name. */
  pool(name: string): ZfsPool {
    const poolName = name.split("/")[0];
    const pool = this.pools.get(poolName);
    if (!pool) invalidProp(this, `dataset ${name} is on a pool that is not declared`, poolName, [...this.pools.keys()].join(", ") || "none");
    return pool;
  }

  /** A declared dataset by full path. */
  dataset(path: string): ZfsDataset {
    const pool = this.pool(path);
    return this.trees.get(pool.name)!.dataset(path.slice(pool.name.length + 1));
  }
}
