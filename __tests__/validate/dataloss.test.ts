/**
 * Data-loss guard, proven with real Terraform: apply the fixture stack to a throwaway local state
 * (the schema-serving provider applies: planned state with computed values filled in), then edit
 * what would replace a resource that holds data. Terraform must refuse the plan because of
 * lifecycle.prevent_destroy — which only happens because the provider reports requires_replace
 * from tools/schema-provider/requires-replace.json.
 */
import { cpSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { listStacks, prepareStack, TerraformSession } from "../../tools/schema-provider/validate";
import { describeWithTerraform, editJson, fixtureOutdir, type Json, repoSchemas, rm, terraform } from "./helpers";

jest.setTimeout(120_000);

const flat = (s: string) => s.replace(/\s+/g, " ");

/**
 * A fixture stack applied to a throwaway state once per describe block, and `planAfter(edit)`: copy
 * the applied stack (config + state), edit its config, plan (with refresh).
 */
function useAppliedFixture(fixture: string) {
  let session: TerraformSession;
  let applied: string;
  let outdir: string;
  beforeAll(async () => {
    session = await TerraformSession.start({ terraform: terraform!, schemas: repoSchemas() });
    outdir = fixtureOutdir(fixture);
    const [stack] = listStacks(outdir);
    applied = prepareStack(stack!, session.workdir(`applied-${fixture}`));
    const r = await session.run(applied, ["apply", "-auto-approve", "-input=false", "-lock=false"]);
    if (r.code !== 0) throw new Error(`apply failed:\n${r.stderr}`);
  });
  afterAll(async () => {
    await session?.close();
    if (outdir) rm(outdir);
  });
  return {
    /** A Terraform command in the applied stack itself. */
    runInApplied: (args: string[]) => session.run(applied, args),
    async planAfter(edit: (doc: Json) => void) {
      const dir = mkdtempSync(join(applied, "..", "edit-"));
      cpSync(applied, dir, { recursive: true });
      editJson(join(dir, "cdk.tf.json"), edit);
      return session.run(dir, ["plan", "-input=false", "-lock=false"]);
    },
  };
}

describeWithTerraform("prevent_destroy refuses edits that would replace data (fixture stack, applied)", () => {
  const { planAfter, runInApplied } = useAppliedFixture("storage");

  test("the applied state is complete: re-planning the same config changes nothing", async () => {
    const r = await planAfter(() => {});
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("No changes.");
  });

  test("write-only attributes never reach the state", async () => {
    const r = await runInApplied(["show", "-json"]);
    const zvol = (JSON.parse(r.stdout) as Json).values.root_module.resources.find((x: Json) => x.type === "truenas_zvol");
    expect(zvol.values.volsize).toBe(21474836480);
    expect(zvol.values.id).toMatch(/^truenas_zvol-[0-9a-f]{12}$/);
  });

  const refusals: [string, string, (doc: Json) => void][] = [
    ["the TrueNAS VM's vm_id", "proxmox_virtual_environment_vm.truenas", (d) => (d.resource.proxmox_virtual_environment_vm.truenas.vm_id = 201)],
    ["the TrueNAS VM's node", "proxmox_virtual_environment_vm.truenas", (d) => (d.resource.proxmox_virtual_environment_vm.truenas.node_name = "grogu")],
    ["a dataset's name", "truenas_dataset.apps", (d) => (d.resource.truenas_dataset.apps.name = "fast/applications")],
    ["a zvol's name", "truenas_zvol.vm_disk", (d) => (d.resource.truenas_zvol.vm_disk.name = "fast/vm-disk-0")],
    ["a pool's name", "truenas_pool.fast", (d) => (d.resource.truenas_pool.fast.name = "nvme")],
  ];

  test.each(refusals)("changing %s: plan refused by prevent_destroy", async (_what, address, edit) => {
    const r = await planAfter(edit);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: Instance cannot be destroyed");
    expect(flat(r.stderr)).toContain(`Resource ${address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.`);
    expect(r.stdout).toMatch(/# forces replacement/);
  });

  test("moving the VM with migrate = true is an in-place update, not a replacement (the table's 'unless')", async () => {
    const r = await planAfter((d) => Object.assign(d.resource.proxmox_virtual_environment_vm.truenas, { node_name: "grogu", migrate: true }));
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  test("a change that does not replace (a dataset quota) plans an in-place update", async () => {
    const r = await planAfter((d) => (d.resource.truenas_dataset.apps.quota = 214748364800));
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect(r.stdout).not.toContain("forces replacement");
  });

  test("without prevent_destroy the same edit plans a replacement (the guard is what refuses)", async () => {
    const r = await planAfter((d) => {
      const ds = d.resource.truenas_dataset.apps;
      delete ds.lifecycle;
      ds.name = "fast/applications";
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/truenas_dataset\.apps must be replaced/);
    expect(r.stdout).toMatch(/Plan: 1 to add, \d+ to change, 1 to destroy\./);
  });
});

describeWithTerraform("replacements the table reports for helm and kubernetes (fixture stack, applied)", () => {
  const { planAfter } = useAppliedFixture("k8s-storage");

  test.each([
    ["a helm release name", "helm_release.nfs_fast", (d: Json) => (d.resource.helm_release.nfs_fast.name = "nfs-fast")],
    ["a storage class name (metadata.name)", "kubernetes_storage_class_v1.nfs_fast", (d: Json) => (d.resource.kubernetes_storage_class_v1.nfs_fast.metadata[0].name = "nfs-fast")],
  ])("changing %s plans a replacement", async (_what, address, edit) => {
    const r = await planAfter(edit);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`# ${address} must be replaced`);
    expect(r.stdout).toMatch(/# forces replacement/);
  });

  test("renaming the namespace replaces everything that lives in it", async () => {
    const r = await planAfter((d) => (d.resource.kubernetes_namespace_v1.csi.metadata[0].name = "csi"));
    expect(r.stderr).toBe("");
    for (const a of ["kubernetes_namespace_v1.csi", "kubernetes_secret_v1.nfs_fast_config", "helm_release.nfs_fast"]) expect(r.stdout).toContain(`# ${a} must be replaced`);
  });

  test("bumping data_wo_revision (write-only secret data) is an in-place update", async () => {
    const r = await planAfter((d) => (d.resource.kubernetes_secret_v1.nfs_fast_config.data_wo_revision = 2));
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });
});
