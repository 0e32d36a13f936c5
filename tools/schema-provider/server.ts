/**
 * The schema-serving provider: a gRPC server speaking Terraform's plugin protocol 6 for one
 * provider schema, plus go-plugin's controller/broker/stdio services and gRPC health.
 *
 * Two ways to run it:
 * - as a plugin Terraform starts itself (dev_overrides): `servePlugin` checks the magic cookie,
 *   serves AutoMTLS with a fresh self-signed certificate, prints go-plugin's handshake line and
 *   exits when Terraform calls GRPCController.Shutdown;
 * - long-lived, for TF_REATTACH_PROVIDERS: `startReattachServers` serves several providers from
 *   one process on unix sockets without TLS and returns the reattach JSON. Terraform treats a
 *   reattached provider marked "Test" as not its own, so it never shuts it down.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protobuf from "protobufjs";
import { makeServerCert } from "./cert";
import { liveDataSource, liveResource, type LiveSource, liveSource } from "./live";
import { type JsonBlock, type JsonSchema, type LoadedProvider, providerSchemaToProto } from "./schema";
import {
  attributeType,
  blockType,
  conform,
  decodeValue,
  encodeValue,
  fillComputedNulls,
  fillUnknowns,
  nullObject,
  nullWriteOnly,
  planCreate,
  planUpdate,
} from "./values";

export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

// ---------------------------------------------------------------------------------------------
// Protocol definitions

interface Protos {
  root: protobuf.Root;
  provider: grpc.ServiceDefinition;
  controller: grpc.ServiceDefinition;
  broker: grpc.ServiceDefinition;
  stdio: grpc.ServiceDefinition;
  health: grpc.ServiceDefinition;
}

let protos: Protos | undefined;

const PROTO_FILES = ["tfplugin6.proto", "go-plugin.proto", "health.proto"];

/** The protocol definitions parsed from proto/*.proto (field names as written), as protobufjs JSON. */
export function protoJson(dir = join(__dirname, "proto")): protobuf.INamespace {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  return root.loadSync(PROTO_FILES, { keepCase: true }).toJSON();
}

/**
 * A message that is already encoded: the response serializers pass it through (GetProviderSchema
 * answers the same large message to every call).
 */
class Encoded {
  constructor(readonly bytes: Buffer) {}
}

/**
 * gRPC service definitions straight from protobufjs (what @grpc/proto-loader builds, without the
 * descriptor reflection it also builds: that was most of a spawned provider's start-up time).
 * A bundled provider reads the definitions from proto.json beside it (written by the bundler)
 * instead of parsing the .proto files.
 */
function loadProtos(): Protos {
  if (protos) return protos;
  const prebuilt = join(__dirname, "proto.json");
  const root = existsSync(prebuilt) ? protobuf.Root.fromJSON(JSON.parse(readFileSync(prebuilt, "utf8")) as protobuf.INamespace) : protobuf.Root.fromJSON(protoJson());
  root.resolveAll();
  const toObject: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: false, oneofs: true };
  const service = (name: string): grpc.ServiceDefinition => {
    const svc = root.lookupService(name);
    const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const m of svc.methodsArray) {
      const req = m.resolvedRequestType!;
      const res = m.resolvedResponseType!;
      def[m.name] = {
        path: `/${name}/${m.name}`,
        requestStream: !!m.requestStream,
        responseStream: !!m.responseStream,
        requestSerialize: (o) => Buffer.from(req.encode(req.fromObject(o as object)).finish()),
        requestDeserialize: (b) => req.toObject(req.decode(b), toObject),
        responseSerialize: (o) => (o instanceof Encoded ? o.bytes : Buffer.from(res.encode(res.fromObject(o as object)).finish())),
        responseDeserialize: (b) => res.toObject(res.decode(b), toObject),
        originalName: m.name,
      };
    }
    return def;
  };
  protos = {
    root,
    provider: service("tfplugin6.Provider"),
    controller: service("plugin.GRPCController"),
    broker: service("plugin.GRPCBroker"),
    stdio: service("plugin.GRPCStdio"),
    health: service("grpc.health.v1.Health"),
  };
  return protos;
}

/** A response message of `type` (e.g. "tfplugin6.GetProviderSchema.Response"), encoded once. */
function encodeOnce(type: string, message: Record<string, unknown>): Encoded {
  const t = loadProtos().root.lookupType(type);
  return new Encoded(Buffer.from(t.encode(t.fromObject(message)).finish()));
}

// ---------------------------------------------------------------------------------------------
// Requires-replace table

type ReplaceEntry = string | { path: string; unless?: string };
export interface ReplaceTable {
  resources: Record<string, { source?: string; paths: ReplaceEntry[] }>;
}

export function loadReplaceTable(file = join(__dirname, "requires-replace.json")): ReplaceTable {
  return JSON.parse(readFileSync(file, "utf8")) as ReplaceTable;
}

type Step = { attribute_name: string } | { element_key_int: number } | { element_key_string: string };

/** Expand a table path ("a", "a.*.b") against a value into concrete AttributePath steps. */
function expandPath(segments: string[], value: unknown, prefix: Step[] = []): Step[][] {
  if (segments.length === 0) return [prefix];
  const [head, ...rest] = segments;
  if (head === "*") {
    if (Array.isArray(value)) return value.flatMap((v, i) => expandPath(rest, v, [...prefix, { element_key_int: i }]));
    if (value && typeof value === "object")
      return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => expandPath(rest, v, [...prefix, { element_key_string: k }]));
    return [];
  }
  const next = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[head!] : undefined;
  if (rest.length > 0 && (next === null || next === undefined)) return [];
  return expandPath(rest, next, [...prefix, { attribute_name: head! }]);
}

function requiresReplace(table: ReplaceTable, typeName: string, prior: unknown, planned: unknown): { steps: Step[] }[] {
  const entry = table.resources[typeName];
  if (!entry || prior === null || planned === null) return [];
  const out = new Map<string, Step[]>();
  for (const e of entry.paths) {
    const { path, unless } = typeof e === "string" ? { path: e, unless: undefined } : e;
    if (unless && (planned as Record<string, unknown>)[unless] === true) continue;
    // Expand against both values so that added and removed elements are covered; Terraform itself
    // keeps only the paths whose value actually changes.
    for (const v of [prior, planned]) for (const steps of expandPath(path.split("."), v)) out.set(JSON.stringify(steps), steps);
  }
  return [...out.values()].map((steps) => ({ steps }));
}

// ---------------------------------------------------------------------------------------------
// The provider service

export interface ProviderLog {
  (line: string): void;
}

function errorDiag(summary: string, detail = "") {
  return { severity: 1, summary, detail };
}

const msgpackOf = (dv: { msgpack?: Buffer } | undefined | null) => decodeValue(dv?.msgpack);
const dv = (v: unknown) => ({ msgpack: encodeValue(v) });

export interface ProviderOptions {
  /** The "live system" fixture (live.ts): what reads and imports answer. Default: none. */
  live?: LiveSource;
}

export function providerImplementation(p: LoadedProvider, table: ReplaceTable, log: ProviderLog = () => {}, opts: ProviderOptions = {}): grpc.UntypedServiceImplementation {
  const schemaProto = providerSchemaToProto(p.schema);
  let schemaResponse: Encoded | undefined;
  const live = opts.live ?? (() => undefined);
  const resources = p.schema.resource_schemas ?? {};
  const dataSources = p.schema.data_source_schemas ?? {};
  const ephemeral = p.schema.ephemeral_resource_schemas ?? {};
  const empty: JsonBlock = {};

  const lookup = (m: Record<string, JsonSchema>, kind: string, typeName: string): JsonBlock => {
    const s = m[typeName];
    if (!s) throw new Error(`${p.fqpn} has no ${kind} type ${typeName} in ${p.file}`);
    return s.block ?? empty;
  };

  /** Wrap a handler: log the call, and turn an exception into an error diagnostic. */
  const unary =
    (name: string, diagField: string, fn: (req: any) => Record<string, unknown> | Encoded) =>
    (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
      log(`${name} ${call.request?.type_name ?? ""}`);
      try {
        cb(null, fn(call.request));
      } catch (e) {
        log(`${name} failed: ${(e as Error).stack}`);
        cb(null, { [diagField]: [errorDiag(`schema-provider: ${name} failed`, (e as Error).message)] });
      }
    };

  return {
    GetMetadata: unary("GetMetadata", "diagnostics", () => ({
      server_capabilities: schemaProto.server_capabilities,
      resources: Object.keys(resources).map((type_name) => ({ type_name })),
      data_sources: Object.keys(dataSources).map((type_name) => ({ type_name })),
      ephemeral_resources: Object.keys(ephemeral).map((type_name) => ({ type_name })),
    })),
    GetProviderSchema: unary("GetProviderSchema", "diagnostics", () => (schemaResponse ??= encodeOnce("tfplugin6.GetProviderSchema.Response", schemaProto))),
    ValidateProviderConfig: unary("ValidateProviderConfig", "diagnostics", () => ({})),
    ValidateResourceConfig: unary("ValidateResourceConfig", "diagnostics", (req) => {
      lookup(resources, "resource", req.type_name);
      return {};
    }),
    ValidateDataResourceConfig: unary("ValidateDataResourceConfig", "diagnostics", (req) => {
      lookup(dataSources, "data source", req.type_name);
      return {};
    }),
    ValidateEphemeralResourceConfig: unary("ValidateEphemeralResourceConfig", "diagnostics", (req) => {
      lookup(ephemeral, "ephemeral resource", req.type_name);
      return {};
    }),
    ConfigureProvider: unary("ConfigureProvider", "diagnostics", () => ({})),
    UpgradeResourceState: unary("UpgradeResourceState", "diagnostics", (req) => {
      lookup(resources, "resource", req.type_name);
      const json: Buffer | undefined = req.raw_state?.json;
      if (!json || json.length === 0) throw new Error("only JSON state can be upgraded (no flatmap state from this provider)");
      // The state was written by Terraform from this same schema: hand it back as JSON, which
      // Terraform decodes with the current schema's type.
      return { upgraded_state: { json } };
    }),
    ReadResource: unary("ReadResource", "diagnostics", (req) => {
      // No real API behind this provider: what is in state is what exists, unless the live
      // fixture has this object (drift, or the real object behind an import).
      const unchanged = { new_state: req.current_state ?? dv(null), private: req.private ?? Buffer.alloc(0) };
      const fixture = live();
      if (!fixture?.resources?.[req.type_name]) return unchanged;
      const block = lookup(resources, "resource", req.type_name);
      const prior = msgpackOf(req.current_state) as Record<string, unknown> | null;
      const found = prior && liveResource(fixture, req.type_name, block, prior.id);
      return found ? { ...unchanged, new_state: dv(nullWriteOnly(block, { ...prior, ...found })) } : unchanged;
    }),
    PlanResourceChange: unary("PlanResourceChange", "diagnostics", (req) => {
      const block = lookup(resources, "resource", req.type_name);
      const prior = msgpackOf(req.prior_state);
      const proposed = msgpackOf(req.proposed_new_state);
      if (proposed === null) return { planned_state: dv(null) }; // destroy
      const planned = prior === null ? planCreate(block, proposed) : planUpdate(block, proposed);
      return {
        planned_state: dv(planned),
        requires_replace: requiresReplace(table, req.type_name, prior, planned),
        planned_private: req.prior_private ?? Buffer.alloc(0),
      };
    }),
    ApplyResourceChange: unary("ApplyResourceChange", "diagnostics", (req) => {
      const block = lookup(resources, "resource", req.type_name);
      const planned = msgpackOf(req.planned_state);
      if (planned === null) return { new_state: dv(null) }; // destroyed
      const seed = `${req.type_name}:${req.planned_state?.msgpack?.toString("base64") ?? ""}:${req.config?.msgpack?.toString("base64") ?? ""}`;
      return { new_state: dv(fillUnknowns(blockType(block), planned, { typeName: req.type_name, seed })), private: req.planned_private ?? Buffer.alloc(0) };
    }),
    ImportResourceState: unary("ImportResourceState", "diagnostics", (req) => {
      const block = lookup(resources, "resource", req.type_name);
      const idAttr = block.attributes?.id;
      // The import id, as the schema types `id` (a number for TrueNAS resources); the rest is null
      // unless the live fixture has the object (Terraform then reads it with ReadResource, which
      // answers from the same fixture).
      const id = idAttr ? conform(attributeType(idAttr), req.id, `import id of ${req.type_name}`) : undefined;
      const state = nullObject(block, idAttr ? { id } : {});
      Object.assign(state, liveResource(live(), req.type_name, block, req.id));
      return { imported_resources: [{ type_name: req.type_name, state: dv(nullWriteOnly(block, state)) }] };
    }),
    ReadDataSource: unary("ReadDataSource", "diagnostics", (req) => {
      const block = lookup(dataSources, "data source", req.type_name);
      const config = msgpackOf(req.config);
      // The live fixture's values for a matching entry first; every computed attribute still null
      // gets a placeholder of its type.
      const found = config && typeof config === "object" ? liveDataSource(live(), req.type_name, block, config as Record<string, unknown>) : undefined;
      const read = found ? { ...(config as Record<string, unknown>), ...found } : config;
      return { state: dv(fillComputedNulls(block, read, { typeName: req.type_name, seed: req.type_name + JSON.stringify(config) })) };
    }),
    OpenEphemeralResource: unary("OpenEphemeralResource", "diagnostics", (req) => {
      const block = lookup(ephemeral, "ephemeral resource", req.type_name);
      const config = msgpackOf(req.config);
      return { result: dv(fillComputedNulls(block, config, { typeName: req.type_name, seed: req.type_name })) };
    }),
    RenewEphemeralResource: unary("RenewEphemeralResource", "diagnostics", () => ({})),
    CloseEphemeralResource: unary("CloseEphemeralResource", "diagnostics", () => ({})),
    GetFunctions: unary("GetFunctions", "diagnostics", () => ({})),
    StopProvider: unary("StopProvider", "Error", () => ({})),
  };
}

// ---------------------------------------------------------------------------------------------
// go-plugin services

function pluginServices(server: grpc.Server, onShutdown: () => void, log: ProviderLog): void {
  const p = loadProtos();
  server.addService(p.controller, {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      log("Shutdown");
      cb(null, {});
      onShutdown();
    },
  });
  server.addService(p.broker, {
    // Terraform opens the broker stream on every connection; providers never broker anything.
    StartStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.on("data", () => {});
      call.on("end", () => call.end());
      call.on("error", () => {});
    },
  });
  server.addService(p.stdio, {
    // Held open and never written to: the provider logs to stderr, which go-plugin reads itself.
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.on("cancelled", () => call.end());
      call.on("error", () => {});
    },
  });
  server.addService(p.health, {
    Check: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, { status: 1 }),
  });
}

function bind(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port))));
}

// ---------------------------------------------------------------------------------------------
// Plugin mode (started by Terraform)

export interface ServePluginOptions {
  provider: LoadedProvider;
  table: ReplaceTable;
  env?: NodeJS.ProcessEnv;
  log?: ProviderLog;
  /** The live fixture file (live.ts); default: none. */
  liveFile?: string;
}

/** Serve one provider as a go-plugin plugin: handshake on stdout, exit on Shutdown. */
export async function servePlugin(opts: ServePluginOptions): Promise<void> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      "This binary is a plugin (the homelab-cdktf schema-serving provider). It is not meant to be executed directly:\n" +
        "Terraform starts it through a CLI configuration with dev_overrides. See docs/validate.md.\n",
    );
    process.exit(1);
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? "6").split(",").map((s) => s.trim());
  if (!versions.includes("6")) {
    process.stderr.write(`schema-provider speaks plugin protocol 6 only; Terraform offered ${versions.join(",")}\n`);
    process.exit(1);
  }
  const p = loadProtos();
  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024 });
  const socketDir = mkdtempSync(join(env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), "plugin"));
  const socket = join(socketDir, "provider.sock");
  const cleanup = () => rmSync(socketDir, { recursive: true, force: true });
  server.addService(p.provider, providerImplementation(opts.provider, opts.table, log, { live: liveSource(opts.liveFile) }));
  pluginServices(
    server,
    () => {
      server.forceShutdown();
      cleanup();
      setImmediate(() => process.exit(0));
    },
    log,
  );
  let creds = grpc.ServerCredentials.createInsecure();
  let certField = "";
  const clientCert = env.PLUGIN_CLIENT_CERT;
  if (clientCert) {
    const cert = makeServerCert();
    creds = grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }], true);
    certField = cert.handshakeCert;
  }
  await bind(server, `unix://${socket}`, creds);
  process.on("exit", cleanup);
  // go-plugin reads exactly this line first: core version | app protocol | network | address | protocol | cert
  process.stdout.write(`1|6|unix|${socket}|grpc|${certField}\n`);
}

// ---------------------------------------------------------------------------------------------
// Reattach mode (one long-lived process, several providers)

export interface ReattachServers {
  /** The value for TF_REATTACH_PROVIDERS. */
  reattach: string;
  close(): Promise<void>;
}

export async function startReattachServers(
  providers: LoadedProvider[],
  table: ReplaceTable,
  log: ProviderLog = () => {},
  opts: { liveFile?: string } = {},
): Promise<ReattachServers> {
  const p = loadProtos();
  const live = liveSource(opts.liveFile);
  const dir = mkdtempSync(join(tmpdir(), "schema-provider-"));
  const servers: grpc.Server[] = [];
  const config: Record<string, unknown> = {};
  try {
    for (const provider of providers) {
      const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024 });
      server.addService(p.provider, providerImplementation(provider, table, (l) => log(`${provider.type}: ${l}`), { live }));
      pluginServices(server, () => {}, log); // Terraform never shuts down a "Test" provider; ignore if it asks
      const socket = join(dir, `${provider.type}-${randomBytes(3).toString("hex")}.sock`);
      await bind(server, `unix://${socket}`, grpc.ServerCredentials.createInsecure());
      servers.push(server);
      config[provider.fqpn] = { Protocol: "grpc", ProtocolVersion: 6, Pid: process.pid, Test: true, Addr: { Network: "unix", String: socket } };
    }
  } catch (e) {
    for (const s of servers) s.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    reattach: JSON.stringify(config),
    close: async () => {
      // forceShutdown: the go-plugin stdio/broker streams of a finished Terraform run may linger.
      for (const s of servers) s.forceShutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
