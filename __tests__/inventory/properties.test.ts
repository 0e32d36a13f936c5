import fc from "fast-check";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { InvalidInputError } from "../../constructs/errors";
import { App } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import { copyOf, MUTATIONS, synthError, validHomelab } from "./mutations";

jest.setTimeout(60_000);

/** One line of the project's format: `<inventory entry or construct path>: <what> (got <value>; allowed: <values>)`. */
const LINE = /^(inventory [^:]+|[A-Za-z0-9_./-]+): \S.* \(got .+; allowed: .+\)$/;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, f.toString())).filter((f) => fs.statSync(f).isFile());
}

const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), "inventory-property-"));

describe("random inventories (fast-check)", () => {
  // Each run synthesizes four stacks (~0.4 s): few runs, different every time. INVENTORY_PROPERTY_RUNS=60
  // runs 60 valid inventories and 2,400 mutations (about a minute).
  test("valid variations of the shipped homelab (names, counts, ids, quotas, schedules, hosts online) synthesize", () => {
    fc.assert(fc.property(validHomelab, (lab) => {
      const dir = outdir();
      const app = new App({ outdir: dir, stackTraces: false });
      try {
        const built = buildHomelab(app, lab);
        app.synth();
        const written = files(dir).map((f) => path.relative(dir, f));
        expect(written).toEqual(expect.arrayContaining(["stacks/prod-storage/cdk.tf.json", "stacks/dev-compute/cdk.tf.json", "stacks/prod-k8s-storage/cdk.tf.json"]));
        expect(built.stacks.length + built.skipped.length).toBe(4);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: Number(process.env.INVENTORY_PROPERTY_RUNS ?? 5) });
  });

  test(`a random single mutation (${MUTATIONS.length} kinds) is refused in one block of the project's format, naming the inventory entry, writing nothing`, () => {
    const seen = new Set<string>();
    fc.assert(fc.property(validHomelab, fc.constantFrom(...MUTATIONS), fc.nat(1000), (valid, mutation, pick) => {
      seen.add(mutation.kind);
      const lab = copyOf(valid);
      mutation.apply(lab, pick);
      const dir = outdir();
      const error = synthError(lab, dir);
      expect(error).toBeInstanceOf(InvalidInputError); // what main.ts prints alone, without a trace
      const message = (error as Error).message;
      const lines = message.split("\n");
      for (const line of lines) expect(line).toMatch(LINE);
      expect(lines.some((line) => mutation.line.test(line))).toBe(true);
      expect(lines.some((line) => line.startsWith(`inventory ${valid.name}`))).toBe(true);
      expect(message).not.toContain("[object Object]");
      if (mutation.never) expect(message).not.toContain(mutation.never(pick));
      expect(files(dir)).toEqual([]);
      fs.rmSync(dir, { recursive: true, force: true });
    }), { numRuns: 40 * Number(process.env.INVENTORY_PROPERTY_RUNS ?? 5) });
    expect(seen.size).toBeGreaterThan(MUTATIONS.length / 2);
  });
});
