import fc from "fast-check";
import { PoolLayout, Size, VdevType, poolCapacity } from "../../capacity";

const MIN_DISK = 1n << 30n;
const diskBytes = fc.bigInt({ min: MIN_DISK, max: 24n * 10n ** 12n }).map((b) => (b / 512n) * 512n);
const type = fc.constantFrom<VdevType>("disk", "mirror", "raidz1", "raidz2", "raidz3");
const vdev = fc.record({ type, width: fc.integer({ min: 1, max: 12 }), disk: diskBytes }).map(({ type, width, disk }) => ({
  type,
  width: type === "disk" ? 1 : type === "mirror" ? Math.max(2, width) : Math.max(Number(type.slice(-1)) + 1, width),
  disk,
}));
const layout = fc.record({
  ashift: fc.integer({ min: 9, max: 16 }),
  openzfs: fc.constantFrom("2.0", "2.1", "2.3", "2.4" as const),
  vdevs: fc.array(vdev, { minLength: 1, maxLength: 4 }),
});
type Arb = typeof layout extends fc.Arbitrary<infer T> ? T : never;
const toLayout = (l: Arb): PoolLayout => ({
  ashift: l.ashift, openzfs: l.openzfs, partitionScheme: "raw",
  vdevs: l.vdevs.map((v) => ({ type: v.type, disks: Array<Size>(v.width).fill(Size.bytes(v.disk)) })),
});

describe("properties of the pool model", () => {
  it("usable space never exceeds the raw bytes of the devices", () => {
    fc.assert(fc.property(layout, (l) => {
      const c = poolCapacity(toLayout(l));
      const raw = l.vdevs.reduce((sum, v) => sum + v.disk * BigInt(v.width), 0n);
      return c.usable.bytes <= raw && c.usable.bytes <= c.zpoolSize.bytes;
    }));
  });
  it("another vdev never reduces usable space", () => {
    fc.assert(fc.property(layout, vdev, (l, extra) =>
      poolCapacity(toLayout({ ...l, vdevs: [...l.vdevs, extra] })).usable.bytes >= poolCapacity(toLayout(l)).usable.bytes));
  });
  it("bigger disks never reduce usable space", () => {
    fc.assert(fc.property(layout, fc.bigInt({ min: 0n, max: 10n ** 12n }), (l, growth) => {
      const bigger = { ...l, vdevs: l.vdevs.map((v) => ({ ...v, disk: v.disk + (growth / 512n) * 512n })) };
      return poolCapacity(toLayout(bigger)).usable.bytes >= poolCapacity(toLayout(l)).usable.bytes;
    }));
  });
  it("a mirror never beats a single disk of the same size", () => {
    fc.assert(fc.property(diskBytes, fc.integer({ min: 2, max: 4 }), fc.integer({ min: 9, max: 16 }), (disk, width, ashift) => {
      const one = (type: "disk" | "mirror", n: number) =>
        poolCapacity({ ashift, partitionScheme: "raw", vdevs: [{ type, disks: Array<Size>(n).fill(Size.bytes(disk)) }] }).usable.bytes;
      return one("mirror", width) <= one("disk", 1);
    }));
  });
  it("usable + slop is the normal space, and slop stays within its bounds", () => {
    fc.assert(fc.property(layout, (l) => {
      const c = poolCapacity(toLayout(l));
      return c.usable.bytes + c.slop.bytes === c.normalSpace.bytes && (l.openzfs === "2.0" || c.slop.bytes <= 128n << 30n);
    }));
  });
});
