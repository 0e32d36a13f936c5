import { homelab } from "../../inventory/homelab";
import { Testing } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import { StorageStack } from "../../stacks/storage-stack";
import { jsonOf, resourcesOf, synth } from "../helpers";

function prodStorage(): StorageStack {
  const { stacks } = buildHomelab(Testing.app(), homelab);
  return stacks.find((s): s is StorageStack => s.node.id === "prod-storage")!;
}

describe("prod-storage stack", () => {
  const stack = prodStorage();
  const json = synth(stack);
  const vm = jsonOf(json, stack.truenas.resource);

  test("the primary TrueNAS VM on din, as the review and the passthrough design describe it", () => {
    expect(vm).toMatchObject({
      node_name: "din",
      vm_id: 300,
      name: "truenas-primary",
      machine: "q35",
      bios: "ovmf",
      cpu: { cores: 6, sockets: 1, type: "host" },
      memory: { dedicated: 32 * 1024, floating: 0 },
      on_boot: true,
      startup: { order: 1 },
      disk: [{ interface: "scsi0", datastore_id: "local-zfs", size: 32 }],
      efi_disk: { datastore_id: "local-zfs", type: "4m" },
    });
  });

  test("both HBAs pass through by mapping, never by raw id, with rombar explicit", () => {
    expect(vm.hostpci).toHaveLength(2);
    for (const [i, h] of vm.hostpci.entries()) {
      expect(h.device).toBe(`hostpci${i}`);
      expect(h.id).toBeUndefined();
      expect(h.mapping).toMatch(/^\$\{proxmox_hardware_mapping_pci\.[^.]+\.name\}$/);
      expect(h).toMatchObject({ pcie: true, rombar: true });
    }
    const maps = Object.values(resourcesOf(json, "proxmox_hardware_mapping_pci")) as any[];
    expect(maps.map((m) => m.name).sort()).toEqual(["din-hba-internal", "din-hba-md1220"]);
    expect(maps.every((m) => m.map.length === 1 && m.map[0].node === "din" && m.map[0].iommu_group >= 0 && m.map[0].subsystem_id)).toBe(true);
  });

  test("dual-homed: storage VLAN 10 with jumbo frames and LAN VLAN 20, every NIC object complete", () => {
    expect(vm.network_device.map((n: any) => [n.bridge, n.vlan_id, n.mtu])).toEqual([["vmbr0", 10, 9000], ["vmbr0", 20, 0]]);
    for (const n of vm.network_device) expect(Object.keys(n)).toHaveLength(11);
  });

  test("protected from destroy twice over: Proxmox protection and Terraform prevent_destroy", () => {
    expect(vm.protection).toBe(true);
    expect(vm.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("bpg/proxmox pinned exactly; no credential in the configuration", () => {
    expect(json.terraform!.required_providers.proxmox).toEqual({ source: "bpg/proxmox", version: "0.111.1" });
    expect(json.provider!.proxmox).toEqual([{ api_token: "${var.proxmox_ve_api_token}", endpoint: "${var.proxmox_ve_endpoint}", insecure: "${var.proxmox_ve_insecure}" }]);
    expect(json.variable!.proxmox_ve_api_token).toMatchObject({ sensitive: true, default: null });
    expect(json.terraform!.backend).toEqual({ local: { path: "../../../terraform.prod-storage.tfstate" } });
  });

  test("snapshot", () => {
    expect(json).toMatchSnapshot();
  });
});
