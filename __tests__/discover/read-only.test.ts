import { ProxmoxClient, READ_ONLY_PATHS } from "../../scripts/discover/proxmox-client";
import { WriteRefusedError } from "../../scripts/discover/errors";
import { READ_ONLY_METHODS, TrueNASClient } from "../../scripts/discover/truenas-client";
import { startFakeProxmox, startFakeTrueNAS, type FakeProxmox, type FakeTrueNAS } from "./fakes";

let truenas: FakeTrueNAS;
let proxmox: FakeProxmox;
beforeAll(async () => {
  truenas = await startFakeTrueNAS({ apiKey: "1-key", answers: { "pool.query": [] } });
  proxmox = await startFakeProxmox({ token: "u@pve!t=x", mappings: [], vms: {} });
});
afterAll(async () => {
  await truenas.close();
  await proxmox.close();
});

describe("the clients are read-only", () => {
  test("the TrueNAS allow-list holds queries, config reads and the login, nothing else", () => {
    for (const m of READ_ONLY_METHODS) expect(m).toMatch(/\.query$|\.config$|^auth\.login_with_api_key$/);
  });

  test("the TrueNAS client refuses every other method and sends nothing", async () => {
    const client = await TrueNASClient.connect(truenas.url, { insecure: true });
    try {
      await client.login("1-key");
      const writes: [string, unknown[]][] = [
        ["pool.dataset.update", ["fast/vms", { quota: 0 }]], ["pool.dataset.create", [{ name: "fast/x" }]], ["pool.dataset.delete", ["fast/vms"]],
        ["pool.scrub.create", [{ pool: 1 }]], ["sharing.nfs.delete", [1]], ["service.stop", ["nfs"]], ["service.update", [1, { enable: false }]],
        ["nfs.update", [{}]], ["mail.update", [{}]], ["core.call", []], ["pool.query.evil", []], ["api_key.revoke", [1]],
      ];
      for (const [method, params] of writes) await expect(client.call(method, params)).rejects.toBeInstanceOf(WriteRefusedError);
      expect(await client.call("pool.query")).toEqual([]);
    } finally {
      client.close();
    }
    expect(truenas.calls.map((c) => c.method)).toEqual(["auth.login_with_api_key", "pool.query"]);
  });

  test("the TrueNAS client never sends the key over plain ws://", async () => {
    await expect(TrueNASClient.connect(truenas.url.replace("wss:", "ws:"), { insecure: true })).rejects.toThrow(/not a wss:\/\/ URL \(TrueNAS revokes an API key sent over plain ws:\/\/\)/);
  });

  test("the Proxmox client sends only GETs of the allowed paths", async () => {
    const client = new ProxmoxClient(proxmox.url, "u@pve!t=x", { insecure: true });
    await expect(client.get("/api2/json/nodes/din/qemu/300/config", "PUT")).rejects.toBeInstanceOf(WriteRefusedError);
    await expect(client.get("/api2/json/nodes/din/qemu/300/status/stop", "POST")).rejects.toBeInstanceOf(WriteRefusedError);
    await expect(client.get("/api2/json/nodes/din/qemu/300/status/current")).rejects.toBeInstanceOf(WriteRefusedError);
    await expect(client.get("/api2/json/access/users")).rejects.toBeInstanceOf(WriteRefusedError);
    expect(proxmox.requests).toEqual([]);
    expect(await client.get("/api2/json/cluster/mapping/pci")).toEqual({ status: "ok", data: [] });
    expect(await client.get("/api2/json/nodes/din/qemu/999/config")).toEqual({ status: "absent", message: "Configuration file 'nodes/din/qemu-server/999.conf' does not exist" });
    expect(proxmox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api2/json/cluster/mapping/pci", "GET /api2/json/nodes/din/qemu/999/config"]);
    expect(READ_ONLY_PATHS).toHaveLength(2);
  });
});
