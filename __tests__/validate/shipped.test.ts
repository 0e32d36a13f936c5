/**
 * The shipped stacks, synthesized from main.ts (shared with other files: shared-fixture.ts): they pass
 * npm run validate, fast, prod-k8s-storage planned against the applied state of prod-storage (with
 * the provider Terraform starts itself: shipped-spawn.test.ts, in another jest worker); and,
 * applied to a throwaway state (in dependency order), no edit that would replace the TrueNAS VM or
 * a dataset/zvol/pool gets past prevent_destroy — neither in the synthesized JSON nor through an
 * edit of the inventory (inventory/homelab.ts).
 *
 * Every Terraform run of this file is started up front (`prefetch`), at most two at once (the other
 * jest worker runs Terraform too), and each test awaits and checks its own.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { homelab } from "../../inventory/homelab";
import type { Homelab } from "../../inventory/types";
import { App } from "../../lib/cdktf";
import { validateApp } from "../../scripts/validate/app";
import { listStacks } from "../../scripts/validate/stacks";
import { parsePlanCounts } from "../../tools/schema-provider/plan-counts";
import { TerraformSession } from "../../tools/schema-provider/session";
import { buildHomelab } from "../../stacks/homelab-app";
import { readImportsFile } from "../../stacks/imports";
import { parseLedger } from "../../stacks/ledger";
import { copyOf, describeWithTerraform, editedOverApplied, editJson, flat, type Json, limitedRun, once, prefetch, renamePath, repoSchemas, rm, terraform } from "./helpers";
import { appliedStacks, synthOf } from "./shared-fixture";

jest.setTimeout(180_000);

/**
 * A plan that changes nothing: "No changes.", or — when the stack has check blocks, whose scoped
 * data sources Terraform always shows as read — "Plan: 0 to add, 0 to change, 0 to destroy." with
 * nothing but those reads.
 */
function expectNoChanges(stdout: string): void {
  expect(parsePlanCounts(stdout)).toEqual({ import: 0, add: 0, change: 0, destroy: 0 });
  expect(stdout).not.toMatch(/will be (created|updated in-place|destroyed|imported)|must be replaced|will no longer be managed/);
}

const refusal = (address: string) => `Resource ${address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.`;

const INVENTORY = join(__dirname, "..", "..", "inventory");
/** The ledger main.ts reads (what holds data or serves clients, stacks/ledger.ts). */
const ledger = () => parseLedger(JSON.parse(readFileSync(join(INVENTORY, "homelab.data-holders.json"), "utf8")));

/** Synthesize an (edited) inventory as main.ts does (its ledger and imports), in this process, into a temp dir. */
function synthHomelab(h: Homelab): string {
  const outdir = mkdtempSync(join(tmpdir(), "validate-inventory-"));
  const app = new App({ outdir });
  buildHomelab(app, h, { backend: { kind: "local" }, ledger: ledger(), imports: readImportsFile(join(INVENTORY, "homelab.imports.json")) });
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

/** Resources that hold data in a synth output: the TrueNAS VM(s) and every pool, dataset and zvol. */
function dataHolders(outdir: string): { stack: string; type: string; name: string; body: Json }[] {
  const out: { stack: string; type: string; name: string; body: Json }[] = [];
  for (const s of listStacks(outdir)) {
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

interface Edit {
  what: string;
  stack: string;
  address: string;
  /** The attribute it changes (the plan must show that this one forces the replacement). */
  attribute: string;
  edit: (doc: Json) => void;
}

/** One replacing edit per data holder: the VM's vm_id and node_name, every pool/dataset/zvol's name. */
function replacingEdits(outdir: string): Edit[] {
  const out: Edit[] = [];
  for (const h of dataHolders(outdir)) {
    const at = (doc: Json) => doc.resource[h.type][h.name];
    const address = `${h.type}.${h.name}`;
    if (h.type === "proxmox_virtual_environment_vm") {
      out.push({ what: `${address} vm_id`, stack: h.stack, address, attribute: "vm_id", edit: (d) => (at(d).vm_id = Number(at(d).vm_id ?? 100) + 1) });
      out.push({ what: `${address} node_name`, stack: h.stack, address, attribute: "node_name", edit: (d) => (at(d).node_name = `${at(d).node_name}-moved`) });
    } else {
      out.push({ what: `${address} name`, stack: h.stack, address, attribute: "name", edit: (d) => (at(d).name = `${at(d).name}-renamed`) });
    }
  }
  return out;
}

/**
 * Every resource address of a stack document -> the addresses it reads, transitively (its
 * `${...}` references and depends_on).
 */
function upstream(doc: Json): Map<string, Set<string>> {
  const bodies = new Map<string, string>();
  for (const [kind, prefix] of [["resource", ""], ["data", "data."]] as const) {
    for (const [type, byName] of Object.entries((doc[kind] ?? {}) as Record<string, Record<string, Json>>)) {
      for (const [name, body] of Object.entries(byName)) bodies.set(`${prefix}${type}.${name}`, JSON.stringify(body));
    }
  }
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const direct = new Map([...bodies].map(([a, body]) => [a, [...bodies.keys()].filter((b) => b !== a && new RegExp(`(?<![\\w.-])${escape(b)}(?=[.\\[}\\s,)"])`).test(body))]));
  const closure = new Map<string, Set<string>>();
  const visit = (a: string): Set<string> => {
    if (closure.has(a)) return closure.get(a)!;
    const set = new Set<string>();
    closure.set(a, set);
    for (const b of direct.get(a) ?? []) [b, ...visit(b)].forEach((x) => set.add(x));
    return set;
  };
  for (const a of bodies.keys()) visit(a);
  return closure;
}

/**
 * The edits grouped into plans: edits of one stack whose resources are independent (none reads
 * another, even through others, and no two change one resource) share a plan. Terraform plans each
 * resource from its own configuration and prior state (and what it reads), so each one's
 * replacement in a shared plan is exactly what its edit alone would plan, and Terraform reports
 * every refused replacement of a plan (none of them is downstream of another).
 */
function independentGroups(edits: Edit[], upstreamOf: (stack: string) => Map<string, Set<string>>): Edit[][] {
  const groups: Edit[][] = [];
  for (const e of edits) {
    const up = upstreamOf(e.stack);
    const independent = (o: Edit) => o.stack === e.stack && o.address !== e.address && !up.get(e.address)?.has(o.address) && !up.get(o.address)?.has(e.address);
    const group = groups.find((g) => g.every(independent));
    if (group) group.push(e);
    else groups.push([e]);
  }
  return groups;
}

/** The part of a plan's output about one resource ("  # <address> must be replaced" up to the next resource). */
function planOf(stdout: string, address: string): string {
  const start = stdout.indexOf(`  # ${address} `);
  if (start < 0) return "";
  const next = stdout.slice(start + 4).search(/\n {2}# [a-z]|\nPlan: /);
  return next < 0 ? stdout.slice(start) : stdout.slice(start, start + 4 + next);
}

describeWithTerraform("the shipped stacks against real Terraform", () => {
  const outdir = () => synthOf("local");
  const session = once(() => TerraformSession.start({ terraform: terraform!, schemas: repoSchemas() }));
  const run = limitedRun(session);
  const edited: string[] = [];
  afterAll(async () => {
    edited.forEach(rm);
    await (await session()).close();
  });

  /** A private copy of an applied stack (config + state), its config edited; then `plan` (with refresh). */
  async function planAfter(stack: string, edit: (doc: Json) => void) {
    const dir = copyOf((await appliedStacks()).get(stack)!, (await session()).workdir("edit"));
    editJson(join(dir, "cdk.tf.json"), edit);
    return run(dir, ["plan", "-input=false", "-lock=false"]);
  }
  /** A synthesized edit of the inventory (in this process), planned over the applied stacks. */
  const synthEdited = (h: Homelab) => {
    const out = synthHomelab(h);
    edited.push(out);
    return out;
  };
  const planEdited = async (out: string, stack: string) => run(editedOverApplied(await session(), out, stack, await appliedStacks()), ["plan", "-input=false", "-lock=false"]);

  const reattachReport = once(async () => validateApp({ outdir: await outdir(), synth: false }));
  const refusals = once(async () => {
    const out = await outdir();
    const docs = new Map(listStacks(out).map((s) => [s.name, upstream(JSON.parse(readFileSync(join(s.dir, "cdk.tf.json"), "utf8")) as Json)]));
    const groups = independentGroups(replacingEdits(out), (stack) => docs.get(stack)!);
    return Promise.all(groups.map(async (group) => ({ group, r: await planAfter(group[0]!.stack, (d) => group.forEach((e) => e.edit(d))) })));
  });
  const replans = once(async () => {
    const applied = await appliedStacks();
    return Promise.all([...applied].map(async ([name, dir]) => ({ name, r: await run(copyOf(dir, (await session()).workdir("replan")), ["plan", "-input=false", "-lock=false"]) })));
  });
  /** The edited inventories, synthesized in this process (which blocks it: done while the shared synths run in theirs). */
  const synthesized = {
    unedited: once(async () => synthEdited(homelab)),
    vmId: once(async () => synthEdited(withPrimary(homelab, (vm) => ({ ...vm, vmId: 302 })))),
    node: once(async () =>
      synthEdited(
        withPrimary(
          {
            ...homelab,
            hosts: homelab.hosts.map((h) => (h.nodeName === "grogu" ? { ...h, online: true } : h)),
            pciDevices: homelab.pciDevices.map((d) => (primary(homelab).passthrough.some((p) => p.mapping === d.name) ? { ...d, nodeName: "grogu" } : d)),
          },
          (vm) => ({ ...vm, nodeName: "grogu" }),
        ),
      ),
    ),
    retired: once(async () =>
      synthEdited(
        withPrimary(homelab, (vm) => ({
          ...vm,
          storage: { ...vm.storage!, datasets: vm.storage!.datasets.filter((d) => d.fullPath !== "bulk/archive"), retired: ["dataset bulk/archive"] },
        })),
      ),
    ),
  };
  const inventory = {
    baseline: once(async () => {
      const out = await synthesized.unedited();
      return Promise.all(["prod-storage", "prod-k8s-storage"].map(async (stack) => ({ stack, r: await planEdited(out, stack) })));
    }),
    vmId: once(async () => {
      const out = await synthesized.vmId();
      return { address: addressOf(out, "prod-storage", "proxmox_virtual_environment_vm", "vm_id", 302), r: await planEdited(out, "prod-storage") };
    }),
    node: once(async () => {
      const out = await synthesized.node();
      return { address: addressOf(out, "prod-storage", "proxmox_virtual_environment_vm", "node_name", "grogu"), r: await planEdited(out, "prod-storage") };
    }),
    datasetInJson: once(async () => {
      const address = addressOf(await outdir(), "prod-storage", "truenas_dataset", "name", "bulk/photos");
      return { address, r: await planAfter("prod-storage", (d) => (d.resource.truenas_dataset[address.split(".")[1]!].name = "bulk/photos2")) };
    }),
    retired: once(async () => {
      const out = await synthesized.retired();
      return { address: addressOf(await outdir(), "prod-storage", "truenas_dataset", "name", "bulk/archive"), r: await planEdited(out, "prod-storage") };
    }),
  };
  beforeAll(async () => {
    // The shared synths start (child processes); this process synthesizes the edited inventories meanwhile.
    prefetch(outdir, ...Object.values(synthesized));
    await outdir();
    // The timed validate run first, by itself in this file (shipped-spawn.test.ts times the other
    // one, in the other jest worker); everything else once it is done.
    prefetch(reattachReport);
    void reattachReport()
      .catch(() => {})
      .then(() => prefetch(refusals, replans, ...Object.values(inventory)));
  });

  test("there is something to validate", async () => {
    const stacks = listStacks(await outdir());
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(["dev-compute", "prod-storage", "prod-k8s-storage"]));
    // Dependency order: prod-k8s-storage reads prod-storage's outputs through terraform_remote_state.
    expect(stacks.find((s) => s.name === "prod-k8s-storage")!.dependencies).toEqual(["prod-storage"]);
    expect(stacks.findIndex((s) => s.name === "prod-storage")).toBeLessThan(stacks.findIndex((s) => s.name === "prod-k8s-storage"));
  });

  test("every stack passes its plan, which validates it (reattached provider)", async () => {
    const report = await reattachReport();
    const lines = report.results.map((r) => `${r.stack}: ${r.ok ? `ok, ${r.plan?.add} to create, plan ${r.planMs} ms` : r.message}`);
    // eslint-disable-next-line no-console
    console.log(`terraform for ${report.results.length} stacks (reattach): ${report.terraformMs} ms\n${lines.join("\n")}`);
    expect(report.error).toBeUndefined();
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.stack}: ${r.message}`)).toEqual([]);
    for (const r of report.results) expect(r.plan!.add).toBeGreaterThan(0);
    const k8s = report.results.find((r) => r.stack === "prod-k8s-storage")!;
    expect(k8s.against).toEqual(["prod-storage"]);
    expect(report.results.find((r) => r.stack === "prod-storage")!.appliedFor).toEqual(["prod-k8s-storage"]);
  });

  describe("data-loss guard on the applied shipped stacks", () => {
    test("the shipped stacks contain the TrueNAS VM, and every data holder has prevent_destroy", async () => {
      const holders = dataHolders(await outdir());
      expect(holders.some((h) => h.type === "proxmox_virtual_environment_vm")).toBe(true);
      // eslint-disable-next-line no-console
      console.log(`data holders in the shipped stacks: ${holders.map((h) => `${h.stack}/${h.type}.${h.name}`).join(", ")}`);
      expect(holders.filter((h) => h.body.lifecycle?.prevent_destroy !== true).map((h) => `${h.stack}/${h.type}.${h.name}`)).toEqual([]);
    });

    test("an edit that would replace a data holder is refused by prevent_destroy (each one)", async () => {
      const groups = await refusals();
      const cases = groups.flatMap((g) => g.group);
      expect(cases.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const { group, r } of groups) {
        for (const e of group) {
          const forced = new RegExp(`~ ${e.attribute}\\s+= .* # forces replacement`).test(planOf(r.stdout, e.address));
          const ok = r.code === 1 && flat(r.stderr).includes(refusal(e.address)) && forced;
          if (!ok) failures.push(`${e.stack}: changing ${e.what} was not refused (exit ${r.code}${forced ? "" : `; its own ${e.attribute} does not force the replacement in the plan`}):\n${r.stderr || r.stdout}`);
        }
      }
      // eslint-disable-next-line no-console
      console.log(`prevent_destroy refused ${cases.length - failures.length} of ${cases.length} replacing edits (${groups.length} plans of independent edits): ${cases.map((c) => c.what).join("; ")}`);
      expect(failures).toEqual([]);
    });

    test("the whole chain applies: prod-k8s-storage after prod-storage, reading its applied outputs; re-planning changes nothing", async () => {
      const applied = await appliedStacks();
      expect([...applied.keys()]).toEqual(listStacks(await outdir()).map((s) => s.name));
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
      for (const { name, r } of await replans()) {
        expect(`${name}: ${r.stderr}`).toBe(`${name}: `);
        expectNoChanges(r.stdout);
      }
    });

    describe("edits of the inventory (buildHomelab with a modified inventory/homelab.ts), planned over the applied stacks", () => {
      test("the unedited inventory, synthesized in-process, plans no changes over the applied stacks (the baseline)", async () => {
        for (const { stack, r } of await inventory.baseline()) {
          expect(`${stack}: ${r.stderr}`).toBe(`${stack}: `);
          expectNoChanges(r.stdout);
        }
      });

      test("the TrueNAS VM's vmId 300 -> 302: plan refused by prevent_destroy", async () => {
        expect(primary(homelab).vmId).toBe(300);
        const { address, r } = await inventory.vmId();
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("Error: Instance cannot be destroyed");
        expect(flat(r.stderr)).toContain(refusal(address));
      });

      test("the TrueNAS VM's node din -> grogu (declared; brought online with the HBAs moved to it): plan refused by prevent_destroy", async () => {
        expect(primary(homelab).nodeName).toBe("din");
        const { address, r } = await inventory.node();
        expect(r.code).toBe(1);
        expect(flat(r.stderr)).toContain(refusal(address));
      });

      test("a dataset's name in the synthesized JSON (bulk/photos -> bulk/photos2, same address): plan refused by prevent_destroy", async () => {
        const { address, r } = await inventory.datasetInJson();
        expect(r.code).toBe(1);
        expect(flat(r.stderr)).toContain(refusal(address));
      });

      // Renaming or deleting a dataset in the inventory removes its resource block, and Terraform
      // enforces prevent_destroy only on blocks still in the configuration: the ledger
      // (inventory/homelab.data-holders.json) stops such a synth before Terraform ever runs.
      test("a dataset renamed in the inventory (bulk/photos -> bulk/photos2) is refused at synth by the ledger", () => {
        const recorded = ledger();
        expect(Object.keys(recorded)).toContain("prod-storage: dataset bulk/photos");
        const renamed = renamePath(homelab, "bulk/photos", "bulk/photos2");
        const outdir = mkdtempSync(join(tmpdir(), "validate-refused-"));
        edited.push(outdir);
        expect(() => buildHomelab(new App({ outdir }), renamed, { ledger: recorded }))
          .toThrow("prod-storage: dataset bulk/photos is in the ledger but no longer in the inventory; the next apply would destroy it and its data");
      });

      test("a dataset retired in the inventory (bulk/archive): Terraform forgets it and destroys nothing", async () => {
        const { address, r } = await inventory.retired();
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`# ${address} will no longer be managed by Terraform`);
        expect(r.stdout).not.toMatch(/will be destroyed|must be replaced/);
      });
    });
  });
});
