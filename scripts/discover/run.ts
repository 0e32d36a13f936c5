/**
 * `npm run discover`: reads what exists on Proxmox and TrueNAS (read-only), prints what the
 * inventory declares with found/absent, id and drift, and records the ids in the imports file.
 * Returns the exit code: 0 done, 2 a connection/credentials/TLS/usage problem (one line on stderr).
 */
import path from "node:path";
import { homelab as shipped } from "../../inventory/homelab";
import type { Homelab } from "../../inventory/types";
import type { Finding } from "./drift";
import { InvalidInputError } from "../../constructs/errors";
import { DiscoverError, WriteRefusedError, firstLine } from "./errors";
import { mergeImports, readImportsFile, writeImportsFile } from "./imports-file";
import { discoverProxmox } from "./proxmox";
import { renderTable, summary } from "./table";
import { discoverTrueNAS } from "./truenas";

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const USAGE = "usage: npm run discover -- [--dry-run] [--inventory <module>] [--out <file>] [--truenas <vm name>]";

interface Args { dryRun: boolean; inventory?: string; out?: string; truenas?: string }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new DiscoverError(`${a} needs a value; ${USAGE}`);
      return v;
    };
    if (a === "--dry-run") args.dryRun = true;
    else if (a === "--inventory") args.inventory = value();
    else if (a === "--out") args.out = value();
    else if (a === "--truenas") args.truenas = value();
    else throw new DiscoverError(`unknown argument ${a}; ${USAGE}`);
  }
  return args;
}

/** The inventory module's Homelab: its default export, or its one exported Homelab-shaped value. */
function loadInventory(module: string | undefined): { homelab: Homelab; dir: string } {
  if (module === undefined) {
    return { homelab: shipped, dir: path.join(__dirname, "..", "..", "inventory") };
  }
  const file = path.resolve(module);
  let exports: Record<string, unknown>;
  try { exports = require(file); } catch (e) { throw new DiscoverError(`--inventory ${module}: cannot load it (${firstLine((e as Error).message)})`); }
  const isHomelab = (v: unknown): v is Homelab => typeof v === "object" && v !== null && "truenasVms" in v && "hosts" in v && "name" in v;
  const candidates = [exports.default, ...Object.values(exports)].filter(isHomelab).filter((v, i, all) => all.indexOf(v) === i);
  if (candidates.length !== 1) throw new DiscoverError(`--inventory ${module}: expected one exported Homelab, found ${candidates.length}`);
  return { homelab: candidates[0]!, dir: path.dirname(file) };
}

const yes = (v: string | undefined) => v === "true" || v === "1";

export async function runDiscover(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  try {
    const args = parseArgs(argv);
    const { homelab, dir } = loadInventory(args.inventory);
    const outFile = path.resolve(args.out ?? path.join(dir, `${homelab.name}.imports.json`));
    const existing = readImportsFile(outFile);
    const truenas = env.TRUENAS_ENDPOINT || env.TRUENAS_API_KEY;
    const proxmox = env.PROXMOX_VE_ENDPOINT || env.PROXMOX_VE_API_TOKEN;
    if (!truenas && !proxmox) throw new DiscoverError("nothing to connect to: set TRUENAS_ENDPOINT and TRUENAS_API_KEY, and/or PROXMOX_VE_ENDPOINT and PROXMOX_VE_API_TOKEN");
    const need = (name: string) => env[name] || (() => { throw new DiscoverError(`${name} is not set`); })();

    const findings: Finding[] = [];
    const skipped: string[] = [];
    if (proxmox) {
      findings.push(...await discoverProxmox(homelab, { endpoint: need("PROXMOX_VE_ENDPOINT"), token: need("PROXMOX_VE_API_TOKEN"), insecure: yes(env.PROXMOX_VE_INSECURE) }));
    } else skipped.push("Proxmox not checked (PROXMOX_VE_ENDPOINT not set): its ids in the file are kept");
    if (truenas) {
      findings.push(...await discoverTrueNAS(homelab, { endpoint: need("TRUENAS_ENDPOINT"), apiKey: need("TRUENAS_API_KEY"), insecure: yes(env.TRUENAS_INSECURE), vmName: args.truenas }));
    } else skipped.push("TrueNAS not checked (TRUENAS_ENDPOINT not set): its ids in the file are kept");

    io.out(renderTable(findings));
    io.out("");
    io.out(summary(findings));
    for (const s of skipped) io.out(s);
    const merged = mergeImports(existing, findings);
    const ids = Object.values(merged.file).reduce((n, s) => n + Object.keys(s).length, 0);
    const rel = path.relative(process.cwd(), outFile) || outFile;
    const changes = `${merged.written.length} new or changed, ${merged.dropped.length} dropped (object gone)`;
    if (args.dryRun) io.out(`--dry-run: ${rel} not written (would hold ${ids} ids: ${changes})`);
    else {
      writeImportsFile(outFile, merged.file);
      io.out(`wrote ${rel}: ${ids} ids (${changes})`);
    }
    return 0;
  } catch (e) {
    if (e instanceof DiscoverError || e instanceof WriteRefusedError || e instanceof InvalidInputError) {
      io.err(`discover: ${e.message}`);
      return 2;
    }
    io.err(`discover: unexpected error: ${firstLine((e as Error)?.message ?? String(e))}`);
    return 1;
  }
}
