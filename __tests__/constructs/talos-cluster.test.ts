import { Size } from "../../capacity/size";
import { TalosCluster, type TalosClusterProps } from "../../constructs/talos-cluster";
import { jsonOf, proxmoxTestStack, synth } from "../helpers";

const props: TalosClusterProps = {
  clusterName: "lab",
  nodeName: "pve",
  datastoreId: "local-zfs",
  network: { bridge: "vmbr0", vlanId: 32 },
  isoFileId: "local:iso/talos-metal-amd64.iso",
  controlPlane: { count: 1, firstVmId: 500, cpuCores: 2, memory: Size.gibibytes(4), diskSize: Size.gibibytes(32) },
  workers: { count: 0, firstVmId: 510, cpuCores: 4, memory: Size.gibibytes(8), diskSize: Size.gibibytes(64) },
};

describe("TalosCluster", () => {
  test("defaults: one control plane, no workers, after storage at boot, not protected", () => {
    const { stack } = proxmoxTestStack();
    const cluster = new TalosCluster(stack, "lab", props);
    const json = synth(stack);
    expect(cluster.vms).toHaveLength(1);
    const r = jsonOf(json, cluster.vms[0]);
    expect(r).toMatchObject({
      name: "lab-cp-1",
      vm_id: 500,
      node_name: "pve",
      startup: { order: 10 },
      cpu: { cores: 2, type: "host" },
      memory: { dedicated: 4096, floating: 0 },
      disk: [{ datastore_id: "local-zfs", size: 32 }],
      cdrom: { file_id: "local:iso/talos-metal-amd64.iso", interface: "ide2" },
      tags: ["control-plane", "lab", "talos"],
      agent: { enabled: false }, // no qemu-guest-agent extension unless said so
    });
    expect(r.network_device[0]).toMatchObject({ bridge: "vmbr0", vlan_id: 32 });
    expect(r.lifecycle).toBeUndefined();
    expect(r.protection).toBeUndefined();
  });

  test("custom: three control planes and two workers with consecutive ids", () => {
    const { stack } = proxmoxTestStack();
    const cluster = new TalosCluster(stack, "lab", {
      ...props,
      startupOrder: 20,
      guestAgent: true,
      controlPlane: { ...props.controlPlane, count: 3 },
      workers: { ...props.workers, count: 2 },
    });
    const json = synth(stack);
    const vms = cluster.vms.map((vm) => jsonOf(json, vm));
    expect(vms.map((v) => [v.name, v.vm_id])).toEqual([
      ["lab-cp-1", 500], ["lab-cp-2", 501], ["lab-cp-3", 502], ["lab-worker-1", 510], ["lab-worker-2", 511],
    ]);
    expect(vms.every((v) => v.startup.order === 20 && v.agent.enabled && v.agent.wait_for_ip.disabled)).toBe(true);
    expect(json).toMatchSnapshot();
  });

  test.each<[string, Partial<TalosClusterProps>, string]>([
    ["even control plane", { controlPlane: { ...props.controlPlane, count: 2 } }, "test/lab: control-plane count must be odd (etcd quorum) (got 2; allowed: 1, 3, 5, ...)"],
    ["negative workers", { workers: { ...props.workers, count: -1 } }, "test/lab: invalid worker count (got -1; allowed: integers >= 0)"],
    ["overlapping ids", { workers: { ...props.workers, count: 1, firstVmId: 500 } }, "test/lab/worker-1: vm id 500 is already used by test/lab/control-plane-1 (got 500; allowed: ids unique across the app)"],
    ["fractional memory", { workers: { ...props.workers, count: 1, memory: Size.bytes(1.5 * 2 ** 20 + 1) } }, "test/lab/worker-1: memory is not a whole number of MiB"],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = proxmoxTestStack();
    expect(() => new TalosCluster(stack, "lab", { ...props, ...override })).toThrow(message);
  });
});
