import { TerraformStack, Testing } from "../../lib/cdktf";
import { applyBackend, backendFromEnv } from "../../stacks/backend";
import { synth } from "../helpers";

function backendJson(env: NodeJS.ProcessEnv) {
  const stack = new TerraformStack(Testing.app(), "prod-storage");
  applyBackend(stack, backendFromEnv(env));
  return synth(stack).terraform!.backend;
}

describe("state backend from the environment", () => {
  test("defaults to a local file in the project root, with no machine-specific path", () => {
    expect(backendJson({})).toEqual({ local: { path: "../../../terraform.prod-storage.tfstate" } });
  });

  test("pg: one schema per stack, connection string without password", () => {
    expect(backendJson({ HOMELAB_STATE_BACKEND: "pg", HOMELAB_PG_CONN_STR: "postgres://terraform@nas.lan/tfstate?sslmode=require" }))
      .toEqual({ pg: { conn_str: "postgres://terraform@nas.lan/tfstate?sslmode=require", schema_name: "prod_storage" } });
  });

  test("s3-compatible: path-style with a custom endpoint, keys only from the environment at apply", () => {
    const b = backendJson({ HOMELAB_STATE_BACKEND: "s3", HOMELAB_S3_BUCKET: "tfstate", HOMELAB_S3_ENDPOINT: "https://minio.lan:9000" });
    expect(b.s3).toMatchObject({ bucket: "tfstate", key: "homelab-cdktf/prod-storage.tfstate", region: "us-east-1", endpoints: { s3: "https://minio.lan:9000" }, use_path_style: true });
    expect(JSON.stringify(b)).not.toMatch(/access_key|secret_key/);
  });

  test.each<[string, NodeJS.ProcessEnv, string]>([
    ["an unknown backend", { HOMELAB_STATE_BACKEND: "consul" }, `HOMELAB_STATE_BACKEND: unknown backend (got "consul"; allowed: local, pg, s3)`],
    ["pg without a connection string", { HOMELAB_STATE_BACKEND: "pg" }, "HOMELAB_PG_CONN_STR: not set (got nothing; allowed: a value, required by HOMELAB_STATE_BACKEND=pg)"],
    ["a password in a pg URL", { HOMELAB_STATE_BACKEND: "pg", HOMELAB_PG_CONN_STR: "postgres://tf:hunter2@nas/db" }, "HOMELAB_PG_CONN_STR: contains a password"],
    ["a password in a pg keyword string", { HOMELAB_STATE_BACKEND: "pg", HOMELAB_PG_CONN_STR: "host=nas password=hunter2" }, "HOMELAB_PG_CONN_STR: contains a password"],
    ["s3 without a bucket", { HOMELAB_STATE_BACKEND: "s3" }, "HOMELAB_S3_BUCKET: not set"],
  ])("rejects %s", (_name, env, message) => {
    expect(() => backendFromEnv(env)).toThrow(message);
  });
});
