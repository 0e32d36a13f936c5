import { Construct, type IConstruct } from "constructs";
import { TerraformStack, TerraformVariable, VariableType, type TerraformResource } from "../lib/cdktf";
import { OffsiteBackup } from "./offsite-backup";
import { PoolHealthCheck } from "./pool-health-check";
import { EmailAlerts, type EmailAlertsProps } from "./email-alerts";
import { invalidProp, Problems } from "./errors";
import { IscsiPortal } from "./iscsi-portal";
import { NfsExport } from "./nfs-export";
import { addressOf } from "./state-blocks";
import { Replication } from "./replication";
import { ScrubSchedule, type ScrubScheduleProps } from "./scrub-schedule";
import { SnapshotPolicy, type SnapshotPolicyProps } from "./snapshot-policy";
import type { SecretValue } from "./secret";
import { TrueNASServices } from "./truenas-services";
import type { ZfsDataset, ZfsDatasetOptions } from "./zfs-dataset";
import { ZfsPool, type PoolCreation, type ZfsPoolAttributes } from "./zfs-pool";

/** A pool of this TrueNAS: adopted (the default) or created by Terraform. */
export interface StoragePoolOptions extends ZfsPoolAttributes {
  /** @default "adopt" (`ZfsPool.fromName`) */
  readonly creation?: PoolCreation;
}

/** A dataset by its full ZFS path (`fast/kubernetes/nfs-dynamic`); its first component is its pool. */
export interface StorageDatasetOptions extends ZfsDatasetOptions {
  readonly fullPath: string;
}

/** An NFS export of a declared dataset (by full path) to client networks. */
export interface StorageNfsExportOptions {
  readonly datasetFullPath: string;
  /** Client networks in CIDR notation. */
  readonly networks: readonly string[];
  /** @default false */
  readonly readOnly?: boolean;
  /** @default - root squashed */
  readonly maprootUser?: string;
}

/** Tier 1: a periodic snapshot task on a declared dataset (by full path). */
export interface StorageSnapshotOptions extends Omit<SnapshotPolicyProps, "dataset"> {
  readonly datasetFullPath: string;
}

/** Tier 2: push replication of snapshotted datasets to another TrueNAS over SSH. */
export interface StorageReplicationOptions {
  /** The receiving TrueNAS's address. */
  readonly targetAddress: string;
  /** The receiving TrueNAS's Proxmox node (messages name it). */
  readonly targetNodeName: string;
  /** Whether the target's host is online; an offline one needs the gate. */
  readonly targetOnline: boolean;
  /** Full paths of the datasets to replicate; each needs a snapshot policy here. */
  readonly datasetFullPaths: readonly string[];
  /** Parent dataset on the target, e.g. `backup/replicas`. */
  readonly targetParent: string;
  /**
   * The gate: while the target's host is offline, replication stays defined but is not
   * synthesized. Without it, an offline target is an error.
   * @default - no gate
   */
  readonly whenTargetOffline?: "hold";
}

/** Tier 3: restic-encrypted cloud backup of declared datasets (by full path) to B2. */
export interface StorageOffsiteBackupOptions {
  readonly bucket: string;
  readonly datasetFullPaths: readonly string[];
  readonly schedule: SnapshotPolicyProps["schedule"];
  readonly keepLast: number;
  /** B2 application key id (an identifier), e.g. a variable's value. */
  readonly keyId: string;
  readonly applicationKey: SecretValue;
  readonly resticPassword: SecretValue;
}

export interface TrueNASStorageProps {
  /** TrueNAS's address on the storage VLAN: NFS, iSCSI and replication go there. */
  readonly storageAddress: string;
  readonly pools: readonly StoragePoolOptions[];
  /** Datasets by full path, parents before children. */
  readonly datasets: readonly StorageDatasetOptions[];
  /** @default - none */
  readonly nfsExports?: readonly StorageNfsExportOptions[];
  /** Serve iSCSI (for democratic-csi's zvols) on the storage address. @default false */
  readonly iscsi?: boolean;
  /** @default - none */
  readonly snapshots?: readonly StorageSnapshotOptions[];
  /** @default - none */
  readonly replication?: StorageReplicationOptions;
  /** @default - none */
  readonly offsiteBackup?: StorageOffsiteBackupOptions;
  /** Scrub schedule per pool name: every pool needs one. */
  readonly scrubs: Readonly<Record<string, ScrubScheduleProps["schedule"]>>;
  /**
   * The TrueNAS id of each pool's scrub task, by pool name. TrueNAS creates a scrub task with
   * every pool, and `pool.scrub.create` refuses a second one ("A scrub with this pool already
   * exists"; provider @f9bc0189 internal/resources/scrub_task/resource.go), so a scrub schedule is
   * synthesized only for a pool whose task id is known (and imported by the stack); the others are
   * held, and `scrubsHeld` says which.
   * @default - none known: every pool's scrub schedule is held
   */
  readonly scrubTaskIds?: Readonly<Record<string, string>>;
  /** @default - no email alerts */
  readonly alerts?: EmailAlertsProps;
  /** democratic-csi exports NFS volumes from this TrueNAS (the NFS service must run). @default false */
  readonly servesCsiNfs?: boolean;
  /** Another TrueNAS replicates to this one over SSH (the SSH service must run). @default false */
  readonly receivesReplication?: boolean;
}

/** Something that holds data or serves clients, for the ledger: `dataset bulk/photos` at `truenas_dataset.bulk--photos`. */
export interface HeldObject {
  readonly label: string;
  readonly address: string;
}

/**
 * What a consumer of a TrueNAS's storage (the democratic-csi stack) needs of it: one interface,
 * not its slices. `TrueNASStorage` implements it; its stack is the one consumers depend on.
 */
export interface ITrueNASTarget extends IConstruct {
  /** TrueNAS's address on the storage VLAN: API, NFS and iSCSI. */
  readonly storageAddress: string;
  /** The iSCSI portal and initiator group, when this TrueNAS serves iSCSI. */
  readonly iscsi?: { readonly portalId: number; readonly initiatorGroupId: number };
  /** A declared dataset by full path; throws, naming the declared ones, if there is none. */
  dataset(fullPath: string): ZfsDataset;
}

/**
 * Everything one TrueNAS holds and does: pools (adopted unless told otherwise), datasets, NFS
 * exports, the iSCSI portal, snapshot, replication and offsite tiers, scrubs, email alerts and the
 * services they need. The TrueNAS provider must be configured in its stack.
 */
export class TrueNASStorage extends Construct implements ITrueNASTarget {
  readonly pools = new Map<string, ZfsPool>();
  private readonly served: HeldObject[] = [];
  readonly iscsi?: IscsiPortal;
  readonly snapshots: SnapshotPolicy[] = [];
  /** Why replication is not synthesized, when it is held by its gate. */
  readonly replicationHeld?: string;
  /** Pools whose scrub schedule is held because their scrub task's id is not known yet. */
  readonly scrubsHeld: string[] = [];
  /** TrueNAS's address on the storage VLAN (NFS, iSCSI, the API for democratic-csi). */
  readonly storageAddress: string;

  constructor(scope: Construct, id: string, props: TrueNASStorageProps) {
    super(scope, id);
    this.storageAddress = props.storageAddress;
    this.addPoolsAndDatasets(props);
    this.addNfsExports(props);
    this.iscsi = props.iscsi ? new IscsiPortal(this, "iscsi", { listenAddresses: [props.storageAddress] }) : undefined;
    if (this.iscsi) {
      this.serve("iscsi-portal", this.iscsi.portal);
      this.serve("iscsi-initiator-group", this.iscsi.initiatorGroup);
    }
    this.replicationHeld = this.addDataProtection(props);
    this.addScrubsAndAlerts(props);
    const services = new TrueNASServices(this, "services", {
      nfsBindAddresses: (props.nfsExports?.length ?? 0) > 0 || props.servesCsiNfs ? [props.storageAddress] : undefined,
      iscsi: props.iscsi,
      ssh: props.receivesReplication,
    });
    for (const service of services.services) this.serve(`service ${service.nameInput}`, service);
  }

  /** Every dataset, parents first. */
  get datasets(): ZfsDataset[] {
    return [...this.pools.values()].flatMap((p) => p.datasets);
  }

  /**
   * What holds data or serves clients, and would be destroyed (or stopped) if it vanished from the
   * configuration, labelled for the ledger (`dataset bulk/photos`, `service nfs`, ...) with its
   * Terraform address: datasets, pools Terraform created, services, shares, the iSCSI portal and
   * initiator group, and the scrub, snapshot, replication and offsite tasks. (Adopted pools are
   * data sources; the VM has Proxmox protection and prevent_destroy.)
   */
  heldObjects(): HeldObject[] {
    const pools = [...this.pools.values()].filter((p) => p.resource).map((p) => ({ label: `pool ${p.name}`, address: addressOf(p.resource!) }));
    const datasets = this.datasets.map((d) => ({ label: `dataset ${d.fullPath}`, address: addressOf(d.resource) }));
    return [...pools, ...datasets, ...this.served];
  }

  private serve(label: string, resource: TerraformResource): void {
    this.served.push({ label, address: addressOf(resource) });
  }

  /** The pool a dataset's full path starts with. */
  poolOf(datasetFullPath: string): ZfsPool {
    const poolName = datasetFullPath.split("/")[0];
    const pool = this.pools.get(poolName);
    if (!pool) invalidProp(this, `dataset ${datasetFullPath} is on a pool that is not declared`, poolName, [...this.pools.keys()].join(", ") || "none");
    return pool;
  }

  /** A declared dataset by full path. */
  dataset(fullPath: string): ZfsDataset {
    const pool = this.poolOf(fullPath);
    const dataset = pool.tryFindDataset(fullPath.slice(pool.name.length + 1));
    if (!dataset) invalidProp(this, "dataset referenced but never declared", fullPath, pool.datasets.map((d) => d.fullPath).join(", ") || `none on pool ${pool.name}`);
    return dataset;
  }

  private addPoolsAndDatasets(props: TrueNASStorageProps): void {
    const problems = new Problems();
    for (const p of props.pools) {
      if (this.pools.has(p.name)) {
        problems.add(this, "pool declared twice", p.name, "unique pool names");
        continue;
      }
      problems.collect(() => {
        const { creation, ...attrs } = p;
        const id = `pool-${p.name}`;
        this.pools.set(p.name, (creation ?? "adopt") === "adopt" ? ZfsPool.fromName(this, id, attrs) : new ZfsPool(this, id, { ...attrs, diskIds: attrs.diskIds! }));
      });
    }
    problems.throwIfAny();
    // Verification after apply (`npm run verify`): every adopted pool is ONLINE, healthy and the
    // layout the inventory and the capacity model describe (Terraform check blocks).
    for (const pool of this.pools.values()) if (pool.creation === "adopt") new PoolHealthCheck(this, `verify-${pool.name}`, { pool });
    for (const { fullPath, ...options } of props.datasets) {
      problems.collect(() => {
        const pool = this.poolOf(fullPath); // a dataset on an undeclared pool is an error
        pool.addDataset(fullPath.slice(pool.name.length + 1), options);
      });
    }
    problems.throwIfAny();
  }

  private addNfsExports(props: TrueNASStorageProps): void {
    for (const e of props.nfsExports ?? []) {
      const share = new NfsExport(this, `nfs-${e.datasetFullPath.replace(/\//g, "-")}`, {
        dataset: this.dataset(e.datasetFullPath),
        networks: [...e.networks],
        readOnly: e.readOnly,
        maprootUser: e.maprootUser,
      });
      this.serve(`nfs-export ${e.datasetFullPath}`, share.resource);
    }
  }

  /** The three tiers. Returns why replication is held, if its gate holds it. */
  private addDataProtection(props: TrueNASStorageProps): string | undefined {
    for (const s of props.snapshots ?? []) {
      const { datasetFullPath, ...options } = s;
      const policy = new SnapshotPolicy(this, `snapshots-${datasetFullPath.replace(/\//g, "-")}`, { ...options, dataset: this.dataset(datasetFullPath) });
      this.snapshots.push(policy);
      this.serve(`snapshot-task ${datasetFullPath}`, policy.resource);
    }

    const o = props.offsiteBackup;
    if (o) {
      const offsite = new OffsiteBackup(this, "offsite", {
        bucket: o.bucket,
        datasets: o.datasetFullPaths.map((d) => this.dataset(d)),
        schedule: o.schedule,
        keepLast: o.keepLast,
        keyId: o.keyId,
        applicationKey: o.applicationKey,
        resticPassword: o.resticPassword,
      });
      offsite.tasks.forEach((task, i) => this.serve(`offsite-task ${o.datasetFullPaths[i]}`, task));
    }

    const r = props.replication;
    if (!r) return undefined;
    const path = `${this.node.path}/replication`;
    const sources = r.datasetFullPaths.map((dataset) => {
      const policy = this.snapshots.find((s) => s.dataset.fullPath === dataset);
      if (!policy) invalidProp(path, "replicated dataset has no snapshot policy", dataset, this.snapshots.map((s) => s.dataset.fullPath).join(", ") || "none");
      return policy;
    });
    if (!r.targetOnline) {
      if (r.whenTargetOffline !== "hold") {
        invalidProp(path, `replication target host ${r.targetNodeName} is offline`, r.targetNodeName, `an online host, or whenTargetOffline: "hold" to keep it defined until the host is online`);
      }
      return `replication to ${r.targetNodeName} held: host offline (gate whenTargetOffline: "hold")`;
    }
    const replication = new Replication(this, "replication", {
      targetHost: r.targetAddress,
      // A stack-level variable (`TF_VAR_replication_target_host_key`), asked for only once replication is synthesized.
      targetHostKey: new TerraformVariable(TerraformStack.of(this), "replication_target_host_key", {
        type: VariableType.STRING,
        description: `SSH host key of ${r.targetAddress} (ssh-keyscan -t ed25519 ${r.targetAddress})`,
      }).stringValue,
      targetParent: r.targetParent,
      sources,
    });
    replication.tasks.forEach((task, i) => this.serve(`replication-task ${r.datasetFullPaths[i]}`, task));
    return undefined;
  }

  private addScrubsAndAlerts(props: TrueNASStorageProps): void {
    for (const poolName of this.pools.keys()) {
      if (!(poolName in props.scrubs)) invalidProp(this, `pool ${poolName} has no scrub schedule`, poolName, "a weekly scrub for every pool");
    }
    for (const [poolName, schedule] of Object.entries(props.scrubs)) {
      const pool = this.poolOf(poolName);
      if (props.scrubTaskIds?.[poolName] === undefined) {
        this.scrubsHeld.push(poolName);
        continue;
      }
      this.serve(`scrub-task ${poolName}`, new ScrubSchedule(this, `scrub-${poolName}`, { pool, schedule }).resource);
    }
    if (props.alerts) new EmailAlerts(this, "alerts", props.alerts);
  }
}
