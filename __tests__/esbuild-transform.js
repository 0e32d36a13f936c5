/**
 * Jest transform: the TypeScript sources through esbuild's transformSync (type stripping only, as
 * tsx and the synth bundle do; type checking is `npm run typecheck`), about 20x faster than
 * ts-jest. The compiler options that change the emitted JavaScript come from tsconfig.json.
 *
 * It also applies scripts/cdktf-patches.js to the cdktf files it rewrites (jest.config.js lets them
 * through transformIgnorePatterns): cdktf formats a stack trace for every token it creates, which
 * under jest goes through source maps frame by frame (formatted on first read instead, a test that
 * builds the homelab takes half the time), and runs `terraform version` for every terraform_data
 * resource and import block (once per binary instead).
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");
const { isPatched, patchCdktfSource } = require("../scripts/cdktf-patches");

const root = path.join(__dirname, "..");
const tsconfig = fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
// Shared with the synth bundle (scripts/app.js): `terraform version` outputs by binary.
const versionCache = path.join(root, "node_modules", ".cache", "homelab-cdktf", "binary-versions.json");
// Anything that changes the output invalidates jest's transform cache.
const salt = crypto.createHash("sha1")
  .update(fs.readFileSync(__filename))
  .update(fs.readFileSync(path.join(root, "scripts", "cdktf-patches.js")))
  .update(tsconfig)
  .update(esbuild.version)
  .digest("hex");

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return crypto.createHash("sha1").update(salt).update("\0").update(sourcePath).update("\0").update(sourceText).digest("hex");
  },
  process(sourceText, sourcePath) {
    if (isPatched(sourcePath)) return { code: patchCdktfSource(sourcePath, sourceText, { versionCache }) ?? sourceText };
    const { code, map } = esbuild.transformSync(sourceText, {
      loader: sourcePath.endsWith(".tsx") ? "tsx" : "ts",
      format: "cjs",
      platform: "node",
      target: "node20",
      sourcemap: "external",
      sourcefile: sourcePath,
      sourcesContent: false,
      tsconfigRaw: tsconfig,
    });
    return { code, map };
  },
};
