/**
 * The imports file beside an inventory (`inventory/<homelab>.imports.json`, committed, written by
 * `npm run discover`): what already exists on Proxmox and TrueNAS, by Terraform address, with the
 * id each provider's import takes:
 *
 *   { "<stack id>": { "<Terraform resource address>": "<import id>", ... }, ... }
 *
 * Synth turns each entry whose address its stack declares into an `import` block
 * (`addImportBlock`, constructs/state-blocks.ts): the next plan says "N to import" instead of
 * creating a duplicate or failing on one that exists. An import block for something already in the
 * state is a no-op, so entries stay.
 */
import fs from "node:fs";
import { InvalidInputError } from "../constructs/errors";

export type ImportsFile = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Reads an imports file; `{}` when there is none. A malformed one is a refusal naming the file. */
export function readImportsFile(file: string): ImportsFile {
  if (!fs.existsSync(file)) return {};
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new InvalidInputError([`${file}: not JSON (got ${JSON.stringify((e as Error).message)}; allowed: { "<stack>": { "<address>": "<id>" } }, as npm run discover writes it)`]);
  }
  const ok = typeof data === "object" && data !== null && !Array.isArray(data)
    && Object.values(data).every((s) => typeof s === "object" && s !== null && !Array.isArray(s) && Object.values(s).every((id) => typeof id === "string" && id !== ""));
  if (!ok) throw new InvalidInputError([`${file}: not an imports file (got ${JSON.stringify(typeof data)}; allowed: { "<stack>": { "<address>": "<id>" } }, ids as non-empty strings)`]);
  return data as ImportsFile;
}
