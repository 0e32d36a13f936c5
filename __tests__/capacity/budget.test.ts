import {
  CapacityError, PoolPlan, Size, checkBudgets, checkPoolBudget, enforceBudgets, renderConsoleTable, renderMarkdown, renderSvg,
  zvolRefreservation,
} from "../../capacity";
import { fastLayout, reviewBulk, reviewFast, reviewScratch } from "./fixtures/review-plan";

describe("zvol refreservation (research §7.2)", () => {
  const fast9 = { ...fastLayout, ashift: 9 };
  it.each([
    [fastLayout, 8, 2233418645504n], [fastLayout, 16, 1116710371328n], [fastLayout, 64, 1103812886528n],
    [fast9, 8, 1207207792896n], [fast9, 16, 1190011146496n],
  ])("1 TiB zvol, volblocksize %#", (layout, k, bytes) => {
    expect(zvolRefreservation(layout, { volsize: Size.tebibytes(1), volblocksize: Size.kibibytes(k) }).bytes).toBe(bytes);
  });
  it("6 TB zvols on fast", () => {
    expect(zvolRefreservation(fastLayout, { volsize: Size.bytes(5999999991808n) }).bytes).toBe(6093843873792n);
    expect(zvolRefreservation(fastLayout, { volsize: Size.bytes(5999999975424n), volblocksize: Size.kibibytes(64) }).bytes).toBe(6023462649856n);
  });
  it("sparse zvols reserve nothing", () => {
    expect(zvolRefreservation(fastLayout, { volsize: Size.tebibytes(1), sparse: true }).isZero()).toBe(true);
  });
  it("refuses a volsize that is not a multiple of volblocksize, and names the rounded value", () => {
    expect(() => zvolRefreservation(fastLayout, { volsize: Size.terabytes(6) }))
      .toThrow("volsize: must be a positive multiple of volblocksize 16384 (got 6000000000000 B; allowed: e.g. 5999999991808 B (rounded down))");
  });
});

describe("the review's plan", () => {
  it("fast does not fit: synth fails naming pool, usable, committed, percent, contributors and a fix", () => {
    expect(() => enforceBudgets([reviewFast])).toThrow(CapacityError);
    const message = (() => { try { enforceBudgets([reviewFast]); return ""; } catch (e) { return (e as Error).message; } })();
    expect(message).toContain('pool "fast": 13.498 TB (12.276 TiB) committed of 12.392 TB (11.270 TiB) usable = 108.9%');
    expect(message).toMatch(/largest contributors:\n\s+fast\/kubernetes\/iscsi-zvols\s+6\.000 TB \(5\.457 TiB\)\s+quota/);
    expect(message).toContain("to make it fit: reduce quotas, reservations and expected sizes by 1.726 TB (1.569 TiB) to reach 95% of usable");
    expect(message).toContain("or add 1 more raidz2 vdev of 7 × 900GB");
  });
  it("verdicts: fast error (108.9%), bulk warning (91.1%), scratch error (104.0%)", () => {
    const reports = checkBudgets([reviewFast, reviewBulk, reviewScratch]);
    expect(reports.map((r) => [r.pool, r.verdict, r.percent.toFixed(1)])).toEqual([
      ["fast", "error", "108.9"], ["bulk", "warning", "91.1"], ["scratch", "error", "104.0"],
    ]);
    expect(reports[0].committed.bytes).toBe(13497558138880n);
    expect(reports[1].committed.bytes).toBe(28995116277760n);
  });
  it("one CapacityError names every failing pool", () => {
    expect(() => enforceBudgets([reviewFast, reviewBulk, reviewScratch])).toThrow(/2 pools cannot hold their plan[\s\S]*pool "fast"[\s\S]*pool "scratch"/);
  });
  it("renders the table, markdown and SVG", () => {
    const reports = checkBudgets([reviewFast, reviewBulk]);
    expect(renderConsoleTable(reports)).toMatch(/fast\s+12\.39 TB \(11\.27 TiB\)\s+13\.50 TB \(12\.28 TiB\)\s+-1\.11 TB \(-1\.01 TiB\)\s+108\.9%\s+ERROR/);
    expect(renderMarkdown(reports)).toContain("| bulk | 31.820 TB (28.940 TiB) | 28.995 TB (26.371 TiB) | 2.825 TB (2.569 TiB) | 91.1% | warning |");
    const svg = renderSvg(reports);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("13.50 TB committed of 12.39 TB usable (11.27 TiB)");
  });
});

describe("budget rules", () => {
  const pool = (datasets: PoolPlan["datasets"], thresholds?: PoolPlan["thresholds"]) =>
    checkPoolBudget({ name: "fast", layout: fastLayout, thresholds }, datasets);

  it("a parent quota caps its children's commitment", () => {
    const r = pool([
      { path: "fast/k8s", quota: Size.parseZfs("2T") },
      { path: "fast/k8s/a", quota: Size.parseZfs("2T") },
      { path: "fast/k8s/b", quota: Size.parseZfs("2T") },
    ]);
    expect(r.committed.bytes).toBe(2n << 40n);
    expect(r.contributors.map((c) => [c.path, c.basis])).toEqual([["fast/k8s", "quota"]]);
    expect(r.verdict).toBe("ok");
  });
  it("a quota above bounded children counts the children only when nothing below, itself included, is unbounded", () => {
    // The parent's own data is bounded by its refquota: the children plus that refquota are what it commits.
    const bounded = pool([{ path: "fast/k8s", quota: Size.parseZfs("5T"), refquota: Size.parseZfs("1G") }, { path: "fast/k8s/a", refquota: Size.parseZfs("1T") }]);
    expect(bounded.committed.bytes).toBe((1n << 40n) + (1n << 30n));
    // Without a refquota the parent can hold files of its own up to its quota.
    const ownData = pool([{ path: "fast/k8s", quota: Size.parseZfs("5T") }, { path: "fast/k8s/a", refquota: Size.parseZfs("1T") }]);
    expect(ownData.committed.bytes).toBe(5n << 40n);
    const open = pool([{ path: "fast/k8s", quota: Size.parseZfs("5T") }, { path: "fast/k8s/a" }]);
    expect(open.committed.bytes).toBe(5n << 40n);
    expect(open.findings).toEqual([]);
  });
  it("a dataset with no quota anywhere above is a warning", () => {
    const r = pool([{ path: "fast/media", expectedSize: Size.terabytes(1) }]);
    expect(r.verdict).toBe("warning");
    expect(r.findings[0]).toEqual({ severity: "warning", dataset: "fast/media", message: expect.stringContaining("it can fill the pool") });
  });
  it("thick zvols count their refreservation", () => {
    const r = pool([{ path: "fast/db", thickZvol: { volsize: Size.bytes(5999999991808n) } }]);
    expect(r.committed.bytes).toBe(6093843873792n);
    expect(r.guaranteed.bytes).toBe(6093843873792n);
    expect(r.contributors[0].basis).toBe("thick zvol");
  });
  it("warning above 80%, error above 95%", () => {
    const at = (tb: number) => pool([{ path: "fast/a", quota: Size.terabytes(tb) }]).verdict;
    expect([at(9), at(10.5), at(12)]).toEqual(["ok", "warning", "error"]);
  });
  it("thresholds can be overridden with a reason, which the report carries", () => {
    const thresholds = { warningPercent: 90, criticalPercent: 98, reason: "media is replaceable; we accept a full pool" };
    const r = pool([{ path: "fast/a", quota: Size.terabytes(11.5) }], thresholds);
    expect(r.verdict).toBe("warning");
    expect(renderMarkdown([r])).toContain("(overridden: media is replaceable; we accept a full pool)");
  });
  it("reservations that cannot be created are errors (ENOSPC)", () => {
    const r = pool([{ path: "fast/a", reservation: Size.terabytes(8) }, { path: "fast/b", reservation: Size.terabytes(5) }]);
    expect(r.findings.map((f) => f.message)).toContainEqual(expect.stringMatching(/guarantee 13\.000 TB .* more than the 12\.392 TB .* ENOSPC/));
    const underQuota = pool([
      { path: "fast/k8s", quota: Size.terabytes(1) },
      { path: "fast/k8s/db", thickZvol: { volsize: Size.tebibytes(1) } },
    ]);
    expect(underQuota.findings[0]).toMatchObject({ severity: "error", dataset: "fast/k8s", message: expect.stringContaining("more than its quota") });
    const resAboveQuota = pool([{ path: "fast/a", quota: Size.terabytes(1), reservation: Size.terabytes(2) }]);
    expect(resAboveQuota.findings[0].message).toContain("is above its quota");
  });
});

describe("bad budget inputs", () => {
  const plan = (over: Partial<PoolPlan>): PoolPlan => ({ name: "fast", layout: fastLayout, datasets: [], ...over });
  it.each([
    [plan({ datasets: [{ path: "bulk/a" }] }), 'dataset path: not a dataset of pool "fast" (got "bulk/a"'],
    [plan({ datasets: [{ path: "fast//a" }] }), 'dataset path: not a dataset of pool "fast" (got "fast//a"'],
    [plan({ datasets: [{ path: "fast/a" }, { path: "fast/a" }] }), "fast/a: planned twice"],
    [plan({ datasets: [{ path: "fast/z", thickZvol: { volsize: Size.tebibytes(1) } }, { path: "fast/z/c" }] }), "fast/z: a zvol cannot have child datasets"],
    [plan({ datasets: [{ path: "fast/z", quota: Size.tebibytes(1), thickZvol: { volsize: Size.tebibytes(1) } }] }), "fast/z.quota: a zvol has no quota"],
    [plan({ thresholds: { warningPercent: 90, criticalPercent: 98, reason: "" } }), "overriding the thresholds needs a written reason"],
    [plan({ thresholds: { warningPercent: 96, criticalPercent: 95, reason: "because we said so" } }), "warningPercent: must be below criticalPercent 95"],
    [plan({ thresholds: { warningPercent: 80, criticalPercent: 120, reason: "because we said so" } }), "criticalPercent: a percentage of usable space (got 120"],
  ])("%#", (p, message) => expect(() => checkBudgets([p])).toThrow(message));
  it("refuses two pools with one name", () => {
    expect(() => checkBudgets([plan({}), plan({})])).toThrow('pools: two pools with the same name (got "fast"');
  });
});
