import { Size, partitionSize, poolCapacity, PoolLayout, PartitionScheme } from "../../capacity";
import { backupLayout, bulkLayout, fastLayout, scratchLayout } from "./fixtures/review-plan";

const disks = (label: string, n: number) => Array.from({ length: n }, () => Size.parseDriveSize(label));
const fast = (scheme: PartitionScheme, ashift = 12): PoolLayout => ({
  ashift, partitionScheme: scheme, vdevs: [0, 1, 2].map(() => ({ type: "raidz2" as const, disks: disks("900GB", 7) })),
});
const single = (scheme: PartitionScheme, type: "raidz1" | "raidz2", label: string, n: number): PoolLayout => ({
  ashift: 12, partitionScheme: scheme, vdevs: [{ type, disks: disks(label, n) }],
});

describe("partition sizes (research §3.2)", () => {
  it.each([
    ["900GB", "zpool-create-linux", 900175233024n], ["900GB", "truenas-24.10", 900183621632n],
    ["900GB", "truenas-25.04", 898037186560n], ["900GB", "truenas-swap-2g", 898037911552n],
    ["8TB", "zpool-create-linux", 8001553432576n], ["8TB", "truenas-24.10", 8001561821184n],
    ["8TB", "truenas-25.04", 7999415386112n], ["8TB", "truenas-swap-2g", 7999415652352n],
    ["3TB", "zpool-create-linux", 3000583061504n], ["3TB", "truenas-24.10", 3000591450112n],
    ["3TB", "truenas-25.04", 2998445015040n], ["3TB", "truenas-swap-2g", 2998445412352n],
  ] as const)("%s with %s is %s bytes", (label, scheme, bytes) => {
    expect(partitionSize(Size.parseDriveSize(label), scheme).bytes).toBe(bytes);
  });

  it("reproduces zpool create on an 18 TB disk measured in openzfs#13727", () => {
    expect(partitionSize(Size.bytes(18000207937536n), "zpool-create-linux").bytes).toBe(18000197451776n);
  });
});

describe("worked examples, byte for byte (research §6.1)", () => {
  it("fast, TrueNAS 25.04+ (A)", () => {
    const c = poolCapacity(fast("truenas-25.04"));
    expect(c.usable.bytes).toBe(12391618183168n);
    expect(c.zpoolSize.bytes).toBe(18811956756480n);
    expect(c.slop.bytes).toBe(103112769536n);
    expect(c.vdevs.map((v) => [v.msShift, v.msCount, v.deflateRatio, v.embeddedLog])).toEqual(Array(3).fill([34n, 365n, 341n, true]));
  });
  it("fast, whole disk (B)", () => {
    const c = poolCapacity(fast("zpool-create-linux"));
    expect(c.usable.bytes).toBe(12425944367104n);
    expect(c.zpoolSize.bytes).toBe(18863496364032n);
  });
  it("fast at ashift 9", () => {
    expect(poolCapacity(fast("truenas-25.04", 9)).usable.bytes).toBe(13236686553088n);
    expect(poolCapacity(fast("truenas-25.04", 9)).slop.bytes).toBe(100797513728n);
    expect(poolCapacity(fast("zpool-create-linux", 9)).usable.bytes).toBe(13273327992832n);
  });
  it.each([
    ["bulk", "raidz2", "8TB", 6, 31820238290944n, 31831680352256n],
    ["scratch", "raidz1", "3TB", 6, 14231340580864n, 14231340580864n],
    ["backup", "raidz2", "3TB", 11, 24975033499648n, 25001205956608n],
  ] as const)("%s", (_name, type, label, n, a, b) => {
    expect(poolCapacity(single("truenas-25.04", type, label, n)).usable.bytes).toBe(a);
    expect(poolCapacity(single("zpool-create-linux", type, label, n)).usable.bytes).toBe(b);
  });
  it("the fixture layouts agree (the fast SLOG mirror adds nothing)", () => {
    expect([fastLayout, bulkLayout, scratchLayout, backupLayout].map((l) => poolCapacity(l).usable.bytes))
      .toEqual([12391618183168n, 31820238290944n, 14231340580864n, 24975033499648n]);
  });
  it("8 × 2-way mirrors of 4 TB: the slop bottoms out at 64 GiB (research §0)", () => {
    const c = poolCapacity({ ashift: 12, partitionScheme: "raw", vdevs: Array.from({ length: 8 }, () => ({ type: "mirror" as const, disks: disks("4TB", 2) })) });
    expect(c.slop.bytes).toBe(68719476736n);
    expect(c.usable.bytes).toBe(31679678775296n);
  });
});

describe("other vdev classes (research §2)", () => {
  const raw = (bytes: bigint, n: number) => Array.from({ length: n }, () => Size.bytes(bytes));
  const wholeDiskFast: PoolLayout = {
    ashift: 12, partitionScheme: "raw",
    vdevs: [0, 1, 2].map(() => ({ type: "raidz2" as const, disks: raw(900175233024n, 7) })),
  };
  it("SLOG, L2ARC and spares add nothing", () => {
    const c = poolCapacity({
      ...wholeDiskFast,
      vdevs: [
        ...wholeDiskFast.vdevs,
        { class: "log", type: "mirror", disks: raw(120034123776n, 2) },
        { class: "cache", type: "disk", disks: raw(120034123776n, 1) },
        { class: "spare", type: "disk", disks: raw(900175233024n, 1) },
      ],
    });
    expect(c.usable.bytes).toBe(12425944367104n);
    expect(c.zpoolSize.bytes).toBe(18863496364032n);
  });
  it("a special mirror adds one embedded-log metaslab to usable on 2.4, nothing on 2.3", () => {
    const bulk = (openzfs: "2.3" | "2.4"): PoolLayout => ({
      ashift: 12, openzfs, partitionScheme: "raw",
      vdevs: [{ type: "raidz2", disks: raw(8001553432576n, 6) }, { class: "special", type: "mirror", disks: raw(120034123776n, 2) }],
    });
    expect(poolCapacity(bulk("2.3")).usable.bytes).toBe(31831680352256n);
    // OpenZFS 2.4.4 measured 31832754348032: this + 1 GiB + 253952 B of metadata already allocated on the special vdev.
    expect(poolCapacity(bulk("2.4")).usable.bytes).toBe(31831680352256n + (1n << 30n));
    expect(poolCapacity(bulk("2.4")).zpoolSize.bytes).toBeGreaterThan(poolCapacity({ ...bulk("2.4"), vdevs: [bulk("2.4").vdevs[0]] }).zpoolSize.bytes);
  });
  it("rules 2.0 have no embedded log and no 128 GiB slop cap", () => {
    const c = poolCapacity({ ...fast("truenas-25.04"), openzfs: "2.0" });
    expect(c.slop.bytes).toBe(3n * 365n * 11442061312n >> 5n);
    expect(c.embeddedLogSpace.bytes).toBe(0n);
  });
  it("small vdevs below 64 metaslabs keep all of them and get the 128 MiB minimum slop", () => {
    const c = poolCapacity({ ashift: 12, partitionScheme: "raw", vdevs: [{ type: "disk", disks: [Size.gibibytes(2)] }] });
    expect(c.vdevs[0].embeddedLog).toBe(false);
    expect(c.slop.bytes).toBe(128n << 20n);
  });
  it("dRAID: whole groups per metaslab", () => {
    const c = poolCapacity({ ashift: 12, partitionScheme: "raw", vdevs: [{ type: "draid", parity: 2, data: 4, spares: 1, disks: raw(1n << 40n, 10) }] });
    expect(c.vdevs[0].deflateRatio).toBe(341n); // 128K = 8 rows of 4 data → 8 × 6 sectors: 131072 / 384
    expect(c.usable.bytes).toBeGreaterThan(0n);
    expect(c.usable.bytes).toBeLessThan(((1n << 40n) * 9n * 4n) / 6n);
  });
});
