/**
 * The shipped stacks, synthesized from main.ts into a temp dir: they pass npm run validate (both
 * ways of attaching the provider), fast; and, applied to a throwaway state, no edit that would
 * replace the TrueNAS VM or a dataset/zvol/pool gets past prevent_destroy.
 */
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listStacks, prepareStack, type StackDir, synth, TerraformSession, validateApp } from "../../tools/schema-provider/validate";
import { describeWithTerraform, editJson, type Json, repoSchemas, rm, terraform } from "./helpers";

jest.setTimeout(180_000);

const flat = (s: string) => s.replace(/\s+/g, " ");

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
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(["dev-compute", "prod-storage"]));
  });

  test("every stack passes validate + plan, all of them in under 30 s (reattached provider)", async () => {
    const report = await validateApp({ outdir, synth: false });
    const lines = report.results.map((r) => `${r.stack}: ${r.ok ? `ok, ${r.plan?.add} to create, validate ${r.validateMs} ms, plan ${r.planMs} ms` : r.message}`);
    // eslint-disable-next-line no-console
    console.log(`validate+plan of ${report.results.length} stacks (reattach): ${report.terraformMs} ms\n${lines.join("\n")}`);
    expect(report.error).toBeUndefined();
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.stack}: ${r.message}`)).toEqual([]);
    for (const r of report.results) expect(r.plan!.add).toBeGreaterThan(0);
    expect(report.terraformMs!).toBeLessThan(30_000);
  });

  test("every stack passes with the provider started by Terraform itself (dev_overrides, go-plugin handshake, AutoMTLS)", async () => {
    const report = await validateApp({ outdir, synth: false, mode: "spawn" });
    // eslint-disable-next-line no-console
    console.log(`validate+plan of ${report.results.length} stacks (spawn): ${report.terraformMs} ms`);
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.stack}: ${r.message}`)).toEqual([]);
    expect(report.terraformMs!).toBeLessThan(30_000);
  });

  describe("data-loss guard on the applied shipped stacks", () => {
    const schemas = repoSchemas();
    let session: TerraformSession;
    const applied = new Map<string, string>();

    beforeAll(async () => {
      session = await TerraformSession.start({ terraform: terraform!, schemas });
      for (const s of stacks) {
        const dir = prepareStack(s, session.workdir(`applied-${s.name}`));
        const r = await session.run(dir, ["apply", "-auto-approve", "-input=false", "-lock=false"]);
        if (r.code !== 0) throw new Error(`apply of ${s.name} failed:\n${r.stderr}`);
        applied.set(s.name, dir);
      }
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
  });
});
