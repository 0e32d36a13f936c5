import { NfsExport, type NfsExportProps } from "../../constructs/nfs-export";
import { jsonOf, synth, truenasTestStack } from "../helpers";
import { tankDatasets } from "./storage-fixtures";

describe("NfsExport", () => {
  test("defaults: read-write, root squashed, path from the dataset's mountpoint (after the dataset)", () => {
    const { stack } = truenasTestStack();
    const { media } = tankDatasets(stack);
    const share = new NfsExport(stack, "media", { dataset: media, networks: ["10.10.10.0/24"] });
    const r = jsonOf(synth(stack), share.resource);
    expect(r).toEqual({
      path: `\${truenas_dataset.${media.resource.friendlyUniqueId}.mountpoint}`,
      networks: ["10.10.10.0/24"],
      ro: false,
      comment: "films",
      enabled: true,
      // Serves clients or runs a task: a plan that would delete it fails (constructs/state-blocks.ts).
      lifecycle: { prevent_destroy: true },
    });
  });

  test("custom: read-only, maproot with its default group, comment", () => {
    const { stack } = truenasTestStack();
    const { media } = tankDatasets(stack);
    const share = new NfsExport(stack, "media", { dataset: media, networks: ["10.0.1.0/24", "10.0.2.0/24"], readOnly: true, maprootUser: "root", comment: "ro" });
    const json = synth(stack);
    expect(jsonOf(json, share.resource)).toMatchObject({ ro: true, maproot_user: "root", maproot_group: "wheel", comment: "ro", networks: ["10.0.1.0/24", "10.0.2.0/24"] });
    expect(json).toMatchSnapshot();
  });

  test.each<[string, Partial<NfsExportProps>, string]>([
    ["no networks (open to everyone)", { networks: [] }, "test/share: NFS share of tank/media open to everyone (got []; allowed: at least one client network in CIDR notation)"],
    ["0.0.0.0/0", { networks: ["0.0.0.0/0"] }, `test/share: NFS share of tank/media open to everyone (got "0.0.0.0/0"; allowed: networks of /8 or smaller (the VLANs that need the share))`],
    ["a host name instead of a network", { networks: ["nas.lan"] }, `test/share: invalid client network (got "nas.lan"; allowed: IPv4 CIDR such as 10.10.10.0/24)`],
    ["an octet above 255", { networks: ["10.10.300.0/24"] }, `test/share: invalid client network (got "10.10.300.0/24"`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    const { media } = tankDatasets(stack);
    expect(() => new NfsExport(stack, "share", { dataset: media, networks: ["10.10.10.0/24"], ...override })).toThrow(message);
  });
});
