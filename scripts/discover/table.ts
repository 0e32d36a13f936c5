/**
 * The table discovery prints: one row per declared object (stack, object, found/absent, import id),
 * then one line per property where the live object differs from the inventory.
 */
import type { Finding } from "./drift";

/** "declared": what synth writes for the object, the inventory's values and the constructs' defaults. */
const HEADER = ["stack", "object", "status", "id", "differs from the inventory (live, declared)"];

export function renderTable(findings: readonly Finding[]): string {
  const rows: string[][] = [HEADER];
  const stacks = [...new Set(findings.map((f) => f.stack))];
  for (const f of [...findings].sort((a, b) => stacks.indexOf(a.stack) - stacks.indexOf(b.stack))) {
    const details = [
      ...f.drift.map((d) => `${d.property}: ${d.live} live, ${d.inventory} declared`),
      ...(f.note ? [`(${f.note})`] : []),
    ];
    rows.push([f.stack, f.object, f.status, f.id ?? "-", details[0] ?? (f.status === "found" ? "none" : "")]);
    for (const more of details.slice(1)) rows.push(["", "", "", "", more]);
  }
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

export function summary(findings: readonly Finding[]): string {
  const count = (s: Finding["status"]) => findings.filter((f) => f.status === s).length;
  const drifted = findings.filter((f) => f.drift.length > 0).length;
  return `${count("found")} found (${drifted} with differences), ${count("absent")} absent, ${count("error")} not checkable`;
}
