/**
 * The imports file beside an inventory (`inventory/homelab.imports.json`): the ids of objects that
 * already exist, for synth to turn into Terraform `import` blocks. Its shape:
 *
 *   { "<stack id>": { "<Terraform resource address>": "<import id>", ... }, ... }
 *
 * e.g. `{ "prod-storage": { "proxmox_virtual_environment_vm.truenas-primary": "din/300",
 * "truenas_scrub_task.fast": "3" } }`. Addresses come from
 * `resourceAddress` (./addresses.ts); ids are strings in the form each provider's import takes.
 * Only what discovery found is in it. Keys are sorted at every level, so a re-run that finds the
 * same things writes the same bytes. The file can hold ids of objects a stack does not contain yet
 * (replication held while its target is offline): synth imports only addresses its stack has.
 */
import fs from "node:fs";
import path from "node:path";
import type { ImportsFile } from "../../stacks/imports";
import type { Finding } from "./drift";

export { readImportsFile, type ImportsFile } from "../../stacks/imports";

export interface MergeResult {
  readonly file: ImportsFile;
  /** `<stack> <address>`: new or changed ids, and ids dropped because the object is gone. */
  readonly written: string[];
  readonly dropped: string[];
}

/**
 * The existing file with this run's findings: found ids set, ids of objects found absent removed;
 * objects not checked (or that could not be) keep what the file had.
 */
export function mergeImports(existing: ImportsFile, findings: readonly Finding[]): MergeResult {
  const file: Record<string, Record<string, string>> = JSON.parse(JSON.stringify(existing));
  const written: string[] = [];
  const dropped: string[] = [];
  for (const f of findings) {
    if (!f.address) continue;
    const stack = (file[f.stack] ??= {});
    if (f.status === "found" && f.id !== undefined) {
      if (stack[f.address] !== f.id) written.push(`${f.stack} ${f.address}`);
      stack[f.address] = f.id;
    } else if (f.status === "absent" && f.address in stack) {
      delete stack[f.address];
      dropped.push(`${f.stack} ${f.address}`);
    }
    if (Object.keys(stack).length === 0) delete file[f.stack];
  }
  return { file, written, dropped };
}

/** Sorted keys at both levels, two-space indent, final newline. */
export function serializeImports(file: ImportsFile): string {
  const sorted = Object.fromEntries(Object.keys(file).sort().map((stack) => [stack, Object.fromEntries(Object.keys(file[stack]!).sort().map((a) => [a, file[stack]![a]!]))]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

export function writeImportsFile(file: string, data: ImportsFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, serializeImports(data));
  fs.renameSync(tmp, file);
}
