/**
 * Cross-stack references in npm run validate: stacks run in dependency order; a stack that others
 * read (terraform_remote_state) is applied to a throwaway state after its plan passes, and each
 * dependent's remote states are pointed at that state in its copy — whatever backend the synth
 * used (local, pg, s3): nothing real is read and nothing is contacted.
 *
 * The shipped app's pg and s3 synths come from the shared fixture (shared-fixture.ts); every
 * validate run of this file starts up front, side by side, and each test checks its own report.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gate, validateApp } from "../../scripts/validate/app";
import { formatResult } from "../../scripts/validate/format";
import { prepareStack } from "../../scripts/validate/prepare";
import { linkRemoteStates, stackReadBy } from "../../scripts/validate/remote-state";
import { listStacks, orderStacks } from "../../scripts/validate/stacks";
import { copyOf, describeWithTerraform, editJson, type Json, once, prefetch, rm } from "./helpers";
import { synthOf } from "./shared-fixture";

jest.setTimeout(120_000);

/** A synth output with stacks/<name>/cdk.tf.json from docs (no manifest unless given). */
function outdirOf(docs: Record<string, Json>, manifest?: Record<string, string[]>): string {
  const out = mkdtempSync(join(tmpdir(), "validate-xstack-"));
  for (const [name, doc] of Object.entries(docs)) {
    mkdirSync(join(out, "stacks", name), { recursive: true });
    writeFileSync(join(out, "stacks", name, "cdk.tf.json"), JSON.stringify(doc));
  }
  if (manifest) {
    const stacks = Object.fromEntries(Object.entries(manifest).map(([name, dependencies]) => [name, { name, dependencies, workingDirectory: `stacks/${name}` }]));
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ stacks }));
  }
  return out;
}

const localBackend = (name: string) => ({ terraform: { backend: { local: { path: `../../../terraform.${name}.tfstate` } } } });
const remote = (name: string, backend: string, config: Json) => ({ data: { terraform_remote_state: { [name]: { backend, config, workspace: "${terraform.workspace}" } } } });

describe("dependency order and remote-state linking (no Terraform)", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(rm));
  const track = (d: string) => (dirs.push(d), d);

  test("listStacks: every stack after the stacks it depends on (manifest), otherwise by name", () => {
    const out = track(outdirOf({ a: {}, b: {}, c: {} }, { a: ["c"], b: [], c: [] }));
    expect(listStacks(out).map((s) => s.name)).toEqual(["c", "a", "b"]);
  });

  test("listStacks: without a manifest, a remote state matching another stack's backend is a dependency", () => {
    const out = track(
      outdirOf({
        "a-consumer": { ...localBackend("a-consumer"), ...remote("whatever", "local", { path: "../../../terraform.z-producer.tfstate" }) },
        "z-producer": localBackend("z-producer"),
      }),
    );
    const stacks = listStacks(out);
    expect(stacks.map((s) => [s.name, s.dependencies])).toEqual([
      ["z-producer", []],
      ["a-consumer", ["z-producer"]],
    ]);
  });

  test("stackReadBy: the backend block with the same type and config (pg, s3), else CDKTF's cross-stack-reference-input-<stack> name", () => {
    const pg = { conn_str: "postgres://terraform@nas.lan/tf", schema_name: "prod_storage" };
    const out = track(outdirOf({ "prod-storage": { terraform: { backend: { pg } } }, other: {} }));
    const stacks = listStacks(out);
    expect(stackReadBy({ address: "", name: "x", backend: "pg", config: { schema_name: "prod_storage", conn_str: pg.conn_str } }, stacks)).toBe("prod-storage");
    expect(stackReadBy({ address: "", name: "x", backend: "pg", config: { ...pg, schema_name: "elsewhere" } }, stacks)).toBeUndefined();
    expect(stackReadBy({ address: "", name: "cross-stack-reference-input-other", backend: "s3", config: {} }, stacks)).toBe("other");
  });

  test("orderStacks refuses a cycle and a dependency that is not there", () => {
    expect(() => orderStacks([{ name: "a", dir: "", dependencies: ["b"] }, { name: "b", dir: "", dependencies: ["a"] }])).toThrow("stack dependency cycle: a -> b -> a");
    expect(() => orderStacks([{ name: "a", dir: "", dependencies: ["gone"] }])).toThrow("stack a depends on gone, which is not in the synth output");
  });

  test("linkRemoteStates rewrites the copy only: local backend, absolute path to the applied state", () => {
    const pg = { conn_str: "postgres://terraform@nas.lan/tf", schema_name: "prod_storage" };
    const out = track(outdirOf({ "prod-storage": { terraform: { backend: { pg } } }, k8s: remote("cross-stack-reference-input-prod-storage", "pg", pg) }));
    const stacks = listStacks(out);
    const copy = prepareStack(stacks.find((s) => s.name === "k8s")!, track(mkdtempSync(join(tmpdir(), "validate-xstack-copy-"))));
    const link = linkRemoteStates(copy, stacks, new Map([["prod-storage", "/tmp/applied/terraform.tfstate"]]));
    expect(link).toEqual({ against: ["prod-storage"], problems: [] });
    const body = (JSON.parse(readFileSync(join(copy, "cdk.tf.json"), "utf8")) as Json).data.terraform_remote_state["cross-stack-reference-input-prod-storage"];
    expect(body).toEqual({ backend: "local", config: { path: "/tmp/applied/terraform.tfstate" }, workspace: "${terraform.workspace}" });
    // The synth output still reads the real backend.
    expect((JSON.parse(readFileSync(join(out, "stacks", "k8s", "cdk.tf.json"), "utf8")) as Json).data.terraform_remote_state["cross-stack-reference-input-prod-storage"].backend).toBe("pg");
  });

  test("linkRemoteStates: a state that is no stack of the app, or a dependency not applied, is a problem (left unlinked)", () => {
    const out = track(outdirOf({ dep: localBackend("dep"), k8s: { ...remote("foreign", "s3", { bucket: "theirs", key: "x.tfstate" }), ...localBackend("k8s") } }));
    const stacks = listStacks(out);
    const copy = prepareStack(stacks.find((s) => s.name === "k8s")!, track(mkdtempSync(join(tmpdir(), "validate-xstack-copy-"))));
    expect(linkRemoteStates(copy, stacks, new Map()).problems).toEqual([
      'data.terraform_remote_state.foreign reads a state (backend "s3") that is not a stack of this synth output: validate cannot supply it, and never reads a real state',
    ]);
    editJson(join(copy, "cdk.tf.json"), (d) => Object.assign(d, remote("cross-stack-reference-input-dep", "local", { path: "../../../terraform.dep.tfstate" })));
    expect(linkRemoteStates(copy, stacks, new Map()).problems).toEqual([
      "data.terraform_remote_state.cross-stack-reference-input-dep reads the state of dep, which was not applied (it failed, or was not validated in this run)",
    ]);
  });
});

describeWithTerraform("npm run validate on the shipped stacks with a shared state backend (cross-stack references, real Terraform)", () => {
  let home: string | undefined;
  afterAll(() => home && rm(home));
  /** A private copy of the pg synth, edited. */
  const editedPg = async (edit: (out: string) => void) => {
    home ??= mkdtempSync(join(tmpdir(), "validate-xstack-edited-"));
    const out = copyOf(await synthOf("pg"), home);
    edit(out);
    return out;
  };
  let removed = "";
  // Two validate runs at a time (each runs two stacks at a time).
  const limit = gate(2);
  const limited = <T>(f: () => Promise<T>) => once(() => limit(f));

  const reports = {
    pg: limited(async () => validateApp({ outdir: await synthOf("pg"), synth: false })),
    s3: limited(async () => validateApp({ outdir: await synthOf("s3"), synth: false })),
    onlyK8s: limited(async () => validateApp({ outdir: await synthOf("pg"), synth: false, stacks: ["prod-k8s-storage"] })),
    brokenDependency: limited(async () => {
      const out = await editedPg((o) =>
        editJson(join(o, "stacks", "prod-storage", "cdk.tf.json"), (d) => {
          const vm = Object.values(d.resource.proxmox_virtual_environment_vm as Record<string, Json>)[0]!;
          vm.no_such_attribute = true;
        }),
      );
      return validateApp({ outdir: out, synth: false, stacks: ["prod-k8s-storage"] });
    }),
    outputRemoved: limited(async () => {
      const out = await editedPg((o) =>
        editJson(join(o, "stacks", "prod-storage", "cdk.tf.json"), (d) => {
          removed = Object.keys(d.output).find((k) => k.startsWith("cross-stack-output-"))!;
          delete d.output[removed];
        }),
      );
      return validateApp({ outdir: out, synth: false, stacks: ["prod-k8s-storage"] });
    }),
    foreign: limited(async () => {
      const out = await editedPg((o) =>
        editJson(join(o, "stacks", "dev-compute", "cdk.tf.json"), (d) => {
          d.data = { terraform_remote_state: { network: { backend: "pg", config: { conn_str: "postgres://terraform@nas.invalid/other", schema_name: "network" } } } };
        }),
      );
      return validateApp({ outdir: out, synth: false, stacks: ["dev-compute"] });
    }),
    cycle: limited(async () => {
      const out = await editedPg((o) => editJson(join(o, "manifest.json"), (m) => (m.stacks["prod-storage"].dependencies = ["prod-k8s-storage"])));
      return validateApp({ outdir: out, synth: false });
    }),
  };
  beforeAll(() => prefetch(...Object.values(reports)));

  test.each(["pg", "s3"] as const)("%s: prod-k8s-storage is planned against the applied state of prod-storage, nothing contacted", async (kind) => {
    const out = await synthOf(kind);
    const doc = JSON.parse(readFileSync(join(out, "stacks", "prod-k8s-storage", "cdk.tf.json"), "utf8")) as Json;
    expect(doc.data.terraform_remote_state["cross-stack-reference-input-prod-storage"].backend).toBe(kind);
    const report = await reports[kind]();
    expect(report.results.filter((r) => !r.ok).map((r) => formatResult(r))).toEqual([]);
    expect(report.results.map((r) => r.stack)).toEqual(["dev-compute", "prod-storage", "prod-k8s-storage"]);
    const k8s = report.results.find((r) => r.stack === "prod-k8s-storage")!;
    expect(formatResult(k8s)).toMatch(/^PASS prod-k8s-storage: valid; plan against the applied state of prod-storage: \d+ resources to create \(plan [\d.]+ s\)$/);
    expect(formatResult(report.results.find((r) => r.stack === "prod-storage")!)).toMatch(
      /^PASS prod-storage: valid; plan: \d+ resources to create; applied to a throwaway state for prod-k8s-storage \(plan [\d.]+ s, apply [\d.]+ s\)$/,
    );
    // The dev stack reads nobody and is read by nobody: not applied.
    expect(report.results.find((r) => r.stack === "dev-compute")!.applyMs).toBeUndefined();
  });

  test("--stack prod-k8s-storage also validates and applies prod-storage, which it reads", async () => {
    const report = await reports.onlyK8s();
    expect(report.results.map((r) => [r.stack, r.ok])).toEqual([
      ["prod-storage", true],
      ["prod-k8s-storage", true],
    ]);
  });

  test("a failing dependency fails its dependent without planning it", async () => {
    const report = await reports.brokenDependency();
    expect(report.results.map((r) => [r.stack, r.ok, r.phase])).toEqual([
      ["prod-storage", false, "validate"],
      ["prod-k8s-storage", false, "dependency"],
    ]);
    expect(formatResult(report.results[1]!)).toBe(
      "FAIL prod-k8s-storage: cannot be planned against its dependencies\n    depends on prod-storage, which failed: not planned (it is planned against the applied state of its dependencies)",
    );
  });

  test("an output the dependent reads that its dependency no longer declares fails the dependent's plan", async () => {
    const report = await reports.outputRemoved();
    expect(report.results.map((r) => [r.stack, r.ok, r.phase])).toEqual([
      ["prod-storage", true, undefined],
      ["prod-k8s-storage", false, "plan"],
    ]);
    expect(report.results[1]!.message).toContain("Unsupported attribute");
    expect(report.results[1]!.message).toContain(removed);
  });

  test("a remote state of something outside the app fails the stack with a reason, and is never read", async () => {
    const report = await reports.foreign();
    expect(report.results[0]).toMatchObject({ stack: "dev-compute", ok: false, phase: "dependency" });
    expect(report.results[0]!.message).toContain('data.terraform_remote_state.network reads a state (backend "pg") that is not a stack of this synth output');
    expect(report.results[0]!.validateMs).toBeUndefined();
  });

  test("a dependency cycle is reported, nothing is validated", async () => {
    const report = await reports.cycle();
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/^stack dependency cycle: prod-k8s-storage -> prod-storage -> prod-k8s-storage$/);
    expect(report.results).toEqual([]);
  });
});
