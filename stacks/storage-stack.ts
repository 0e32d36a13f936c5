import type { Construct } from "constructs";
import { PciMapping } from "../constructs/pci-mapping";
import { SecretValue } from "../constructs/secret";
import { addressOf, MOVE_FROM_HASHED_ADDRESSES } from "../constructs/state-blocks";
import { TrueNASStorage, type HeldObject, type StorageReplicationOptions, type TrueNASStorageProps } from "../constructs/truenas-storage";
import { TrueNASVm } from "../constructs/truenas-vm";
import type { InventoryIndex } from "../inventory/inventory-index";
import type { TrueNASStorageEntry, TrueNASVmEntry } from "../inventory/types";
import { TerraformStack, TerraformVariable, VariableType } from "../lib/cdktf";
import { applyBackend, type BackendChoice } from "./backend";
import { addProxmoxProvider, addTrueNASProvider } from "./providers";

export interface StorageStackProps {
  readonly inventory: InventoryIndex;
  /** The TrueNAS VM this stack deploys (primary: prod-storage, backup: prod-backup). */
  readonly vm: TrueNASVmEntry;
  readonly backend: BackendChoice;
  /** Where this TrueNAS replicates to, resolved from the inventory. @default - no replication */
  readonly replicationTarget?: Pick<StorageReplicationOptions, "targetAddress" | "targetNodeName" | "targetOnline">;
  /** democratic-csi exports NFS volumes from this TrueNAS. @default false */
  readonly servesCsiNfs?: boolean;
  /** Another TrueNAS replicates to this one. @default false */
  readonly receivesReplication?: boolean;
  /** TrueNAS ids of the pools' scrub tasks, from the imports file. @default - none: scrub schedules held */
  readonly scrubTaskIds?: Readonly<Record<string, string>>;
}

/** A TrueNAS VM with the PCI mappings it passes through, and what the TrueNAS holds and does. */
export class StorageStack extends TerraformStack {
  readonly truenas: TrueNASVm;
  readonly pciMappings: PciMapping[];
  readonly storage?: TrueNASStorage;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id);
    // Deployed before readable addresses: state under the old hashed ones moves (constructs/state-blocks.ts).
    this.node.setContext(MOVE_FROM_HASHED_ADDRESSES, true);
    applyBackend(this, props.backend);
    addProxmoxProvider(this);
    const { inventory, vm } = props;
    const path = `${id}/${vm.name}`;
    const host = inventory.host(path, vm.nodeName);

    this.pciMappings = vm.passthrough.map((p) => {
      const d = inventory.pciDevice(path, p.mapping);
      return new PciMapping(this, `pci-${d.name}`, {
        name: d.name,
        kind: d.kind,
        comment: d.description,
        devices: [{ nodeName: d.nodeName, path: d.path, deviceId: d.deviceId, iommuGroup: d.iommuGroup, subsystemId: d.subsystemId }],
      });
    });

    this.truenas = new TrueNASVm(this, vm.name, {
      nodeName: vm.nodeName,
      vmId: vm.vmId,
      name: vm.name,
      memory: vm.memory,
      cpuCores: vm.cpuCores,
      bootDiskDatastoreId: host.localDatastoreId,
      bootDiskSize: vm.bootDiskSize,
      passthrough: vm.passthrough.map((p, i) => ({ mapping: this.pciMappings[i], rombar: p.rombar })),
      networkInterfaces: vm.nics?.map((n) => inventory.nic(path, host, n)),
      installerIsoFileId: vm.installerIsoFileId,
    });

    if (vm.storage) {
      addTrueNASProvider(this);
      this.storage = new TrueNASStorage(this, "storage", this.storageProps(inventory, vm.storage, props));
    }
  }

  /**
   * What holds data or serves clients in this stack, for the ledger: the TrueNAS VM, and what its
   * storage holds and serves.
   */
  heldObjects(): HeldObject[] {
    return [{ label: `vm ${this.truenas.node.id}`, address: addressOf(this.truenas.resource) }, ...(this.storage?.heldObjects() ?? [])];
  }

  /** The inventory's storage entry as the construct's props: VLAN names become networks, secrets variables. */
  private storageProps(inventory: InventoryIndex, entry: TrueNASStorageEntry, props: StorageStackProps): TrueNASStorageProps {
    const path = `${this.node.id}/storage`;
    const o = entry.offsiteBackup;
    const r = entry.replication;
    return {
      storageAddress: entry.storageAddress,
      pools: entry.pools,
      datasets: entry.datasets,
      nfsExports: entry.nfsExports?.map((e) => ({
        datasetFullPath: e.dataset,
        networks: e.vlans.map((v) => inventory.vlan(`${path}/nfs ${e.dataset}`, v).cidr),
        readOnly: e.readOnly,
        maprootUser: e.maprootUser,
      })),
      iscsi: entry.iscsi,
      snapshots: entry.snapshots?.map((s) => ({ datasetFullPath: s.dataset, schedule: s.schedule, keep: s.keep })),
      replication: r && props.replicationTarget ? {
        ...props.replicationTarget,
        datasetFullPaths: r.datasets,
        targetParent: r.targetParent,
        whenTargetOffline: r.whenTargetOffline,
      } : undefined,
      offsiteBackup: o ? {
        bucket: o.bucket,
        datasetFullPaths: o.datasets,
        schedule: o.schedule,
        keepLast: o.keepLast,
        keyId: new TerraformVariable(this, "b2_key_id", { type: VariableType.STRING, sensitive: true, nullable: false, description: "Backblaze B2 application key id" }).stringValue,
        applicationKey: SecretValue.fromVariable(this, "b2_application_key", { description: "Backblaze B2 application key (sent write-only)" }),
        resticPassword: SecretValue.fromVariable(this, "restic_password", { description: "restic repository password for the offsite backups (sent write-only; keep a copy off this NAS)" }),
      } : undefined,
      scrubs: entry.scrubs,
      scrubTaskIds: props.scrubTaskIds,
      alerts: entry.alerts ? {
        ...entry.alerts,
        recipients: [...entry.alerts.recipients],
        smtpPassword: SecretValue.fromVariable(this, "smtp_password", { description: `password of SMTP user ${entry.alerts.smtpUser} (sent write-only)` }),
      } : undefined,
      servesCsiNfs: props.servesCsiNfs,
      receivesReplication: props.receivesReplication,
    };
  }
}
