/**
 * The CDKTF app: `npx cdktf synth` runs this (through tsx: no type check at synth; `npm run
 * typecheck` does that). Everything is checked while the stacks are built; only then does
 * `app.synth()` write cdktf.out/, so a bad inventory writes nothing.
 */
import { homelab } from "./inventory/homelab";
import { App } from "./lib/cdktf";
import { backendFromEnv } from "./stacks/backend";
import { buildHomelab } from "./stacks/homelab-app";

const app = new App();
const { skipped } = buildHomelab(app, homelab, { backend: backendFromEnv(process.env) });
for (const s of skipped) console.warn(`${s.stack}: skipped: ${s.reason}`);
app.synth();
