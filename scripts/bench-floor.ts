/**
 * The floor for `npm run bench`: the same imports as main.ts and an empty app, synthesized.
 * What main.ts costs above this is the homelab itself (constructs, validation, capacity, JSON).
 */
import "./../inventory/homelab";
import "./../stacks/backend";
import "./../stacks/homelab-app";
import "./../capacity";
import { App } from "../lib/cdktf";

new App().synth();
