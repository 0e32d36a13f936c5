import { poolCapacity, Size, type PoolLayout } from "../../capacity";
import { expectedPool, PoolHealthCheck, poolCheckBlock } from "../../constructs/pool-health-check";
import { addTerraformCheck } from "../../constructs/terraform-check";
import { ZfsPool } from "../../constructs/zfs-pool";
import { homelab } from "../../inventory/homelab";
import { TerraformStack, Testing } from "../../lib/cdktf";
import { addTrueNASProvider } from "../../stacks/providers";
import { smallLayout, smallPool, synth, truenasTestStack } from "../helpers";

/** The stack as `app.synth()` writes it (Testing.synth drops the `//` comments). */
const full = (stack: TerraformStack) => JSON.parse(JSON.stringify(stack.toTerraform())) as Record<string, any>;

const fastLayout = homelab.truenasVms.find((v) => v.role === "primary")!.storage!.pools.find((p) => p.name === "fast")!.layout;
const layout = (vdevs: PoolLayout["vdevs"]): PoolLayout => ({ ashift: 12, partitionScheme: "truenas-25.04", vdevs });
const tb = (n: number) => Size.terabytes(n);

describe("PoolHealthCheck", () => {
  test("defaults: one check block per pool, a data source scoped to it, three assertions; nothing else changes", () => {
    const { stack } = truenasTestStack();
    const pool = smallPool(stack);
    const before = synth(stack);
    const check = new PoolHealthCheck(stack, "verify-tank", { pool });
    const json = full(stack);

    expect(check.checkAddress).toBe("check.pool_tank");
    expect(check.dataSourceAddress).toBe("data.truenas_pool.verify_pool_tank");
    expect(PoolHealthCheck.of(pool)).toBe(check);
    const block = json.check.pool_tank;
    expect(Object.keys(json.check)).toEqual(["pool_tank"]);
    expect(block.data).toEqual({ truenas_pool: { verify_pool_tank: { name: "tank" } } });
    expect(block["//"]).toEqual({ verify: "pool tank", expected: check.expected.summary });
    expect(block.assert).toHaveLength(3);
    const [status, vdevs, size] = block.assert;
    expect(status.condition).toBe('${data.truenas_pool.verify_pool_tank.status == "ONLINE" && data.truenas_pool.verify_pool_tank.healthy == true}');
    expect(vdevs.condition).toBe('${join(",", sort(try([for v in data.truenas_pool.verify_pool_tank.topology.data : "${replace(upper(v.type), "/^RAIDZ$/", "RAIDZ1")}:${length(v.disks)}"], []))) == "RAIDZ1:3"}');
    expect(size.condition).toBe(`\${data.truenas_pool.verify_pool_tank.size == ${pool.capacity.zpoolSize.bytes}}`);
    expect(status.error_message).toMatch(/^pool tank: status \$\{.*\} but it must be ONLINE and healthy \(likely: \$\{.*\}\)$/);
    expect(vdevs.error_message).toMatch(/^pool tank: data vdevs \$\{.*\} but the inventory's layout has 1 × RAIDZ1 of 3 \(likely: \$\{.*\}\)$/);
    expect(size.error_message).toContain(`but the inventory's layout gives ${pool.capacity.zpoolSize.in("TB").toFixed(3)} TB (${pool.capacity.zpoolSize.in("TiB").toFixed(3)} TiB, ${pool.capacity.zpoolSize.bytes} bytes) as zpool list SIZE (likely: `);
    expect(check.expected).toMatchObject({ name: "tank", dataVdevs: ["RAIDZ1:3"], layoutText: "1 × raidz1 of 3", truenasLayoutText: "1 × RAIDZ1 of 3", diskText: "4 TB" });

    // Without its check block, the stack is exactly what it was: same resources, data sources, addresses.
    const after = synth(stack) as Record<string, unknown>;
    expect(after.check).toBeDefined();
    delete after.check;
    expect(after).toEqual(before);
  });

  test("custom: the shipped fast pool (3 × 7-wide RAIDZ2 of 900 GB and a mirrored SLOG): only data vdevs, SIZE as docs/capacity.md gives it", () => {
    const { stack } = truenasTestStack();
    const pool = ZfsPool.fromName(stack, "pool-fast", { name: "fast", layout: fastLayout });
    const check = new PoolHealthCheck(stack, "verify-fast", { pool });
    const e = check.expected;
    expect(e.dataVdevs).toEqual(["RAIDZ2:7", "RAIDZ2:7", "RAIDZ2:7"]); // the log mirror is no data vdev
    expect(e.summary).toBe("ONLINE, 3 × raidz2 of 7, SIZE 18.812 TB (usable 12.392 TB)");
    expect(e.size.toHuman()).toBe("18.812 TB (17.109 TiB)"); // docs/capacity.md, `zpool list` SIZE of fast
    expect(e.usable.toHuman()).toBe("12.392 TB (11.270 TiB)");
    expect(e.diskText).toBe("900 GB");
    // Another partition scheme gives another exact SIZE, which the message can then name.
    expect(Object.values(e.sizeByOtherScheme).join(" | ")).toMatch(/truenas-24\.10.*zpool-create-linux|truenas-swap-2g/);
    expect(Object.keys(e.sizeByOtherScheme)).not.toContain(e.size.bytes.toString());
    const block = full(stack).check.pool_fast;
    expect(block.assert[1].condition).toContain('== "RAIDZ2:7,RAIDZ2:7,RAIDZ2:7"');
    expect(block.assert[2].condition).toBe(`\${data.truenas_pool.verify_pool_fast.size == ${poolCapacity(fastLayout).zpoolSize.bytes}}`);
  });

  test("the SIZE each check asserts is the capacity model's zpool list SIZE, byte for byte, for every shipped pool and mixed layouts", () => {
    const shipped = homelab.truenasVms.flatMap((v) => v.storage?.pools ?? []);
    const mixed: [string, PoolLayout][] = [
      ["mirrors and a single disk", layout([{ type: "mirror", disks: [tb(4), tb(4)] }, { type: "disk", disks: [tb(2)] }, { type: "mirror", disks: [tb(4), tb(4)] }])],
      ["raidz3 with a special mirror, cache and spare", layout([{ type: "raidz3", disks: Array(8).fill(tb(8)) }, { class: "special", type: "mirror", disks: [Size.gigabytes(960), Size.gigabytes(960)] }, { class: "cache", type: "disk", disks: [Size.gigabytes(500)] }, { class: "spare", type: "disk", disks: [tb(8)] }])],
      ["dRAID", layout([{ type: "draid", parity: 2, data: 4, spares: 1, disks: Array(11).fill(tb(4)) }])],
    ];
    for (const [name, l] of [...shipped.map((p) => [p.name, p.layout] as [string, PoolLayout]), ...mixed]) {
      const e = expectedPool(name, l);
      expect(e.size.bytes).toBe(poolCapacity(l).zpoolSize.bytes);
      const block = poolCheckBlock(e, "d");
      expect(block.assert[2]!.condition).toBe(`\${data.truenas_pool.d.size == ${poolCapacity(l).zpoolSize.bytes}}`);
      expect(block.assert[2]!.error_message).toContain(`${poolCapacity(l).zpoolSize.bytes} bytes) as zpool list SIZE`);
    }
    // Data vdevs in TrueNAS's words, sorted as Terraform sorts; special, cache and spare are not data vdevs.
    expect(expectedPool("m", mixed[0]![1]).dataVdevs).toEqual(["DISK:1", "MIRROR:2", "MIRROR:2"]);
    expect(expectedPool("m", mixed[0]![1]).layoutText).toBe("2 × mirror of 2 + 1 × disk of 1");
    expect(expectedPool("z", mixed[1]![1]).dataVdevs).toEqual(["RAIDZ3:8"]);
    expect(expectedPool("d", mixed[2]![1])).toMatchObject({ dataVdevs: ["DRAID:11"], layoutText: "1 × draid2:4d:1s of 11" });
    // Only the spelling rules the layout needs: STRIPE is DISK, any DRAIDn:... is DRAID.
    expect(poolCheckBlock(expectedPool("m", mixed[0]![1]), "d").assert[1]!.condition).toContain('replace(upper(v.type), "/^STRIPE$/", "DISK")');
    expect(poolCheckBlock(expectedPool("d", mixed[2]![1]), "d").assert[1]!.condition).toContain('replace(upper(v.type), "/^DRAID.*$/", "DRAID")');
    // A raw layout (measured partitions) has no other scheme to suspect.
    expect(expectedPool("r", { ...smallLayout, partitionScheme: "raw" }).sizeByOtherScheme).toEqual({});
  });

  test("checks of several pools merge into the stack's check blocks, beside its removed blocks; pool names HCL cannot hold are replaced", () => {
    const { stack } = truenasTestStack();
    new PoolHealthCheck(stack, "verify-tank", { pool: smallPool(stack, "tank") });
    new PoolHealthCheck(stack, "verify-odd", { pool: smallPool(stack, "data.2:x") });
    addTerraformCheck(stack, "other", { assert: [{ condition: "${true}", error_message: "never" }] });
    const json = full(stack);
    expect(Object.keys(json.check)).toEqual(["pool_tank", "pool_data_2_x", "other"]);
    expect(json.check.pool_data_2_x.data).toEqual({ truenas_pool: { verify_pool_data_2_x: { name: "data.2:x" } } });
    expect(json.removed.map((r: { from: string }) => r.from)).toEqual(["truenas_pool.tank", "truenas_pool.data.2:x"]);
  });

  test.each<[string, (stack: TerraformStack) => void, string]>([
    [
      "a second check for the same pool",
      (stack) => {
        const pool = smallPool(stack);
        new PoolHealthCheck(stack, "verify-tank", { pool });
        new PoolHealthCheck(stack, "verify-again", { pool });
      },
      "test/verify-again: pool tank already has a health check (got \"tank\"; allowed: one PoolHealthCheck per pool (test/verify-tank))",
    ],
    [
      "a check in another stack than its pool",
      (stack) => {
        const other = new TerraformStack(stack.node.scope!, "other");
        addTrueNASProvider(other);
        new PoolHealthCheck(other, "verify-tank", { pool: smallPool(stack) });
      },
      "other/verify-tank: pool tank is in another stack (got \"test\"; allowed: the pool's own stack, test (a check reads the pool through that stack's TrueNAS provider))",
    ],
    [
      "two check blocks of one name",
      (stack) => {
        addTerraformCheck(stack, "same", { assert: [] });
        addTerraformCheck(stack, "same", { assert: [] });
      },
      "test: check block declared twice in the stack (got \"same\"; allowed: a name unique in its stack)",
    ],
    ["a check block name HCL refuses", (stack) => addTerraformCheck(stack, "pool.fast", { assert: [] }), "test: invalid check block name (got \"pool.fast\"; allowed: a letter or '_', then letters, digits, '_' or '-')"],
  ])("refused: %s", (_name, build, message) => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    addTrueNASProvider(stack);
    expect(() => build(stack)).toThrow(message);
  });
});
