/** A stack's throwaway copy, in which Terraform may do anything: the synth output is never touched. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StackDir, TfJson } from "./stacks";

export interface PrepareOptions {
  /**
   * Keep the stack's own backend block (default: removed). Only for tests that prove a real
   * backend against a throwaway server (__tests__/validate/pg-backend.test.ts); npm run validate
   * never keeps it. The copy then needs `terraform init`, and Terraform reads, locks and writes
   * the state that backend names.
   */
  keepBackend?: boolean;
}

/**
 * Copy a stack directory to `dest` and neutralise its state backend there (the default local
 * backend, state in `dest`), so the user's state is never read, locked or written — unless
 * `opts.keepBackend`.
 */
export function prepareStack(stack: StackDir, dest: string, opts: PrepareOptions = {}): string {
  mkdirSync(dest, { recursive: true });
  cpSync(stack.dir, dest, { recursive: true, filter: (src) => !/[/\\]\.terraform([/\\]|$)|\.tfstate(\.backup)?$/.test(src) });
  const file = join(dest, "cdk.tf.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as TfJson;
  if (doc.terraform && !opts.keepBackend) {
    delete doc.terraform.backend;
    delete doc.terraform.cloud;
  }
  writeFileSync(file, JSON.stringify(doc, null, 2));
  // Secrets are variables without default (a real apply must be given them); a plan here gets
  // placeholders of the right type, auto-loaded by Terraform, so no real secret is ever needed.
  const placeholders = Object.fromEntries(
    Object.entries((doc.variable ?? {}) as Record<string, { default?: unknown; type?: string }>)
      .filter(([, v]) => !("default" in v))
      .map(([name, v]) => [name, v.type === "number" ? 0 : v.type === "bool" ? false : "validate-placeholder"]),
  );
  if (Object.keys(placeholders).length > 0) {
    writeFileSync(join(dest, "validate-placeholders.auto.tfvars.json"), JSON.stringify(placeholders, null, 2));
  }
  return dest;
}
