#!/usr/bin/env node
// Generates the bpg/proxmox and truenas/truenas bindings from the schema files committed in
// schemas/, with no network: `cdktf get` reads `schemas/<name>@<version>.json` as its
// provider-schema cache (the file name must match the constraint in cdktf.json exactly).
// Runs on `npm ci` (postinstall) and `npm run get`. Generated code is never committed.
//
//   node scripts/generate-bindings.js [outDir]     (default: .gen, cdktf.json's codeMakerOutput)
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
const defaultOut = path.join(root, cdktfJson.codeMakerOutput);
const outDir = process.argv[2] ? path.resolve(process.argv[2]) : defaultOut;

/** `bpg/proxmox@0.111.1` -> `proxmox@0.111.1.json`: the cache file name `cdktf get` looks for. */
const schemaFileName = (constraint) => {
  const [source, version] = constraint.split("@");
  return `${source.split("/").pop()}@${version}.json`;
};

for (const constraint of cdktfJson.terraformProviders) {
  const file = path.join(root, "schemas", schemaFileName(constraint));
  if (!fs.existsSync(file)) {
    console.error(`generate-bindings: no schema for ${constraint} (expected ${path.relative(root, file)})`);
    process.exit(1);
  }
}

// `cdktf get` writes where cdktf.json says; another output dir needs a scratch project.
let cwd = root;
if (outDir !== defaultOut) {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), "generate-bindings-"));
  fs.writeFileSync(path.join(cwd, "cdktf.json"), JSON.stringify({ ...cdktfJson, codeMakerOutput: outDir }));
  fs.symlinkSync(path.join(root, "node_modules"), path.join(cwd, "node_modules"));
}

const started = Date.now();
const cli = require.resolve("cdktf-cli/bundle/bin/cdktf");
const result = spawnSync(
  process.execPath,
  // --force: cdktf get skips providers whose constraint is unchanged, even when the schema file changed.
  [cli, "get", "--force", "--experimental-provider-schema-cache-path", path.join(root, "schemas")],
  { cwd, env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", FORCE_COLOR: "0" }, encoding: "utf8" },
);
if (result.status !== 0 || !fs.existsSync(path.join(outDir, "versions.json"))) {
  // cdktf echoes terraform's CLI-configuration chatter even on success: show output only on failure.
  process.stderr.write(`${result.stdout}${result.stderr}`);
  console.error(`generate-bindings: cdktf get failed (exit ${result.status})`);
  process.exit(1);
}
// Which schema bytes these bindings were generated from: a test compares it with schemas/ so
// a schema edited without `npm run get` is caught instead of synthesizing with stale bindings.
const digest = Object.fromEntries(cdktfJson.terraformProviders.map((constraint) => {
  const name = schemaFileName(constraint);
  const bytes = fs.readFileSync(path.join(root, "schemas", name));
  return [name, require("node:crypto").createHash("sha256").update(bytes).digest("hex")];
}));
fs.writeFileSync(path.join(outDir, "schema-digest.json"), `${JSON.stringify(digest, null, 2)}\n`);
const versions = JSON.parse(fs.readFileSync(path.join(outDir, "versions.json"), "utf8"));
const list = Object.entries(versions).map(([fqpn, v]) => `${fqpn}@${v}`).join(", ");
console.log(`generate-bindings: ${list} -> ${path.relative(root, outDir) || outDir} in ${Date.now() - started} ms`);
