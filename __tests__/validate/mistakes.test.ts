/**
 * npm run validate must catch the mistakes TypeScript cannot: each case takes the good fixture
 * stack, breaks it one way, and expects Terraform's own error.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { checkStackDir, listStacks, prepareStack, REPO_ROOT, TerraformSession, validateApp } from "../../tools/schema-provider/validate";
import { describeWithTerraform, fixtureOutdir, type Json, repoSchemas, rm, terraform } from "./helpers";

jest.setTimeout(120_000);

const vm = (doc: Json) => doc.resource.proxmox_virtual_environment_vm.truenas;

describeWithTerraform("npm run validate catches real mistakes (Terraform, offline)", () => {
  const schemas = repoSchemas();
  let session: TerraformSession;
  const outdirs: string[] = [];

  beforeAll(async () => {
    session = await TerraformSession.start({ terraform: terraform!, schemas });
  });
  afterAll(async () => {
    await session?.close();
    outdirs.forEach(rm);
  });

  async function check(edit: (doc: Json) => void, fixture = "storage") {
    const out = fixtureOutdir(fixture, edit);
    outdirs.push(out);
    const [stack] = listStacks(out);
    return checkStackDir(session, stack!.name, prepareStack(stack!, session.workdir(stack!.name)), schemas);
  }

  test("the good fixture passes: validate, then a plan creating all 5 resources", async () => {
    const r = await check(() => {});
    expect(r.message).toBeUndefined();
    expect(r).toMatchObject({ ok: true, plan: { add: 5, change: 0, destroy: 0 } });
  });

  test("a network_device element missing keys (the bpg list-of-objects trap)", async () => {
    const r = await check((doc) => {
      vm(doc).network_device = [{ bridge: "vmbr0", model: "virtio" }];
    });
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain('Inappropriate value for attribute "network_device"');
    expect(r.message).toMatch(/element 0: attributes[\s\S]*"vlan_id" are required/);
  });

  test("an unknown attribute", async () => {
    const r = await check((doc) => {
      vm(doc).cores = 4;
    });
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Extraneous JSON object property");
    expect(r.message).toContain('No argument or block type is named "cores"');
  });

  test("a wrong type", async () => {
    const r = await check((doc) => {
      doc.resource.truenas_dataset.apps.quota = "100G";
    });
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Incorrect attribute value type");
    expect(r.message).toContain("a number is required");
  });

  test("a missing required attribute", async () => {
    const r = await check((doc) => {
      delete vm(doc).node_name;
    });
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Missing required argument");
    expect(r.message).toContain('The argument "node_name" is required');
  });

  test("a dangling reference", async () => {
    const r = await check((doc) => {
      doc.resource.truenas_nfs_share.apps.path = "${truenas_dataset.media.mountpoint}";
    });
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Reference to undeclared resource");
    expect(r.message).toContain('A managed resource "truenas_dataset" "media" has not been declared');
  });

  test("too many nested blocks (max_items from the schema)", async () => {
    const r = await check((doc) => {
      vm(doc).cpu = [{ cores: 4 }, { cores: 8 }];
    });
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toMatch(/Too many cpu blocks/);
  });

  test("the helm + kubernetes fixture passes (write-only secret data, ephemeral variable, helm 3 set list)", async () => {
    const r = await check(() => {}, "k8s-storage");
    expect(r.message).toBeUndefined();
    expect(r).toMatchObject({ ok: true, plan: { add: 4 } });
  });

  test("helm 3: a set element missing its name", async () => {
    const r = await check((doc) => {
      doc.resource.helm_release.nfs_fast.set = [{ value: "next" }];
    }, "k8s-storage");
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain('Inappropriate value for attribute "set"');
    expect(r.message?.replace(/\s+/g, " ")).toContain('element 0: attribute "name" is required');
  });

  test("kubernetes: a resource without its required metadata block", async () => {
    const r = await check((doc) => {
      delete doc.resource.kubernetes_storage_class_v1.nfs_fast.metadata;
    }, "k8s-storage");
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Insufficient metadata blocks");
  });

  test("a provider pinned to a version the committed schema is not from", async () => {
    const r = await check((doc) => {
      doc.terraform.required_providers.proxmox.version = "0.112.0";
    });
    expect(r).toMatchObject({ ok: false, phase: "schema" });
    expect(r.message).toContain("pinned to 0.112.0 but the schema");
  });

  test("validateApp (the npm run validate library) reports the failure per stack, next to a passing one", async () => {
    const bad = fixtureOutdir("storage", (doc) => delete vm(doc).node_name, "broken");
    outdirs.push(bad);
    const good = fixtureOutdir("storage", () => {}, "fine");
    outdirs.push(good);
    // put both stacks into one outdir
    spawnSync("cp", ["-r", join(good, "stacks", "fine"), join(bad, "stacks", "fine")]);
    const report = await validateApp({ outdir: bad, synth: false });
    expect(report.ok).toBe(false);
    expect(report.results.map((r) => [r.stack, r.ok])).toEqual([
      ["broken", false],
      ["fine", true],
    ]);
  });

  test("npm run validate itself exits 1 and prints Terraform's message", () => {
    const out = fixtureOutdir("storage", (doc) => {
      vm(doc).network_device = [{ bridge: "vmbr0" }];
    });
    outdirs.push(out);
    const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["scripts/validate.ts", "--no-synth", "--out", out], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL storage: terraform validate failed$/m);
    expect(r.stdout).toContain('Inappropriate value for attribute "network_device"');
    expect(r.stdout).toMatch(/FAILED: 1 of 1 stacks/);
  });
});

describe("npm run validate without terraform", () => {
  test("says so and exits non-zero", () => {
    const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["scripts/validate.ts", "--no-synth"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, TERRAFORM: "/nonexistent/terraform" },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("terraform not found");
  });
});
