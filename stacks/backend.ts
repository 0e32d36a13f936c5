import { InvalidInputError } from "../constructs/errors";
import { LocalBackend, PgBackend, S3Backend, type TerraformStack } from "../lib/cdktf";

/**
 * Where Terraform keeps each stack's state. Chosen from the environment at synth, so the same
 * code deploys from a laptop (local files) or from CI (a shared backend):
 *
 * - `HOMELAB_STATE_BACKEND=local` (default): `terraform.<stack>.tfstate` in the project root
 *   (git-ignored; back it up: it maps Terraform's addresses to the real VMs and datasets).
 * - `HOMELAB_STATE_BACKEND=pg`: PostgreSQL, one schema per stack. `HOMELAB_PG_CONN_STR` without a
 *   password (`postgres://terraform@nas.lan/terraform_state?sslmode=require`); the password comes
 *   from `PGPASSWORD` when Terraform runs, so it is never written into cdk.tf.json.
 * - `HOMELAB_STATE_BACKEND=s3`: any S3-compatible store (MinIO, Garage, Ceph RGW, AWS).
 *   `HOMELAB_S3_BUCKET`, optional `HOMELAB_S3_ENDPOINT` and `HOMELAB_S3_REGION`; keys come from
 *   `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` when Terraform runs.
 */
export type BackendChoice =
  | { readonly kind: "local" }
  | { readonly kind: "pg"; readonly connStr: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly endpoint?: string; readonly region: string };

export function backendFromEnv(env: NodeJS.ProcessEnv): BackendChoice {
  const kind = env.HOMELAB_STATE_BACKEND ?? "local";
  switch (kind) {
    case "local":
      return { kind };
    case "pg": {
      const connStr = required(env, "HOMELAB_PG_CONN_STR", kind);
      // user:password@ in a URL, or password= in a keyword/value string.
      if (/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(connStr) || /(^|\s)password\s*=/i.test(connStr)) {
        throw new InvalidInputError(["HOMELAB_PG_CONN_STR: contains a password, which would be written into cdk.tf.json (allowed: a connection string without password; set PGPASSWORD when running terraform)"]);
      }
      return { kind, connStr };
    }
    case "s3":
      return { kind, bucket: required(env, "HOMELAB_S3_BUCKET", kind), endpoint: env.HOMELAB_S3_ENDPOINT, region: env.HOMELAB_S3_REGION ?? "us-east-1" };
    default:
      throw new InvalidInputError([`HOMELAB_STATE_BACKEND: unknown backend (got ${JSON.stringify(kind)}; allowed: local, pg, s3)`]);
  }
}

export function applyBackend(stack: TerraformStack, choice: BackendChoice): void {
  const name = stack.node.id;
  switch (choice.kind) {
    case "local":
      // Relative to cdktf.out/stacks/<stack>, where terraform runs: the state lands in the
      // project root (as cdktf's default does) without writing this machine's absolute path.
      new LocalBackend(stack, { path: `../../../terraform.${name}.tfstate` });
      return;
    case "pg":
      new PgBackend(stack, { connStr: choice.connStr, schemaName: name.replace(/-/g, "_") });
      return;
    case "s3":
      new S3Backend(stack, {
        bucket: choice.bucket,
        key: `homelab-cdktf/${name}.tfstate`,
        region: choice.region,
        ...(choice.endpoint === undefined ? {} : {
          endpoints: { s3: choice.endpoint },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipRegionValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: true,
          skipS3Checksum: true,
        }),
      });
      return;
  }
}

function required(env: NodeJS.ProcessEnv, name: string, backend: string): string {
  const value = env[name];
  if (!value) throw new InvalidInputError([`${name}: not set (got nothing; allowed: a value, required by HOMELAB_STATE_BACKEND=${backend})`]);
  return value;
}
