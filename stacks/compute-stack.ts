import type { Construct } from "constructs";
import { TalosCluster } from "../constructs/talos-cluster";
import type { TalosClusterEntry } from "../inventory/types";
import { TerraformStack } from "../lib/cdktf";
import { applyBackend, type BackendChoice } from "./backend";
import { addProxmoxProvider } from "./providers";
import type { InventoryIndex } from "../inventory/inventory-index";

export interface ComputeStackProps {
  readonly inventory: InventoryIndex;
  readonly clusters: readonly TalosClusterEntry[];
  readonly backend: BackendChoice;
}

/** Kubernetes (Talos) cluster VMs of one environment. */
export class ComputeStack extends TerraformStack {
  readonly clusters: TalosCluster[];

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id);
    applyBackend(this, props.backend);
    addProxmoxProvider(this);
    this.clusters = props.clusters.map((c) => {
      const path = `${id}/${c.clusterName}`;
      const host = props.inventory.host(path, c.nodeName);
      return new TalosCluster(this, c.clusterName, {
        clusterName: c.clusterName,
        nodeName: c.nodeName,
        datastoreId: c.datastoreId,
        network: props.inventory.nic(path, host, c.nic),
        isoFileId: c.isoFileId,
        controlPlane: c.controlPlane,
        workers: c.workers,
      });
    });
  }
}
