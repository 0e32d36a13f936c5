/**
 * The CDKTF app: `npx cdktf synth` runs this. Everything, the capacity budgets included, is checked
 * while the stacks are built; only then does `app.synth()` write cdktf.out/, so a bad inventory
 * writes nothing. A refusal prints the project's own message block and exits 1, without a stack
 * trace (`HOMELAB_DEBUG=1` brings traces back); anything else is a bug and keeps its trace.
 */
import fs from "node:fs";
import path from "node:path";
import { explain, renderConsoleTable, renderMarkdown, renderSvg } from "./capacity";
import type { Homelab } from "./inventory/types";
import { App } from "./lib/cdktf";
import { backendFromEnv } from "./stacks/backend";
import { buildHomelab } from "./stacks/homelab-app";
import { readImportsFile } from "./stacks/imports";
import { parseLedger, serializeLedger } from "./stacks/ledger";
import { formatRefusal } from "./stacks/refusal";

// The ledger of what holds data or serves clients (stacks/ledger.ts): read it, refuse a synth that
// drops a recorded holder, record what changed after a good synth.
const ledgerFile = process.env.HOMELAB_DATA_HOLDER_LEDGER ?? path.join(__dirname, "inventory", "homelab.data-holders.json");
// What already exists (written by `npm run discover`): imported, not created.
const importsFile = process.env.HOMELAB_IMPORTS_FILE ?? path.join(__dirname, "inventory", "homelab.imports.json");

function main(): void {
  // Loaded here, not imported: a bad value in the inventory module is a refusal like any other.
  const { homelab } = require("./inventory/homelab") as { homelab: Homelab };
  const recordedText = fs.existsSync(ledgerFile) ? fs.readFileSync(ledgerFile, "utf8") : undefined;
  const recorded = parseLedger(recordedText === undefined ? {} : JSON.parse(recordedText));

  // No construct stack traces in metadata, no source maps: cdktf records a stack trace for every
  // token it creates, and under tsx each one cost a source-map lookup (~100 ms per synth).
  const app = new App({ stackTraces: false });
  process.setSourceMapsEnabled(false);
  const built = buildHomelab(app, homelab, { backend: backendFromEnv(process.env), ledger: recorded, imports: readImportsFile(importsFile) });
  app.synth();

  const ledgerText = serializeLedger(built.ledger);
  if (ledgerText !== recordedText) {
    fs.writeFileSync(ledgerFile, ledgerText);
    console.log(`ledger updated: ${path.relative(process.cwd(), ledgerFile)} (commit it)`);
  }

  // Reports beside the stacks: the capacity verdict and the payloads for the manual pool creation.
  fs.writeFileSync(path.join(app.outdir, "capacity.md"), renderMarkdown(built.capacity));
  fs.writeFileSync(path.join(app.outdir, "capacity.svg"), renderSvg(built.capacity));
  const payloadDir = path.join(app.outdir, "truenas");
  fs.mkdirSync(payloadDir, { recursive: true });
  for (const pool of built.pools) {
    fs.writeFileSync(path.join(payloadDir, `pool-create-${pool.name}.json`), `${JSON.stringify(pool.createPayload(), null, 2)}\n`);
  }

  // stdout: cdktf prints it as is (stderr it tags as [ERROR]). Warnings get their explanation.
  console.log(renderConsoleTable(built.capacity));
  for (const report of built.capacity.filter((r) => r.verdict === "warning")) console.log(explain(report));
  for (const s of built.skipped) console.log(`${s.stack}: skipped: ${s.reason}`);
  for (const note of built.notes) console.log(note);
}

try {
  main();
} catch (e) {
  const message = formatRefusal(e);
  if (message === undefined || process.env.HOMELAB_DEBUG) throw e;
  // stderr, exit 1. (The cdktf CLI repeats an app's output once more in its own error frame.)
  process.stderr.write(message);
  process.exit(1);
}
