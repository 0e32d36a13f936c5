/**
 * Sizes: every size field holds a `Size`; a size built from a bad amount (negative, NaN, a
 * fraction of a byte, a number too large to be exact) is reported at the field that holds it (the
 * factories never throw, so the inventory module always loads); and the sizes Terraform receives
 * as JSON numbers (dataset quota, refquota, reservation) stay below 2^53 bytes.
 */
import { Size } from "../../capacity/size";
import { verbatim } from "../../constructs/errors";
import type { DatasetEntry, PoolEntry, TalosClusterEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts } from "./context";

/** The largest byte count a JSON number holds exactly (what `Size.toNumberExact` accepts). */
const MAX_JSON_BYTES = BigInt(Number.MAX_SAFE_INTEGER);
const EXAMPLE = "a Size, e.g. Size.gibibytes(32) or Size.bytes(900_185_481_216n)";

export function checkSizes(facts: InventoryFacts, findings: Findings): void {
  // Every invalid Size, wherever it is.
  for (const leaf of facts.leaves()) {
    if (leaf.value instanceof Size && leaf.value.issue) {
      const { factory, amount, problem, allowed } = leaf.value.issue;
      findings.problem(leaf.path, `invalid size: ${problem}`, verbatim(`${factory}(${amount})`), allowed);
    }
  }

  const required = (path: string, value: unknown) => {
    if (!(value instanceof Size)) findings.problem(path, "not a Size", value, EXAMPLE);
  };
  const optional = (path: string, value: unknown) => {
    if (value !== undefined) required(path, value);
  };
  for (const t of facts.truenas) {
    required(`${t.path}/memory`, t.vm.memory);
    required(`${t.path}/bootDiskSize`, t.vm.bootDiskSize);
    list<DatasetEntry>(t.storage?.datasets).forEach((d, i) => {
      if (!isRecord(d)) return;
      const path = entryPath(`${t.storagePath}/datasets`, d, i);
      optional(`${path}/expectedSize`, d.expectedSize);
      for (const field of ["quota", "refquota", "reservation"] as const) {
        const size = d[field];
        optional(`${path}/${field}`, size);
        if (size instanceof Size && size.isValid() && size.bytes > MAX_JSON_BYTES) {
          findings.problem(`${path}/${field}`, `${field} too large for Terraform's JSON (a number, exact only below 2^53 bytes)`, verbatim(size.toHuman()), "less than 8 PiB (9,007,199,254,740,992 bytes), or no quota");
        }
      }
    });
    list<PoolEntry>(t.storage?.pools).forEach((p, i) => {
      if (!isRecord(p) || !isRecord(p.layout)) return;
      const path = `${entryPath(`${t.storagePath}/pools`, p, i)}/layout/vdevs`;
      list<{ disks: unknown }>(p.layout.vdevs).forEach((v, j) => {
        if (isRecord(v)) list<unknown>(v.disks).forEach((d, k) => required(`${path}/${j}/disks/${k}`, d));
      });
    });
  }
  list<TalosClusterEntry>(facts.lab.talosClusters).forEach((c, i) => {
    if (!isRecord(c)) return;
    const path = entryPath(`${facts.root}/talosClusters`, c, i);
    for (const group of ["controlPlane", "workers"] as const) {
      if (!isRecord(c[group])) continue;
      required(`${path}/${group}/memory`, c[group].memory);
      required(`${path}/${group}/diskSize`, c[group].diskSize);
    }
  });
}
