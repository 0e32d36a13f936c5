// The floor of `npm run bench`: an empty CDKTF app, plain JavaScript run by plain `node`: node
// start-up, loading cdktf, one write (manifest.json). No app can synthesize faster on this machine.
"use strict";
const { App } = require("cdktf");

new App().synth();
