import { Size } from "../../capacity";
import { DatasetTree, type DatasetDeclaration } from "../../constructs/dataset-tree";
import { smallPool, synth, truenasTestStack } from "../helpers";

const TiB = Size.tebibytes;

describe("DatasetTree", () => {
  test("defaults: general profile, protected, children name their parent by reference, planned for capacity", () => {
    const { stack } = truenasTestStack();
    const pool = smallPool(stack);
    const tree = new DatasetTree(stack, "datasets", { pool, datasets: [{ pathBelowPool: "apps", purpose: "apps" }, { pathBelowPool: "apps/db", purpose: "db", quota: TiB(1) }] });
    const json = synth(stack);
    const apps = json.resource!.truenas_dataset[tree.dataset("apps").resource.friendlyUniqueId] as any;
    const db = json.resource!.truenas_dataset[tree.dataset("apps/db").resource.friendlyUniqueId] as any;
    expect(apps).toMatchObject({
      name: "tank/apps",
      comments: "apps",
      recordsize: "128K",
      compression: "LZ4",
      atime: "OFF",
      sync: "STANDARD",
      acltype: "posix",
      exec: "ON",
      snapdir: "HIDDEN",
      lifecycle: { prevent_destroy: true },
    });
    expect(apps.quota).toBeUndefined();
    expect(db.name).toBe(`\${truenas_dataset.${tree.dataset("apps").resource.friendlyUniqueId}.name}/db`);
    expect(db.quota).toBe(1099511627776); // bytes, binary: 1 TiB
    expect(tree.dataset("apps/db").fullPath).toBe("tank/apps/db");
    expect(pool.plan().datasets).toEqual([
      { path: "tank/apps", purpose: "apps" },
      { path: "tank/apps/db", purpose: "db", quota: TiB(1) },
    ]);
  });

  test("custom: profiles per use, overrides, refquota and reservation, throwaway stack", () => {
    const { stack } = truenasTestStack();
    const tree = new DatasetTree(stack, "datasets", {
      pool: smallPool(stack),
      allowDestroyInThrowawayTestStack: true,
      datasets: [
        { pathBelowPool: "media", purpose: "films", profile: "media", quota: TiB(2) },
        { pathBelowPool: "db", purpose: "postgres", profile: "database", refquota: Size.gibibytes(100), reservation: Size.gibibytes(50) },
        { pathBelowPool: "ci", purpose: "cache", profile: "scratch", compression: "ZSTD", expectedSize: Size.gibibytes(200) },
      ],
    });
    const json = synth(stack);
    const r = (p: string) => json.resource!.truenas_dataset[tree.dataset(p).resource.friendlyUniqueId] as any;
    expect(r("media")).toMatchObject({ recordsize: "1M", exec: "OFF", quota: 2 * 2 ** 40, lifecycle: { prevent_destroy: false } });
    expect(r("db")).toMatchObject({ recordsize: "16K", refquota: 100 * 2 ** 30, reservation: 50 * 2 ** 30 });
    expect(r("ci")).toMatchObject({ recordsize: "1M", sync: "DISABLED", compression: "ZSTD" });
    expect(tree.planned().find((d) => d.path === "tank/ci")!.expectedSize).toEqual(Size.gibibytes(200));
    expect(json).toMatchSnapshot();
  });

  test.each<[string, DatasetDeclaration[], string]>([
    ["a duplicate path", [{ pathBelowPool: "a", purpose: "x" }, { pathBelowPool: "a", purpose: "y" }], `test/datasets: dataset declared twice (got "tank/a"; allowed: each path once)`],
    ["a child whose parent is missing", [{ pathBelowPool: "a/b", purpose: "x" }], `test/datasets: parent tank/a of tank/a/b is not declared (before it) (got "tank/a/b"; allowed: children after their parents)`],
    ["a bad name", [{ pathBelowPool: "my data", purpose: "x" }], `test/datasets: invalid dataset name component "my data" in tank/my data (got "my data"; allowed: components of letters`],
    ["a leading dash", [{ pathBelowPool: "-x", purpose: "x" }], `test/datasets: invalid dataset name component "-x"`],
    ["a quota below 1 GiB", [{ pathBelowPool: "a", purpose: "x", quota: Size.mebibytes(512) }], "test/datasets: quota of tank/a below the 1 GiB TrueNAS accepts (got 536870912 bytes; allowed: at least 1 GiB, or no quota)"],
    ["a refquota below 1 GiB", [{ pathBelowPool: "a", purpose: "x", refquota: Size.bytes(1) }], "test/datasets: refquota of tank/a below the 1 GiB TrueNAS accepts (got 1 bytes; allowed: at least 1 GiB, or no quota)"],
    ["a negative quota (an invalid Size)", [{ pathBelowPool: "a", purpose: "x", quota: Size.gibibytes(-1) }], "test/datasets: quota of tank/a is not a valid size (got Size.gibibytes(-1); allowed: a Size of whole, non-negative bytes, e.g. Size.tebibytes(2))"],
    ["a quota of 2^53 bytes", [{ pathBelowPool: "a", purpose: "x", quota: Size.bytes(2n ** 53n) }], "test/datasets: quota of tank/a too large for Terraform's JSON (a number, exact only below 2^53 bytes) (got 9007.199 TB (8192.000 TiB); allowed: less than 8 PiB, or none)"],
    ["a child quota above its parent's", [{ pathBelowPool: "a", purpose: "x", quota: TiB(1) }, { pathBelowPool: "a/b", purpose: "y", quota: TiB(2) }], "test/datasets: quota of tank/a/b above its parent tank/a's quota (got 2.199 TB (2.000 TiB); allowed: at most 1.100 TB (1.000 TiB))"],
    ["a grandchild quota above the nearest quota", [{ pathBelowPool: "a", purpose: "x", quota: TiB(1) }, { pathBelowPool: "a/b", purpose: "y" }, { pathBelowPool: "a/b/c", purpose: "z", quota: TiB(3) }], "test/datasets: quota of tank/a/b/c above its parent tank/a's quota"],
    ["a refquota above the quota", [{ pathBelowPool: "a", purpose: "x", quota: TiB(1), refquota: TiB(2) }], "test/datasets: refquota of tank/a above its quota"],
    ["a reservation above the quota", [{ pathBelowPool: "a", purpose: "x", quota: TiB(1), reservation: TiB(2) }], "test/datasets: reservation of tank/a above its quota"],
    ["a misspelled compression (synth runs without a type check)", [{ pathBelowPool: "a", purpose: "x", compression: "lz4" as never }], `test/datasets: compression of tank/a is not a value TrueNAS takes (got "lz4"; allowed: ON, OFF, LZ4, GZIP, GZIP-1, GZIP-9, ZSTD, ZSTD-1 ... ZSTD-19, ZSTD-FAST, ZSTD-FAST-1 ... -10, -20 ... -100 by 10, -500, -1000, ZLE, LZJB)`],
    ["a record size TrueNAS does not offer", [{ pathBelowPool: "a", purpose: "x", recordsize: "100K" as never }], `test/datasets: recordsize of tank/a is not a value TrueNAS takes (got "100K"; allowed: 512B, 1K, 2K, ... 16M (powers of two))`],
    ["sync in lower case", [{ pathBelowPool: "a", purpose: "x", sync: "disabled" as never }], `test/datasets: sync of tank/a is not a value TrueNAS takes (got "disabled"; allowed: STANDARD, ALWAYS, DISABLED)`],
    ["an unknown profile", [{ pathBelowPool: "a", purpose: "x", profile: "db" as never }], `test/datasets: unknown dataset profile for tank/a (got "db"; allowed: general, database, vm-images, media, photos, backups, scratch, kubernetes-nfs, kubernetes-zvols, replica)`],
  ])("rejects %s", (_name, datasets, message) => {
    const { stack } = truenasTestStack();
    expect(() => new DatasetTree(stack, "datasets", { pool: smallPool(stack), datasets })).toThrow(message);
  });

  test("a dataset that was never declared cannot be referenced", () => {
    const { stack } = truenasTestStack();
    const tree = new DatasetTree(stack, "datasets", { pool: smallPool(stack), datasets: [{ pathBelowPool: "a", purpose: "x" }] });
    expect(() => tree.dataset("b")).toThrow(`test/datasets: dataset referenced but never declared (got "tank/b"; allowed: tank/a)`);
  });
});
