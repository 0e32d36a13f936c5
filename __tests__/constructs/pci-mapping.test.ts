import { PciMapping, type PciMappingProps } from "../../constructs/pci-mapping";
import { jsonOf, proxmoxTestStack, synth } from "../helpers";

const hba: PciMappingProps = {
  name: "HBA",
  kind: "storage-controller",
  devices: [{ nodeName: "pve", path: "0000:01:00.0", deviceId: "1000:0072", iommuGroup: 14, subsystemId: "1000:3020" }],
};

describe("PciMapping", () => {
  test("defaults: one node, no comments", () => {
    const { stack } = proxmoxTestStack();
    const m = new PciMapping(stack, "hba", hba);
    const r = jsonOf(synth(stack), m.resource);
    expect(r.name).toBe("HBA");
    expect(r.comment).toBeUndefined();
    expect(r.map).toEqual([{ id: "1000:0072", iommu_group: 14, node: "pve", path: "0000:01:00.0", subsystem_id: "1000:3020" }]);
    expect(m.isDefinedOn("pve")).toBe(true);
    expect(m.isDefinedOn("other")).toBe(false);
  });

  test("custom: two nodes, comments, ids normalised to lowercase", () => {
    const { stack } = proxmoxTestStack();
    const m = new PciMapping(stack, "nic", {
      name: "nic-x710",
      kind: "network",
      comment: "Intel X710",
      devices: [
        { nodeName: "a", path: "0000:05:00.0", deviceId: "8086:1572", iommuGroup: 20, subsystemId: "8086:0006", comment: "port 0" },
        { nodeName: "b", path: "0000:06:00.0", deviceId: "8086:1572", iommuGroup: 21, subsystemId: "8086:0006" },
      ],
    });
    const json = synth(stack);
    const r = jsonOf(json, m.resource);
    expect(r.comment).toBe("Intel X710");
    expect(r.map.map((e: any) => e.node)).toEqual(["a", "b"]);
    expect(r.map[0].comment).toBe("port 0");
    expect(json).toMatchSnapshot();
  });

  const device = hba.devices[0];
  test.each<[string, Partial<PciMappingProps>, string]>([
    ["bad name", { name: "9hba" }, `test/m: invalid mapping name (got "9hba"; allowed: a letter, then letters, digits, '-' or '_')`],
    ["no devices", { devices: [] }, "test/m: a mapping needs at least one device (got []; allowed: one entry per node that has the device)"],
    ["node twice", { devices: [device, device] }, `test/m: node listed twice (got "pve"; allowed: one entry per node)`],
    ["path without domain", { devices: [{ ...device, path: "01:00.0" }] }, `test/m: invalid PCI path (got "01:00.0"; allowed: domain:bus:device.function in lowercase hex, e.g. 0000:03:00.0)`],
    ["bad device id", { devices: [{ ...device, deviceId: "1000-0072" }] }, `test/m: invalid device id (got "1000-0072"; allowed: vendor:device in hex, e.g. 1000:0097)`],
    ["bad subsystem", { devices: [{ ...device, subsystemId: "x" }] }, `test/m: invalid subsystem id (got "x"; allowed: vendor:device in hex, e.g. 1028:1f53)`],
    ["negative iommu group", { devices: [{ ...device, iommuGroup: -1 }] }, "test/m: invalid IOMMU group (got -1; allowed: integers >= 0)"],
    ["comma in device comment", { devices: [{ ...device, comment: "a,b" }] }, `test/m: device comment contains ',' or '=' (got "a,b"; allowed: text without ',' and '=')`],
    ["padded comment", { comment: " x" }, `test/m: comment has leading or trailing whitespace (got " x"; allowed: trimmed text)`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = proxmoxTestStack();
    expect(() => new PciMapping(stack, "m", { ...hba, ...override })).toThrow(message);
  });
});
