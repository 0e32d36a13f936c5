import type { Construct } from "constructs";
import { PciMapping } from "../constructs/pci-mapping";
import { TrueNASVm } from "../constructs/truenas-vm";
import type { TrueNASVmSpec } from "../inventory/types";
import { TerraformStack } from "../lib/cdktf";
import { applyBackend, type BackendChoice } from "./backend";
import { addProxmoxProvider } from "./providers";
import type { InventoryIndex } from "./resolve";
import { TrueNASStorage, type TrueNASStorageProps } from "./truenas-storage";

export interface StorageStackProps {
  readonly inventory: InventoryIndex;
  /** The TrueNAS VM this stack deploys (primary: prod-storage, backup: prod-backup). */
  readonly vm: TrueNASVmSpec;
  readonly backend: BackendChoice;
  /** Where this TrueNAS replicates to, resolved from the inventory. @default - no replication */
  readonly replicationTarget?: TrueNASStorageProps["replicationTarget"];
  /** democratic-csi exports NFS volumes from this TrueNAS. @default false */
  readonly servesCsiNfs?: boolean;
  /** Another TrueNAS replicates to this one. @default false */
  readonly receivesReplication?: boolean;
}

/** A TrueNAS VM with the PCI mappings it passes through, and what the TrueNAS holds and does. */
export class StorageStack extends TerraformStack {
  readonly truenas: TrueNASVm;
  readonly pciMappings: PciMapping[];
  readonly storage?: TrueNASStorage;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id);
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
      this.storage = new TrueNASStorage(this, "storage", {
        inventory,
        spec: vm.storage,
        replicationTarget: props.replicationTarget,
        servesCsiNfs: props.servesCsiNfs,
        receivesReplication: props.receivesReplication,
      });
    }
  }
}
