/**
 * Whether the loaded schemas can serve a Terraform configuration: every provider it requires has
 * a schema, and a provider pinned to an exact version has the schema of that version.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fqpnOf, type LoadedProvider } from "./schema";

type RequiredProviders = Record<string, { source?: string; version?: string } | string>;

/** Providers a Terraform JSON configuration (`<dir>/<file>`) requires: FQPN -> version constraint as written. */
export function requiredProviders(dir: string, file = "cdk.tf.json"): Map<string, string | undefined> {
  const doc = JSON.parse(readFileSync(join(dir, file), "utf8")) as { terraform?: { required_providers?: RequiredProviders } };
  const out = new Map<string, string | undefined>();
  for (const [name, req] of Object.entries(doc.terraform?.required_providers ?? {})) {
    if (typeof req === "string") out.set(fqpnOf(name), req);
    else out.set(fqpnOf(req.source ?? name), req.version);
  }
  return out;
}

/** Problems with the schemas available for a configuration's providers (missing, or a pinned version we don't have). */
export function schemaProblems(dir: string, schemas: Map<string, LoadedProvider>, file = "cdk.tf.json"): string[] {
  const problems: string[] = [];
  for (const [fqpn, constraint] of requiredProviders(dir, file)) {
    if (fqpn.startsWith("terraform.io/builtin/")) continue;
    const s = schemas.get(fqpn);
    if (!s) {
      problems.push(`no schema for provider ${fqpn}: add schemas/<type>@<version>.json (terraform providers schema -json output with a provider_versions map)`);
      continue;
    }
    const exact = constraint ? /^\s*=?\s*v?(\d+\.\d+\.\d+\S*)\s*$/.exec(constraint)?.[1] : undefined;
    if (exact && s.version && exact !== s.version) {
      problems.push(`provider ${fqpn} is pinned to ${exact} but the schema in ${s.file} is from ${s.version}: refresh the schema file`);
    }
  }
  return problems;
}
