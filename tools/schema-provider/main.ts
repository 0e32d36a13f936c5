#!/usr/bin/env node
/**
 * Entry point of the schema-serving provider.
 *
 *   main.ts --provider registry.terraform.io/bpg/proxmox   plugin mode: what Terraform runs
 *                                                          (through a dev_overrides wrapper)
 *   main.ts --reattach                                     serve every schema from one process
 *                                                          and print TF_REATTACH_PROVIDERS
 * Options: --schemas <dir|file> (repeatable; default: the repository's schemas/ directory, or
 * the path list in SCHEMA_PROVIDER_SCHEMAS), --log <file> (RPC trace), --live <file> (the "live
 * system" fixture reads and imports answer from, see live.ts; default SCHEMA_PROVIDER_LIVE_FILE).
 */
import { appendFileSync, statSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import { LIVE_FILE_ENV } from "./live";
import { fqpnOf, type LoadedProvider, loadSchemaDir, loadSchemaFiles } from "./schema";
import { loadReplaceTable, servePlugin, startReattachServers } from "./server";

export function loadSchemas(paths: string[]): Map<string, LoadedProvider> {
  const out = new Map<string, LoadedProvider>();
  for (const p of paths) {
    const loaded = statSync(p).isDirectory() ? loadSchemaDir(p) : loadSchemaFiles([p]);
    for (const [k, v] of loaded) out.set(k, v);
  }
  return out;
}

export function defaultSchemaPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.SCHEMA_PROVIDER_SCHEMAS) return env.SCHEMA_PROVIDER_SCHEMAS.split(delimiter).filter(Boolean);
  return [resolve(__dirname, "..", "..", "schemas")];
}

async function main(argv: string[]): Promise<void> {
  const schemaPaths: string[] = [];
  let provider: string | undefined;
  let reattach = false;
  let logFile: string | undefined = process.env.SCHEMA_PROVIDER_LOG;
  let liveFile: string | undefined = process.env[LIVE_FILE_ENV] || undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--schemas") schemaPaths.push(argv[++i]!);
    else if (a === "--provider") provider = argv[++i];
    else if (a === "--reattach") reattach = true;
    else if (a === "--log") logFile = argv[++i];
    else if (a === "--live") liveFile = resolve(argv[++i]!);
    else {
      process.stderr.write(`schema-provider: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  const log = logFile ? (l: string) => appendFileSync(logFile!, `${new Date().toISOString()} ${process.pid} ${l}\n`) : () => {};
  const schemas = loadSchemas(schemaPaths.length ? schemaPaths : defaultSchemaPaths());
  const table = loadReplaceTable();
  if (reattach) {
    const servers = await startReattachServers([...schemas.values()], table, log, { liveFile });
    process.stdout.write(`${servers.reattach}\n`);
    process.stderr.write(`schema-provider: serving ${[...schemas.keys()].join(", ")}; export TF_REATTACH_PROVIDERS='<the line above>'. Ctrl-C to stop.\n`);
    const stop = () => servers.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    return;
  }
  if (!provider) {
    process.stderr.write("schema-provider: --provider <address> is required in plugin mode\n");
    process.exit(2);
  }
  const wanted = provider.includes("/") ? fqpnOf(provider) : provider;
  const found = schemas.get(wanted) ?? [...schemas.values()].find((p) => p.type === wanted);
  if (!found) {
    process.stderr.write(`schema-provider: no schema for ${provider} in ${(schemaPaths.length ? schemaPaths : defaultSchemaPaths()).join(", ")}\n`);
    process.exit(1);
  }
  // go-plugin relays SIGINT to the whole process group; Terraform stops plugins through Shutdown.
  process.on("SIGINT", () => {});
  await servePlugin({ provider: found, table, log, liveFile });
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`schema-provider: ${(e as Error).stack}\n`);
    process.exit(1);
  });
}
