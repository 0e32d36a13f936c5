/** The schema-serving provider's pieces, without Terraform. */
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { makeServerCert } from "../../tools/schema-provider/cert";
import { fqpnOf, providerSchemaToProto } from "../../tools/schema-provider/schema";
import { loadReplaceTable } from "../../tools/schema-provider/server";
import { parsePlanCounts, REPO_ROOT, stripOverrideWarning } from "../../tools/schema-provider/validate";
import { blockType, decodeValue, encodeValue, fillUnknowns, isUnknown, planCreate, UNKNOWN } from "../../tools/schema-provider/values";
import type { JsonBlock } from "../../tools/schema-provider/schema";
import { repoSchemas } from "./helpers";

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
  test("run by hand (no magic cookie) it explains itself and exits 1", () => {
    const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["tools/schema-provider/main.ts", "--provider", "bpg/proxmox"], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: "" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("This binary is a plugin");
  });
});
