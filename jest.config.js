/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only, with esbuild (isolatedModules in tsconfig.json): type checking is `npm run typecheck`
  // (tsc --noEmit), kept out of the test loop.
  // Also three cdktf files, rewritten to defer or share work (scripts/cdktf-patches.js): let them through.
  transform: {
    "^.+\\.ts$": "<rootDir>/__tests__/esbuild-transform.js",
    "/node_modules/cdktf/lib/(tokens/private/stack-trace|private/fs|validations/validate-binary-version)\\.js$": "<rootDir>/__tests__/esbuild-transform.js",
  },
  transformIgnorePatterns: ["/node_modules/(?!cdktf/lib/(tokens/private/stack-trace|private/fs|validations/validate-binary-version)\\.js$)"],
  // Two cores: one worker per core. The main process only schedules and the heavy files spawn
  // Terraform or node (waiting, not computing), so a second worker never starves the first.
  maxWorkers: 2,
  // A temp dir per run (TMPDIR for workers and what they start, removed afterwards), holding the one shared
  // synth + applied Terraform fixture of the validate test files (__tests__/validate/shared-fixture.ts).
  globalSetup: "<rootDir>/__tests__/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/global-teardown.ts",
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
