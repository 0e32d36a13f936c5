/**
 * Two rewrites of cdktf 0.21's own files, applied where this project loads cdktf for speed: the
 * synth bundle (scripts/app.js) and the tests (__tests__/esbuild-transform.js). Both keep cdktf's
 * behaviour; they only defer work that a synth almost never needs. A cdktf whose files do not look
 * as expected is left as it is (the rewrite returns undefined).
 *
 * - tokens/private/stack-trace.js: cdktf captures a full stack trace for every token it creates
 *   (Error.stackTraceLimit raised to MAX_SAFE_INTEGER), and formats it at once (under jest, every
 *   frame goes through source maps: half of the time of a test that builds the homelab). It is
 *   only read to explain a token that fails to resolve or an Intrinsic made from a function: a bug
 *   in a construct, not bad input (that is refused before any token exists). Here the trace is
 *   captured only with HOMELAB_DEBUG set (as main.ts keeps traces only then), and then formatted on
 *   first read; otherwise the "created at" of such an error says to run again with
 *   HOMELAB_DEBUG=1. Capturing cost ~14 % of a 10x synth (40 stacks: 1.56 s without, 1.81 s with,
 *   medians of 4 alternating runs); fewer frames do not help (10 frames: 1.80 s).
 * - private/fs.js: requires `archiver` (and ~800 KB of its dependencies) at load, to zip assets
 *   (TerraformAsset with type ARCHIVE), which this project has none of. Here it is required on
 *   first use.
 * - validations/validate-binary-version.js: every `terraform_data` resource, import block and
 *   moved resource adds a validation that runs `terraform version` (a shell and a Terraform
 *   start, 50-150 ms) when the app synthesizes: once for the shipped homelab, 20 times at 10x.
 *   Here each command runs once per process, and a successful output is reused by later
 *   processes while the binary is the same file (see versionOnce).
 */
"use strict";

const STACK_TRACE = /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/;
const PRIVATE_FS = /[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/;
const BINARY_VERSION = /[\\/]cdktf[\\/]lib[\\/]validations[\\/]validate-binary-version\.js$/;

/**
 * cdktf's captureStackTrace: with HOMELAB_DEBUG set (when this module loads), capturing at once and
 * formatting on first read; without it, one line saying how to get the trace.
 */
const LAZY_STACK_TRACE = `"use strict";
// Rewritten by scripts/cdktf-patches.js: cdktf's captureStackTrace, only with HOMELAB_DEBUG, formatted on first read.
Object.defineProperty(exports, "__esModule", { value: true });
exports.captureStackTrace = captureStackTrace;
const RECORD = Boolean(process.env.HOMELAB_DEBUG);
const NOT_RECORDED = Object.freeze(["(creation stack not recorded: run again with HOMELAB_DEBUG=1 to record it)"]);
function captureStackTrace(below) {
  if (!RECORD) return NOT_RECORDED;
  below = below || captureStackTrace;
  const object = { stack: "" };
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(object, below);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  let lines;
  const read = () => lines || (lines = object.stack ? object.stack.split("\\n").slice(1).map((s) => s.replace(/^\\s*at\\s+/, "")) : []);
  return new Proxy([], {
    get: (_t, p) => { const a = read(); const v = a[p]; return typeof v === "function" ? v.bind(a) : v; },
    has: (_t, p) => p in read(),
    ownKeys: () => Reflect.ownKeys(read()),
    getOwnPropertyDescriptor: (_t, p) => Reflect.getOwnPropertyDescriptor(read(), p),
  });
}
`;

const EAGER_ARCHIVER = 'const archiver = require("archiver");';
const LAZY_ARCHIVER = 'let archiverModule; const archiver = (...args) => (archiverModule || (archiverModule = require("archiver")))(...args); // rewritten by scripts/cdktf-patches.js: required on first use';

const EAGER_VERSION = /\(0, child_process_1\.execSync\)\(this\.versionCommand, \{\s*stdio: "pipe",?\s*\}\)\.toString\(\)/;
/**
 * The replacement of the version command's run: once per process; and across processes, a
 * successful output is kept in `cacheFile` (when given) under the identity of the binary the
 * command starts (resolved on PATH as the shell would: path, size, mtime, ctime, inode), for
 * native executables only: a script (tfenv, asdf shims) may pick another version per directory.
 * A failure is never kept: a missing or broken binary fails every synth, as before.
 */
const versionOnce = (cacheFile) => `
// Rewritten by scripts/cdktf-patches.js: each version command runs once (see there).
const versionOutcomes = new Map();
const versionCacheFile = ${JSON.stringify(cacheFile ?? null)};
function nativeBinaryIdentity(command) {
    const match = /^(\\S+) version$/.exec(command);
    if (!match || !versionCacheFile) return undefined;
    const fs = require("fs");
    const path = require("path");
    const name = match[1];
    const candidates = name.includes("/") ? [name] : (process.env.PATH || "").split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
    for (const candidate of candidates) {
        let st;
        try {
            st = fs.statSync(candidate);
        }
        catch {
            continue;
        }
        if (!st.isFile() || (st.mode & 0o111) === 0) continue;
        const magic = Buffer.alloc(4);
        let fd;
        try {
            fd = fs.openSync(candidate, "r");
            fs.readSync(fd, magic, 0, 4, 0);
        }
        catch {
            return undefined;
        }
        finally {
            if (fd !== undefined) fs.closeSync(fd);
        }
        const native = magic.toString("hex") === "7f454c46" || ["feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe"].includes(magic.toString("hex"));
        return native ? [command, fs.realpathSync(candidate), st.size, st.mtimeMs, st.ctimeMs, st.ino].join("\\0") : undefined;
    }
    return undefined;
}
function versionOutputOnce(command) {
    let outcome = versionOutcomes.get(command);
    if (!outcome) {
        const fs = require("fs");
        const identity = nativeBinaryIdentity(command);
        let cache = {};
        if (identity) {
            try {
                cache = JSON.parse(fs.readFileSync(versionCacheFile, "utf8"));
            }
            catch {
                cache = {};
            }
        }
        if (identity && typeof cache[identity] === "string") outcome = { output: cache[identity] };
        else {
            try {
                outcome = { output: (0, child_process_1.execSync)(command, { stdio: "pipe" }).toString() };
                if (identity) {
                    cache[identity] = outcome.output;
                    const tmp = versionCacheFile + "." + process.pid + ".tmp";
                    try {
                        fs.mkdirSync(require("path").dirname(versionCacheFile), { recursive: true });
                        fs.writeFileSync(tmp, JSON.stringify(cache));
                        fs.renameSync(tmp, versionCacheFile);
                    }
                    catch {
                        // Not kept: the next process runs the command again.
                    }
                }
            }
            catch (error) {
                outcome = { error };
            }
        }
        versionOutcomes.set(command, outcome);
    }
    if (outcome.error) throw outcome.error;
    return outcome.output;
}
`;

/** Whether `file` is one of the files rewritten here. */
function isPatched(file) {
  return STACK_TRACE.test(file) || PRIVATE_FS.test(file) || BINARY_VERSION.test(file);
}

/**
 * The rewritten source of `file`, or undefined if it is not one of them or does not look as
 * expected. `options.versionCache`: the file that keeps binary versions across processes.
 */
function patchCdktfSource(file, source, options = {}) {
  if (STACK_TRACE.test(file)) {
    // Only the file this replaces: one export, that capture.
    const known = source.includes("Error.captureStackTrace(object, below);") && (source.match(/exports\.\w+ =/g) ?? []).join() === "exports.captureStackTrace =";
    return known ? LAZY_STACK_TRACE : undefined;
  }
  if (PRIVATE_FS.test(file)) {
    // archiver is only ever called (archiver("zip", ...)): a function that requires it on the first call.
    return source.includes(EAGER_ARCHIVER) && source.split("archiver(").length === 2 ? source.replace(EAGER_ARCHIVER, LAZY_ARCHIVER) : undefined;
  }
  if (BINARY_VERSION.test(file)) {
    const anchor = "class ValidateBinaryVersion {";
    if (!EAGER_VERSION.test(source) || !source.includes(anchor) || source.split("execSync").length !== 2) return undefined;
    return source.replace(EAGER_VERSION, "versionOutputOnce(this.versionCommand)").replace(anchor, `${versionOnce(options.versionCache)}${anchor}`);
  }
  return undefined;
}

module.exports = { STACK_TRACE, PRIVATE_FS, BINARY_VERSION, isPatched, patchCdktfSource };
