/**
 * jest globalSetup:
 *
 * - A temp dir for this run, TMPDIR for every worker and every process they start (Terraform, the
 *   providers, synths), removed by global-teardown.ts. cdktf's `Testing.synth` makes a
 *   `cdktf.outdir.*` directory per call and never removes it: hundreds per run, which had grown
 *   /tmp to ~12,000 directories and 3 GB on this machine.
 * - A directory in it for the validate tests' shared fixture (shared-fixture.ts), built there by the
 *   first test file that needs it, so that a run without those tests pays nothing.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function globalSetup(): void {
  const run = mkdtempSync(join(tmpdir(), "homelab-jest-"));
  process.env.HOMELAB_JEST_TMPDIR = run;
  process.env.HOMELAB_JEST_OUTER_TMPDIR = process.env.TMPDIR ?? "";
  process.env.TMPDIR = run;
  const fixture = join(run, "validate-fixture");
  mkdirSync(fixture);
  process.env.HOMELAB_VALIDATE_FIXTURE_DIR = fixture;
}
