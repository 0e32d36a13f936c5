import { Size } from "../../capacity/size";
import { PciMapping } from "../../constructs/pci-mapping";
import { TrueNASVm, type TrueNASVmProps } from "../../constructs/truenas-vm";
import type { TerraformStack } from "../../lib/cdktf";
import { jsonOf, proxmoxTestStack, synth } from "../helpers";

function mappings(stack: TerraformStack) {
  const device = (path: string) => ({ nodeName: "pve", path, deviceId: "1000:0072", iommuGroup: 14, subsystemId: "1000:3020" });
  return {
    hba: new PciMapping(stack, "hba", { name: "HBA", kind: "storage-controller", devices: [device("0000:01:00.0")] }),
    nic: new PciMapping(stack, "nic", { name: "NIC1", kind: "network", devices: [device("0000:02:00.0")] }),
    elsewhere: new PciMapping(stack, "other-node", { name: "HBA2", kind: "storage-controller", devices: [{ ...device("0000:03:00.0"), nodeName: "other" }] }),
  };
}

function minimal(m: ReturnType<typeof mappings>): TrueNASVmProps {
  return {
    nodeName: "pve",
    vmId: 300,
    name: "nas",
    memory: Size.gibibytes(16),
    bootDiskDatastoreId: "local-lvm",
    passthrough: [{ mapping: m.hba }],
    networkInterfaces: [{ bridge: "vmbr0" }],
  };
}

describe("TrueNASVm", () => {
  test("defaults: q35 + OVMF, host CPU, no balloon, protected, explicit rombar, full NIC objects", () => {
    const { stack } = proxmoxTestStack();
    const m = mappings(stack);
    const vm = new TrueNASVm(stack, "nas", minimal(m));
    const json = synth(stack);
    const r = jsonOf(json, vm.resource);
    expect(r).toMatchObject({
      node_name: "pve",
      vm_id: 300,
      machine: "q35",
      bios: "ovmf",
      efi_disk: { datastore_id: "local-lvm", type: "4m" },
      cpu: { cores: 4, type: "host" },
      memory: { dedicated: 16384, floating: 0 },
      disk: [{ interface: "scsi0", datastore_id: "local-lvm", size: 32, iothread: true }],
      scsi_hardware: "virtio-scsi-single",
      on_boot: true,
      startup: { order: 1 },
      protection: true,
      reboot_after_update: false,
      lifecycle: { prevent_destroy: true },
      tags: ["storage", "truenas"],
      // The agent is on, but a refresh never waits for the guest's IPs (the installer has no agent).
      agent: { enabled: true, type: "virtio", wait_for_ip: { disabled: true } },
    });
    expect(r.hostpci).toEqual([{ device: "hostpci0", mapping: `\${proxmox_hardware_mapping_pci.${m.hba.resource.friendlyUniqueId}.name}`, pcie: true, rombar: true }]);
    expect(r.network_device).toHaveLength(1);
    expect(Object.keys(r.network_device[0]).sort()).toEqual(
      ["bridge", "disconnected", "enabled", "firewall", "mac_address", "model", "mtu", "queues", "rate_limit", "trunks", "vlan_id"],
    );
    expect(r.network_device[0]).toMatchObject({ bridge: "vmbr0", mac_address: null, model: "virtio", vlan_id: 0, enabled: true });
    expect(r.cdrom).toBeUndefined();
    expect(r.boot_order).toEqual(["scsi0"]);
    expect(vm.hostpci).toEqual(new Map([[0, "HBA"]]));
  });

  test("custom: explicit slots fill first, NIC passthrough without virtual NICs, ISO, rombar off, unprotected test VM", () => {
    const { stack } = proxmoxTestStack();
    const m = mappings(stack);
    const vm = new TrueNASVm(stack, "nas", {
      ...minimal(m),
      memory: Size.gibibytes(32),
      cpuCores: 6,
      networkInterfaces: [],
      passthrough: [{ mapping: m.hba, rombar: false }, { mapping: m.nic, slot: 0, pcie: false }],
      installerIsoFileId: "local:iso/TrueNAS-SCALE-25.10.1.iso",
      startupOrder: 2,
      startupUpDelaySeconds: 90,
      tags: ["nas"],
      description: "test NAS",
      allowDestroyInThrowawayTestStack: true,
    });
    const json = synth(stack);
    const r = jsonOf(json, vm.resource);
    expect(r.hostpci.map((h: any) => [h.device, h.pcie, h.rombar])).toEqual([["hostpci0", false, true], ["hostpci1", true, false]]);
    expect(vm.hostpci).toEqual(new Map([[0, "NIC1"], [1, "HBA"]]));
    expect(r.network_device).toEqual([]);
    expect(r.cdrom).toEqual({ file_id: "local:iso/TrueNAS-SCALE-25.10.1.iso", interface: "ide2" });
    expect(r.boot_order).toEqual(["scsi0", "ide2"]);
    expect(r.startup).toEqual({ order: 2, up_delay: 90 });
    expect(r.protection).toBe(false);
    expect(r.lifecycle).toEqual({ prevent_destroy: false });
    expect(r).toMatchObject({ cpu: { cores: 6 }, memory: { dedicated: 32768 }, description: "test NAS", tags: ["nas"] });
    expect(json).toMatchSnapshot();
  });

  type Case = [string, (m: ReturnType<typeof mappings>) => Partial<TrueNASVmProps>, string];
  test.each<Case>([
    ["pcie without q35", () => ({ machine: "i440fx" }), `test/nas: pcie passthrough of HBA needs the q35 machine type (got "i440fx"; allowed: machine q35, or pcie: false)`],
    ["duplicate slot", (m) => ({ passthrough: [{ mapping: m.hba, slot: 2 }, { mapping: m.nic, slot: 2 }] }), "test/nas: hostpci slot 2 used twice (HBA and NIC1) (got 2; allowed: each slot once)"],
    ["slot out of range", (m) => ({ passthrough: [{ mapping: m.hba, slot: 16 }] }), "test/nas: hostpci slot out of range (got 16; allowed: 0..15)"],
    ["mapping passed twice", (m) => ({ passthrough: [{ mapping: m.hba }, { mapping: m.hba }] }), `test/nas: mapping passed through twice (got "HBA"; allowed: each mapping once)`],
    ["mapping of another node", (m) => ({ passthrough: [{ mapping: m.elsewhere }] }), `test/nas: mapping HBA2 is not defined for node pve (got "HBA2"; allowed: mappings with an entry for pve (this one covers: other))`],
    ["vm id too low", () => ({ vmId: 99 }), "test/nas: vm id out of range (got 99; allowed: integers 100..999999999)"],
    ["vm id too high", () => ({ vmId: 1_000_000_000 }), "test/nas: vm id out of range (got 1000000000; allowed: integers 100..999999999)"],
    ["too little memory", () => ({ memory: Size.gibibytes(4) }), "test/nas: memory below what ZFS needs (got 4 GiB; allowed: at least 8 GiB)"],
    ["memory not whole MiB", () => ({ memory: Size.bytes(8 * 2 ** 30 + 1) }), "test/nas: memory is not a whole number of MiB (got 8589934593 B; allowed: multiples of 1048576 bytes)"],
    ["no HBA", (m) => ({ passthrough: [{ mapping: m.nic }] }), `test/nas: no storage controller passed through (got ["NIC1"]; allowed: at least one mapping of kind storage-controller (the HBA holding the pool's disks))`],
    ["no network at all", () => ({ networkInterfaces: [] }), "test/nas: no network path (got []; allowed: networkInterfaces, or a passed-through mapping of kind network)"],
    ["VLAN out of range", () => ({ networkInterfaces: [{ bridge: "vmbr0", vlanId: 4095 }] }), "test/nas: VLAN id out of range (got 4095; allowed: 1..4094)"],
    ["bad MAC", () => ({ networkInterfaces: [{ bridge: "vmbr0", macAddress: "00:11" }] }), `test/nas: invalid MAC address (got "00:11"; allowed: six hex pairs separated by ':')`],
    ["bad name", () => ({ name: "nas_1" }), `test/nas: invalid VM name (got "nas_1"; allowed: a DNS label: letters, digits and '-', at most 63)`],
    ["bad ISO id", () => ({ installerIsoFileId: "truenas.iso" }), `test/nas: invalid installer ISO file id (got "truenas.iso"; allowed: <storage>:iso/<file>.iso)`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = proxmoxTestStack();
    const m = mappings(stack);
    expect(() => new TrueNASVm(stack, "nas", { ...minimal(m), ...override(m) })).toThrow(message);
  });

  test("a VM id is unique across the whole app, not only its stack", () => {
    const { app, stack } = proxmoxTestStack();
    const m = mappings(stack);
    new TrueNASVm(stack, "nas", minimal(m));
    const { TerraformStack } = jest.requireActual("../../lib/cdktf");
    const other = new TerraformStack(app, "other");
    const m2 = mappings(other);
    expect(() => new TrueNASVm(other, "nas2", minimal(m2))).toThrow(
      "other/nas2: vm id 300 is already used by test/nas (got 300; allowed: ids unique across the app)",
    );
  });
});
