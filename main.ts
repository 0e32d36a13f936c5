/**
 * The CDKTF app: `npx cdktf synth` runs this. Everything, the capacity budgets included, is checked
 * while the stacks are built; only then does `app.synth()` write cdktf.out/, so a bad inventory
 * writes nothing. A refusal prints the project's own message block and exits 1, without a stack
 * trace (`HOMELAB_DEBUG=1` brings traces back); anything else is a bug and keeps its trace.
 */
import fs from "node:fs";
import path from "node:path";
import { CapacityError, CapacityInputError, explain, renderConsoleTable, renderMarkdown, renderSvg } from "./capacity";
import { InvalidInputError } from "./constructs/errors";
import type { Homelab } from "./inventory/types";
import { App } from "./lib/cdktf";
import { backendFromEnv } from "./stacks/backend";
import { buildHomelab } from "./stacks/homelab-app";

// The data-holder ledger (see README, "Nothing holding data is destroyed by an edit"): read it,
// refuse a synth that drops a recorded data holder, record the new ones after a good synth.
const ledgerFile = process.env.HOMELAB_DATA_HOLDER_LEDGER ?? path.join(__dirname, "inventory", "homelab.data-holders.json");

function main(): void {
  // Loaded here, not imported: a bad value in the inventory module is a refusal like any other.
  const { homelab } = require("./inventory/homelab") as { homelab: Homelab };
  const recorded = fs.existsSync(ledgerFile) ? (JSON.parse(fs.readFileSync(ledgerFile, "utf8")) as { dataHolders: string[] }).dataHolders : [];

  // No construct stack traces in metadata, no source maps: cdktf records a stack trace for every
  // token it creates, and under tsx each one cost a source-map lookup (~100 ms per synth).
  const app = new App({ stackTraces: false });
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
}

/** The user's mistake: the project's own message block, nothing else. */
function refusal(e: unknown): string | undefined {
  if (e instanceof CapacityError) {
    return `${renderConsoleTable(e.reports)}\n\n${e.reports.filter((r) => r.verdict === "error").map(explain).join("\n\n")}`;
  }
  if (e instanceof InvalidInputError || e instanceof CapacityInputError) return e.message;
  return undefined;
}

try {
  main();
} catch (e) {
  const message = refusal(e);
  if (message === undefined || process.env.HOMELAB_DEBUG) throw e;
  process.stderr.write(`synth refused: nothing was written.\n${message}\n`);
  process.exit(1);
}
