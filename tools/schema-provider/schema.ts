/**
 * Provider schemas in `terraform providers schema -json` form (plus the project's extra
 * top-level `provider_versions` map), loaded from `schemas/*.json` and keyed by the provider's
 * fully-qualified address (FQPN), e.g. `registry.terraform.io/bpg/proxmox`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A cty type in its JSON form: "string", ["list","string"], ["object",{...}], "dynamic", ... */
export type CtyType = string | [string, ...unknown[]];

export interface JsonAttribute {
  type?: CtyType;
  nested_type?: JsonNestedType;
  description?: string;
  description_kind?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
  write_only?: boolean;
}

export interface JsonNestedType {
  attributes: Record<string, JsonAttribute>;
  nesting_mode: "single" | "list" | "set" | "map";
}

export interface JsonBlockType {
  nesting_mode: "single" | "group" | "list" | "set" | "map";
  block: JsonBlock;
  min_items?: number;
  max_items?: number;
}

export interface JsonBlock {
  attributes?: Record<string, JsonAttribute>;
  block_types?: Record<string, JsonBlockType>;
  description?: string;
  description_kind?: string;
  deprecated?: boolean;
}

export interface JsonSchema {
  version: number;
  block: JsonBlock;
}

export interface ProviderSchema {
  provider?: JsonSchema;
  resource_schemas?: Record<string, JsonSchema>;
  data_source_schemas?: Record<string, JsonSchema>;
  ephemeral_resource_schemas?: Record<string, JsonSchema>;
  provider_meta?: JsonSchema;
}

export interface LoadedProvider {
  /** e.g. registry.terraform.io/bpg/proxmox */
  fqpn: string;
  /** e.g. proxmox (the provider type: the last address segment) */
  type: string;
  /** The version the schema was taken from, when the file says. */
  version?: string;
  file: string;
  schema: ProviderSchema;
}

/** Normalise a provider source ("bpg/proxmox", "registry.terraform.io/bpg/proxmox") to its FQPN. */
export function fqpnOf(source: string): string {
  const parts = source.toLowerCase().split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts[0]}/${parts[1]}`;
  return parts.join("/");
}

/** Every provider schema in the given files, keyed by FQPN. A later file wins on a duplicate. */
export function loadSchemaFiles(files: string[]): Map<string, LoadedProvider> {
  const out = new Map<string, LoadedProvider>();
  for (const file of files) {
    const doc = JSON.parse(readFileSync(file, "utf8")) as {
      provider_schemas?: Record<string, ProviderSchema>;
      provider_versions?: Record<string, string>;
    };
    for (const [address, schema] of Object.entries(doc.provider_schemas ?? {})) {
      const fqpn = fqpnOf(address);
      const version = doc.provider_versions?.[address] ?? doc.provider_versions?.[fqpn];
      out.set(fqpn, { fqpn, type: fqpn.split("/").pop()!, version, file, schema });
    }
  }
  return out;
}

/** Every `*.json` in a directory (default: the repository's `schemas/`), keyed by FQPN. */
export function loadSchemaDir(dir: string): Map<string, LoadedProvider> {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return new Map();
  }
  return loadSchemaFiles(names.map((n) => join(dir, n)));
}

// ---------------------------------------------------------------------------------------------
// JSON schema -> tfplugin6.Schema (the object form protobufjs encodes, field names as in the .proto)

const BLOCK_NESTING: Record<string, number> = { single: 1, list: 2, set: 3, map: 4, group: 5 };
const OBJECT_NESTING: Record<string, number> = { single: 1, list: 2, set: 3, map: 4 };
const kind = (k?: string) => (k === "markdown" ? 1 : 0);

function attributeToProto(name: string, a: JsonAttribute): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name,
    description: a.description ?? "",
    description_kind: kind(a.description_kind),
    required: !!a.required,
    optional: !!a.optional,
    computed: !!a.computed,
    sensitive: !!a.sensitive,
    deprecated: !!a.deprecated,
    write_only: !!a.write_only,
  };
  if (a.nested_type) {
    out.nested_type = {
      attributes: Object.entries(a.nested_type.attributes).map(([n, x]) => attributeToProto(n, x)),
      nesting: OBJECT_NESTING[a.nested_type.nesting_mode],
    };
  } else {
    out.type = Buffer.from(JSON.stringify(a.type ?? "dynamic"));
  }
  return out;
}

function blockToProto(b: JsonBlock, version = 0): Record<string, unknown> {
  return {
    version,
    attributes: Object.entries(b.attributes ?? {}).map(([n, a]) => attributeToProto(n, a)),
    block_types: Object.entries(b.block_types ?? {}).map(([n, bt]) => ({
      type_name: n,
      block: blockToProto(bt.block),
      nesting: BLOCK_NESTING[bt.nesting_mode],
      min_items: bt.min_items ?? 0,
      max_items: bt.max_items ?? 0,
    })),
    description: b.description ?? "",
    description_kind: kind(b.description_kind),
    deprecated: !!b.deprecated,
  };
}

export function schemaToProto(s: JsonSchema | undefined): Record<string, unknown> {
  const schema = s ?? { version: 0, block: {} };
  return { version: schema.version ?? 0, block: blockToProto(schema.block, schema.version ?? 0) };
}

const mapValues = (m: Record<string, JsonSchema> | undefined) =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, schemaToProto(v)]));

export function providerSchemaToProto(p: ProviderSchema): Record<string, unknown> {
  return {
    provider: schemaToProto(p.provider),
    resource_schemas: mapValues(p.resource_schemas),
    data_source_schemas: mapValues(p.data_source_schemas),
    ephemeral_resource_schemas: mapValues(p.ephemeral_resource_schemas),
    provider_meta: schemaToProto(p.provider_meta),
    diagnostics: [],
    server_capabilities: { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false },
  };
}
