/** jest globalTeardown: remove this run's temp dir (global-setup.ts), the shared validate fixture with it. */
import { rmSync } from "node:fs";

export default function globalTeardown(): void {
  const run = process.env.HOMELAB_JEST_TMPDIR;
  if (!run) return;
  if (process.env.HOMELAB_JEST_OUTER_TMPDIR) process.env.TMPDIR = process.env.HOMELAB_JEST_OUTER_TMPDIR;
  else delete process.env.TMPDIR;
  rmSync(run, { recursive: true, force: true });
}
