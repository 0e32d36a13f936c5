import { Size, type PoolLayout } from "../../capacity";
import { ZfsPool, type ZfsPoolProps } from "../../constructs/zfs-pool";
import { Testing } from "../../lib/cdktf";
import { smallLayout, synth, truenasTestStack } from "../helpers";

describe("ZfsPool", () => {
  test("defaults: adopted by name through a data source, never a resource an apply could create or destroy", () => {
    const { stack } = truenasTestStack();
    const pool = ZfsPool.fromName(stack, "tank", { name: "tank", layout: smallLayout });
    const json = synth(stack);
    expect(pool.creation).toBe("adopt");
    expect(json.resource?.truenas_pool).toBeUndefined();
    expect(Object.values(json.data!.truenas_pool)).toEqual([{ name: "tank" }]);
    // Had an apply created it, adopting it later makes Terraform forget the resource, not wipe the pool.
    expect((json as any).removed).toEqual([{ from: "truenas_pool.tank", lifecycle: { destroy: false } }]);
    expect(pool.capacity.usable.bytes).toBeGreaterThan(0n);
    expect(pool.capacity.usable.bytes).toBeLessThan(Size.terabytes(8).bytes);
    expect(pool.createPayload()).toEqual({
      name: "tank",
      encryption: false,
      topology: { data: [{ type: "RAIDZ1", disks: ["<vdev 1 disk 1: 4000 GB>", "<vdev 1 disk 2: 4000 GB>", "<vdev 1 disk 3: 4000 GB>"] }] },
      allow_duplicate_serials: false,
    });
  });

  test("custom: explicit creation from disk ids, with log, cache and spare, prevent_destroy and topology frozen", () => {
    const { stack } = truenasTestStack();
    const layout: PoolLayout = {
      ...smallLayout,
      vdevs: [
        ...smallLayout.vdevs,
        { class: "log", type: "mirror", disks: [Size.gigabytes(120), Size.gigabytes(120)] },
        { class: "cache", type: "disk", disks: [Size.gigabytes(500)] },
        { class: "spare", type: "disk", disks: [Size.terabytes(4)] },
      ],
    };
    const pool = new ZfsPool(stack, "tank", {
      name: "tank",
      layout,
      diskIds: [["S1", "S2", "S3"], ["L1", "L2"], ["C1"], ["P1"]],
    });
    const json = synth(stack);
    const r = Object.values(json.resource!.truenas_pool)[0] as any;
    expect(r).toMatchObject({
      name: "tank",
      topology: { data: [{ type: "RAIDZ1", disks: ["S1", "S2", "S3"] }], log: [{ type: "MIRROR", disks: ["L1", "L2"] }], cache: ["C1"], spare: ["P1"] },
      lifecycle: { prevent_destroy: true, ignore_changes: ["topology"] },
    });
    expect(json.data?.truenas_pool).toBeUndefined();
    expect(Object.keys(json.resource!.truenas_pool)).toEqual(["tank"]); // the address adopt mode would forget
    expect((json as any).removed).toBeUndefined();
    // Log, cache and spare add nothing to usable space.
    expect(pool.capacity.usable).toEqual(ZfsPool.fromName(truenasTestStack().stack, "p", { name: "tank", layout: smallLayout }).capacity.usable);
    expect(pool.createPayload()).toMatchObject({ topology: { cache: ["C1"], spares: ["P1"] } });
    expect(json).toMatchSnapshot();
  });

  test.each<[string, Partial<ZfsPoolProps> & { create?: true }, string]>([
    ["a vdev keyword as name", { name: "mirror1" }, `test/p: invalid pool name (got "mirror1"; allowed: a letter, then letters`],
    ["a name starting with a digit", { name: "1tank" }, `test/p: invalid pool name (got "1tank"`],
    ["creation without disk ids", { create: true }, `test/p: creating a pool needs the disk ids of every vdev (got "create"; allowed: diskIds for all 1 vdevs, or adopt the pool (ZfsPool.fromName; creation "adopt" in the inventory))`],
    ["disk ids for the wrong vdev count", { diskIds: [["a", "b", "c"], ["d"]] }, "test/p: diskIds must list every vdev (got 2; allowed: 1 lists, one per vdev in layout order)"],
    ["too few disk ids", { diskIds: [["a", "b"]] }, `test/p: vdev 1 has 3 disks but 2 ids (got ["a","b"]; allowed: 3 ids)`],
    ["a disk id twice", { diskIds: [["a", "a", "b"]] }, `test/p: disk id used twice (got "a"; allowed: each disk in one vdev only)`],
    ["a layout the model refuses", { layout: { ...smallLayout, ashift: 8 } }, "test/p: invalid layout: "],
  ])("rejects %s", (_name, { create, ...override }, message) => {
    const { stack } = truenasTestStack();
    const props = { name: "tank", layout: smallLayout, ...override };
    // A JavaScript caller (or the inventory's creation "create") can omit the disk ids TypeScript requires.
    expect(() => (create ? new ZfsPool(stack, "p", props as ZfsPoolProps) : ZfsPool.fromName(stack, "p", props))).toThrow(message);
  });

  test("every problem of the props at once", () => {
    const { stack } = truenasTestStack();
    expect(() => ZfsPool.fromName(stack, "p", { name: "mirror1", layout: smallLayout, diskIds: [["a", "a"]] })).toThrow(
      [
        `test/p: invalid pool name (got "mirror1"; allowed: a letter, then letters, digits, '_', '.', ':' or '-'; not a vdev keyword (mirror, raidz, draid, spare, log, cache, special, dedup) nor c[0-9]...)`,
        `test/p: vdev 1 has 3 disks but 2 ids (got ["a","a"]; allowed: 3 ids)`,
        `test/p: disk id used twice (got "a"; allowed: each disk in one vdev only)`,
      ].join("\n"),
    );
  });

  test("the pool refuses a plan of datasets that cannot fit it, without the app", () => {
    const { stack } = truenasTestStack();
    const pool = ZfsPool.fromName(stack, "tank", { name: "tank", layout: smallLayout });
    pool.addDataset("huge", { purpose: "too big", quota: Size.tebibytes(50) });
    expect(pool.datasets.map((d) => d.fullPath)).toEqual(["tank/huge"]);
    expect(() => Testing.synth(stack, true)).toThrow(/\[test\/tank\] pool "tank": 54\.976 TB \(50\.000 TiB\) committed of .* usable/);
    expect(() => Testing.synth(stack, true)).toThrow(/to make it fit: reduce quotas/);
  });
});
