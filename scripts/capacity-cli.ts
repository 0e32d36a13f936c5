/**
 * The ZFS capacity calculator: `npm run capacity -- --help`.
 *
 * Human mode prints a pool's usable space, `zpool list` SIZE and slop; `--json` reads a layout (or an
 * array of layouts) on stdin and prints the exact bytes as JSON. All arithmetic is in capacity/.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  OPENZFS_RULES, OpenZfsRules, PARTITION_SCHEMES, PartitionScheme, PoolCapacity, Size, VDEV_TYPES, VdevType,
  capacityToJson, describeLayout, layoutFromJson, poolCapacity,
} from "../capacity";

const HELP = `Usage:
  npm run capacity -- [--vdevs N] --width W --type TYPE --disk SIZE [--ashift A] [--scheme SCHEME] [--openzfs V]
  npm run --silent capacity -- --json < layout.json

Human mode: a pool of N identical vdevs.
  --vdevs N      number of vdevs (default 1)
  --width W      devices per vdev (default: 1 for disk, 2 for mirror)
  --type TYPE    ${VDEV_TYPES.join(" | ")}
  --disk SIZE    drive size as sold, decimal ("900GB", "8TB"), or exact bytes ("900185481216B")
  --ashift A     9 to 16 (default 12, as TrueNAS uses)
  --scheme S     how disks are partitioned (default truenas-25.04):
                 ${PARTITION_SCHEMES.join(" | ")}
                 (raw: --disk is exactly what ZFS is given, e.g. a measured partition)
  --openzfs V    rule set ${OPENZFS_RULES.join(" | ")} (default 2.4)
  Example: npm run capacity -- --vdevs 3 --width 7 --type raidz2 --disk 900GB

Machine mode (--json): stdin holds a layout, or an array of layouts, of partition-level devices:
  {"ashift": 12, "openzfs": "2.4", "vdevs": [{"class": "normal", "type": "raidz2", "devices": [900183621632, ...]}]}
  class: normal | log | special | cache | spare (default normal); devices: bytes given to ZFS.
  Output: {"usableBytes": "...", "zpoolSizeBytes": "...", "slopBytes": "..."} (an array for an array).
Invalid input: one line on stderr, exit code 2.`;

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" }, help: { type: "boolean", short: "h" },
      vdevs: { type: "string" }, width: { type: "string" }, type: { type: "string" }, disk: { type: "string" },
      ashift: { type: "string" }, scheme: { type: "string" }, openzfs: { type: "string" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.json) {
    const input = parseJson(readFileSync(0, "utf8"));
    const one = (layout: unknown, where: string) => capacityToJson(poolCapacity(layoutFromJson(layout, where)));
    const output = Array.isArray(input) ? input.map((layout, i) => one(layout, `layouts[${i}]`)) : one(input, "layout");
    process.stdout.write(JSON.stringify(output) + "\n");
    return;
  }
  const type = required(values.type, "--type") as VdevType;
  if (!VDEV_TYPES.includes(type)) throw new Error(`--type: unknown vdev type ${JSON.stringify(type)} (allowed: ${VDEV_TYPES.join(", ")})`);
  const width = whole(values.width ?? (type === "disk" ? "1" : type === "mirror" ? "2" : undefined), "--width");
  const count = whole(values.vdevs ?? "1", "--vdevs");
  const disk = Size.parseDriveSize(required(values.disk, "--disk"));
  const layout = {
    ashift: whole(values.ashift ?? "12", "--ashift"),
    openzfs: (values.openzfs ?? "2.4") as OpenZfsRules,
    partitionScheme: (values.scheme ?? "truenas-25.04") as PartitionScheme,
    vdevs: Array.from({ length: count }, () => ({ type, disks: Array<Size>(width).fill(disk) })),
  };
  printHuman(describeLayout(layout), poolCapacity(layout));
}

function printHuman(title: string, c: PoolCapacity): void {
  const line = (name: string, s: Size, note = "") =>
    `${name.padEnd(11)}${s.in("TB").toFixed(3).padStart(9)} TB ${s.in("TiB").toFixed(3).padStart(9)} TiB  ${`${s.bytes}`.padStart(16)} B${note}`;
  console.log(title);
  console.log(line("usable", c.usable, "  (zfs list USED+AVAIL of the root dataset; TrueNAS capacity)"));
  console.log(line("zpool SIZE", c.zpoolSize, "  (zpool list SIZE)"));
  console.log(line("slop", c.slop));
  for (const [i, v] of c.vdevs.entries()) {
    if (v.msCount === 0n) {
      console.log(`vdev ${i}: ${v.class} ${v.type} × ${v.width}, adds no space`);
      continue;
    }
    console.log(
      `vdev ${i}: ${v.type} × ${v.width}, device ${v.deviceBytes} B, asize ${v.asize} B, ${v.msCount} metaslabs of 2^${v.msShift} B` +
        `${v.embeddedLog ? " (1 embedded log)" : ""}, deflate ${v.deflateRatio}/512`,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`stdin: not a JSON layout (${(error as Error).message}); see --help for the format`);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw new Error(`${flag} is required (see --help)`);
  return value;
}

function whole(value: string | undefined, flag: string): number {
  const n = Number(required(value, flag));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag}: expected a whole number ≥ 1 (got ${JSON.stringify(value)})`);
  return n;
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`capacity: ${(error as Error).message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(2);
}
