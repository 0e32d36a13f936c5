/**
 * Terraform values on the wire (tfplugin6.DynamicValue, msgpack as written by cty) and the
 * schema-driven transformations the provider needs: plan (computed attributes the config leaves
 * unset become unknown on create), apply (unknowns become known placeholder values), an all-null
 * object for import, JSON values (the live fixture) converted to a schema type.
 *
 * cty's msgpack form: objects are maps holding every attribute (null where unset), lists/sets are
 * arrays, an unknown value is extension type 0, and a value of type "dynamic" is a 2-array
 * [JSON type as bytes, value].
 */
import { createHash } from "node:crypto";
import { decode, encode, ExtData } from "@msgpack/msgpack";
import type { CtyType, JsonAttribute, JsonBlock } from "./schema";

export const UNKNOWN = new ExtData(0, new Uint8Array([0]));

export function isUnknown(v: unknown): v is ExtData {
  return v instanceof ExtData && v.type === 0;
}

/** Decode DynamicValue msgpack bytes; absent/empty means null. */
export function decodeValue(bytes: Uint8Array | undefined | null): unknown {
  if (!bytes || bytes.length === 0) return null;
  return decode(bytes);
}

export function encodeValue(v: unknown): Buffer {
  const b = encode(v);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof ExtData);

/** The cty type a block implies (what Terraform decodes the provider's objects with). */
export function blockType(b: JsonBlock): CtyType {
  const attrs: Record<string, CtyType> = {};
  for (const [n, a] of Object.entries(b.attributes ?? {})) attrs[n] = attributeType(a);
  for (const [n, bt] of Object.entries(b.block_types ?? {})) {
    const inner = blockType(bt.block);
    attrs[n] =
      bt.nesting_mode === "single" || bt.nesting_mode === "group"
        ? inner
        : bt.nesting_mode === "map"
          ? ["map", inner]
          : [bt.nesting_mode, inner];
  }
  return ["object", attrs];
}

export function attributeType(a: JsonAttribute): CtyType {
  if (!a.nested_type) return a.type ?? "dynamic";
  const attrs: Record<string, CtyType> = {};
  for (const [n, x] of Object.entries(a.nested_type.attributes)) attrs[n] = attributeType(x);
  const obj: CtyType = ["object", attrs];
  return a.nested_type.nesting_mode === "single" ? obj : [a.nested_type.nesting_mode, obj];
}

/** Calls fn on each element object of a nested block / nested attribute value. */
function eachNested(mode: string, value: unknown, fn: (o: Obj) => void): void {
  if (value === null || value === undefined || isUnknown(value)) return;
  if (mode === "single" || mode === "group") {
    if (isObj(value)) fn(value);
  } else if (mode === "map") {
    if (isObj(value)) for (const v of Object.values(value)) if (isObj(v)) fn(v);
  } else if (Array.isArray(value)) {
    for (const v of value) if (isObj(v)) fn(v);
  }
}

/**
 * Plan for create, in place on a copy of the proposed new state: every computed attribute that is
 * null (the config leaves it unset) becomes unknown, recursively through nested blocks and nested
 * attributes; write-only attributes are null.
 */
export function planCreate(b: JsonBlock, proposed: unknown): unknown {
  if (!isObj(proposed)) return proposed;
  const out: Obj = { ...proposed };
  for (const [n, a] of Object.entries(b.attributes ?? {})) {
    if (a.write_only) {
      out[n] = null;
      continue;
    }
    const v = out[n];
    if ((v === null || v === undefined) && a.computed) {
      out[n] = UNKNOWN;
    } else if (a.nested_type && v !== null && v !== undefined) {
      out[n] = mapNested(a.nested_type.nesting_mode, v, (o) => planCreate({ attributes: a.nested_type!.attributes }, o));
    }
  }
  for (const [n, bt] of Object.entries(b.block_types ?? {})) {
    const v = out[n];
    if (v !== null && v !== undefined) out[n] = mapNested(bt.nesting_mode, v, (o) => planCreate(bt.block, o));
  }
  return out;
}

/** Plan for update: the proposed new state, with write-only attributes null. */
export function planUpdate(b: JsonBlock, proposed: unknown): unknown {
  return nullWriteOnly(b, proposed);
}

/** `value` (an object of the block's type) with every write-only attribute null, nested ones included. */
export function nullWriteOnly(b: JsonBlock, value: unknown): unknown {
  if (!isObj(value)) return value;
  const out: Obj = { ...value };
  for (const [n, a] of Object.entries(b.attributes ?? {})) {
    if (a.write_only) out[n] = null;
    else if (a.nested_type && out[n] !== null && out[n] !== undefined)
      out[n] = mapNested(a.nested_type.nesting_mode, out[n], (o) => nullWriteOnly({ attributes: a.nested_type!.attributes }, o));
  }
  for (const [n, bt] of Object.entries(b.block_types ?? {})) {
    if (out[n] !== null && out[n] !== undefined) out[n] = mapNested(bt.nesting_mode, out[n], (o) => nullWriteOnly(bt.block, o));
  }
  return out;
}

function mapNested(mode: string, value: unknown, fn: (o: Obj) => unknown): unknown {
  if (isUnknown(value)) return value;
  if (mode === "single" || mode === "group") return isObj(value) ? fn(value) : value;
  if (mode === "map") {
    if (!isObj(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isObj(v) ? fn(v) : v]));
  }
  return Array.isArray(value) ? value.map((v) => (isObj(v) ? fn(v) : v)) : value;
}

/** An object of the block's type with every attribute null and every nested block empty. */
export function nullObject(b: JsonBlock, set: Obj = {}): Obj {
  const out: Obj = {};
  for (const n of Object.keys(b.attributes ?? {})) out[n] = null;
  for (const [n, bt] of Object.entries(b.block_types ?? {})) {
    out[n] = bt.nesting_mode === "list" || bt.nesting_mode === "set" ? [] : bt.nesting_mode === "map" ? {} : null;
  }
  return Object.assign(out, set);
}

/**
 * Replace every unknown in `value` (of cty type `type`) with a known placeholder of that type:
 * strings become "<path>" markers (an `id` becomes `<resource type>-<hash>` so that each instance
 * gets its own), numbers 0, bools false, collections empty, objects filled attribute by
 * attribute, dynamic null.
 */
export function fillUnknowns(type: CtyType, value: unknown, ctx: { typeName: string; seed: string }, path: string[] = []): unknown {
  if (isUnknown(value)) return placeholder(type, ctx, path);
  if (value === null || value === undefined) return null;
  if (typeof type === "string") {
    if (type === "dynamic" && Array.isArray(value) && value.length === 2 && value[0] instanceof Uint8Array) {
      const inner = JSON.parse(Buffer.from(value[0]).toString("utf8")) as CtyType;
      return [value[0], fillUnknowns(inner, value[1], ctx, path)];
    }
    return value;
  }
  const [k, arg] = type as [string, unknown];
  if ((k === "list" || k === "set") && Array.isArray(value)) return value.map((v, i) => fillUnknowns(arg as CtyType, v, ctx, [...path, String(i)]));
  if (k === "map" && isObj(value)) return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, fillUnknowns(arg as CtyType, v, ctx, [...path, key])]));
  if (k === "object" && isObj(value)) {
    const attrs = arg as Record<string, CtyType>;
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, attrs[key] === undefined ? v : fillUnknowns(attrs[key]!, v, ctx, [...path, key])]));
  }
  if (k === "tuple" && Array.isArray(value)) {
    const elems = arg as CtyType[];
    return value.map((v, i) => fillUnknowns(elems[i] ?? "dynamic", v, ctx, [...path, String(i)]));
  }
  return value;
}

function placeholder(type: CtyType, ctx: { typeName: string; seed: string }, path: string[]): unknown {
  if (typeof type === "string") {
    switch (type) {
      case "string":
        if (path.length === 1 && path[0] === "id") return `${ctx.typeName}-${createHash("sha256").update(ctx.seed).digest("hex").slice(0, 12)}`;
        return `computed:${path.join(".")}`;
      case "number":
        return 0;
      case "bool":
        return false;
      default:
        return null; // dynamic
    }
  }
  const [k, arg] = type as [string, unknown];
  if (k === "list" || k === "set") return [];
  if (k === "map") return {};
  if (k === "object") {
    const attrs = arg as Record<string, CtyType>;
    return Object.fromEntries(Object.entries(attrs).map(([n, t]) => [n, placeholder(t, ctx, [...path, n])]));
  }
  if (k === "tuple") return (arg as CtyType[]).map((t, i) => placeholder(t, ctx, [...path, String(i)]));
  return null;
}

/** Fill computed attributes left null with placeholders (data sources, ephemeral resources). */
export function fillComputedNulls(b: JsonBlock, value: unknown, ctx: { typeName: string; seed: string }): unknown {
  const planned = planCreate(b, value);
  return fillUnknowns(blockType(b), planned, ctx);
}

/**
 * A JSON value converted to cty type `type` in the wire form this module uses: numbers from numeric
 * strings and strings from numbers or bools (as Terraform converts them), objects completed with
 * null for the attributes they leave out, a value of type "dynamic" wrapped with its implied type.
 * Throws, naming `where`, on a value that does not fit (or an object attribute the type lacks).
 */
export function conform(type: CtyType, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return null;
  const misfit = () => new Error(`${where}: ${JSON.stringify(value)} is not of type ${JSON.stringify(type)}`);
  if (typeof type === "string") {
    if (type === "string" && ["string", "number", "boolean"].includes(typeof value)) return String(value);
    if (type === "number" && typeof value === "number") return value;
    if (type === "number" && typeof value === "string" && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value)) return Number(value);
    if (type === "bool" && typeof value === "boolean") return value;
    if (type === "bool" && (value === "true" || value === "false")) return value === "true";
    if (type === "dynamic") {
      const implied = impliedType(value);
      return [Buffer.from(JSON.stringify(implied)), conform(implied, value, where)];
    }
    throw misfit();
  }
  const [k, arg] = type as [string, unknown];
  if ((k === "list" || k === "set") && Array.isArray(value)) return value.map((v, i) => conform(arg as CtyType, v, `${where}[${i}]`));
  if (k === "map" && isObj(value)) return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, conform(arg as CtyType, v, `${where}["${key}"]`)]));
  if (k === "object" && isObj(value)) {
    const attrs = arg as Record<string, CtyType>;
    const extra = Object.keys(value).filter((n) => !(n in attrs));
    if (extra.length) throw new Error(`${where}: no attribute "${extra[0]}" in ${JSON.stringify(type)}`);
    return Object.fromEntries(Object.entries(attrs).map(([n, t]) => [n, conform(t, value[n], `${where}.${n}`)]));
  }
  if (k === "tuple" && Array.isArray(value) && value.length === (arg as CtyType[]).length) return value.map((v, i) => conform((arg as CtyType[])[i]!, v, `${where}[${i}]`));
  throw misfit();
}

/** The cty type a JSON value implies (for attributes of type "dynamic"). */
function impliedType(value: unknown): CtyType {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return ["tuple", value.map(impliedType)];
  if (isObj(value)) return ["object", Object.fromEntries(Object.entries(value).map(([k, v]) => [k, impliedType(v)]))];
  return "dynamic";
}

/** Structural equality of decoded wire values (byte strings compared by content). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export { eachNested };
