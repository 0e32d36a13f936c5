import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.join(__dirname, "..", "..");
const SECRETS = {
  PROXMOX_VE_API_TOKEN: "terraform@pve!cdktf=0fake0000-proxmox-token-never-written",
  TRUENAS_API_KEY: "2-FAKEtruenasKEYneverWRITTENanywhere",
  TF_VAR_proxmox_ve_api_token: "terraform@pve!ci=0fake1111-proxmox-tfvar-never-written",
  TF_VAR_truenas_api_key: "3-FAKEtfvarTRUENASkey",
  TF_VAR_b2_application_key: "K000FAKEb2applicationKEY",
  TF_VAR_restic_password: "fake-restic-password-correct-horse",
  TF_VAR_smtp_password: "fake-smtp-password-battery-staple",
  PGPASSWORD: "fake-pg-password",
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, f.toString())).filter((f) => fs.statSync(f).isFile());
}

const committedLedger = path.join(root, "inventory", "homelab.data-holders.json");

function synthApp(outdir: string, ledger: string, extraEnv: NodeJS.ProcessEnv = {}) {
  // As cdktf.json runs it: the launcher (bundle cached by its inputs), not tsx.
  return spawnSync(process.execPath, [path.join(root, "scripts", "app.js")], {
    cwd: root,
    env: { ...process.env, ...extraEnv, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", HOMELAB_DATA_HOLDER_LEDGER: ledger },
    encoding: "utf8",
  });
}

describe("the app (main.ts, what `cdktf synth` runs)", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-main-"));
  const ledger = path.join(outdir, "..", `${path.basename(outdir)}-ledger.json`);
  fs.copyFileSync(committedLedger, ledger);
  const run = synthApp(outdir, ledger, SECRETS);

  test("synthesizes every online stack and the capacity and pool-creation reports", () => {
    expect(run.status).toBe(0);
    const written = files(outdir).map((f) => path.relative(outdir, f)).sort();
    expect(written).toEqual(expect.arrayContaining([
      "capacity.md", "capacity.svg", "manifest.json",
      "stacks/dev-compute/cdk.tf.json", "stacks/prod-k8s-storage/cdk.tf.json", "stacks/prod-storage/cdk.tf.json",
      "truenas/pool-create-backup.json", "truenas/pool-create-bulk.json", "truenas/pool-create-fast.json", "truenas/pool-create-scratch.json",
    ]));
    expect(written.some((f) => f.startsWith("stacks/prod-backup"))).toBe(false);
    expect(run.stdout).toContain("prod-backup: skipped: host grogu is offline");
    expect(run.stdout).toMatch(/fast\s+12\.39 TB \(11\.27 TiB\).*OK/);
    expect(fs.readFileSync(path.join(outdir, "capacity.svg"), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  test("the committed data-holder ledger is current: synth leaves it as it is", () => {
    expect(fs.readFileSync(ledger, "utf8")).toBe(fs.readFileSync(committedLedger, "utf8"));
    expect(run.stdout).not.toContain("ledger updated");
  });

  test("a recorded dataset missing from the inventory stops synth, naming it, and nothing is written", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-ledger-"));
    const tampered = path.join(out, "..", `${path.basename(out)}-ledger.json`);
    const doc = JSON.parse(fs.readFileSync(committedLedger, "utf8"));
    fs.writeFileSync(tampered, JSON.stringify({ ...doc, holders: { ...doc.holders, "prod-storage: dataset bulk/old-photos": { address: "truenas_dataset.bulk--old-photos" } } }));
    const r = synthApp(out, tampered);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`prod-storage: dataset bulk/old-photos is in the ledger but no longer in the inventory; the next apply would destroy it and its data (got "dataset bulk/old-photos"; allowed: keep it in the inventory, or add "dataset bulk/old-photos" to that TrueNAS's storage.retired`);
    // One readable block: no stack trace, no source line.
    expect(r.stderr).not.toMatch(/\n\s+at |\.ts:\d+/);
    expect(files(out)).toEqual([]);
  });

  test("no secret from the environment reaches any written file or the logs", () => {
    const contents = files(outdir).map((f) => fs.readFileSync(f, "utf8")).join("\n") + run.stdout + run.stderr;
    expect(contents).toContain("${var.proxmox_ve_api_token}"); // the files were really read
    for (const secret of Object.values(SECRETS)) expect(contents).not.toContain(secret);
  });
});
