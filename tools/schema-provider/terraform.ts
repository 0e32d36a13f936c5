/**
 * The machine's Terraform binary: which one (TERRAFORM env, else PATH) and whether it is new enough
 * for the schema-serving provider (write-only attributes and plugin protocol 6.8 need >= 1.11).
 */
import { spawnSync } from "node:child_process";

export const MIN_TERRAFORM = [1, 11, 0] as const;

export interface TerraformBinary {
  path: string;
  version: string;
}

const found = new Map<string, TerraformBinary | { error: string }>();

/** The terraform binary to use (TERRAFORM env, else PATH) and its version, or why not (asked once per binary and process). */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): TerraformBinary | { error: string } {
  const bin = env.TERRAFORM || "terraform";
  const key = `${bin}\0${env.PATH ?? ""}`;
  if (!found.has(key)) found.set(key, lookUp(bin, env));
  return found.get(key)!;
}

function lookUp(bin: string, env: NodeJS.ProcessEnv): TerraformBinary | { error: string } {
  const r = spawnSync(bin, ["version", "-json"], { encoding: "utf8", env: { ...env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" } });
  if (r.error || r.status !== 0) {
    return { error: `terraform not found (looked for ${JSON.stringify(bin)} on PATH${r.error ? `: ${(r.error as Error).message}` : ""}). npm run validate needs Terraform >= ${MIN_TERRAFORM.join(".")}: https://developer.hashicorp.com/terraform/install` };
  }
  let version = "";
  try {
    version = (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    version = /v(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] ?? "";
  }
  const parts = version.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    if ((parts[i] ?? 0) > MIN_TERRAFORM[i]!) break;
    if ((parts[i] ?? 0) < MIN_TERRAFORM[i]!) return { error: `terraform ${version} at ${bin} is too old: npm run validate needs >= ${MIN_TERRAFORM.join(".")} (write-only attributes, plugin protocol 6.8)` };
  }
  return { path: bin, version };
}
