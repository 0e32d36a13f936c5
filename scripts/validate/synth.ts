/** Synthesis of this app (what cdktf.json's `app` runs) into a directory of our choice. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runProcess } from "../../tools/schema-provider/session";

export const REPO_ROOT = resolve(__dirname, "..", "..");

export interface SynthResult {
  outdir: string;
  ms: number;
  output: string;
}

/**
 * The command of cdktf.json's `app` (default `npx tsx main.ts`), run as directly as possible:
 * `npx <bin>` as node_modules/.bin/<bin> when installed, `node` as this Node; anything with shell
 * syntax (quotes, variables, operators, globs, a leading `VAR=value`) through the shell.
 */
export function appCommand(cwd = REPO_ROOT): { cmd: string; args: string[]; shell?: boolean } {
  const file = join(cwd, "cdktf.json");
  const app = ((existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { app?: string }).app : undefined) ?? "npx tsx main.ts").trim();
  if (/["'`$&|;<>()\\*?~]|^\S*=/.test(app)) return { cmd: app, args: [], shell: true };
  const [first, ...rest] = app.split(/\s+/);
  if (first === "npx" && rest[0] && !rest[0].startsWith("-") && existsSync(join(cwd, "node_modules", ".bin", rest[0]))) {
    return { cmd: join(cwd, "node_modules", ".bin", rest[0]), args: rest.slice(1) };
  }
  if (first === "node") return { cmd: process.execPath, args: rest };
  return { cmd: first!, args: rest };
}

/** Run the CDKTF app (cdktf.json's `app`, e.g. `tsx main.ts`) with CDKTF_OUTDIR=outdir. */
export async function synth(outdir: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SynthResult> {
  const cwd = opts.cwd ?? REPO_ROOT;
  const t0 = Date.now();
  const { cmd, args, shell } = appCommand(cwd);
  const r = await runProcess(cmd, args, { cwd, env: { ...process.env, ...opts.env, CDKTF_OUTDIR: outdir }, shell });
  const output = (r.stdout + r.stderr).trim();
  if (r.code !== 0) throw new Error(`synthesis failed (exit ${r.code}):\n${output}`);
  return { outdir, ms: Date.now() - t0, output };
}
