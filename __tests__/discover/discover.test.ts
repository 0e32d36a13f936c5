import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { READ_ONLY_METHODS } from "../../scripts/discover/truenas-client";
import { runDiscover } from "../../scripts/discover/run";
import { serializeImports } from "../../scripts/discover/imports-file";
import { startFakeProxmox, startFakeTrueNAS, type FakeProxmox, type FakeTrueNAS } from "./fakes";
import { PROXMOX, TRUENAS_ANSWERS } from "./live-data";

const API_KEY = "1-abcdefghijklmnopqrstuvwxyz";
const TOKEN = "terraform@pve!discover=00000000-0000-0000-0000-000000000000";
let truenas: FakeTrueNAS;
let proxmox: FakeProxmox;
let dir: string;

beforeAll(async () => {
  truenas = await startFakeTrueNAS({ apiKey: API_KEY, answers: TRUENAS_ANSWERS });
  proxmox = await startFakeProxmox({ token: TOKEN, ...PROXMOX });
});
afterAll(async () => {
  await truenas.close();
  await proxmox.close();
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "discover-"));
});

const env = (over: Record<string, string | undefined> = {}) => ({
  TRUENAS_ENDPOINT: truenas.url, TRUENAS_API_KEY: API_KEY, TRUENAS_INSECURE: "true",
  PROXMOX_VE_ENDPOINT: proxmox.url, PROXMOX_VE_API_TOKEN: TOKEN, PROXMOX_VE_INSECURE: "true",
  ...over,
});

async function discover(args: string[] = [], over: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const file = path.join(dir, "homelab.imports.json");
  const code = await runDiscover(["--truenas", "truenas-primary", "--out", file, ...args], env(over), { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join("\n"), stderr: err, file };
}

/** Every id this din has, as the providers' importers take them. */
const EXPECTED_IMPORTS = {
  "prod-storage": {
    "proxmox_hardware_mapping_pci.din-hba-internal": "din-hba-internal",
    "proxmox_virtual_environment_vm.truenas-primary": "din/300",
    ...Object.fromEntries((TRUENAS_ANSWERS["pool.dataset.query"] as { id: string }[]).map((d) => [`truenas_dataset.${d.id.replace(/\//g, "--")}`, d.id])),
    "truenas_iscsi_initiator.iscsi": "1",
    "truenas_iscsi_portal.iscsi": "1",
    "truenas_mail.alerts": "mail",
    "truenas_nfs_config.nfs": "nfs_config",
    "truenas_nfs_share.bulk--media": "1",
    "truenas_nfs_share.bulk--photos": "2",
    "truenas_nfs_share.bulk--signoz-cold": "5",
    "truenas_periodic_snapshot_task.fast--kubernetes": "1",
    "truenas_periodic_snapshot_task.fast--vms": "2",
    "truenas_scrub_task.bulk": "2",
    "truenas_scrub_task.fast": "1",
    "truenas_scrub_task.scratch": "3",
    "truenas_service.iscsitarget": "iscsitarget",
    "truenas_service.nfs": "nfs",
  },
};

describe("npm run discover against local TrueNAS and Proxmox", () => {
  test("prints found, absent and drift in readable units, and writes the ids it found", async () => {
    const { code, stdout, stderr, file } = await discover();
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    // found, no drift
    expect(stdout).toMatch(/prod-storage +dataset fast\/vms +found +fast\/vms +none\n/);
    // found, with drift (quota in binary units, as ZFS reads them)
    expect(stdout).toMatch(/dataset bulk\/media +found +bulk\/media +quota: 4 TiB live, 8\.5 TiB declared\n/);
    expect(stdout).toMatch(/VM truenas-primary \(din\/300\) +found +din\/300 +memory: 16 GiB live, 32 GiB declared/);
    expect(stdout).toMatch(/scrub task of pool scratch +found +3 +schedule: 0 0 \* \* 0 live, 0 2 \* \* 5 declared/);
    expect(stdout).toMatch(/scrub task of pool fast +found +1 +none\n/); // dow 7 = 0 (Sunday), "00" = "0"
    expect(stdout).toMatch(/NFS share \/mnt\/bulk\/signoz-cold +found +5 +networks: 10\.10\.10\.0\/24 live, 10\.0\.1\.0\/24, 10\.10\.10\.0\/24 declared/);
    expect(stdout).toMatch(/snapshot task of fast\/kubernetes +found +1 +lifetime: 24 hours live, 1 day declared/);
    expect(stdout).toMatch(/service iscsitarget +found +iscsitarget +enable: false live, true declared\n +state: STOPPED live, RUNNING declared/);
    // absent
    expect(stdout).toMatch(/dataset scratch\/temp +absent +-/);
    expect(stdout).toMatch(/NFS share \/mnt\/fast\/kubernetes\/nfs-static +absent/);
    expect(stdout).toMatch(/PCI mapping din-hba-md1220 +absent/);
    expect(stdout).toMatch(/replication of fast\/vms +absent +- +\(held while grogu is offline/);
    // not checkable: grogu is down; its stack's VM keeps whatever the file had
    expect(stdout).toMatch(/prod-backup +VM truenas-backup \(grogu\/301\) +error +- +\(HTTP 595 Errors during connection establishment/);
    expect(stdout).toContain("wrote ");

    const text = fs.readFileSync(file, "utf8");
    expect(JSON.parse(text)).toEqual(EXPECTED_IMPORTS);
    expect(text).toBe(serializeImports(EXPECTED_IMPORTS)); // sorted keys, final newline
    expect(Object.keys(JSON.parse(text)["prod-storage"])).toEqual(Object.keys(JSON.parse(text)["prod-storage"]).sort());
  });

  test("a re-run merges: same bytes, other stacks kept, ids of vanished objects dropped, unchecked ones kept", async () => {
    const file = path.join(dir, "homelab.imports.json");
    fs.writeFileSync(file, JSON.stringify({
      "prod-backup": { "proxmox_virtual_environment_vm.truenas-backup": "grogu/301" },
      "prod-storage": { "truenas_dataset.scratch--temp": "scratch/temp", "truenas_scrub_task.fast": "9" },
    }));
    const first = await discover();
    const once = fs.readFileSync(file, "utf8");
    expect(first.stdout).toMatch(/wrote .*: 39 ids \(38 new or changed, 1 dropped \(object gone\)\)/);
    await discover();
    expect(fs.readFileSync(file, "utf8")).toBe(once);
    expect(JSON.parse(once)).toEqual({ ...EXPECTED_IMPORTS, "prod-backup": { "proxmox_virtual_environment_vm.truenas-backup": "grogu/301" } });
  });

  test("--dry-run prints the same table and writes nothing", async () => {
    const { code, stdout, file } = await discover(["--dry-run"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/dataset bulk\/media +found/);
    expect(stdout).toMatch(/--dry-run: .* not written \(would hold 38 ids/);
    expect(fs.existsSync(file)).toBe(false);
  });

  test("a malformed imports file is refused, not overwritten", async () => {
    const file = path.join(dir, "homelab.imports.json");
    fs.writeFileSync(file, `{"prod-storage": {"truenas_mail.x": 3}}`);
    const { code, stderr, stdout } = await discover();
    expect(code).toBe(2);
    expect(stderr).toEqual([`discover: ${file}: not an imports file (got "object"; allowed: { "<stack>": { "<address>": "<id>" } }, ids as non-empty strings)`]);
    expect(stdout).toBe("");
    expect(fs.readFileSync(file, "utf8")).toBe(`{"prod-storage": {"truenas_mail.x": 3}}`);
  });

  test("with only Proxmox configured, TrueNAS is reported as not checked", async () => {
    const { code, stdout } = await discover(["--dry-run"], { TRUENAS_ENDPOINT: undefined, TRUENAS_API_KEY: undefined });
    expect(code).toBe(0);
    expect(stdout).toContain("TrueNAS not checked (TRUENAS_ENDPOINT not set): its ids in the file are kept");
    expect(stdout).not.toMatch(/dataset /);
  });

  test("a bad API key ends in one line and exit 2, nothing written", async () => {
    const { code, stdout, stderr, file } = await discover([], { TRUENAS_API_KEY: "2-wrong" });
    expect(code).toBe(2);
    expect(stderr).toEqual([`discover: TrueNAS ${truenas.url}: API key refused (check TRUENAS_API_KEY)`]);
    expect(stdout).toBe("");
    expect(fs.existsSync(file)).toBe(false);
  });

  test("a bad Proxmox token ends in one line and exit 2", async () => {
    const { code, stderr } = await discover([], { PROXMOX_VE_API_TOKEN: "root@pam!x=wrong" });
    expect(code).toBe(2);
    expect(stderr).toEqual([`discover: Proxmox ${proxmox.url}: API token refused (invalid token value!); check PROXMOX_VE_API_TOKEN (user@realm!id=uuid)`]);
  });

  test("an unreachable host ends in one line and exit 2", async () => {
    const closed = await startFakeTrueNAS({ apiKey: API_KEY, answers: {} });
    await closed.close();
    const { code, stderr } = await discover([], { TRUENAS_ENDPOINT: closed.url });
    expect(code).toBe(2);
    expect(stderr).toEqual([`discover: TrueNAS ${closed.url}: connection refused (is the host up and the port right?)`]);
  });

  test("a self-signed certificate without TRUENAS_INSECURE ends in the TLS line and exit 2", async () => {
    const { code, stderr } = await discover([], { TRUENAS_INSECURE: undefined });
    expect(code).toBe(2);
    expect(stderr).toEqual([`discover: TrueNAS ${truenas.url}: TLS certificate not trusted (set TRUENAS_INSECURE=true for a self-signed certificate)`]);
    const p = await discover([], { PROXMOX_VE_INSECURE: "false" });
    expect(p.stderr).toEqual([`discover: Proxmox ${proxmox.url}: TLS certificate not trusted (set PROXMOX_VE_INSECURE=true for a self-signed certificate)`]);
  });

  test("an endpoint that is no storage address of the inventory needs --truenas", async () => {
    const err: string[] = [];
    const code = await runDiscover(["--dry-run"], env(), { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err).toEqual([`discover: TrueNAS ${truenas.url}: which TrueNAS VM is this? its host is no storage address of inventory homelab; pass --truenas <name> (truenas-primary, truenas-backup)`]);
  });

  test("no write method ever reached TrueNAS, no request but GET reached Proxmox", () => {
    expect(truenas.calls.length).toBeGreaterThan(10);
    expect(truenas.calls.map((c) => c.method).filter((m) => !READ_ONLY_METHODS.has(m))).toEqual([]);
    expect(truenas.calls.map((c) => c.method).filter((m) => !/\.(query|config)$|^auth\.login_with_api_key$/.test(m))).toEqual([]);
    expect(proxmox.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
