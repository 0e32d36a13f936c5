/**
 * Day one on the live homelab, proved offline with the machine's real Terraform and the
 * schema-serving provider (which implements ImportResourceState and ReadResource):
 *
 * - the shipped inventory plus an imports file (what `npm run discover` writes) plans to IMPORT the
 *   TrueNAS VM, its PCI mappings and the pools' scrub tasks: Terraform's "N to import", nothing
 *   created for them, nothing destroyed;
 * - bumping a write-only secret's version plans a change of exactly the resources that send it,
 *   and no secret is in the state file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { homelab } from "../../inventory/homelab";
import { App } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import type { ImportsFile } from "../../stacks/imports";
import { prepareStack } from "../../scripts/validate/prepare";
import { listStacks } from "../../scripts/validate/stacks";
import type { LiveFixture } from "../../tools/schema-provider/live";
import { TerraformSession } from "../../tools/schema-provider/session";
import { describeWithTerraform, flat, repoSchemas, rm, terraform } from "./helpers";

jest.setTimeout(120_000);

/** What discovery would find on din: the VM, both mappings, the three scrub tasks TrueNAS made. */
const IMPORTS: ImportsFile = {
  "prod-storage": {
    "proxmox_virtual_environment_vm.truenas-primary": "din/300",
    "proxmox_hardware_mapping_pci.din-hba-internal": "din-hba-internal",
    "proxmox_hardware_mapping_pci.din-hba-md1220": "din-hba-md1220",
    "truenas_scrub_task.fast": "1",
    "truenas_scrub_task.bulk": "2",
    "truenas_scrub_task.scratch": "3",
  },
};

/**
 * The shipped inventory synthesized in this process (as main.ts does) with `imports`; once per
 * imports file (the output is only read: `prepared` copies the stack it plans).
 */
const synths = new Map<string, string>();
function synthShipped(imports: ImportsFile): string {
  const key = JSON.stringify(imports);
  const done = synths.get(key);
  if (done) return done;
  const outdir = mkdtempSync(join(tmpdir(), "validate-adoption-"));
  const app = new App({ outdir, stackTraces: false });
  buildHomelab(app, homelab, { backend: { kind: "local" }, imports });
  app.synth();
  synths.set(key, outdir);
  return outdir;
}

describeWithTerraform("adoption and secret rotation against real Terraform (offline)", () => {
  let session: TerraformSession;
  const dirs: string[] = [];
  const home = mkdtempSync(join(tmpdir(), "validate-adoption-live-"));
  dirs.push(home);
  // What the providers read back after the import: the VM as Terragrunt made it (node and id, the
  // attributes whose change would replace it), the mappings and scrub tasks as TrueNAS has them.
  const liveFile = join(home, "live.json");
  beforeAll(async () => {
    const vm = JSON.parse(readFileSync(join(prepared0(), "cdk.tf.json"), "utf8")).resource.proxmox_virtual_environment_vm["truenas-primary"];
    const live: LiveFixture = {
      resources: {
        proxmox_virtual_environment_vm: { "din/300": { node_name: "din", vm_id: 300, name: "truenas-primary", efi_disk: [vm.efi_disk], disk: vm.disk } },
        proxmox_hardware_mapping_pci: { "din-hba-internal": { name: "din-hba-internal" }, "din-hba-md1220": { name: "din-hba-md1220" } },
        truenas_scrub_task: Object.fromEntries(["1", "2", "3"].map((id, i) => [id, { pool: i + 1, threshold: 35, enabled: true }])),
      },
    };
    writeFileSync(liveFile, JSON.stringify(live));
    session = await TerraformSession.start({ terraform: terraform!, schemas: repoSchemas(), liveFile });
  });
  afterAll(async () => {
    await session?.close();
    for (const d of [...dirs, ...synths.values()]) rm(d);
  });

  /** The shipped prod-storage without imports, as synthesized (read only). */
  function prepared0(): string {
    const outdir = synthShipped({});
    return listStacks(outdir).find((x) => x.name === "prod-storage")!.dir;
  }

  /** A throwaway copy of `stack` from a synth with `imports`. */
  function prepared(imports: ImportsFile, stack = "prod-storage"): string {
    const outdir = synthShipped(imports);
    return prepareStack(listStacks(outdir).find((s) => s.name === stack)!, session.workdir(stack));
  }

  test("with an imports file, the VM, the mappings and the scrub tasks plan as imports: none created, nothing destroyed", async () => {
    const dir = prepared(IMPORTS);
    const doc = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
    // Exactly the import blocks of the file, nothing else changed for them.
    expect(doc.import).toHaveLength(6);
    const plan = await session.run(dir, ["plan", "-input=false", "-lock=false"]);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    const out = flat(plan.stdout);
    expect(out).toMatch(/Plan: 6 to import, \d+ to add, \d+ to change, 0 to destroy\./);
    for (const [address, id] of Object.entries(IMPORTS["prod-storage"]!)) {
      // Imported as is, or imported and then brought to the inventory's settings in place.
      const imported = out.includes(`# ${address} will be imported`) || out.includes(`# ${address} will be updated in-place # (imported from "${id}")`);
      expect({ address, imported }).toEqual({ address, imported: true });
      expect(out).not.toMatch(new RegExp(`# ${address.replace(/[.]/g, "\\.")} (will be created|must be replaced|will be destroyed)`));
    }
  });

  test("without ids (a fresh clone) nothing is imported and no scrub task is created blind", async () => {
    const dir = prepared({});
    const plan = await session.run(dir, ["plan", "-input=false", "-lock=false", "-refresh=false"]);
    expect(plan.code).toBe(0);
    expect(flat(plan.stdout)).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    expect(plan.stdout).not.toContain("truenas_scrub_task.");
  });

  describe("write-only secrets rotate by their version", () => {
    const FAKE = { restic_password: "FAKE-restic-9f8e7d6c5b4a", b2_application_key: "K001FAKEfakeFAKEfakeFAKEfake12", smtp_password: "FAKE-smtp-0a1b2c3d4e5f" };
    const vars = (extra: Record<string, string> = {}) => Object.entries({ ...FAKE, ...extra }).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    let dir: string;
    beforeAll(async () => {
      dir = prepared({});
      const apply = await session.run(dir, ["apply", "-auto-approve", "-input=false", "-lock=false", "-refresh=false", ...vars()]);
      if (apply.code !== 0) throw new Error(apply.stderr);
    });

    test("no secret is in the state file", () => {
      const state = readFileSync(join(dir, "terraform.tfstate"), "utf8");
      for (const secret of Object.values(FAKE)) expect(state).not.toContain(secret);
    });

    test("an unchanged version plans no change, even with other secret values (write-only values are invisible)", async () => {
      const plan = await session.run(dir, ["plan", "-input=false", "-lock=false", "-refresh=false", ...vars({ restic_password: "FAKE-rotated-but-not-bumped" })]);
      expect(plan.code).toBe(0);
      // Only the check blocks' data sources are read again; no resource changes.
      expect([...flat(plan.stdout).matchAll(/# (?!data\.|\()(\S+) (?:will|must) be/g)].map((m) => m[1])).toEqual([]);
    });

    test.each([
      ["restic_password_version", ["truenas_cloud_backup.bulk--backups--forgejo", "truenas_cloud_backup.bulk--photos", "truenas_cloud_backup.fast--kubernetes--nfs-static"], "0 to add, 3 to change, 0 to destroy"],
      ["b2_application_key_version", ["truenas_cloudsync_credentials.offsite-b2"], "0 to add, 1 to change, 0 to destroy"],
      // truenas_mail.pass has no version attribute upstream: the version replaces the resource (its Delete makes no API call).
      ["smtp_password_version", ["terraform_data.alerts-smtp-password-version", "truenas_mail.alerts"], "1 to add, 1 to change, 1 to destroy"],
    ])("bumping %s plans a change of exactly %j", async (version, addresses, counts) => {
      const plan = await session.run(dir, ["plan", "-input=false", "-lock=false", "-refresh=false", ...vars({ [version]: "2" })]);
      expect(plan.code).toBe(0);
      const out = flat(plan.stdout);
      expect(out).toContain(`Plan: ${counts}.`);
      const changed = [...out.matchAll(/# (?!data\.)(\S+) (?:will be updated in-place|must be replaced|will be replaced)/g)].map((m) => m[1]).sort();
      expect(changed).toEqual([...addresses].sort());
    });
  });
});
