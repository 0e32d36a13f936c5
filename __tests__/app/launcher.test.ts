/**
 * scripts/app.js, the launcher cdktf.json runs: its cached bundle must never run stale code. A
 * scratch project (the launcher, a tsconfig, an entry importing one module, esbuild linked from
 * this project) is edited between runs the ways an editor, git or a restore would.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.join(__dirname, "..", "..");

describe("the app launcher (scripts/app.js)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-launcher-"));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(dir, "scripts", "app.js"), ...args], {
      cwd: dir, env: { ...process.env, HOMELAB_APP_TRACE: "1" }, encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr, rebuilt: /rebuild:/.test(r.stderr) };
  };

  beforeAll(() => {
    fs.mkdirSync(path.join(dir, "scripts"));
    for (const f of ["app.js", "cdktf-patches.js"]) fs.copyFileSync(path.join(root, "scripts", f), path.join(dir, "scripts", f));
    fs.copyFileSync(path.join(root, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    // Only esbuild from this project's node_modules: the scratch project's bundle cache stays in it.
    fs.mkdirSync(path.join(dir, "node_modules"));
    for (const pkg of ["esbuild", "@esbuild"]) fs.symlinkSync(path.join(root, "node_modules", pkg), path.join(dir, "node_modules", pkg));
    write("main.ts", 'import { value } from "./lib/value";\nconsole.log(`${value} ${__dirname} ${process.argv.slice(2).join(",")}`);\n');
    write("lib/value.ts", 'export const value: string = "one";\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("builds once, then reuses the bundle; __dirname is the source's directory; arguments reach the app", () => {
    const first = run();
    expect(first).toMatchObject({ status: 0, stdout: `one ${dir}`, rebuilt: true });
    const second = run("main.ts", "a", "b");
    expect(second).toMatchObject({ status: 0, stdout: `one ${dir} a,b`, rebuilt: false });
  });

  test("an edit is seen by the next run", () => {
    write("lib/value.ts", 'export const value: string = "two";\n');
    expect(run()).toMatchObject({ status: 0, stdout: expect.stringMatching(/^two /), rebuilt: true });
  });

  test("an edit that keeps the size and the old mtime (a restore, cp -p, rsync -t) is seen too", () => {
    const file = path.join(dir, "lib", "value.ts");
    const before = fs.statSync(file);
    write("lib/value.ts", 'export const value: string = "six";\n');
    fs.utimesSync(file, before.atime, before.mtime);
    expect(fs.statSync(file).size).toBe(before.size);
    expect(run()).toMatchObject({ status: 0, stdout: expect.stringMatching(/^six /), rebuilt: true });
  });

  test("touching a file without changing it does not rebuild", () => {
    const file = path.join(dir, "lib", "value.ts");
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(run()).toMatchObject({ status: 0, stdout: expect.stringMatching(/^six /), rebuilt: false });
  });

  test("a new file that changes how an import resolves (value.tsx beside value.ts) rebuilds", () => {
    write("lib/value.tsx", 'export const value: string = "from tsx";\n');
    expect(run()).toMatchObject({ status: 0, stdout: expect.stringMatching(/^from tsx /), rebuilt: true });
    fs.rmSync(path.join(dir, "lib", "value.tsx"));
    expect(run()).toMatchObject({ status: 0, stdout: expect.stringMatching(/^six /), rebuilt: true });
  });

  test("a new file elsewhere (cdktf.out/, a state file) does not rebuild", () => {
    write("cdktf.out/manifest.json", "{}");
    write("terraform.prod-storage.tfstate", "{}");
    expect(run()).toMatchObject({ status: 0, rebuilt: false });
  });

  test("an error's stack trace points at the .ts source, not the bundle", () => {
    write("lib/value.ts", 'export const value: string = "x";\nexport function fail(): never {\n  throw new Error("bad value");\n}\nfail();\n');
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Error: bad value");
    const frames = r.stderr.split("\n").filter((l) => /^\s+at /.test(l));
    expect(frames[0]).toMatch(/at fail \(lib\/value\.ts:3:\d+\)/);
    expect(frames.join("\n")).not.toContain(".cache/homelab-cdktf");
  });

  test("a syntax error is reported at its source line, and nothing runs", () => {
    write("lib/value.ts", 'export const value: string = ("unclosed";\n');
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the app does not build[\s\S]*lib\/value\.ts:1:\d+/);
    expect(r.stdout).toBe("");
  });
});
