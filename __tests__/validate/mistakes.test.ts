/**
 * npm run validate must catch the mistakes TypeScript cannot: each case takes the good fixture
 * stack, breaks it one way, and expects Terraform's own error. Every case starts up front, at most
 * two Terraform runs at once (the other jest worker runs Terraform too); each test checks its own.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gate, validateApp } from "../../scripts/validate/app";
import { checkStackDir } from "../../scripts/validate/check";
import { prepareStack } from "../../scripts/validate/prepare";
import { listStacks } from "../../scripts/validate/stacks";
import { appCommand, REPO_ROOT } from "../../scripts/validate/synth";
import { TerraformSession } from "../../tools/schema-provider/session";
import { describeWithTerraform, fixtureOutdir, type Json, once, prefetch, repoSchemas, rm, runScript, terraform } from "./helpers";

jest.setTimeout(120_000);

const vm = (doc: Json) => doc.resource.proxmox_virtual_environment_vm.truenas;

const outdirs: string[] = [];
afterAll(() => outdirs.forEach(rm));
const track = (out: string) => (outdirs.push(out), out);

/** npm run validate (the script, run as npm runs it) on a synth output with a broken stack; without terraform. */
const script = {
  broken: once(() => {
    const out = track(fixtureOutdir("storage", (doc) => (vm(doc).network_device = [{ bridge: "vmbr0" }])));
    return runScript(["scripts/validate.ts", "--no-synth", "--out", out]);
  }),
  withoutTerraform: once(() => runScript(["scripts/validate.ts", "--no-synth"], { ...process.env, TERRAFORM: "/nonexistent/terraform" })),
};

describeWithTerraform("npm run validate catches real mistakes (Terraform, offline)", () => {
  const schemas = repoSchemas();
  const session = once(() => TerraformSession.start({ terraform: terraform!, schemas }));
  afterAll(async () => (await session()).close());
  const limit = gate(2);

  /** The fixture stack after `edit`, validated and planned as npm run validate does (once, started up front). */
  const check = (edit: (doc: Json) => void, fixture = "storage") =>
    once(async () => {
      const [stack] = listStacks(track(fixtureOutdir(fixture, edit)));
      const s = await session();
      return limit(() => checkStackDir(s, stack!.name, prepareStack(stack!, s.workdir(stack!.name)), schemas));
    });

  const cases = {
    good: check(() => {}),
    networkDevice: check((doc) => (vm(doc).network_device = [{ bridge: "vmbr0", model: "virtio" }])),
    unknownAttribute: check((doc) => (vm(doc).cores = 4)),
    wrongType: check((doc) => (doc.resource.truenas_dataset.apps.quota = "100G")),
    missingRequired: check((doc) => delete vm(doc).node_name),
    danglingReference: check((doc) => (doc.resource.truenas_nfs_share.apps.path = "${truenas_dataset.media.mountpoint}")),
    tooManyBlocks: check((doc) => (vm(doc).cpu = [{ cores: 4 }, { cores: 8 }])),
    k8sGood: check(() => {}, "k8s-storage"),
    helmSetName: check((doc) => (doc.resource.helm_release.nfs_fast.set = [{ value: "next" }]), "k8s-storage"),
    k8sMetadata: check((doc) => delete doc.resource.kubernetes_storage_class_v1.nfs_fast.metadata, "k8s-storage"),
    pinned: check((doc) => (doc.terraform.required_providers.proxmox.version = "0.112.0")),
  };
  const twoStacks = once(async () => {
    const bad = track(fixtureOutdir("storage", (doc) => delete vm(doc).node_name, "broken"));
    const good = track(fixtureOutdir("storage", () => {}, "fine"));
    // put both stacks into one outdir
    cpSync(join(good, "stacks", "fine"), join(bad, "stacks", "fine"), { recursive: true });
    return validateApp({ outdir: bad, synth: false });
  });
  beforeAll(() => prefetch(script.broken, ...Object.values(cases), twoStacks, script.withoutTerraform));

  test("the good fixture passes: validate, then a plan creating all 5 resources", async () => {
    const r = await cases.good();
    expect(r.message).toBeUndefined();
    expect(r).toMatchObject({ ok: true, plan: { add: 5, change: 0, destroy: 0 } });
  });

  test("a network_device element missing keys (the bpg list-of-objects trap)", async () => {
    const r = await cases.networkDevice();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain('Inappropriate value for attribute "network_device"');
    expect(r.message).toMatch(/element 0: attributes[\s\S]*"vlan_id" are required/);
  });

  test("an unknown attribute", async () => {
    const r = await cases.unknownAttribute();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Extraneous JSON object property");
    expect(r.message).toContain('No argument or block type is named "cores"');
  });

  test("a wrong type", async () => {
    const r = await cases.wrongType();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Incorrect attribute value type");
    expect(r.message).toContain("a number is required");
  });

  test("a missing required attribute", async () => {
    const r = await cases.missingRequired();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Missing required argument");
    expect(r.message).toContain('The argument "node_name" is required');
  });

  test("a dangling reference", async () => {
    const r = await cases.danglingReference();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Reference to undeclared resource");
    expect(r.message).toContain('A managed resource "truenas_dataset" "media" has not been declared');
  });

  test("too many nested blocks (max_items from the schema)", async () => {
    const r = await cases.tooManyBlocks();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toMatch(/Too many cpu blocks/);
  });

  test("the helm + kubernetes fixture passes (write-only secret data, ephemeral variable, helm 3 set list)", async () => {
    const r = await cases.k8sGood();
    expect(r.message).toBeUndefined();
    expect(r).toMatchObject({ ok: true, plan: { add: 4 } });
  });

  test("helm 3: a set element missing its name", async () => {
    const r = await cases.helmSetName();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain('Inappropriate value for attribute "set"');
    expect(r.message?.replace(/\s+/g, " ")).toContain('element 0: attribute "name" is required');
  });

  test("kubernetes: a resource without its required metadata block", async () => {
    const r = await cases.k8sMetadata();
    expect(r).toMatchObject({ ok: false, phase: "validate" });
    expect(r.message).toContain("Insufficient metadata blocks");
  });

  test("a provider pinned to a version the committed schema is not from", async () => {
    const r = await cases.pinned();
    expect(r).toMatchObject({ ok: false, phase: "schema" });
    expect(r.message).toContain("pinned to 0.112.0 but the schema");
  });

  test("validateApp (the npm run validate library) reports the failure per stack, next to a passing one", async () => {
    const report = await twoStacks();
    expect(report.ok).toBe(false);
    expect(report.results.map((r) => [r.stack, r.ok])).toEqual([
      ["broken", false],
      ["fine", true],
    ]);
    // The passing stack cost one Terraform command: its plan validated it. The broken one's plan
    // failed, so `terraform validate` ran after it and named the configuration error.
    const [broken, fine] = report.results;
    expect({ phase: broken!.phase, validated: broken!.validateMs !== undefined }).toEqual({ phase: "validate", validated: true });
    expect({ planned: fine!.planMs !== undefined, validated: fine!.validateMs !== undefined }).toEqual({ planned: true, validated: false });
  });

  test("npm run validate itself exits 1 and prints Terraform's message", async () => {
    const r = await script.broken();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL storage: terraform validate failed$/m);
    expect(r.stdout).toContain('Inappropriate value for attribute "network_device"');
    expect(r.stdout).toMatch(/FAILED: 1 of 1 stacks/);
  });
});

describe("npm run validate's synthesis", () => {
  test("runs cdktf.json's app as directly as it can: npx <bin> from node_modules/.bin, node as this Node, shell syntax through the shell", () => {
    const dir = track(mkdtempSync(join(tmpdir(), "validate-app-")));
    const withApp = (app: string) => {
      writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ app }));
      return appCommand(dir);
    };
    mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(dir, "node_modules", ".bin", "tsx"), "");
    expect(withApp("npx tsx main.ts")).toEqual({ cmd: join(dir, "node_modules", ".bin", "tsx"), args: ["main.ts"] });
    expect(withApp("npx ts-node main.ts")).toEqual({ cmd: "npx", args: ["ts-node", "main.ts"] });
    expect(withApp("node scripts/app.js")).toEqual({ cmd: process.execPath, args: ["scripts/app.js"] });
    expect(withApp("node app.js && echo done")).toEqual({ cmd: "node app.js && echo done", args: [], shell: true });
    expect(withApp("FOO=1 node app.js")).toEqual({ cmd: "FOO=1 node app.js", args: [], shell: true });
    expect(appCommand(REPO_ROOT).args).toEqual(expect.arrayContaining([expect.stringMatching(/main\.ts$|app\.js$/)]));
  });
});

describe("npm run validate without terraform", () => {
  test("says so and exits non-zero", async () => {
    const r = await script.withoutTerraform();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("terraform not found");
  });
});
