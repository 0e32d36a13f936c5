/**
 * `npm run bench`: speed figures, printed (not asserted in tests).
 *
 * 1. Synth: median wall time of the app (`tsx main.ts`, what `cdktf synth` runs) over several runs,
 *    next to the floor (`scripts/bench-floor.ts`: the same imports, an empty app). Targets: app
 *    median <= 1.5 s and <= 1.3x the floor.
 * 2. Capacity: the budget check of the shipped homelab and of a 10,000-dataset pool
 *    (`scripts/bench-capacity.ts`). Targets: < 5 ms and < 100 ms.
 *
 *   npm run bench [-- --runs N]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const tsx = path.join(root, "node_modules", ".bin", "tsx");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time and peak RSS of one run (after one warm-up run that fills tsx's cache). */
function time(script: string): { ms: number[]; maxRssMb: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const env = { ...process.env, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: outdir };
  const run = () => {
    const started = process.hrtime.bigint();
    const r = spawnSync("/usr/bin/time", ["-f", "%M", tsx, script], { cwd: root, env, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`${script} failed:\n${r.stderr}`);
    return { ms, rssKb: Number(r.stderr.trim().split("\n").pop()) };
  };
  run();
  const samples = Array.from({ length: runs }, run);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { ms: samples.map((s) => s.ms), maxRssMb: Math.max(...samples.map((s) => s.rssKb)) / 1024 };
}

const app = time("main.ts");
const floor = time("scripts/bench-floor.ts");
const appMs = median(app.ms);
const floorMs = median(floor.ms);
const ratio = appMs / floorMs;
console.log(`synth (${runs} runs, median): app ${(appMs / 1000).toFixed(3)} s (peak RSS ${app.maxRssMb.toFixed(0)} MB), floor ${(floorMs / 1000).toFixed(3)} s, ratio ${ratio.toFixed(2)}x`);
console.log(`  targets: app <= 1.5 s ${appMs <= 1500 ? "MET" : "MISSED"}; <= 1.3x floor ${ratio <= 1.3 ? "MET" : "MISSED"}`);

const capacity = spawnSync(tsx, ["scripts/bench-capacity.ts"], { cwd: root, encoding: "utf8" });
process.stdout.write(capacity.stdout);
if (capacity.status !== 0) process.stderr.write(capacity.stderr);
