import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CapacityError } from "../../capacity";
import { homelab } from "../../inventory/homelab";
import type { Homelab } from "../../inventory/types";
import { App, Testing } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import { formatRefusal } from "../../stacks/refusal";
import { reviewBulk, reviewFast, reviewScratch } from "../capacity/fixtures/review-plan";

/** The shipped homelab with the review's original dataset plan for fast, bulk and scratch. */
function withReviewPlan(): Homelab {
  const primary = homelab.truenasVms[0];
  const datasets = [reviewFast, reviewBulk, reviewScratch].flatMap((plan) => {
    // The review has no explicit parent datasets; declare them so the tree is complete.
    const paths = new Set(plan.datasets.map((d) => d.path));
    const parents = [...paths].flatMap((p) => p.split("/").slice(1, -1).map((_, i, parts) => [p.split("/")[0], ...parts.slice(0, i + 1)].join("/")));
    return [...new Set(parents)].filter((p) => !paths.has(p)).map((p) => ({ fullPath: p, purpose: "parent" }))
      .concat(plan.datasets.map(({ path: fullPath, ...d }) => ({ ...d, fullPath, purpose: d.purpose ?? "review" })));
  });
  return {
    ...homelab,
    kubernetesStorage: undefined, // its snapshot datasets are not in the review's plan
    truenasVms: [{ ...primary, storage: { ...primary.storage!, datasets, nfsExports: [], snapshots: [], offsiteBackup: undefined, replication: undefined } }, homelab.truenasVms[1]],
  };
}

describe("capacity is enforced on every synth", () => {
  test("the shipped plan fits every pool, under the 80% warning line", () => {
    const { capacity } = buildHomelab(Testing.app(), homelab);
    expect(capacity.map((r) => [r.pool, r.verdict])).toEqual([["fast", "ok"], ["bulk", "ok"], ["scratch", "ok"], ["backup", "ok"]]);
    for (const r of capacity) expect(r.percent).toBeLessThan(80);
    // The offline backup host's pool is checked too, although its stack is skipped.
    expect(capacity.find((r) => r.pool === "backup")!.usable.bytes).toBe(24_975_033_499_648n);
  });

  test("the review's original plan stops synth with the pool, usable, committed, percentage, contributors and a fix, writing nothing", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-capacity-"));
    const app = new App({ outdir });
    let error: unknown;
    try {
      buildHomelab(app, withReviewPlan());
      app.synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CapacityError);
    const message = (error as Error).message;
    expect(message).toContain('pool "fast"');
    expect(message).toContain("12.392 TB (11.270 TiB)"); // usable, both units
    expect(message).toMatch(/108\.9%/);
    expect(message).toContain("fast/kubernetes/iscsi-zvols");
    expect(message).toMatch(/reduce .* by .* to reach 95% of usable|add 1 more raidz2 vdev/);
    expect(message).toContain('pool "scratch"'); // every failing pool at once
    expect(fs.readdirSync(outdir, { recursive: true }).filter((f) => fs.statSync(path.join(outdir, f.toString())).isFile())).toEqual([]);

    // What the user sees: the pool table and each failing pool's explanation, in under 40 lines.
    const shown = formatRefusal(error)!;
    const lines = shown.trimEnd().split("\n");
    expect(lines.length).toBeLessThan(40);
    expect(lines[0]).toBe("synth refused: nothing was written.");
    expect(lines[1]).toMatch(/^pool\s+usable\s+committed\s+headroom\s+used\s+verdict$/);
    expect(shown).toMatch(/fast .*108\.9%\s+ERROR/);
    expect(shown).toContain('pool "fast": ');
    expect(shown).toContain('pool "scratch": ');
    expect(shown).not.toMatch(/\n\s+at |\[object|BudgetReport|\{\s*"/);
  });

  test("a bug is not a refusal: it keeps its trace", () => {
    expect(formatRefusal(new TypeError("x is undefined"))).toBeUndefined();
  });
});
