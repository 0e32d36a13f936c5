/**
 * The "live system" fixture: what the provider answers when Terraform reads the real world
 * (ReadResource, ImportResourceState, ReadDataSource). A JSON file named by the provider's
 * `--live <file>` or SCHEMA_PROVIDER_LIVE_FILE:
 *
 *   { "resources":    { "<type>": { "<id>": { "<attribute>": value, ... } } },
 *     "data_sources": { "<type>": [ { "match": { "<attribute>": value }, "values": { "<attribute>": value } } ] } }
 *
 * Values are JSON, converted to the attribute's type from the schema (nested attributes and
 * blocks included; missing nested attributes are null); a name the schema does not have is an
 * error. The file is read on every call, so a test may rewrite it between two Terraform runs.
 */
import { readFileSync } from "node:fs";
import type { JsonBlock } from "./schema";
import { attributeType, blockType, conform, deepEqual } from "./values";

export const LIVE_FILE_ENV = "SCHEMA_PROVIDER_LIVE_FILE";

type Obj = Record<string, unknown>;

export interface LiveFixture {
  resources?: Record<string, Record<string, Obj>>;
  data_sources?: Record<string, { match?: Obj; values?: Obj }[]>;
}

/** A reader of the fixture file (undefined without one). */
export type LiveSource = () => LiveFixture | undefined;

export function liveSource(file: string | undefined): LiveSource {
  if (!file) return () => undefined;
  return () => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`live fixture ${file}: ${(e as Error).message}`);
    }
    try {
      return JSON.parse(text) as LiveFixture;
    } catch (e) {
      throw new Error(`live fixture ${file} is not JSON: ${(e as Error).message}`);
    }
  };
}

/** `attrs` converted to the types of `block`'s top-level attributes and blocks (`where` names them in errors). */
function conformAttributes(block: JsonBlock, attrs: Obj, where: string, allowed: (name: string) => string | undefined = () => undefined): Obj {
  const types = (blockType(block) as [string, Record<string, unknown>])[1];
  const out: Obj = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (!(name in types)) throw new Error(`${where}: the schema has no attribute or block "${name}"`);
    const refused = allowed(name);
    if (refused) throw new Error(`${where}: "${name}" ${refused}`);
    const attr = block.attributes?.[name];
    out[name] = attr?.write_only ? null : conform(attr ? attributeType(attr) : (types[name] as never), value, `${where}.${name}`);
  }
  return out;
}

/** The live object of a managed resource with this id (its attributes converted to the schema's types), if the fixture has one. */
export function liveResource(live: LiveFixture | undefined, typeName: string, block: JsonBlock, id: unknown): Obj | undefined {
  if (id === null || id === undefined) return undefined;
  const object = live?.resources?.[typeName]?.[String(id)];
  if (!object) return undefined;
  return conformAttributes(block, object, `live fixture resources.${typeName}["${String(id)}"]`);
}

/**
 * The computed values of the first fixture entry for this data source whose `match` attributes
 * equal the configuration's, or undefined (no fixture, no entry, no match).
 */
export function liveDataSource(live: LiveFixture | undefined, typeName: string, block: JsonBlock, config: Obj): Obj | undefined {
  const entries = live?.data_sources?.[typeName] ?? [];
  for (const [i, entry] of entries.entries()) {
    const where = `live fixture data_sources.${typeName}[${i}]`;
    const match = conformAttributes(block, entry.match ?? {}, `${where}.match`);
    if (!Object.entries(match).every(([k, v]) => deepEqual(v, config[k]))) continue;
    return conformAttributes(block, entry.values ?? {}, `${where}.values`, (name) =>
      block.attributes?.[name]?.computed ? undefined : "is not computed: it comes from the configuration, not from the live system",
    );
  }
  return undefined;
}
