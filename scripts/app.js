#!/usr/bin/env node
/**
 * The app launcher: what cdktf.json's `app` runs (`node scripts/app.js`), plain JavaScript run by
 * plain `node`, so no TypeScript loader starts on a synth.
 *
 * It bundles the entry (main.ts by default) with esbuild into ONE CommonJS file in
 * node_modules/.cache/homelab-cdktf/ and runs it. The bundle is reused while its inputs are
 * unchanged and rebuilt (about 0.5 s) when any of them changes. The inputs, from esbuild's own
 * list (its metafile: editing a test or a tool does not rebuild the app):
 *
 * - every project file bundled (main.ts, stacks/, constructs/, inventory/, lib/, capacity/, .gen/,
 *   JSON imports), plus tsconfig.json, package.json, package-lock.json, node_modules/.package-lock.json
 *   (what npm installed) and this launcher;
 * - the names of the source files (.ts, .tsx, .js, .json, ...) of every directory from the project
 *   root down to a bundled file: a new file that changes how an import resolves (`foo.tsx` beside
 *   `foo.ts`) rebuilds; a new cdktf.out/ or tfstate does not.
 *
 * How a file is compared (what git does for its index): its stat (size, mtime, ctime, inode) is
 * compared first, and the content (sha-1 of the bytes esbuild bundled) decides whenever the stat
 * differs, or when the file was modified within RACY_MS of the build (a second write in the same
 * timestamp tick keeps the stat). ctime is the key: tools that restore files (tar, rsync -t, cp -p,
 * touch -r) set mtime but cannot set ctime, so an edit that keeps the size and restores the mtime
 * still differs. A touched file is re-hashed, found equal and does not rebuild. Measured on this
 * project's 2-core machine (README "Speed"): stat'ing the ~80 inputs costs ~3 ms a synth, reading
 * and hashing them all ~10 ms; the stat is as safe, the content still decides.
 *
 * node_modules files are not compared one by one: npm rewrites node_modules/.package-lock.json on
 * every install, update or removal (as Vite keys its dependency cache on the lock file). After editing
 * a file inside node_modules by hand, run once with HOMELAB_APP_REBUILD=1.
 *
 * What the bundle changes, and why (measured in README "Speed"):
 * - cdktf, constructs and the provider packages are bundled too: one file to read and compile
 *   instead of ~450 module resolutions and reads.
 * - cdktf/lib/private/fs.js (zip and copy of TerraformAsset, which pulls in `archiver` and ~800 KB of
 *   its dependencies at load) is replaced by a stub that loads the real file from node_modules on
 *   first use, so assets still work (its `archiveSync` re-runs that file as a script, which must not
 *   be the bundle).
 * - cdktf's captureStackTrace (a full stack trace, formatted, for every token: only read to explain a
 *   token that fails to resolve) is captured as before but formatted on first read, and the
 *   `terraform version` its validations run (once per terraform_data or import block) runs once
 *   (scripts/cdktf-patches.js, which the tests use too).
 * - `__dirname`/`__filename` in project files are their source locations, as under tsx.
 * - V8's code cache of the bundle (taken after the first run) is kept beside it.
 * - A stack trace of an error escaping the app is mapped back to the .ts sources (source map).
 *
 * Two synths at once are safe: every file is written to a temporary name and renamed.
 *
 *   node scripts/app.js [entry.ts [args...]]  run the entry (default main.ts) with its arguments
 *   HOMELAB_APP_REBUILD=1                     rebuild even if the inputs are unchanged
 *   HOMELAB_APP_TRACE=1                       print to stderr why it rebuilt and what each step cost
 *
 * `npx tsx main.ts` runs the same app without the bundle (for a debugger).
 */
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const started = process.hrtime.bigint();
const ROOT = path.resolve(__dirname, "..");
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "homelab-cdktf");
const TRACE = Boolean(process.env.HOMELAB_APP_TRACE);
/** Bump when the manifest's shape or the build settings change. */
const FORMAT = 2;
/** A file modified this close to the build is compared by content on every run (see above). */
const RACY_MS = 3000;
/** Extensions esbuild resolves an import to (its default order and more): a new one can change a resolution. */
const SOURCE_EXTENSIONS = new Set([".tsx", ".ts", ".jsx", ".js", ".css", ".json", ".mts", ".cts", ".mjs", ".cjs"]);
/** Inputs of every bundle, wherever it imports from. */
const GLOBAL_INPUTS = ["tsconfig.json", "package.json", "package-lock.json", "node_modules/.package-lock.json", rel(__filename), rel(path.join(__dirname, "cdktf-patches.js"))];
const LOADERS = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".js": "js", ".cjs": "js", ".mjs": "js", ".jsx": "jsx", ".json": "json" };

function trace(what) {
  if (TRACE) process.stderr.write(`app.js: ${what} (${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms)\n`);
}
function sha1(data) {
  return require("node:crypto").createHash("sha1").update(data).digest("hex");
}
function rel(abs) {
  return path.relative(path.resolve(__dirname, ".."), abs).split(path.sep).join("/");
}
const isDependency = (relPath) => /(^|\/)node_modules\//.test(relPath);
const statOf = (abs) => fs.statSync(abs, { throwIfNoEntry: false });
const sameStat = (st, [, size, mtimeMs, ctimeMs, ino]) => st.size === size && st.mtimeMs === mtimeMs && st.ctimeMs === ctimeMs && st.ino === ino;
const isRacy = (st, at) => (at - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS ? 1 : 0);

/** A manifest record of a file: [path, size, mtimeMs, ctimeMs, ino, sha1, racy] (size -1: absent). */
function fileRecord(file, st, hash, at) {
  return st ? [file, st.size, st.mtimeMs, st.ctimeMs, st.ino, hash, isRacy(st, at)] : [file, -1, 0, 0, 0, "", 0];
}

/** Names of the files in `dir` that an import could resolve to, hashed (undefined if `dir` is gone). */
function listingHash(dir) {
  let names;
  try {
    names = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => !d.isDirectory() && SOURCE_EXTENSIONS.has(path.extname(d.name))).map((d) => d.name);
  } catch {
    return undefined;
  }
  return sha1(names.sort().join("\n"));
}

/**
 * Compares the recorded inputs with the files: returns why the bundle is stale, or undefined. Stat
 * records of files found touched but equal are refreshed in place (`manifest.refreshed` set).
 */
function staleness(manifest) {
  if (!manifest || manifest.format !== FORMAT || manifest.root !== ROOT) return "no earlier build";
  const now = Date.now();
  for (let i = 0; i < manifest.files.length; i++) {
    const record = manifest.files[i];
    const [file, size, , , , hash, racy] = record;
    const abs = path.join(ROOT, file);
    const st = statOf(abs);
    if (!st || size === -1) {
      if (!st && size === -1) continue;
      return `${file} ${st ? "appeared" : "is gone"}`;
    }
    const same = sameStat(st, record);
    if (same && !racy) continue;
    let bytes;
    try {
      bytes = fs.readFileSync(abs);
    } catch {
      return `${file} is gone`;
    }
    if (sha1(bytes) !== hash) return `${file} changed`;
    if (!same || racy !== isRacy(st, now)) {
      manifest.files[i] = fileRecord(file, st, hash, now);
      manifest.refreshed = true;
    }
  }
  for (let i = 0; i < manifest.directories.length; i++) {
    const [dir, mtimeMs, hash, racy] = manifest.directories[i];
    const abs = path.join(ROOT, dir);
    const st = statOf(abs);
    if (!st) return `${dir || "."}/ is gone`;
    if (st.mtimeMs === mtimeMs && !racy) continue;
    if (listingHash(abs) !== hash) return `files were added to or removed from ${dir || "."}/`;
    if (st.mtimeMs !== mtimeMs || racy !== isRacy(st, now)) {
      manifest.directories[i] = [dir, st.mtimeMs, hash, isRacy(st, now)];
      manifest.refreshed = true;
    }
  }
  return undefined;
}

let tmpCounter = 0;
/** Writes `data` to `file` atomically (a concurrent synth reads either the old or the new file). */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}-${Date.now()}-${tmpCounter++}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * esbuild plugin: the rewrites listed at the top of this file, and the record of every project file
 * as esbuild reads it (stat taken before the read, hash of the bytes bundled) into `loaded`.
 */
function projectPlugin(loaded) {
  const patches = require("./cdktf-patches");
  return {
    name: "homelab-app",
    setup(build) {
      // cdktf's zip/copy helpers: the real file, loaded from node_modules on first use. Not bundled: its
      // archiveSync runs `node <its own file>`, which must not be the bundle.
      build.onLoad({ filter: patches.PRIVATE_FS }, (args) => ({
        loader: "js",
        contents: [
          '"use strict";',
          `const real = ${JSON.stringify(args.path)};`,
          "let loaded;",
          "const load = () => loaded || (loaded = require(real));",
          ...["copySync", "archiveSync", "hashPath", "findFileAboveCwd"].map((name) => `exports.${name} = (...args) => load().${name}(...args);`),
        ].join("\n"),
      }));
      // cdktf's token creation stacks formatted on first read; `terraform version` run once.
      for (const filter of [patches.STACK_TRACE, patches.BINARY_VERSION]) {
        build.onLoad({ filter }, async (args) => {
          const source = await fs.promises.readFile(args.path, "utf8");
          const versionCache = path.join(CACHE_DIR, "binary-versions.json");
          return { contents: patches.patchCdktfSource(args.path, source, { versionCache }) ?? source, loader: "js" };
        });
      }
      // Project files: recorded, and __dirname/__filename set to the source's location, as under tsx.
      build.onLoad({ filter: /.*/ }, async (args) => {
        const loader = LOADERS[path.extname(args.path)];
        if (args.namespace !== "file" || !loader || /[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const st = await fs.promises.stat(args.path);
        const bytes = await fs.promises.readFile(args.path);
        loaded.set(args.path, { st, hash: sha1(bytes) });
        let contents = bytes.toString("utf8");
        if (loader !== "json" && /\b__(dirname|filename)\b/.test(contents)) {
          // On the first line, so the source map's lines stay right (in place of a shebang, which
          // means nothing inside a bundle and would no longer be first).
          contents = contents.replace(/^#!.*/, "");
          contents = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)}; ${contents}`;
        }
        return { contents, loader };
      });
    },
  };
}

/** Bundles `entry`, writes the bundle, its source map and the manifest; returns the manifest. */
async function build(entry, manifestFile) {
  let esbuild;
  try {
    esbuild = require("esbuild");
  } catch (e) {
    throw new Error(`scripts/app.js needs esbuild (a devDependency): run npm ci (${e.message})`);
  }
  const at = Date.now();
  // Before the build: a change during it is then seen by the next run.
  const globals = GLOBAL_INPUTS.map((file) => {
    const abs = path.join(ROOT, file);
    const st = statOf(abs);
    return fileRecord(file, st, st ? sha1(fs.readFileSync(abs)) : "", at);
  });
  const loaded = new Map();
  const name = path.basename(manifestFile, ".json");
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    outfile: path.join(CACHE_DIR, `${name}.js`),
    sourcemap: "external",
    sourcesContent: false,
    metafile: true,
    logLevel: "silent",
    plugins: [projectPlugin(loaded)],
  }).catch((failure) => {
    // A syntax error or an unresolved import: say where, as tsc would, not where esbuild noticed.
    if (!Array.isArray(failure.errors)) throw failure;
    const where = (m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : "");
    const error = new Error(`the app does not build (esbuild):\n${failure.errors.map((m) => `${where(m)}${m.text}`).join("\n")}`);
    error.stack = `Error: ${error.message}`;
    throw error;
  });
  esbuild.stop?.();
  const code = result.outputFiles.find((f) => f.path.endsWith(".js")).contents;
  const map = result.outputFiles.find((f) => f.path.endsWith(".map")).contents;
  const bundle = `${name}-${sha1(code).slice(0, 16)}.js`;

  const files = [...globals];
  const directories = new Set();
  let dependencies = 0;
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = path.resolve(ROOT, input.replace(/^[a-z-]+:/, ""));
    const file = rel(abs);
    if (isDependency(file)) {
      dependencies++;
      continue;
    }
    if (GLOBAL_INPUTS.includes(file)) continue;
    // Read by the plugin (stat before the read); anything esbuild read itself: now, and racy.
    const seen = loaded.get(abs);
    const record = seen ? fileRecord(file, seen.st, seen.hash, at) : fileRecord(file, statOf(abs), sha1(fs.readFileSync(abs)), Date.now() + RACY_MS);
    files.push(record);
    if (file.startsWith("../")) continue;
    for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
      directories.add(dir === "." ? "" : dir);
      if (dir === ".") break;
    }
  }
  const now = Date.now();
  const manifest = {
    "//": "Written by scripts/app.js: the inputs of the cached bundle. Safe to delete.",
    format: FORMAT,
    root: ROOT,
    entry: rel(entry),
    bundle,
    dependencies,
    files,
    directories: [...directories].sort().map((d) => {
      const abs = path.join(ROOT, d);
      const st = fs.statSync(abs);
      return [d, st.mtimeMs, listingHash(abs), isRacy(st, now)];
    }),
  };
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  writeAtomic(path.join(CACHE_DIR, bundle), code);
  writeAtomic(path.join(CACHE_DIR, `${bundle}.map`), map);
  writeAtomic(manifestFile, JSON.stringify(manifest));
  collectGarbage(path.basename(manifestFile), manifest);
  return manifest;
}

/**
 * Removes what no current manifest of this cache names (earlier bundles, their maps and code
 * caches; manifests of another format, of a checkout that is gone, or superseded; temp files of
 * crashed writes), once it is a minute old: a synth running beside this one may still read it.
 */
function collectGarbage(current, { entry }) {
  const entries = fs.readdirSync(CACHE_DIR);
  const kept = new Set();
  for (const f of entries.filter((e) => e.endsWith(".json"))) {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(CACHE_DIR, f), "utf8"));
      // Another format, the same entry under another name, or a checkout that is gone.
      if (m.format !== FORMAT || (m.root === ROOT && m.entry === entry && f !== current) || !fs.existsSync(m.root)) continue;
      kept.add(f);
      for (const suffix of ["", ".map", ".v8cache"]) kept.add(`${m.bundle}${suffix}`);
    } catch {
      // Unreadable: garbage.
    }
  }
  const minuteAgo = Date.now() - 60_000;
  for (const f of entries) {
    if (kept.has(f)) continue;
    const abs = path.join(CACHE_DIR, f);
    if ((statOf(abs)?.mtimeMs ?? Infinity) < minuteAgo) fs.rmSync(abs, { force: true });
  }
}

/** Rewrites the bundle's frames of `error.stack` to .ts sources, through the source map. */
function mapStack(error, bundleFile) {
  if (!(error instanceof Error) || typeof error.stack !== "string" || !error.stack.includes(bundleFile)) return;
  try {
    const map = new Module.SourceMap(JSON.parse(fs.readFileSync(`${bundleFile}.map`, "utf8")));
    const mapDir = path.dirname(bundleFile);
    const frame = new RegExp(`${bundleFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`, "g");
    error.stack = error.stack.replace(frame, (whole, line, column) => {
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
      if (!entry || !entry.originalSource) return whole;
      const source = path.relative(process.cwd(), path.resolve(mapDir, entry.originalSource));
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
  } catch {
    // The unmapped stack is still right about the bundle.
  }
}

/** Runs the bundle as the main module, with V8's code cache for it when there is one. */
function run(bundleFile) {
  const cacheFile = `${bundleFile}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundleFile, "utf8")), { filename: bundleFile, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // After the run, so the functions the app compiled are in the cache too.
    process.once("exit", () => {
      try {
        writeAtomic(cacheFile, script.createCachedData());
      } catch {
        // No cache: the next run compiles again.
      }
    });
  }
  const mod = new Module(bundleFile, null);
  mod.filename = bundleFile;
  mod.paths = Module._nodeModulePaths(path.dirname(bundleFile));
  const requireFromBundle = Module.createRequire(bundleFile);
  trace(`run ${path.relative(ROOT, bundleFile)} (code cache ${cachedData ? (script.cachedDataRejected ? "rejected" : "used") : "none"})`);
  try {
    script.runInThisContext()(mod.exports, requireFromBundle, mod, bundleFile, path.dirname(bundleFile));
  } catch (error) {
    mapStack(error, bundleFile);
    throw error;
  }
}

async function main() {
  const entry = path.resolve(ROOT, process.argv[2] ?? "main.ts");
  if (!fs.existsSync(entry)) throw new Error(`scripts/app.js: no such entry ${entry}`);
  // The app sees the arguments `tsx <entry> ...` would give it.
  process.argv.splice(1, 2, entry);
  // Per entry and per checkout (a node_modules shared by two checkouts holds both).
  let checkout = 0x811c9dc5; // FNV-1a of the path: no crypto module on the fast path
  for (let i = 0; i < ROOT.length; i++) checkout = Math.imul(checkout ^ ROOT.charCodeAt(i), 0x01000193) >>> 0;
  checkout = checkout.toString(16).padStart(8, "0");
  const manifestFile = path.join(CACHE_DIR, `${rel(entry).replace(/\.[^.]+$/, "").replace(/[^A-Za-z0-9_-]+/g, "_")}.${checkout}.json`);
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  } catch {
    manifest = undefined;
  }
  let stale = process.env.HOMELAB_APP_REBUILD ? "HOMELAB_APP_REBUILD is set" : staleness(manifest);
  let bundleFile = manifest && path.join(CACHE_DIR, manifest.bundle);
  if (!stale && !fs.existsSync(bundleFile)) stale = `${manifest.bundle} is gone`;
  trace(`inputs checked: ${stale ? `rebuild: ${stale}` : `bundle is current${manifest.refreshed ? " (stat records refreshed)" : ""}`}`);
  if (stale) {
    manifest = await build(entry, manifestFile);
    bundleFile = path.join(CACHE_DIR, manifest.bundle);
    trace(`built ${manifest.bundle} from ${manifest.files.length} project files and ${manifest.dependencies} node_modules files`);
  } else if (manifest.refreshed) {
    delete manifest.refreshed;
    writeAtomic(manifestFile, JSON.stringify(manifest));
  }
  run(bundleFile);
}

main().catch((error) => {
  // As node reports an uncaught error: the stack (mapped to the sources), exit code 1.
  process.exitCode = 1;
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
});
