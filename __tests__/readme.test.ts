import fs from "node:fs";
import path from "node:path";
import { renderConsoleTable, Size } from "../capacity";
import { Schedule } from "../constructs/schedule";
import { homelab } from "../inventory/homelab";
import type { Homelab } from "../inventory/types";
import { Testing } from "../lib/cdktf";
import { buildHomelab } from "../stacks/homelab-app";
import { storageTable } from "../scripts/storage-table";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

function errorOf(lab: Homelab): string {
  try {
    buildHomelab(Testing.app(), lab);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the inventory to be refused");
}

describe("README", () => {
  test("its storage layout table is the inventory's", () => {
    expect(readme).toContain(storageTable(homelab));
  });

  test("its synth output sample is what synth prints today (capacity table, skipped stacks, notes)", () => {
    const built = buildHomelab(Testing.app(), homelab);
    const printed = [renderConsoleTable(built.capacity), ...built.skipped.map((s) => `${s.stack}: skipped: ${s.reason}`), ...built.notes].join("\n");
    expect(readme).toContain(printed);
  });

  test("its example errors (section Errors) are what synth really prints, and it shows no other", () => {
    const [primary, backup] = homelab.truenasVms;
    const talos = homelab.talosClusters![0];
    const withPrimaryStorage = (edit: (s: NonNullable<typeof primary.storage>) => NonNullable<typeof primary.storage>): Homelab =>
      ({ ...homelab, truenasVms: [{ ...primary, storage: edit(primary.storage!) }, backup] });
    const examples = [
      errorOf({ ...homelab, truenasVms: [{ ...primary, nics: [{ bridge: "vmbr0", vlan: "dmz" }] }, backup] }),
      errorOf({ ...homelab, talosClusters: [{ ...talos, controlPlane: { ...talos.controlPlane, firstVmId: 300 } }] }),
      errorOf({ ...homelab, kubernetesStorage: { ...homelab.kubernetesStorage!, nfsClientVlans: [] } }),
      errorOf({ ...homelab, vlans: homelab.vlans.map((v) => (v.name === "storage" ? { ...v, cidr: "10.10.10.5/24" } : v)) }),
      errorOf(withPrimaryStorage((s) => ({ ...s, scrubs: { ...s.scrubs, fast: Schedule.weekly({ dayOfWeek: 9, hour: 2 }) } }))),
      errorOf({ ...homelab, truenasVms: [{ ...primary, memory: Size.gibibytes(-1) }, backup] }),
      errorOf(withPrimaryStorage((s) => ({
        ...s,
        datasets: s.datasets.map((d) => (d.fullPath === "bulk/photos" ? { ...d, purpose: `Immich; API key 1-${"x7Kq9Lm2Np4Rs6Tv8Wy0Za3Bc5De7Fg9Hj1Kl3Mn5Pq7Rs9Tv1Wx3Yz5Ab7Cd9Ef"}` } : d)),
      }))),
      errorOf(withPrimaryStorage((s) => ({ ...s, datasets: s.datasets.map((d) => (d.fullPath === "bulk/backups/forgejo" ? { ...d, quota: Size.tebibytes(3) } : d)) }))),
    ];
    for (const message of examples) expect(readme).toContain(message);
    // Every line of the section's example block is one of those: no stale example survives a change of wording.
    const section = readme.slice(readme.indexOf("### Errors"), readme.indexOf("\n## ", readme.indexOf("### Errors")));
    const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks[0]).toBe("<inventory entry or construct path>: <what is wrong> (got <value>; allowed: <what is allowed>)\n");
    const real = new Set(examples.flatMap((m) => m.split("\n")));
    const shown = blocks.slice(1).flatMap((b) => b.split("\n")).filter((l) => l !== "");
    expect(shown.length).toBeGreaterThanOrEqual(examples.length);
    expect(shown.filter((l) => !real.has(l))).toEqual([]);
  });
});
