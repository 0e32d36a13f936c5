import { Construct } from "constructs";
import { VirtualEnvironmentVm } from "../.gen/providers/proxmox/virtual-environment-vm";
import type { Size } from "../capacity/size";
import { invalidProp } from "./errors";
import { qemuVmConfig } from "./qemu-vm";
import type { VmNetworkInterface } from "./vm-network";

/** Size of one group of Talos nodes. */
export interface TalosNodeGroup {
  /** Number of VMs. */
  readonly count: number;
  /** VM id of the first VM; the others follow consecutively. */
  readonly firstVmId: number;
  readonly cpuCores: number;
  readonly memory: Size;
  /** System disk (Talos's EPHEMERAL partition, container images, etcd on control planes). */
  readonly diskSize: Size;
}

export interface TalosClusterProps {
  /** Cluster name: VM names are `<clusterName>-cp-<n>` and `<clusterName>-worker-<n>`. */
  readonly clusterName: string;
  readonly nodeName: string;
  /** Host storage for the VM disks, e.g. `local-zfs`. */
  readonly datastoreId: string;
  /** The cluster's network (one NIC per VM). */
  readonly network: VmNetworkInterface;
  /** Talos ISO the VMs boot to be configured with `talosctl apply-config`, e.g. `local:iso/talos-v1.11.5-metal-amd64.iso`. */
  readonly isoFileId: string;
  /** Control-plane nodes: an odd count keeps etcd's quorum. */
  readonly controlPlane: TalosNodeGroup;
  readonly workers: TalosNodeGroup;
  /**
   * Startup order at host boot.
   * @default 10 (after storage)
   */
  readonly startupOrder?: number;
  /**
   * The Talos image has the `siderolabs/qemu-guest-agent` extension: Proxmox then shuts nodes down
   * through the agent. Leave off otherwise: Proxmox would wait for an agent that never answers.
   * @default false
   */
  readonly guestAgent?: boolean;
}

/**
 * A Talos Linux Kubernetes cluster's VMs. Talos itself is configured by `talosctl`, not here.
 * Test clusters are disposable: these VMs are NOT protected from destroy.
 */
export class TalosCluster extends Construct {
  readonly vms: VirtualEnvironmentVm[] = [];

  constructor(scope: Construct, id: string, props: TalosClusterProps) {
    super(scope, id);
    const cp = props.controlPlane;
    if (!Number.isInteger(cp.count) || cp.count < 1 || cp.count % 2 === 0) {
      invalidProp(this, "control-plane count must be odd (etcd quorum)", cp.count, "1, 3, 5, ...");
    }
    if (!Number.isInteger(props.workers.count) || props.workers.count < 0) {
      invalidProp(this, "invalid worker count", props.workers.count, "integers >= 0");
    }
    this.addGroup(props, "control-plane", "cp", cp);
    this.addGroup(props, "worker", "worker", props.workers);
  }

  private addGroup(props: TalosClusterProps, role: string, short: string, group: TalosNodeGroup): void {
    for (let i = 1; i <= group.count; i++) {
      const id = `${role}-${i}`;
      const scope = new Construct(this, id);
      const name = `${props.clusterName}-${short}-${i}`;
      const vm = new VirtualEnvironmentVm(scope, "Resource", qemuVmConfig(scope, {
        nodeName: props.nodeName,
        vmId: group.firstVmId + i - 1,
        name,
        description: `Talos ${role} ${i} of cluster ${props.clusterName}, managed by homelab-cdktf`,
        tags: ["talos", props.clusterName, role],
        cpuCores: group.cpuCores,
        cpuType: "host",
        machine: "q35",
        memory: group.memory,
        bootDiskDatastoreId: props.datastoreId,
        bootDiskSize: group.diskSize,
        efiDiskDatastoreId: props.datastoreId,
        networkInterfaces: [props.network],
        installerIsoFileId: props.isoFileId,
        onBoot: true,
        guestAgent: props.guestAgent ?? false,
        startupOrder: props.startupOrder ?? 10,
      }));
      vm.overrideLogicalId(name); // `proxmox_virtual_environment_vm.<vm name>`, readable in plans
      this.vms.push(vm);
    }
  }
}
