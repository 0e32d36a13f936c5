/**
 * npm run validate [-- options]
 *
 * Synthesizes the app, then runs the machine's Terraform (>= 1.11) on every stack against the
 * schema-serving provider (tools/schema-provider): terraform validate, then terraform plan
 * against an empty throwaway state. No network, no credentials, no terraform init. One line per
 * stack; any Terraform error fails the run and is printed as Terraform wrote it.
 *
 * Stacks run in dependency order. A stack whose outputs another stack reads (CDKTF cross-stack
 * references: terraform_remote_state) is applied to its throwaway state after its plan passes,
 * and the dependent's remote states are pointed at that state in its copy, so the dependent is
 * planned against its dependency's outputs.
 *
 *   --stack <name>      only this stack and the stacks it depends on (repeatable)
 *   --jobs <n>          independent stacks run side by side, at most n at once (default 2)
 *   --out <dir>         synthesize into <dir> (kept) instead of a temp dir
 *   --no-synth          validate an existing synth output (--out, default cdktf.out)
 *   --schemas <path>    schema file or directory (repeatable; default schemas/)
 *   --spawn             let Terraform start the provider itself (dev_overrides, AutoMTLS)
 *                       instead of attaching one long-lived provider (TF_REATTACH_PROVIDERS)
 *   --keep              keep the throwaway working directories (printed) for inspection
 *   --provider-log <f>  trace every provider RPC to <f>
 *   --json              print the report as JSON
 *
 * Exit codes: 0 all stacks pass, 1 a stack failed, 2 nothing could be validated (no terraform,
 * synthesis failed, bad arguments).
 *
 * The orchestration of this app lives in scripts/validate/ (app.ts: the run; stacks.ts, prepare.ts,
 * remote-state.ts, check.ts, format.ts, synth.ts); what is generic about serving a schema to
 * Terraform (the provider, TerraformSession) in tools/schema-provider/.
 */
import { resolve } from "node:path";
import type { Mode } from "../tools/schema-provider/session";
import { validateApp } from "./validate/app";
import { formatResult } from "./validate/format";
import { REPO_ROOT } from "./validate/synth";

async function main(argv: string[]): Promise<number> {
  const stacks: string[] = [];
  const schemaPaths: string[] = [];
  let outdir: string | undefined;
  let synth = true;
  let mode: Mode = "reattach";
  let json = false;
  let keep = false;
  let providerLog: string | undefined;
  let concurrency: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--stack") stacks.push(value());
    else if (a === "--out") outdir = resolve(value());
    else if (a === "--no-synth") synth = false;
    else if (a === "--schemas") schemaPaths.push(resolve(value()));
    else if (a === "--spawn") mode = "spawn";
    else if (a === "--json") json = true;
    else if (a === "--keep") keep = true;
    else if (a === "--provider-log") providerLog = resolve(value());
    else if (a === "--jobs") {
      const v = value();
      concurrency = Number(v);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--jobs needs a whole number >= 1 (got ${JSON.stringify(v)})`);
    }
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: npm run validate -- [--stack <name>] [--out <dir>] [--no-synth] [--schemas <path>] [--spawn] [--jobs <n>] [--keep] [--provider-log <file>] [--json]\n");
      return 0;
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!synth && !outdir) outdir = resolve(REPO_ROOT, "cdktf.out");

  const report = await validateApp({
    outdir,
    synth,
    stacks,
    schemaPaths: schemaPaths.length ? schemaPaths : undefined,
    mode,
    keepWorkdirs: keep,
    providerLog,
    concurrency,
    onResult: json ? undefined : (r) => process.stdout.write(`${formatResult(r)}${keep ? `\n    (kept: ${r.workdir})` : ""}\n`),
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (report.error) {
    process.stderr.write(`validate: ${report.error}\n`);
  } else {
    const failed = report.results.filter((r) => !r.ok).length;
    const secs = (ms?: number) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);
    process.stdout.write(
      `${failed ? `FAILED: ${failed} of ${report.results.length} stacks` : `OK: ${report.results.length} stacks`} ` +
        `(terraform ${report.terraform?.version}, ${report.mode}; synth ${secs(report.synthMs)}, terraform ${secs(report.terraformMs)}, total ${secs(report.totalMs)})\n`,
    );
  }
  if (report.error) return 2;
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`validate: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
