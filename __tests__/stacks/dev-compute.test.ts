import { homelab } from "../../inventory/homelab";
import { Testing } from "../../lib/cdktf";
import type { ComputeStack } from "../../stacks/compute-stack";
import { buildHomelab } from "../../stacks/homelab-app";
import { jsonOf, synth } from "../helpers";

describe("dev-compute stack", () => {
  const { stacks } = buildHomelab(Testing.app(), homelab);
  const stack = stacks.find((s) => s.node.id === "dev-compute") as ComputeStack;
  const json = synth(stack);
  const vms = stack.clusters[0].vms.map((vm) => jsonOf(json, vm));

  test("the Talos test cluster: 3 control planes and 2 workers on din's local-zfs, VLAN 32", () => {
    expect(vms.map((v) => v.name)).toEqual(["test-cp-1", "test-cp-2", "test-cp-3", "test-worker-1", "test-worker-2"]);
    for (const v of vms) {
      expect(v).toMatchObject({ node_name: "din", disk: [{ datastore_id: "local-zfs" }] });
      expect(v.network_device).toEqual([expect.objectContaining({ bridge: "vmbr0", vlan_id: 32 })]);
      expect(v.lifecycle).toBeUndefined(); // a test cluster is disposable
    }
    expect(vms.map((v) => v.vm_id)).toEqual([3201, 3202, 3203, 3211, 3212]);
  });

  test("snapshot", () => {
    expect(json).toMatchSnapshot();
  });
});
