/**
 * `npm run ledger -- list` prints the ledger (what holds data or serves clients, per stack, and
 * which are retired); `npm run ledger -- forget '<stack>: <label>'` drops a RETIRED holder from it.
 * Run `forget` only after the apply that forgot it (its `removed` block then did its work): until
 * then the ledger keeps the `removed` block in the JSON, so an apply can never destroy it.
 * `HOMELAB_DATA_HOLDER_LEDGER` picks another ledger file. Exit 2 with one line on a bad call.
 */
import fs from "node:fs";
import path from "node:path";
import { parseLedger, serializeLedger, type Ledger } from "../stacks/ledger";
import { isEntry } from "./is-entry";

const USAGE = "usage: npm run ledger -- list | forget '<stack>: <label>' [...]";

export function ledgerCommand(argv: readonly string[], file: string, out: (line: string) => void): number {
  const [command, ...holders] = argv;
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  const ledger: Ledger = parseLedger(text === undefined ? {} : JSON.parse(text));
  if (command === "list" && holders.length === 0) {
    for (const [key, entry] of Object.entries(ledger)) out(`${entry.retired ? "retired " : "active  "} ${key}  (${entry.address})`);
    return 0;
  }
  if (command !== "forget" || holders.length === 0) {
    out(`ledger: ${USAGE}`);
    return 2;
  }
  const next: Record<string, Ledger[string]> = { ...ledger };
  for (const h of holders) {
    const entry = ledger[h];
    if (!entry) {
      out(`ledger: ${JSON.stringify(h)} is not in ${path.relative(process.cwd(), file)} (see npm run ledger -- list)`);
      return 2;
    }
    if (!entry.retired) {
      out(`ledger: ${JSON.stringify(h)} is still managed; retire it in the inventory (storage.retired), synth and apply first`);
      return 2;
    }
    delete next[h];
  }
  fs.writeFileSync(file, serializeLedger(next));
  out(`ledger: forgot ${holders.join(", ")}: its removed block leaves the JSON at the next synth (commit ${path.relative(process.cwd(), file)})`);
  return 0;
}

if (isEntry(__filename)) {
  const file = process.env.HOMELAB_DATA_HOLDER_LEDGER ?? path.join(__dirname, "..", "inventory", "homelab.data-holders.json");
  process.exitCode = ledgerCommand(process.argv.slice(2), file, (l) => console.log(l));
}
