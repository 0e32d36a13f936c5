/** jest globalTeardown: remove the validate tests' shared fixture (global-setup.ts). */
import { rmSync } from "node:fs";

export default function globalTeardown(): void {
  const dir = process.env.HOMELAB_VALIDATE_FIXTURE_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
