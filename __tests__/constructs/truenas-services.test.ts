import { TrueNASServices, type TrueNASServicesProps } from "../../constructs/truenas-services";
import { synth, truenasTestStack } from "../helpers";

describe("TrueNASServices", () => {
  test("defaults: nothing is switched", () => {
    const { stack } = truenasTestStack();
    const services = new TrueNASServices(stack, "services", {});
    const json = synth(stack);
    expect(services.services).toEqual([]);
    expect(json.resource?.truenas_service).toBeUndefined();
    expect(json.resource?.truenas_nfs_config).toBeUndefined();
  });

  test("custom: NFS v3+v4 bound to the storage address, iSCSI and SSH running and enabled at boot", () => {
    const { stack } = truenasTestStack();
    new TrueNASServices(stack, "services", { nfsBindAddresses: ["10.10.10.5"], iscsi: true, ssh: true });
    const json = synth(stack);
    expect(Object.values(json.resource!.truenas_nfs_config)).toEqual([{ protocols: ["NFSV3", "NFSV4"], bindip: ["10.10.10.5"] }]);
    const services = Object.values(json.resource!.truenas_service) as any[];
    expect(services.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      // Deleting a truenas_service disables and stops it: every one is protected.
      { name: "iscsitarget", enabled: true, running: true, lifecycle: { prevent_destroy: true } },
      { name: "nfs", enabled: true, running: true, lifecycle: { prevent_destroy: true } },
      { name: "ssh", enabled: true, running: true, lifecycle: { prevent_destroy: true } },
    ]);
    expect(json).toMatchSnapshot();
  });

  test.each<[string, TrueNASServicesProps, string]>([
    ["NFS bound to no address (every interface)", { nfsBindAddresses: [] }, "test/services: NFS bound to no address (got []; allowed: at least one IPv4 address (an empty list would bind every interface))"],
    ["a host name as bind address", { nfsBindAddresses: ["nas.lan"] }, `test/services: invalid NFS bind address (got "nas.lan"; allowed: IPv4 addresses of this TrueNAS)`],
    ["no NFS version", { nfsBindAddresses: ["10.10.10.5"], nfsProtocols: [] }, "test/services: NFS serving no protocol version (got []; allowed: NFSV3, NFSV4 or both)"],
  ])("rejects %s", (_name, props, message) => {
    const { stack } = truenasTestStack();
    expect(() => new TrueNASServices(stack, "services", props)).toThrow(message);
  });
});
