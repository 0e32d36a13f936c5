import fc from "fast-check";
import { Size } from "../../capacity";

describe("Size parsing", () => {
  it.each([
    ["900GB", 900_000_000_000n], ["8TB", 8_000_000_000_000n], ["1.2TB", 1_200_000_000_000n], ["500 MB", 500_000_000n],
    ["900185481216B", 900185481216n],
  ])("drive size %s", (text, bytes) => expect(Size.parseDriveSize(text).bytes).toBe(bytes));

  it.each([
    ["4T", 4n << 40n], ["4TiB", 4n << 40n], ["1.5G", 3n << 29n], ["512K", 512n << 10n], ["1073741824", 1n << 30n], ["0", 0n],
  ])("ZFS size %s", (text, bytes) => expect(Size.parseZfs(text).bytes).toBe(bytes));

  it.each([
    ["900G", /drive size: drive sizes are decimal, as sold: write "GB".*got "900G"/],
    ["900GiB", /drive sizes are decimal, as sold: write "GB"/],
    ["900", /a bare number is ambiguous/],
    ["900Gb", /"Gb" reads as bits: write "GB"/],
    ["-1TB", /a size cannot be negative \(got "-1TB"/],
    ["NaN", /not a number followed by a unit \(got "NaN"/],
    ["1e3GB", /not a number followed by a unit/],
    ["1.3B", /not a whole number of bytes/],
    ["8XB", /unknown unit "XB".*allowed: a non-negative number with one of PB, TB, GB, MB, kB, KB, B/],
    ["", /not a number followed by a unit/],
  ])("drive size %j is refused", (text, message) => expect(() => Size.parseDriveSize(text)).toThrow(message));

  it.each([
    ["4TB", /ZFS reads "TB" as binary \(TiB\) where people read it as decimal: write "T" or "TiB"/],
    ["-4T", /a size cannot be negative/],
    ["1.1B", /not a whole number of bytes/],
    ["4X", /unknown unit "X"/],
    ["Infinity", /not a number followed by a unit/],
  ])("ZFS size %j is refused", (text, message) => expect(() => Size.parseZfs(text)).toThrow(message));

  const sizes = fc.bigInt({ min: 0n, max: 1n << 62n }).map((b) => Size.bytes(b));
  it("drive sizes round-trip through their shortest exact spelling", () => {
    fc.assert(fc.property(sizes, (s) => Size.parseDriveSize(s.toDriveSizeString()).equals(s)));
  });
  it("ZFS sizes round-trip through their shortest exact spelling", () => {
    fc.assert(fc.property(sizes, (s) => Size.parseZfs(s.toZfsString()).equals(s)));
  });
  it("decimal and binary spellings of whole units parse to the factories' values", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), (n) =>
      Size.parseDriveSize(`${n}TB`).equals(Size.terabytes(n)) && Size.parseZfs(`${n}T`).equals(Size.tebibytes(n))));
  });
});
