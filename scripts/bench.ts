/**
 * `npm run bench`: the speed figures of issue 12, measured side by side in ONE run, printed and
 * written as JSON (default cdktf.out/bench.json). Nothing is asserted: targets are printed as
 * MET/MISSED.
 *
 * Runs are interleaved (floor, app, 1x, 10x, floor, app, ...) after one discarded warm-up round,
 * so a busy machine slows every row alike; each row is the median of its runs. Wall time is what a
 * user waits; CPU time (user + sys of the process tree) is printed beside it because it moves less
 * when other work shares the machine.
 *
 * - floor:      an empty CDKTF app, plain JavaScript run by plain `node` (scripts/bench-floor.js:
 *               node + cdktf + one write). Nothing the app does can be cheaper.
 * - app:        the shipped homelab through the launcher, `node scripts/app.js` (what cdktf.json runs;
 *               the bundle already built). Targets: <= 0.6 s and <= 1.5x floor.
 * - scale 1x/10x/100x: scripts/scale-inventory.ts through the launcher, N copies of the homelab in
 *               one app, every host online. Targets: 10x <= 2x the shipped app; 100x linear.
 * - cli floor / cli app: `npx cdktf synth --output <tmp>` with `--app "node scripts/bench-floor.js"`
 *               and with cdktf.json's app: what users type, beside the same CLI's own floor.
 *               Target: <= 1.15x.
 * - rebuild:    the launcher after an edit (HOMELAB_APP_REBUILD=1): bundle + run.
 * - tsx:        `tsx main.ts`, the app without the bundle (what cdktf.json ran before): reference.
 * - capacity:   the budget check on the shipped inventory's pools and on a 10,000-dataset pool.
 *
 *   npm run bench [-- --runs N] [--quick] [--json <file>] [--no-cli] [--validate]
 *
 *   --runs N     runs per row (default 7; 100x and tsx: min(N, 3); cli: min(N, 5))
 *   --quick      3 runs, 100x once, no tsx reference, cli 2 runs
 *   --no-cli     skip the two `npx cdktf synth` rows (~5 s a run)
 *   --validate   also time `npm run validate -- --no-synth --out <10x output>` once (needs terraform)
 *   --json FILE  where to write the figures (default cdktf.out/bench.json)
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  return v;
};
for (let i = 0; i < argv.length; i++) {
  if (["--runs", "--json"].includes(argv[i])) i++;
  else if (!["--quick", "--no-cli", "--validate"].includes(argv[i])) throw new Error(`unknown argument ${argv[i]} (allowed: --runs N, --quick, --no-cli, --validate, --json FILE)`);
}
const quick = flag("--quick");
const runs = Number(option("--runs") ?? (quick ? 3 : 7));
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a whole number >= 1 (got ${option("--runs")})`);
const jsonFile = path.resolve(option("--json") ?? path.join(root, "cdktf.out", "bench.json"));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-bench-"));
// The app records the data-holder ledger next to the inventory: give it a copy, never the real one.
const ledger = path.join(tmp, "ledger.json");
fs.copyFileSync(path.join(root, "inventory", "homelab.data-holders.json"), ledger);
const env = { ...process.env, CHECKPOINT_DISABLE: "1", HOMELAB_DATA_HOLDER_LEDGER: ledger, FORCE_COLOR: "0" };
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

interface Row {
  readonly name: string;
  readonly what: string;
  readonly command: string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Runs of this row (after the warm-up). */
  readonly runs: number;
  /** Output directory: CDKTF_OUTDIR, or the CLI's --output (the `{out}` in command). */
  readonly out: string;
}
interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
}

/** One run of `row` under /usr/bin/time: wall (hrtime), CPU and peak RSS of its process tree. */
function once(row: Row): Sample {
  fs.rmSync(row.out, { recursive: true, force: true });
  const timing = path.join(tmp, "time.txt");
  const command = row.command.map((a) => a.replace("{out}", row.out));
  const started = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-o", timing, "-f", "%U %S %M", ...command], {
    cwd: root, env: { ...env, CDKTF_OUTDIR: row.out, ...row.env }, encoding: "utf8", maxBuffer: 64 << 20,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`bench: ${row.name} (${command.join(" ")}) failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const [user, sys, rssKb] = fs.readFileSync(timing, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return { wallMs, cpuMs: (user + sys) * 1000, maxRssMb: rssKb / 1024 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Rows that failed, with the error: left out of the figures, reported at the end (exit 1). */
const failures = new Map<string, string>();

/**
 * Runs `rows` interleaved: one warm-up round (discarded), then rounds until each row has its runs.
 * A row that fails once is dropped (the others go on).
 */
function measure(rows: Row[]): Map<string, Sample[]> {
  const samples = new Map(rows.map((r) => [r.name, [] as Sample[]]));
  const attempt = (row: Row) => {
    if (failures.has(row.name)) return undefined;
    try {
      return once(row);
    } catch (e) {
      failures.set(row.name, (e as Error).message);
      process.stderr.write("x");
      return undefined;
    }
  };
  for (const row of rows) attempt(row);
  const rounds = Math.max(...rows.map((r) => r.runs));
  for (let i = 0; i < rounds; i++) {
    for (const row of rows) {
      if (i >= row.runs) continue;
      const sample = attempt(row);
      if (sample) {
        samples.get(row.name)!.push(sample);
        process.stderr.write(".");
      }
    }
  }
  process.stderr.write("\n");
  return samples;
}

const out = (name: string) => path.join(tmp, `out-${name}`);
const launcher = (...args: string[]) => ["node", path.join(root, "scripts", "app.js"), ...args];
const cliRuns = quick ? 2 : Math.min(runs, 5);
const rows: Row[] = [
  { name: "floor", what: "empty CDKTF app, plain node on JavaScript", command: ["node", path.join(root, "scripts", "bench-floor.js")], runs, out: out("floor") },
  { name: "app", what: "shipped homelab: node scripts/app.js (cdktf.json's app)", command: launcher(), runs, out: out("app") },
  { name: "scale1", what: "scale 1x: 1 copy, every host online (4 stacks)", command: launcher("scripts/scale-inventory.ts", "1"), runs, out: out("scale1") },
  { name: "scale10", what: "scale 10x: 40 stacks, 240 datasets", command: launcher("scripts/scale-inventory.ts", "10"), runs, out: out("scale10") },
];
const slowRows: Row[] = [
  { name: "scale100", what: "scale 100x: 400 stacks, 2,400 datasets", command: launcher("scripts/scale-inventory.ts", "100"), runs: quick ? 1 : Math.min(runs, 3), out: out("scale100") },
  { name: "rebuild", what: "app after an edit: bundle rebuilt, then run", command: launcher(), env: { HOMELAB_APP_REBUILD: "1" }, runs: quick ? 1 : Math.min(runs, 3), out: out("rebuild") },
  ...(quick ? [] : [{ name: "tsx", what: "shipped homelab: tsx main.ts (no bundle; what cdktf.json ran before)", command: [bin("tsx"), "main.ts"], runs: Math.min(runs, 3), out: out("tsx") }]),
];
// The CLI as users type it, from the project directory; the floor differs only in --app.
const npx = ["npx", "cdktf", "synth", "--output", "{out}"];
const cliRows: Row[] = flag("--no-cli") ? [] : [
  { name: "cliFloor", what: "npx cdktf synth --app \"node scripts/bench-floor.js\" (the CLI's floor)", command: [...npx, "--app", "node scripts/bench-floor.js"], runs: cliRuns, out: out("cliFloor") },
  { name: "cliApp", what: "npx cdktf synth (cdktf.json's app: the shipped homelab)", command: npx, runs: cliRuns, out: out("cliApp") },
];

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.type()} ${os.release()}`,
  loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
};
process.stderr.write(`bench: ${machine.cpus} cores (${machine.cpuModel}), node ${machine.node}, load ${machine.loadAverageAtStart.join(" ")}; runs ${runs}${quick ? " (quick)" : ""}\n`);

const all = new Map<string, Sample[]>();
for (const group of [rows, cliRows, slowRows]) {
  if (group.length > 0) for (const [k, v] of measure(group)) all.set(k, v);
}

// The capacity check, in its own process through the launcher (the shipped inventory's pools).
const capacityRun = spawnSync("node", [path.join(root, "scripts", "app.js"), "scripts/bench-capacity.ts", "--json"], { cwd: root, env, encoding: "utf8" });
if (capacityRun.status !== 0) failures.set("capacity", capacityRun.stderr);
const capacity = capacityRun.status === 0 ? JSON.parse(capacityRun.stdout.trim().split("\n").pop()!) as {
  shipped: { pools: number; datasets: number; medianMs: number; verdicts: string[] };
  big: { datasets: number; medianMs: number; verdict: string };
} : undefined;

let validate10: { wallMs: number; ok: boolean; output: string } | undefined;
if (flag("--validate") && !failures.has("scale10")) {
  // The last 10x run's output is in out("scale10"): validate it without synthesizing again.
  once(rows.find((r) => r.name === "scale10")!);
  const started = process.hrtime.bigint();
  const r = spawnSync("npm", ["run", "--silent", "validate", "--", "--no-synth", "--out", out("scale10")], { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 });
  validate10 = { wallMs: Number(process.hrtime.bigint() - started) / 1e6, ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim().split("\n").slice(-3).join("\n") };
}

const allRows = [...rows, ...cliRows, ...slowRows].filter((row) => !failures.has(row.name));
const results: Record<string, { what: string; runs: number; medianMs: number; minMs: number; maxMs: number; cpuMedianMs: number; maxRssMb: number; samplesMs: number[] }> = Object.fromEntries(allRows.map((row) => {
  const s = all.get(row.name)!;
  return [row.name, {
    what: row.what,
    runs: s.length,
    medianMs: Math.round(median(s.map((x) => x.wallMs))),
    minMs: Math.round(Math.min(...s.map((x) => x.wallMs))),
    maxMs: Math.round(Math.max(...s.map((x) => x.wallMs))),
    cpuMedianMs: Math.round(median(s.map((x) => x.cpuMs))),
    maxRssMb: Math.round(Math.max(...s.map((x) => x.maxRssMb))),
    samplesMs: s.map((x) => Math.round(x.wallMs)),
  }];
}));
const ms = (name: string) => results[name]?.medianMs;
const ratio = (a: string, b: string) => (ms(a) !== undefined && ms(b) !== undefined ? Number((ms(a)! / ms(b)!).toFixed(3)) : undefined);
const ratios = {
  appOverFloor: ratio("app", "floor"),
  cliAppOverCliFloor: ratio("cliApp", "cliFloor"),
  scale10OverApp: ratio("scale10", "app"),
  scale10OverScale1: ratio("scale10", "scale1"),
  scale100OverScale10: ratio("scale100", "scale10"),
  tsxOverApp: ratio("tsx", "app"),
  // Per copy above the 1x run: flat when the scale is linear.
  msPerCopy10: ms("scale10") !== undefined && ms("scale1") !== undefined ? Math.round((ms("scale10")! - ms("scale1")!) / 9) : undefined,
  msPerCopy100: ms("scale100") !== undefined && ms("scale1") !== undefined ? Math.round((ms("scale100")! - ms("scale1")!) / 99) : undefined,
};
const met = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "MET" : "MISSED");
const check = (value: number | undefined, ok: (v: number) => boolean) => met(value === undefined ? undefined : ok(value));
const targets = {
  "app <= 0.6 s": check(ms("app"), (v) => v <= 600),
  "app <= 1.5x floor": check(ratios.appOverFloor, (v) => v <= 1.5),
  "npx cdktf synth <= 1.15x the CLI's floor": check(ratios.cliAppOverCliFloor, (v) => v <= 1.15),
  "10x <= 2x the shipped app": check(ratios.scale10OverApp, (v) => v <= 2),
  "100x linear (per copy within 1.5x of 10x's)": check(ratios.msPerCopy100, (v) => ratios.msPerCopy10 !== undefined && v <= 1.5 * ratios.msPerCopy10),
  "capacity, shipped < 5 ms": check(capacity?.shipped.medianMs, (v) => v < 5),
  "capacity, 10,000 datasets < 100 ms": check(capacity?.big.medianMs, (v) => v < 100),
  "validate 10x <= 60 s": met(validate10 === undefined ? undefined : validate10.ok && validate10.wallMs <= 60_000),
};
const report = {
  date: new Date().toISOString(),
  machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
  runs,
  quick,
  results,
  ratios,
  capacity,
  validate10,
  targets,
  failures: Object.fromEntries(failures),
};

const sec = (x: number | undefined) => (x === undefined ? "-" : `${(x / 1000).toFixed(3)} s`);
console.log(`bench on ${machine.cpus} cores (${machine.cpuModel}), node ${machine.node}, load ${machine.loadAverageAtStart.join(" ")} -> ${report.machine.loadAverageAtEnd.join(" ")}`);
console.log(`${"row".padEnd(9)} ${"median".padStart(9)} ${"min".padStart(9)} ${"max".padStart(9)} ${"cpu".padStart(9)} ${"rss".padStart(7)} runs  what`);
for (const row of allRows) {
  const r = results[row.name];
  console.log(`${row.name.padEnd(9)} ${sec(r.medianMs).padStart(9)} ${sec(r.minMs).padStart(9)} ${sec(r.maxMs).padStart(9)} ${sec(r.cpuMedianMs).padStart(9)} ${`${r.maxRssMb} MB`.padStart(7)} ${String(r.runs).padStart(4)}  ${row.what}`);
}
console.log(`ratios: app/floor ${ratios.appOverFloor}x, cli app/cli floor ${ratios.cliAppOverCliFloor ?? "-"}x, 10x/app ${ratios.scale10OverApp}x, 10x/1x ${ratios.scale10OverScale1}x, 100x/10x ${ratios.scale100OverScale10}x, tsx/app ${ratios.tsxOverApp ?? "-"}x; per copy: ${ratios.msPerCopy10} ms (10x), ${ratios.msPerCopy100 ?? "-"} ms (100x)`);
if (capacity) console.log(`capacity: shipped (${capacity.shipped.pools} pools, ${capacity.shipped.datasets} datasets) ${capacity.shipped.medianMs.toFixed(3)} ms [${capacity.shipped.verdicts.join(", ")}]; ${capacity.big.datasets} datasets ${capacity.big.medianMs.toFixed(1)} ms`);
if (validate10) console.log(`validate 10x: ${sec(validate10.wallMs)} ${validate10.ok ? "ok" : `FAILED\n${validate10.output}`}`);
for (const [target, verdict] of Object.entries(targets)) console.log(`  ${verdict.padEnd(12)} ${target}`);

for (const [name, error] of failures) console.log(`FAILED ${name}: ${error.split("\n").filter((l) => l.trim() && !/CLI configuration|terraformrc|^[\s│╷╵]*$/.test(l)).slice(0, 8).join("\n  ")}`);

fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
fs.writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written: ${path.relative(process.cwd(), jsonFile)}`);
fs.rmSync(tmp, { recursive: true, force: true });
if (failures.size > 0) process.exitCode = 1;
