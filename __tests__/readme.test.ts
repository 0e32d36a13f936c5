import fs from "node:fs";
import path from "node:path";
import { renderConsoleTable, Size } from "../capacity";
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

  test("its example errors are what synth really prints", () => {
    const [primary, backup] = homelab.truenasVms;
    const talos = homelab.talosClusters![0];
    const examples = [
      errorOf({ ...homelab, truenasVms: [{ ...primary, nics: [{ bridge: "vmbr0", vlan: "dmz" }] }, backup] }),
      errorOf({ ...homelab, talosClusters: [{ ...talos, controlPlane: { ...talos.controlPlane, firstVmId: 300 } }] }),
      errorOf({
        ...homelab,
        truenasVms: [{
          ...primary,
          storage: { ...primary.storage!, datasets: primary.storage!.datasets.map((d) => (d.fullPath === "bulk/backups/forgejo" ? { ...d, quota: Size.tebibytes(3) } : d)) },
        }, backup],
      }),
    ];
    for (const message of examples) expect(readme).toContain(message);
  });
});
