import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { PoolLayout, Size, layoutFromJson, poolCapacity } from "../../capacity";

const d = (n: number, label = "900GB") => Array.from({ length: n }, () => Size.parseDriveSize(label));
const base: PoolLayout = { ashift: 12, partitionScheme: "truenas-25.04", vdevs: [{ type: "raidz2", disks: d(7) }] };

describe("bad layouts and their errors", () => {
  it.each([
    [{ ...base, ashift: 8 }, "ashift: sector size as a power of two (got 8; allowed: a whole number from 9 (512 B) to 16 (64 KiB))"],
    [{ ...base, ashift: 12.5 }, "ashift: sector size as a power of two (got 12.5"],
    [{ ...base, openzfs: "1.9" }, 'openzfs: unknown rule set (got "1.9"; allowed: 2.0, 2.1, 2.2, 2.3, 2.4)'],
    [{ ...base, partitionScheme: "truenas-23" }, 'partitionScheme: unknown partition scheme (got "truenas-23"'],
    [{ ...base, vdevs: [] }, "vdevs: a pool needs at least one normal vdev"],
    [{ ...base, vdevs: [{ class: "log", type: "mirror", disks: d(2) }] }, "vdevs: a pool needs at least one normal vdev"],
    [{ ...base, vdevs: [{ type: "raidz3", disks: d(3) }] }, "vdevs[0].disks: raidz3 needs more devices than parity (got 3; allowed: 4 or more)"],
    [{ ...base, vdevs: [{ type: "mirror", disks: d(1) }] }, "vdevs[0].disks: a mirror needs at least two devices (got 1"],
    [{ ...base, vdevs: [{ type: "disk", disks: d(2) }] }, "vdevs[0].disks: a disk vdev has exactly one device"],
    [{ ...base, vdevs: [{ type: "raidz5", disks: d(7) }] }, 'vdevs[0].type: unknown vdev type (got "raidz5"'],
    [{ ...base, vdevs: [...base.vdevs, { class: "log", type: "raidz1", disks: d(3) }] }, "vdevs[1].type: log vdevs cannot be RAIDZ or dRAID"],
    [{ ...base, vdevs: [...base.vdevs, { class: "cache", type: "mirror", disks: d(2) }] }, "vdevs[1].type: cache devices are single disks"],
    [{ ...base, vdevs: [...base.vdevs, { class: "dedup", type: "mirror", disks: d(2) }] }, 'vdevs[1].class: unknown vdev class (got "dedup"'],
    [{ ...base, vdevs: [{ type: "raidz2", disks: [...d(6), Size.bytes(1000)] }] }, "vdevs[0].disks[6]: a disk is a whole number of 512-byte sectors"],
    [{ ...base, partitionScheme: "raw", vdevs: [{ type: "disk", disks: [Size.mebibytes(63)] }] }, "vdevs[0].disks[0]: device smaller than SPA_MINDEVSIZE after partitioning"],
    [{ ...base, vdevs: [{ type: "draid", parity: 2, data: 8, spares: 1, disks: d(10) }] }, "vdevs[0].disks: draid2:8d:1s needs data + parity + spares children (got 10; allowed: 11 or more)"],
  ])("%#", (layout, message) => expect(() => poolCapacity(layout as PoolLayout)).toThrow(message));
});

describe("JSON layouts", () => {
  const json = { ashift: 12, openzfs: "2.4", vdevs: [{ class: "normal", type: "raidz2", devices: Array(7).fill(900183621632) }] };
  it("are partition-level: devices are what ZFS is given", () => {
    const c = poolCapacity(layoutFromJson({ ...json, vdevs: [json.vdevs[0], json.vdevs[0], json.vdevs[0]] }));
    expect(c.usable.bytes).toBe(12425944367104n);
  });
  it.each([
    [{ ...json, name: "fast" }, 'layout.name: unknown key (got "name"'],
    [{ ...json, vdevs: [{ type: "raidz2", devices: [900183621632.5] }] }, "layout.vdevs[0].devices[0]: a device size is a positive whole number of bytes"],
    [{ ...json, vdevs: [{ type: "raidz2", devices: [2 ** 60] }] }, "layout.vdevs[0].devices[0]: a device size is a positive whole number of bytes (above 2^53, a decimal string)"],
    [{ ...json, vdevs: [{ type: "raidz2", devices: [-1] }] }, "layout.vdevs[0].devices[0]"],
    [{ ...json, openzfs: 2.4 }, "layout.openzfs: unknown OpenZFS rule set (got 2.4"],
    [[], "layout: expected an object"],
  ])("%# is refused", (value, message) => expect(() => layoutFromJson(value)).toThrow(message));
});

describe("the CLI", () => {
  // As npm run capacity runs it: node, the launcher, the script.
  const cli = [join(__dirname, "../../scripts/app.js"), join(__dirname, "../../scripts/capacity-cli.ts")];
  const node = process.execPath;
  const layout = (devices: number) => ({ ashift: 12, vdevs: [0, 1, 2].map(() => ({ type: "raidz2", devices: Array(7).fill(devices) })) });

  it("prints JSON for an array of layouts, in order", () => {
    const out = execFileSync(node, [...cli, "--json"], { input: JSON.stringify([layout(900183621632), layout(898037186560)]) }).toString();
    expect(JSON.parse(out)).toEqual([
      { usableBytes: "12425944367104", zpoolSizeBytes: "18863496364032", slopBytes: "103112769536" },
      { usableBytes: "12391618183168", zpoolSizeBytes: "18811956756480", slopBytes: "103112769536" },
    ]);
  });
  it("exits 2 with one line on stderr for invalid input", () => {
    const r = spawnSync(node, [...cli, "--json"], { input: '{"ashift": 12, "vdevs": [{"type": "raidz4", "devices": [1]}]}' });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toBe('capacity: layout.vdevs[0].type: unknown vdev type (got "raidz4"; allowed: disk, mirror, raidz1, raidz2, raidz3)\n');
    expect(r.stdout.toString()).toBe("");
  });
  it("prints usable, SIZE and slop in TB and TiB in human mode", () => {
    const out = execFileSync(node, [...cli, "--vdevs", "3", "--width", "7", "--type", "raidz2", "--disk", "900GB"]).toString();
    expect(out).toMatch(/usable\s+12\.392 TB\s+11\.270 TiB\s+12391618183168 B/);
    expect(out).toMatch(/zpool SIZE\s+18\.812 TB\s+17\.109 TiB/);
    expect(out).toMatch(/slop\s+0\.103 TB\s+0\.094 TiB/);
  });
});
