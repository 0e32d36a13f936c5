/**
 * The CDKTF app: `npx cdktf synth` runs this (through tsx: no type check at synth; `npm run
 * typecheck` does that). Everything, the capacity budgets included, is checked while the stacks are
 * built; only then does `app.synth()` write cdktf.out/, so a bad inventory writes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { explain, renderConsoleTable, renderMarkdown, renderSvg } from "./capacity";
import { homelab } from "./inventory/homelab";
import { App } from "./lib/cdktf";
import { backendFromEnv } from "./stacks/backend";
import { buildHomelab } from "./stacks/homelab-app";

// No construct stack traces in metadata: under tsx each one maps through source maps (~100 ms per synth).
// The data-holder ledger (see README, "Nothing holding data is destroyed by an edit"): read it,
// refuse a synth that drops a recorded data holder, record the new ones after a good synth.
const ledgerFile = process.env.HOMELAB_DATA_HOLDER_LEDGER ?? path.join(__dirname, "inventory", "homelab.data-holders.json");
const recorded = fs.existsSync(ledgerFile) ? (JSON.parse(fs.readFileSync(ledgerFile, "utf8")) as { dataHolders: string[] }).dataHolders : [];

// No construct stack traces in metadata: under tsx each one maps through source maps (~100 ms per synth).
const app = new App({ stackTraces: false });
// cdktf records a full stack trace for every token it creates; with tsx's source maps on, each
// costs a source-map lookup (~100 ms per synth). Error messages here say what is wrong without them.
process.setSourceMapsEnabled(false);
const built = buildHomelab(app, homelab, { backend: backendFromEnv(process.env), recordedDataHolders: recorded });
app.synth();

if (JSON.stringify(recorded) !== JSON.stringify(built.dataHolders)) {
  fs.writeFileSync(ledgerFile, `${JSON.stringify({
    "//": "Written by synth: every dataset (and Terraform-created pool) the inventory declares. Commit it. A holder removed from the inventory without retiring it stops synth. Delete a line by hand only for something never deployed.",
    dataHolders: built.dataHolders,
  }, null, 2)}\n`);
  console.log(`data-holder ledger updated: ${path.relative(process.cwd(), ledgerFile)} (commit it)`);
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
