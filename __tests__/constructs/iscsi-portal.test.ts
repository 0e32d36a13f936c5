import { IscsiPortal, type IscsiPortalProps } from "../../constructs/iscsi-portal";
import { jsonOf, synth, truenasTestStack } from "../helpers";

describe("IscsiPortal", () => {
  test("defaults: port 3260, all initiators, ids as outputs", () => {
    const { stack } = truenasTestStack();
    const iscsi = new IscsiPortal(stack, "iscsi", { listenAddresses: ["10.10.10.5"] });
    const json = synth(stack);
    expect(jsonOf(json, iscsi.portal)).toMatchObject({ listen: [{ ip: "10.10.10.5", port: 3260 }] });
    expect(jsonOf(json, iscsi.initiatorGroup)).toMatchObject({ initiators: [] });
    const outputs = Object.values(json.output!) as any[];
    expect(outputs.map((o) => o.value).sort()).toEqual([
      `\${truenas_iscsi_initiator.${iscsi.initiatorGroup.friendlyUniqueId}.id}`,
      `\${truenas_iscsi_portal.${iscsi.portal.friendlyUniqueId}.id}`,
    ]);
  });

  test("custom: two addresses, another port, named initiators", () => {
    const { stack } = truenasTestStack();
    const iscsi = new IscsiPortal(stack, "iscsi", { listenAddresses: ["10.10.10.5", "10.10.11.5"], port: 3261, initiators: ["iqn.2005-03.org.open-iscsi:abc123"] });
    const json = synth(stack);
    expect(jsonOf(json, iscsi.portal).listen).toEqual([{ ip: "10.10.10.5", port: 3261 }, { ip: "10.10.11.5", port: 3261 }]);
    expect(jsonOf(json, iscsi.initiatorGroup).initiators).toEqual(["iqn.2005-03.org.open-iscsi:abc123"]);
    expect(json).toMatchSnapshot();
  });

  test.each<[string, Partial<IscsiPortalProps>, string]>([
    ["no address", { listenAddresses: [] }, "test/iscsi: portal listens nowhere (got []; allowed: at least one IPv4 address)"],
    ["the wildcard address", { listenAddresses: ["0.0.0.0"] }, `test/iscsi: invalid listen address (got "0.0.0.0"; allowed: a specific IPv4 address (not 0.0.0.0: keep iSCSI on the storage VLAN))`],
    ["a port out of range", { port: 70000 }, "test/iscsi: invalid port (got 70000; allowed: 1..65535)"],
    ["a malformed IQN", { initiators: ["talos-node-1"] }, `test/iscsi: invalid initiator name (got "talos-node-1"`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    expect(() => new IscsiPortal(stack, "iscsi", { listenAddresses: ["10.10.10.5"], ...override })).toThrow(message);
  });
});
