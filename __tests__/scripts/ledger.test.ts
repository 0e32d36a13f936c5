import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ledgerCommand } from "../../scripts/ledger";
import { serializeLedger } from "../../stacks/ledger";

describe("npm run ledger", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledger-")), "ledger.json");
  const run = (...argv: string[]) => {
    const lines: string[] = [];
    return { code: ledgerCommand(argv, file, (l) => lines.push(l)), lines };
  };
  beforeEach(() => fs.writeFileSync(file, serializeLedger({
    "prod-storage: dataset bulk/archive": { address: "truenas_dataset.bulk--archive", retired: true },
    "prod-storage: dataset bulk/photos": { address: "truenas_dataset.bulk--photos" },
  })));

  test("list shows every holder, retired ones marked", () => {
    expect(run("list")).toEqual({ code: 0, lines: [
      "retired  prod-storage: dataset bulk/archive  (truenas_dataset.bulk--archive)",
      "active   prod-storage: dataset bulk/photos  (truenas_dataset.bulk--photos)",
    ] });
  });

  test("forget drops a retired holder, and only that", () => {
    expect(run("forget", "prod-storage: dataset bulk/archive").code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).holders).toEqual({ "prod-storage: dataset bulk/photos": { address: "truenas_dataset.bulk--photos" } });
  });

  test("forget refuses a managed holder or an unknown one, and writes nothing", () => {
    const before = fs.readFileSync(file, "utf8");
    expect(run("forget", "prod-storage: dataset bulk/photos")).toEqual({ code: 2, lines: [`ledger: "prod-storage: dataset bulk/photos" is still managed; retire it in the inventory (storage.retired), synth and apply first`] });
    expect(run("forget", "prod-storage: dataset nope").code).toBe(2);
    expect(run("bogus").code).toBe(2);
    expect(fs.readFileSync(file, "utf8")).toBe(before);
  });
});
