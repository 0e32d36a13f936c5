import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..");
const sources = (dir: string) =>
  fs.readdirSync(path.join(root, dir), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
const importsOf = (file: string) =>
  [...fs.readFileSync(path.join(root, file), "utf8").matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1]);
const written = ["main.ts", ...["lib", "capacity", "constructs", "stacks", "inventory", "scripts", "tools"].flatMap(sources)];

describe("the architecture the design asks for", () => {
  test("capacity/ is pure: it imports only itself (no cdktf, no constructs, no I/O)", () => {
    for (const file of sources("capacity")) {
      for (const spec of importsOf(file)) expect(`${file}: ${spec}`).toMatch(/: \.\/[\w-]+$/);
    }
  });

  test("constructs know nothing of the inventory or the stacks", () => {
    for (const file of sources("constructs")) {
      for (const spec of importsOf(file)) expect(`${file}: ${spec}`).not.toMatch(/\/(inventory|stacks)\//);
    }
  });

  test("only lib/cdktf.ts imports cdktf (the cdktn move is one file)", () => {
    const offenders = written.filter((f) => f !== path.join("lib", "cdktf.ts") && importsOf(f).includes("cdktf"));
    expect(offenders).toEqual([]);
  });

  test("prebuilt providers are deep-imported, never from the package root", () => {
    const roots = written.flatMap((f) => importsOf(f).filter((s) => /^@cdktf\/provider-[a-z]+$/.test(s)).map((s) => `${f}: ${s}`));
    expect(roots).toEqual([]);
    const generated = written.flatMap((f) => importsOf(f).filter((s) => /\.gen\/providers\/[a-z]+$/.test(s)).map((s) => `${f}: ${s}`));
    expect(generated).toEqual([]);
  });
});
