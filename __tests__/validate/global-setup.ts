/**
 * jest globalSetup: a directory for the validate tests' shared fixture (shared-fixture.ts), built
 * there by the first test file that needs it, so that a run without those tests pays nothing.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function globalSetup(): void {
  process.env.HOMELAB_VALIDATE_FIXTURE_DIR = mkdtempSync(join(tmpdir(), "homelab-validate-fixture-"));
}
