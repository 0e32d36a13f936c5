/**
 * Data-loss guard, proven with real Terraform: apply the fixture stack to a throwaway local state
 * (the schema-serving provider applies: planned state with computed values filled in), then edit
 * what would replace a resource that holds data. Terraform must refuse the plan because of
 * lifecycle.prevent_destroy — which only happens because the provider reports requires_replace
 * from tools/schema-provider/requires-replace.json.
 *
 * The two fixture stacks are applied once each, side by side, and every plan of this file is
 * started up front (at most two Terraform runs at once); each test checks its own.
 */
import { join } from "node:path";
import { prepareStack } from "../../scripts/validate/prepare";
import { listStacks } from "../../scripts/validate/stacks";
import { type RunResult, TerraformSession } from "../../tools/schema-provider/session";
import { copyOf, describeWithTerraform, editJson, fixtureOutdir, flat, type Json, limitedRun, once, prefetch, repoSchemas, rm, terraform } from "./helpers";

jest.setTimeout(120_000);

const session = once(() => TerraformSession.start({ terraform: terraform!, schemas: repoSchemas() }));
const run = limitedRun(session);
const outdirs: string[] = [];
afterAll(async () => {
  outdirs.forEach(rm);
  if (terraform) await (await session()).close();
});

/**
 * A fixture stack applied to a throwaway state once, and `planned(edit)`: a copy of the applied
 * stack (config + state), its config edited, planned (with refresh) — started in the describe's
 * beforeAll with every other plan of it.
 */
function useAppliedFixture(fixture: string) {
  const applied = once(async () => {
    const outdir = fixtureOutdir(fixture);
    outdirs.push(outdir);
    const [stack] = listStacks(outdir);
    const dir = prepareStack(stack!, (await session()).workdir(`applied-${fixture}`));
    const r = await run(dir, ["apply", "-auto-approve", "-input=false", "-lock=false"]);
    if (r.code !== 0) throw new Error(`apply failed:\n${r.stderr}`);
    return dir;
  });
  const started: (() => Promise<unknown>)[] = [];
  beforeAll(() => prefetch(...started));
  const start = <T>(f: () => Promise<T>) => {
    const p = once(f);
    started.push(p);
    return p;
  };
  return {
    /** A Terraform command in the applied stack itself. */
    inApplied: (args: string[]) => start(async () => run(await applied(), args)),
    planned: (edit: (doc: Json) => void) =>
      start(async () => {
        const dir = copyOf(await applied(), (await session()).workdir("edit"));
        editJson(join(dir, "cdk.tf.json"), edit);
        return run(dir, ["plan", "-input=false", "-lock=false"]);
      }),
  };
}

describeWithTerraform("prevent_destroy refuses edits that would replace data (fixture stack, applied)", () => {
  const { planned, inApplied } = useAppliedFixture("storage");
  const unchanged = planned(() => {});
  const shown = inApplied(["show", "-json"]);
  const refusals: [string, string, () => Promise<RunResult>][] = [
    ["the TrueNAS VM's vm_id", "proxmox_virtual_environment_vm.truenas", planned((d) => (d.resource.proxmox_virtual_environment_vm.truenas.vm_id = 201))],
    ["the TrueNAS VM's node", "proxmox_virtual_environment_vm.truenas", planned((d) => (d.resource.proxmox_virtual_environment_vm.truenas.node_name = "grogu"))],
    ["a dataset's name", "truenas_dataset.apps", planned((d) => (d.resource.truenas_dataset.apps.name = "fast/applications"))],
    ["a zvol's name", "truenas_zvol.vm_disk", planned((d) => (d.resource.truenas_zvol.vm_disk.name = "fast/vm-disk-0"))],
    ["a pool's name", "truenas_pool.fast", planned((d) => (d.resource.truenas_pool.fast.name = "nvme"))],
  ];
  const migrated = planned((d) => Object.assign(d.resource.proxmox_virtual_environment_vm.truenas, { node_name: "grogu", migrate: true }));
  const quota = planned((d) => (d.resource.truenas_dataset.apps.quota = 214748364800));
  const unguarded = planned((d) => {
    const ds = d.resource.truenas_dataset.apps;
    delete ds.lifecycle;
    ds.name = "fast/applications";
  });

  test("the applied state is complete: re-planning the same config changes nothing", async () => {
    const r = await unchanged();
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("No changes.");
  });

  test("write-only attributes never reach the state", async () => {
    const r = await shown();
    const zvol = (JSON.parse(r.stdout) as Json).values.root_module.resources.find((x: Json) => x.type === "truenas_zvol");
    expect(zvol.values.volsize).toBe(21474836480);
    expect(zvol.values.id).toMatch(/^truenas_zvol-[0-9a-f]{12}$/);
  });

  test.each(refusals)("changing %s: plan refused by prevent_destroy", async (_what, address, plan) => {
    const r = await plan();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: Instance cannot be destroyed");
    expect(flat(r.stderr)).toContain(`Resource ${address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.`);
    expect(r.stdout).toMatch(/# forces replacement/);
  });

  test("moving the VM with migrate = true is an in-place update, not a replacement (the table's 'unless')", async () => {
    const r = await migrated();
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  test("a change that does not replace (a dataset quota) plans an in-place update", async () => {
    const r = await quota();
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect(r.stdout).not.toContain("forces replacement");
  });

  test("without prevent_destroy the same edit plans a replacement (the guard is what refuses)", async () => {
    const r = await unguarded();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/truenas_dataset\.apps must be replaced/);
    expect(r.stdout).toMatch(/Plan: 1 to add, \d+ to change, 1 to destroy\./);
  });
});

describeWithTerraform("replacements the table reports for helm and kubernetes (fixture stack, applied)", () => {
  const { planned } = useAppliedFixture("k8s-storage");
  const replacements: [string, string, () => Promise<RunResult>][] = [
    ["a helm release name", "helm_release.nfs_fast", planned((d) => (d.resource.helm_release.nfs_fast.name = "nfs-fast"))],
    ["a storage class name (metadata.name)", "kubernetes_storage_class_v1.nfs_fast", planned((d) => (d.resource.kubernetes_storage_class_v1.nfs_fast.metadata[0].name = "nfs-fast"))],
  ];
  const namespace = planned((d) => (d.resource.kubernetes_namespace_v1.csi.metadata[0].name = "csi"));
  const revision = planned((d) => (d.resource.kubernetes_secret_v1.nfs_fast_config.data_wo_revision = 2));

  test.each(replacements)("changing %s plans a replacement", async (_what, address, plan) => {
    const r = await plan();
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`# ${address} must be replaced`);
    expect(r.stdout).toMatch(/# forces replacement/);
  });

  test("renaming the namespace replaces everything that lives in it", async () => {
    const r = await namespace();
    expect(r.stderr).toBe("");
    for (const a of ["kubernetes_namespace_v1.csi", "kubernetes_secret_v1.nfs_fast_config", "helm_release.nfs_fast"]) expect(r.stdout).toContain(`# ${a} must be replaced`);
  });

  test("bumping data_wo_revision (write-only secret data) is an in-place update", async () => {
    const r = await revision();
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });
});
