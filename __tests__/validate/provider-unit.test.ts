/** The schema-serving provider's pieces, without Terraform. */
import { X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeServerCert } from "../../tools/schema-provider/cert";
import { type LiveFixture, liveSource } from "../../tools/schema-provider/live";
import { parsePlanCounts } from "../../tools/schema-provider/plan-counts";
import { fqpnOf, type JsonBlock, type LoadedProvider, providerSchemaToProto } from "../../tools/schema-provider/schema";
import { loadReplaceTable, providerImplementation } from "../../tools/schema-provider/server";
import { runProcess, stripOverrideWarning } from "../../tools/schema-provider/session";
import { blockType, conform, decodeValue, encodeValue, fillComputedNulls, fillUnknowns, isUnknown, planCreate, UNKNOWN } from "../../tools/schema-provider/values";
import { REPO_ROOT } from "../../scripts/validate/synth";
import { repoSchemas, rm } from "./helpers";

const block: JsonBlock = {
  attributes: {
    id: { type: "string", computed: true },
    name: { type: "string", required: true },
    size: { type: "number", optional: true, computed: true },
    secret: { type: "string", optional: true, write_only: true },
    tags: { type: ["list", "string"], optional: true },
    topology: {
      required: true,
      nested_type: { nesting_mode: "single", attributes: { data: { type: ["list", "string"], required: true }, cache: { type: ["list", "string"], optional: true, computed: true } } },
    },
  },
  block_types: {
    disk: { nesting_mode: "list", block: { attributes: { iface: { type: "string", required: true }, format: { type: "string", optional: true, computed: true } } } },
  },
};

describe("values", () => {
  test("an unknown is msgpack extension 0 (d4 00 00) and survives a round trip", () => {
    expect(encodeValue(UNKNOWN).toString("hex")).toBe("d40000");
    expect(isUnknown(decodeValue(encodeValue({ a: UNKNOWN })) as never)).toBe(false);
    expect(isUnknown((decodeValue(encodeValue({ a: UNKNOWN })) as { a: unknown }).a)).toBe(true);
    expect(decodeValue(Buffer.from([0xc0]))).toBeNull();
    expect(decodeValue(undefined)).toBeNull();
  });

  test("plan for create: computed attributes the config leaves null become unknown, everywhere; write-only is null", () => {
    const proposed = { id: null, name: "a", size: 3, secret: "s", tags: null, topology: { data: ["x"], cache: null }, disk: [{ iface: "scsi0", format: null }] };
    const planned = planCreate(block, proposed) as any;
    expect(isUnknown(planned.id)).toBe(true);
    expect(planned.size).toBe(3);
    expect(planned.secret).toBeNull();
    expect(planned.tags).toBeNull(); // optional, not computed: stays null
    expect(isUnknown(planned.topology.cache)).toBe(true);
    expect(isUnknown(planned.disk[0].format)).toBe(true);
    expect(planned.disk[0].iface).toBe("scsi0");
  });

  test("apply fills every unknown with a known value of its type; ids are per instance", () => {
    const planned = planCreate(block, { id: null, name: "a", size: null, secret: null, tags: null, topology: { data: ["x"], cache: null }, disk: [{ iface: "i", format: null }] });
    const a = fillUnknowns(blockType(block), planned, { typeName: "t", seed: "1" }) as any;
    const b = fillUnknowns(blockType(block), planned, { typeName: "t", seed: "2" }) as any;
    expect(a).toMatchObject({ name: "a", size: 0, topology: { data: ["x"], cache: [] }, disk: [{ iface: "i", format: "computed:disk.0.format" }] });
    expect(a.id).toMatch(/^t-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
  });

  test("implied block type: nested blocks by nesting mode, nested attributes as objects", () => {
    expect(blockType(block)).toEqual([
      "object",
      {
        id: "string",
        name: "string",
        size: "number",
        secret: "string",
        tags: ["list", "string"],
        topology: ["object", { data: ["list", "string"], cache: ["list", "string"] }],
        disk: ["list", ["object", { iface: "string", format: "string" }]],
      },
    ]);
  });
});

describe("schemas", () => {
  test("the committed schema files load, keyed by FQPN, with their versions", () => {
    const s = repoSchemas();
    expect(s.get("registry.terraform.io/bpg/proxmox")?.version).toBe("0.111.1");
    expect(s.get("registry.terraform.io/truenas/truenas")?.version).toBe("1.5.11");
    for (const p of s.values()) expect(() => providerSchemaToProto(p.schema)).not.toThrow();
  });

  test("provider sources normalise to FQPNs", () => {
    expect(fqpnOf("bpg/proxmox")).toBe("registry.terraform.io/bpg/proxmox");
    expect(fqpnOf("helm")).toBe("registry.terraform.io/hashicorp/helm");
    expect(fqpnOf("registry.terraform.io/Truenas/truenas")).toBe("registry.terraform.io/truenas/truenas");
  });

  test("every requires-replace entry names a resource type and top-level attribute that a committed schema has", () => {
    const resources = new Map<string, JsonBlock>();
    for (const p of repoSchemas().values()) for (const [t, s] of Object.entries(p.schema.resource_schemas ?? {})) resources.set(t, s.block);
    const table = loadReplaceTable();
    const missing: string[] = [];
    for (const [type, entry] of Object.entries(table.resources)) {
      expect(entry.source).toBeTruthy();
      const b = resources.get(type);
      if (!b) continue; // a schema not committed (yet): the entry is inert
      for (const e of entry.paths) {
        const head = (typeof e === "string" ? e : e.path).split(".")[0]!;
        if (!b.attributes?.[head] && !b.block_types?.[head]) missing.push(`${type}.${head}`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(table.resources)).toEqual(expect.arrayContaining(["proxmox_virtual_environment_vm", "truenas_dataset", "truenas_zvol", "truenas_pool"]));
  });
});

describe("certificate for AutoMTLS", () => {
  test("self-signed, SAN DNS:localhost, valid now, handshake form is unpadded base64 DER", () => {
    const c = makeServerCert();
    const x = new X509Certificate(c.certPem);
    expect(x.subjectAltName).toBe("DNS:localhost");
    expect(x.checkHost("localhost")).toBe("localhost");
    expect(x.verify(x.publicKey)).toBe(true);
    expect(new Date(x.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 86_400_000);
    expect(c.handshakeCert).not.toMatch(/=/);
    expect(Buffer.from(c.handshakeCert, "base64").equals(x.raw)).toBe(true);
  });
});

describe("terraform output parsing", () => {
  test("plan summary lines", () => {
    expect(parsePlanCounts("Plan: 3 to add, 0 to change, 0 to destroy.")).toEqual({ import: 0, add: 3, change: 0, destroy: 0 });
    expect(parsePlanCounts("Plan: 1 to import, 2 to add, 1 to change, 0 to destroy.")).toEqual({ import: 1, add: 2, change: 1, destroy: 0 });
    expect(parsePlanCounts("No changes. Your infrastructure matches the configuration.")).toEqual({ import: 0, add: 0, change: 0, destroy: 0 });
    expect(parsePlanCounts("Error: boom")).toBeUndefined();
  });

  test("the dev_overrides warning is dropped, everything else kept", () => {
    const out =
      "\nWarning: Provider development overrides are in effect\n\nThe following provider development overrides are set in the CLI\nconfiguration:\n - bpg/proxmox in /x\n\nThe behavior may therefore not match any released version of the provider and\napplying changes may cause the state to become incompatible with published\nreleases.\n\nError: Missing required argument\n";
    expect(stripOverrideWarning(out)).toBe("Error: Missing required argument\n");
  });
});

describe("provider executable", () => {
  test("run by hand (no magic cookie) it explains itself and exits 1", async () => {
    // Its source through tsx's loader: the tool is generic, not part of the app's launcher.
    const r = await runProcess(process.execPath, ["--import", "tsx", "tools/schema-provider/main.ts", "--provider", "bpg/proxmox"], { cwd: REPO_ROOT, env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: "" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("This binary is a plugin");
  });
});

// ---------------------------------------------------------------------------------------------
// Reads and imports: ImportResourceState, ReadResource, ReadDataSource, with and without a live fixture

/** A data source shaped like truenas_pool: the name is configured, the rest is computed (nested list of objects included). */
const poolBlock: JsonBlock = {
  attributes: {
    id: { type: "number", computed: true },
    name: { type: "string", required: true },
    status: { type: "string", computed: true },
    healthy: { type: "bool", computed: true },
    size: { type: "number", computed: true },
    topology: {
      computed: true,
      nested_type: {
        nesting_mode: "single",
        attributes: {
          data: { computed: true, nested_type: { nesting_mode: "list", attributes: { type: { type: "string", computed: true }, disks: { type: ["list", "string"], computed: true } } } },
          cache: { type: ["list", "string"], computed: true },
        },
      },
    },
  },
};

const testProvider: LoadedProvider = {
  fqpn: "registry.terraform.io/test/test",
  type: "test",
  file: "(test)",
  schema: { resource_schemas: { test_thing: { version: 0, block } }, data_source_schemas: { test_pool: { version: 0, block: poolBlock } } },
};

type Impl = Record<string, (call: { request: unknown }, cb: (err: unknown, value: any) => void) => void>;

/** An implementation of the provider service, with the live fixture given (an object, written to a file: how the provider gets it). */
function provider(live?: LiveFixture, p: LoadedProvider = testProvider): Impl {
  let source = liveSource(undefined);
  if (live) {
    const dir = mkdtempSync(join(tmpdir(), "live-fixture-"));
    dirs.push(dir);
    writeFileSync(join(dir, "live.json"), JSON.stringify(live));
    source = liveSource(join(dir, "live.json"));
  }
  return providerImplementation(p, loadReplaceTable(), () => {}, { live: source }) as unknown as Impl;
}
const dirs: string[] = [];
afterAll(() => dirs.forEach(rm));

/** Call a unary RPC handler (they answer synchronously). */
function rpc(impl: Impl, method: string, request: Record<string, unknown>): any {
  let answer: any;
  impl[method]!({ request }, (err, value) => {
    if (err) throw err;
    answer = value;
  });
  return answer;
}
const stateOf = (dv: { msgpack: Buffer }) => decodeValue(dv.msgpack) as Record<string, any>;
const diagnostics = (answer: { diagnostics?: { summary: string; detail: string }[] }) => (answer.diagnostics ?? []).map((d) => `${d.summary}: ${d.detail}`);

describe("ImportResourceState", () => {
  test("the import id, typed as the schema types `id`; every other attribute null, every nested block empty", () => {
    const answer = rpc(provider(), "ImportResourceState", { type_name: "test_thing", id: "vm-300" });
    expect(answer.imported_resources).toHaveLength(1);
    expect(answer.imported_resources[0].type_name).toBe("test_thing");
    expect(stateOf(answer.imported_resources[0].state)).toEqual({ id: "vm-300", name: null, size: null, secret: null, tags: null, topology: null, disk: [] });
    // TrueNAS ids are numbers: an import id "7" becomes 7 (Terraform would refuse a string there).
    const truenas = repoSchemas().get("registry.terraform.io/truenas/truenas")!;
    const scrub = rpc(provider(undefined, truenas), "ImportResourceState", { type_name: "truenas_scrub_task", id: "7" });
    expect(stateOf(scrub.imported_resources[0].state)).toMatchObject({ id: 7, pool: null, threshold: null, schedule: null });
    expect(diagnostics(rpc(provider(undefined, truenas), "ImportResourceState", { type_name: "truenas_scrub_task", id: "seven" }))).toEqual([
      'schema-provider: ImportResourceState failed: import id of truenas_scrub_task: "seven" is not of type "number"',
    ]);
  });

  test("with the object in the live fixture: its attributes, converted to the schema's types; write-only stays null", () => {
    const live = { resources: { test_thing: { "vm-300": { name: "truenas", size: "32", secret: "hunter2", topology: { data: ["sda"] }, disk: [{ iface: "scsi0" }] } } } };
    const state = stateOf(rpc(provider(live), "ImportResourceState", { type_name: "test_thing", id: "vm-300" }).imported_resources[0].state);
    expect(state).toEqual({ id: "vm-300", name: "truenas", size: 32, secret: null, tags: null, topology: { data: ["sda"], cache: null }, disk: [{ iface: "scsi0", format: null }] });
  });
});

describe("ReadResource", () => {
  const prior = { id: "vm-300", name: "truenas", size: 32, secret: null, tags: ["a"], topology: { data: ["sda"], cache: [] }, disk: [{ iface: "scsi0", format: "raw" }] };
  const read = (live?: LiveFixture) => rpc(provider(live), "ReadResource", { type_name: "test_thing", current_state: { msgpack: encodeValue(prior) }, private: Buffer.from("p") });

  test("without a live object for its id: the prior state, byte for byte", () => {
    const fixtures: (LiveFixture | undefined)[] = [undefined, { resources: { test_thing: { "vm-301": { size: 1 } } } }, { resources: { other_type: { "vm-300": { size: 1 } } } }];
    for (const live of fixtures) {
      const answer = read(live);
      expect(Buffer.from(answer.new_state.msgpack).equals(encodeValue(prior))).toBe(true);
      expect(answer.private.toString()).toBe("p");
    }
  });

  test("with one: the live attributes over the prior state (drift), the rest kept; write-only stays null", () => {
    const answer = read({ resources: { test_thing: { "vm-300": { size: 64, tags: ["b", "c"], secret: "hunter2" } } } });
    expect(stateOf(answer.new_state)).toEqual({ ...prior, size: 64, tags: ["b", "c"], secret: null });
  });
});

describe("ReadDataSource", () => {
  const config = { id: null, name: "tank", status: null, healthy: null, size: null, topology: null };
  const readPool = (live?: LiveFixture) => rpc(provider(live), "ReadDataSource", { type_name: "test_pool", config: { msgpack: encodeValue(config) } });
  const placeholders = fillComputedNulls(poolBlock, config, { typeName: "test_pool", seed: `test_pool${JSON.stringify(config)}` });

  test("without a fixture, or without a matching entry: every computed attribute a placeholder, as before", () => {
    expect(stateOf(readPool().state)).toEqual(placeholders);
    expect(stateOf(readPool({ data_sources: { test_pool: [{ match: { name: "other" }, values: { status: "ONLINE" } }] } }).state)).toEqual(placeholders);
    expect(placeholders).toMatchObject({ id: 0, status: "computed:status", topology: { data: [], cache: [] } });
  });

  test("the first entry whose match equals the configuration: its values, typed by the schema (nested list of objects); what it leaves out, placeholders", () => {
    const pool = readPool({
      data_sources: {
        test_pool: [
          { match: { name: "other" }, values: { status: "WRONG" } },
          { match: { name: "tank" }, values: { id: "1", status: "ONLINE", healthy: true, size: 18811956756480, topology: { data: [{ type: "RAIDZ2", disks: ["sda", "sdb"] }, { type: "RAIDZ2", disks: ["sdc", "sdd"] }] } } },
          { match: { name: "tank" }, values: { status: "SECOND" } },
        ],
      },
    });
    expect(diagnostics(pool)).toEqual([]);
    expect(stateOf(pool.state)).toEqual({
      id: 1,
      name: "tank",
      status: "ONLINE",
      healthy: true,
      size: 18811956756480,
      topology: { data: [{ type: "RAIDZ2", disks: ["sda", "sdb"] }, { type: "RAIDZ2", disks: ["sdc", "sdd"] }], cache: [] },
    });
  });

  test("a fixture's mistakes are errors, not silently ignored", () => {
    const fails = (entry: { match?: Record<string, unknown>; values?: Record<string, unknown> }) => diagnostics(readPool({ data_sources: { test_pool: [entry] } }));
    expect(fails({ match: { name: "tank" }, values: { topology: { data: [{ type: "RAIDZ2", disk: ["sda"] }] } } })).toEqual([
      'schema-provider: ReadDataSource failed: live fixture data_sources.test_pool[0].values.topology.data[0]: no attribute "disk" in ["object",{"type":"string","disks":["list","string"]}]',
    ]);
    expect(fails({ match: { name: "tank" }, values: { size: "big" } })).toEqual(['schema-provider: ReadDataSource failed: live fixture data_sources.test_pool[0].values.size: "big" is not of type "number"']);
    expect(fails({ match: { name: "tank" }, values: { name: "other" } })).toEqual([
      'schema-provider: ReadDataSource failed: live fixture data_sources.test_pool[0].values: "name" is not computed: it comes from the configuration, not from the live system',
    ]);
    expect(fails({ match: { nmae: "tank" } })).toEqual(['schema-provider: ReadDataSource failed: live fixture data_sources.test_pool[0].match: the schema has no attribute or block "nmae"']);
  });

  test("the fixture file is read on every call: a test may rewrite it between two Terraform runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "live-fixture-"));
    dirs.push(dir);
    const file = join(dir, "live.json");
    const impl = providerImplementation(testProvider, loadReplaceTable(), () => {}, { live: liveSource(file) }) as unknown as Impl;
    const status = () => stateOf(rpc(impl, "ReadDataSource", { type_name: "test_pool", config: { msgpack: encodeValue(config) } }).state).status;
    writeFileSync(file, JSON.stringify({ data_sources: { test_pool: [{ match: { name: "tank" }, values: { status: "ONLINE" } }] } }));
    expect(status()).toBe("ONLINE");
    writeFileSync(file, JSON.stringify({ data_sources: { test_pool: [{ match: { name: "tank" }, values: { status: "DEGRADED" } }] } }));
    expect(status()).toBe("DEGRADED");
  });
});

describe("JSON values converted to a schema type (conform)", () => {
  test("strings, numbers and bools as Terraform converts them; objects completed with nulls; dynamic wrapped with its implied type", () => {
    expect(conform("number", "18811956756480", "x")).toBe(18811956756480);
    expect(conform("string", 7, "x")).toBe("7");
    expect(conform("bool", "true", "x")).toBe(true);
    expect(conform(["set", "string"], ["a"], "x")).toEqual(["a"]);
    expect(conform(["map", "number"], { a: "1" }, "x")).toEqual({ a: 1 });
    expect(conform(["object", { a: "string", b: ["list", "number"] }], { a: "x" }, "x")).toEqual({ a: "x", b: null });
    expect(conform(["tuple", ["string", "bool"]], ["a", false], "x")).toEqual(["a", false]);
    const dyn = conform("dynamic", { a: [1, "b"] }, "x") as [Uint8Array, unknown];
    expect(JSON.parse(Buffer.from(dyn[0]).toString())).toEqual(["object", { a: ["tuple", ["number", "string"]] }]);
    expect(dyn[1]).toEqual({ a: [1, "b"] });
    expect(() => conform("bool", "yes", "where")).toThrow('where: "yes" is not of type "bool"');
    expect(() => conform(["list", "string"], "a", "where")).toThrow('where: "a" is not of type ["list","string"]');
  });
});
