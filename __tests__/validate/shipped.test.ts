/**
 * The shipped stacks, synthesized from main.ts into a temp dir: they pass npm run validate (both
 * ways of attaching the provider), fast, prod-k8s-storage planned against the applied state of
 * prod-storage; and, applied to a throwaway state (in dependency order), no edit that would
 * replace the TrueNAS VM or a dataset/zvol/pool gets past prevent_destroy — neither in the
 * synthesized JSON nor through an edit of the inventory (inventory/homelab.ts).
 */
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { homelab } from "../../inventory/homelab";
import type { Homelab } from "../../inventory/types";
import { App } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import { listStacks, type StackDir, synth, TerraformSession, validateApp } from "../../tools/schema-provider/validate";
import { applyAll, describeWithTerraform, editedOverApplied, editJson, type Json, renamePath, repoSchemas, rm, terraform } from "./helpers";

jest.setTimeout(180_000);

const flat = (s: string) => s.replace(/\s+/g, " ");
const refusal = (address: string) => `Resource ${address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.`;

/** Synthesize an (edited) inventory as main.ts does, in this process, into a temp dir. */
function synthHomelab(h: Homelab): string {
  const outdir = mkdtempSync(join(tmpdir(), "validate-inventory-"));
  const app = new App({ outdir });
  buildHomelab(app, h, { backend: { kind: "local" } });
  app.synth();
  return outdir;
}

/** The address of the one resource of `type` whose `attr` is `value` in a synthesized stack. */
function addressOf(outdir: string, stack: string, type: string, attr: string, value: unknown): string {
  const doc = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as Json;
  const hits = Object.entries((doc.resource?.[type] ?? {}) as Record<string, Json>).filter(([, b]) => b[attr] === value);
  if (hits.length !== 1) throw new Error(`expected one ${type} with ${attr} = ${JSON.stringify(value)} in ${stack}, found ${hits.length}`);
  return `${type}.${hits[0]![0]}`;
}

const primary = (h: Homelab) => h.truenasVms.find((v) => v.role === "primary")!;
const withPrimary = (h: Homelab, edit: (vm: Homelab["truenasVms"][number]) => Homelab["truenasVms"][number]): Homelab => ({
  ...h,
  truenasVms: h.truenasVms.map((v) => (v.role === "primary" ? edit(v) : v)),
});

describeWithTerraform("the shipped stacks against real Terraform", () => {
  let outdir: string;
  let stacks: StackDir[];

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), "validate-shipped-"));
    // The default (local) backend: validate neutralises any backend anyway.
    await synth(outdir, { env: { HOMELAB_STATE_BACKEND: "local" } });
    stacks = listStacks(outdir);
  });
  afterAll(() => outdir && rm(outdir));

  test("there is something to validate", () => {
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(["dev-compute", "prod-storage", "prod-k8s-storage"]));
    // Dependency order: prod-k8s-storage reads prod-storage's outputs through terraform_remote_state.
    expect(stacks.find((s) => s.name === "prod-k8s-storage")!.dependencies).toEqual(["prod-storage"]);
    expect(stacks.findIndex((s) => s.name === "prod-storage")).toBeLessThan(stacks.findIndex((s) => s.name === "prod-k8s-storage"));
  });

  test("every stack passes validate + plan, all of them in under 30 s (reattached provider)", async () => {
    const report = await validateApp({ outdir, synth: false });
    const lines = report.results.map((r) => `${r.stack}: ${r.ok ? `ok, ${r.plan?.add} to create, validate ${r.validateMs} ms, plan ${r.planMs} ms` : r.message}`);
    // eslint-disable-next-line no-console
    console.log(`validate+plan of ${report.results.length} stacks (reattach): ${report.terraformMs} ms\n${lines.join("\n")}`);
    expect(report.error).toBeUndefined();
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.stack}: ${r.message}`)).toEqual([]);
    for (const r of report.results) expect(r.plan!.add).toBeGreaterThan(0);
    const k8s = report.results.find((r) => r.stack === "prod-k8s-storage")!;
    expect(k8s.against).toEqual(["prod-storage"]);
    expect(report.results.find((r) => r.stack === "prod-storage")!.appliedFor).toEqual(["prod-k8s-storage"]);
    expect(report.terraformMs!).toBeLessThan(30_000);
  });

  test("every stack passes with the provider started by Terraform itself (dev_overrides, go-plugin handshake, AutoMTLS)", async () => {
    const report = await validateApp({ outdir, synth: false, mode: "spawn" });
    // eslint-disable-next-line no-console
    console.log(`validate+plan of ${report.results.length} stacks (spawn): ${report.terraformMs} ms`);
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.stack}: ${r.message}`)).toEqual([]);
    expect(report.results.find((r) => r.stack === "prod-k8s-storage")!.against).toEqual(["prod-storage"]);
    expect(report.terraformMs!).toBeLessThan(30_000);
  });

  describe("data-loss guard on the applied shipped stacks", () => {
    const schemas = repoSchemas();
    let session: TerraformSession;
    const applied = new Map<string, string>();

    beforeAll(async () => {
      session = await TerraformSession.start({ terraform: terraform!, schemas });
      for (const [name, dir] of await applyAll(session, outdir)) applied.set(name, dir);
    });
    afterAll(() => session?.close());

    /** Resources that hold data: the TrueNAS VM(s) and every pool, dataset and zvol. */
    function dataHolders(): { stack: string; type: string; name: string; body: Json }[] {
      const out: { stack: string; type: string; name: string; body: Json }[] = [];
      for (const s of stacks) {
        const doc = JSON.parse(readFileSync(join(s.dir, "cdk.tf.json"), "utf8")) as Json;
        for (const [type, byName] of Object.entries((doc.resource ?? {}) as Record<string, Record<string, Json>>)) {
          for (const [name, body] of Object.entries(byName)) {
            const isTrueNasVm = type === "proxmox_virtual_environment_vm" && /truenas/i.test(`${name} ${body.name ?? ""}`);
            if (isTrueNasVm || ["truenas_pool", "truenas_dataset", "truenas_zvol"].includes(type)) out.push({ stack: s.name, type, name, body });
          }
        }
      }
      return out;
    }

    test("the shipped stacks contain the TrueNAS VM, and every data holder has prevent_destroy", () => {
      const holders = dataHolders();
      expect(holders.some((h) => h.type === "proxmox_virtual_environment_vm")).toBe(true);
      // eslint-disable-next-line no-console
      console.log(`data holders in the shipped stacks: ${holders.map((h) => `${h.stack}/${h.type}.${h.name}`).join(", ")}`);
      expect(holders.filter((h) => h.body.lifecycle?.prevent_destroy !== true).map((h) => `${h.stack}/${h.type}.${h.name}`)).toEqual([]);
    });

    async function planAfter(stack: string, edit: (doc: Json) => void) {
      const src = applied.get(stack)!;
      const dir = mkdtempSync(join(src, "..", "edit-"));
      cpSync(src, dir, { recursive: true });
      editJson(join(dir, "cdk.tf.json"), edit);
      return session.run(dir, ["plan", "-input=false", "-lock=false"]);
    }

    function edits(): [string, string, string, (doc: Json) => void][] {
      const out: [string, string, string, (doc: Json) => void][] = [];
      for (const h of dataHolders()) {
        const at = (doc: Json) => doc.resource[h.type][h.name];
        if (h.type === "proxmox_virtual_environment_vm") {
          out.push([`${h.type}.${h.name} vm_id`, h.stack, `${h.type}.${h.name}`, (d) => (at(d).vm_id = Number(at(d).vm_id ?? 100) + 1)]);
          out.push([`${h.type}.${h.name} node_name`, h.stack, `${h.type}.${h.name}`, (d) => (at(d).node_name = `${at(d).node_name}-moved`)]);
        } else {
          out.push([`${h.type}.${h.name} name`, h.stack, `${h.type}.${h.name}`, (d) => (at(d).name = `${at(d).name}-renamed`)]);
        }
      }
      return out;
    }

    test("an edit that would replace a data holder is refused by prevent_destroy (each one)", async () => {
      const cases = edits();
      expect(cases.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const [what, stack, address, edit] of cases) {
        const r = await planAfter(stack, edit);
        const ok = r.code === 1 && flat(r.stderr).includes(`Resource ${address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.`);
        if (!ok) failures.push(`${stack}: changing ${what} was not refused (exit ${r.code}):\n${r.stderr || r.stdout}`);
      }
      // eslint-disable-next-line no-console
      console.log(`prevent_destroy refused ${cases.length - failures.length} of ${cases.length} replacing edits: ${cases.map((c) => c[0]).join("; ")}`);
      expect(failures).toEqual([]);
    });

    test("the whole chain applies: prod-k8s-storage after prod-storage, reading its applied outputs; re-planning changes nothing", async () => {
      expect([...applied.keys()]).toEqual(stacks.map((s) => s.name));
      const k8s = applied.get("prod-k8s-storage")!;
      const doc = JSON.parse(readFileSync(join(k8s, "cdk.tf.json"), "utf8")) as Json;
      const ref = doc.data.terraform_remote_state["cross-stack-reference-input-prod-storage"];
      expect(ref.backend).toBe("local");
      expect(ref.config.path).toBe(join(applied.get("prod-storage")!, "terraform.tfstate"));
      // The remote state read what prod-storage's apply wrote (the placeholder ids: numbers in the truenas schema), not nothing.
      const storageState = JSON.parse(readFileSync(join(applied.get("prod-storage")!, "terraform.tfstate"), "utf8")) as Json;
      const k8sState = JSON.parse(readFileSync(join(k8s, "terraform.tfstate"), "utf8")) as Json;
      const remote = k8sState.resources.find((r: Json) => r.type === "terraform_remote_state").instances[0].attributes.outputs.value;
      const crossOutputs = Object.entries(storageState.outputs as Record<string, Json>).filter(([k]) => k.startsWith("cross-stack-output-"));
      expect(crossOutputs.length).toBeGreaterThan(0);
      for (const [k, v] of crossOutputs) {
        expect(v.value).toEqual(expect.any(Number));
        expect(remote).toHaveProperty([k], v.value);
      }
      for (const [name, dir] of applied) {
        const r = await session.run(dir, ["plan", "-input=false", "-lock=false"]);
        expect(`${name}: ${r.stderr}`).toBe(`${name}: `);
        expect(r.stdout).toContain("No changes.");
      }
    });

    describe("edits of the inventory (buildHomelab with a modified inventory/homelab.ts), planned over the applied stacks", () => {
      const edited: string[] = [];
      afterAll(() => edited.forEach(rm));
      const synthEdited = (h: Homelab) => {
        const out = synthHomelab(h);
        edited.push(out);
        return out;
      };
      const planEdited = (out: string, stack: string) => session.run(editedOverApplied(session, out, stack, applied), ["plan", "-input=false", "-lock=false"]);

      test("the unedited inventory, synthesized in-process, plans no changes over the applied stacks (the baseline)", async () => {
        const out = synthEdited(homelab);
        for (const stack of ["prod-storage", "prod-k8s-storage"]) {
          const r = await planEdited(out, stack);
          expect(`${stack}: ${r.stderr}`).toBe(`${stack}: `);
          expect(r.stdout).toContain("No changes.");
        }
      });

      test("the TrueNAS VM's vmId 300 -> 302: plan refused by prevent_destroy", async () => {
        expect(primary(homelab).vmId).toBe(300);
        const out = synthEdited(withPrimary(homelab, (vm) => ({ ...vm, vmId: 302 })));
        const address = addressOf(out, "prod-storage", "proxmox_virtual_environment_vm", "vm_id", 302);
        const r = await planEdited(out, "prod-storage");
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("Error: Instance cannot be destroyed");
        expect(flat(r.stderr)).toContain(refusal(address));
      });

      test("the TrueNAS VM's node din -> grogu (declared; brought online with the HBAs moved to it): plan refused by prevent_destroy", async () => {
        expect(primary(homelab).nodeName).toBe("din");
        const moved: Homelab = withPrimary(
          {
            ...homelab,
            hosts: homelab.hosts.map((h) => (h.nodeName === "grogu" ? { ...h, online: true } : h)),
            pciDevices: homelab.pciDevices.map((d) => (primary(homelab).passthrough.some((p) => p.mapping === d.name) ? { ...d, nodeName: "grogu" } : d)),
          },
          (vm) => ({ ...vm, nodeName: "grogu" }),
        );
        const out = synthEdited(moved);
        const address = addressOf(out, "prod-storage", "proxmox_virtual_environment_vm", "node_name", "grogu");
        const r = await planEdited(out, "prod-storage");
        expect(r.code).toBe(1);
        expect(flat(r.stderr)).toContain(refusal(address));
      });

      test("a dataset's name in the synthesized JSON (bulk/photos -> bulk/photos2, same address): plan refused by prevent_destroy", async () => {
        const address = addressOf(outdir, "prod-storage", "truenas_dataset", "name", "bulk/photos");
        const src = applied.get("prod-storage")!;
        const dir = mkdtempSync(join(src, "..", "edit-"));
        cpSync(src, dir, { recursive: true });
        editJson(join(dir, "cdk.tf.json"), (d) => (d.resource.truenas_dataset[address.split(".")[1]!].name = "bulk/photos2"));
        const r = await session.run(dir, ["plan", "-input=false", "-lock=false"]);
        expect(r.code).toBe(1);
        expect(flat(r.stderr)).toContain(refusal(address));
      });

      // Renaming or deleting a dataset in the inventory removes its resource block, and Terraform
      // enforces prevent_destroy only on blocks still in the configuration: the data-holder ledger
      // (inventory/homelab.data-holders.json) stops such a synth before Terraform ever runs.
      test("a dataset renamed in the inventory (bulk/photos -> bulk/photos2) is refused at synth by the data-holder ledger", () => {
        const ledger = JSON.parse(readFileSync(join(__dirname, "..", "..", "inventory", "homelab.data-holders.json"), "utf8")) as { dataHolders: string[] };
        expect(ledger.dataHolders).toContain("prod-storage: dataset bulk/photos");
        const renamed = renamePath(homelab, "bulk/photos", "bulk/photos2");
        expect(() => buildHomelab(new App({ outdir: mkdtempSync(join(tmpdir(), "validate-refused-")) }), renamed, { recordedDataHolders: ledger.dataHolders }))
          .toThrow("prod-storage: dataset bulk/photos is in the data-holder ledger but no longer in the inventory; the next apply would destroy it and its data");
      });

      test("a dataset retired in the inventory (bulk/archive): Terraform forgets it and destroys nothing", async () => {
        const address = addressOf(outdir, "prod-storage", "truenas_dataset", "name", "bulk/archive");
        const retired = withPrimary(homelab, (vm) => ({
          ...vm,
          storage: { ...vm.storage!, datasets: vm.storage!.datasets.filter((d) => d.path !== "bulk/archive"), retiredDatasets: ["bulk/archive"] },
        }));
        const out = synthEdited(retired);
        const r = await planEdited(out, "prod-storage");
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`# ${address} will no longer be managed by Terraform`);
        expect(r.stdout).not.toMatch(/will be destroyed|must be replaced/);
      });
    });
  });
});
