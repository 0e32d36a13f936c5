import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSchemas } from "../../tools/schema-provider/main";
import type { LoadedProvider } from "../../tools/schema-provider/schema";
import { findTerraform, REPO_ROOT, type TerraformBinary } from "../../tools/schema-provider/validate";

export const FIXTURES = join(__dirname, "fixtures");

/** Terraform on PATH, or the reason tests that need it are skipped (printed once, visibly). */
export const terraform: TerraformBinary | undefined = (() => {
  const tf = findTerraform();
  if ("error" in tf) {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED: Terraform-backed validate tests: ${tf.error}`);
    return undefined;
  }
  return tf;
})();

/** `describe`, or `describe.skip` when terraform is missing. */
export const describeWithTerraform = terraform ? describe : describe.skip;

/** The committed schemas (schemas/*.json), exactly what npm run validate uses. */
export function repoSchemas(): Map<string, LoadedProvider> {
  return loadSchemas([join(REPO_ROOT, "schemas")]);
}

export type Json = Record<string, any>;

/**
 * A copy of a fixture stack directory as a synth output (`<out>/stacks/<name>/cdk.tf.json`),
 * after `edit` has changed its JSON. Returns the outdir.
 */
export function fixtureOutdir(fixture: string, edit: (doc: Json) => void = () => {}, name = fixture): string {
  const out = mkdtempSync(join(tmpdir(), "validate-fixture-"));
  const dir = join(out, "stacks", name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  const file = join(dir, "cdk.tf.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as Json;
  edit(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return out;
}

export function editJson(file: string, edit: (doc: Json) => void): void {
  const doc = JSON.parse(readFileSync(file, "utf8")) as Json;
  edit(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

export function rm(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
