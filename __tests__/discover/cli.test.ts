import { spawn } from "node:child_process";
import path from "node:path";
import { startFakeTrueNAS, type FakeTrueNAS } from "./fakes";

const root = path.join(__dirname, "..", "..");
let truenas: FakeTrueNAS;
beforeAll(async () => {
  truenas = await startFakeTrueNAS({ apiKey: "1-key", answers: {} });
});
afterAll(() => truenas.close());

/** The real process: `tsx scripts/discover.ts`, as `npm run discover` runs it. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/discover.ts", ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("a TLS failure ends the process with exit 2 and exactly one line on stderr, no stack trace", async () => {
  const { code, stdout, stderr } = await run(["--truenas", "truenas-primary", "--dry-run"], { TRUENAS_ENDPOINT: truenas.url, TRUENAS_API_KEY: "1-key" });
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toBe(`discover: TrueNAS ${truenas.url}: TLS certificate not trusted (set TRUENAS_INSECURE=true for a self-signed certificate)\n`);
}, 15_000);
