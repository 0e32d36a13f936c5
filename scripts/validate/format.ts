/** What npm run validate prints for a stack. */
import type { StackResult } from "./check";

/** The one-line verdict for a stack (plus Terraform's message, indented, on failure). */
export function formatResult(r: StackResult): string {
  const secs = (ms?: number) => (ms === undefined ? "" : `${(ms / 1000).toFixed(2)} s`);
  if (r.ok && r.plan) {
    const p = r.plan;
    const extra = [p.change && `${p.change} to change`, p.destroy && `${p.destroy} to destroy`, p.import && `${p.import} to import`].filter(Boolean).join(", ");
    const against = r.against?.length ? ` against the applied state of ${r.against.join(", ")}` : "";
    const appliedFor = r.appliedFor?.length ? `; applied to a throwaway state for ${r.appliedFor.join(", ")}` : "";
    const times = [`plan ${secs(r.planMs)}`, ...(r.applyMs === undefined ? [] : [`apply ${secs(r.applyMs)}`])].join(", ");
    return `PASS ${r.stack}: valid; plan${against}: ${p.add} resource${p.add === 1 ? "" : "s"} to create${extra ? `, ${extra}` : ""}${appliedFor} (${times})`;
  }
  const what =
    r.phase === "schema" ? "no usable provider schema" : r.phase === "dependency" ? "cannot be planned against its dependencies" : r.phase === "apply" ? "apply for its dependents failed" : `terraform ${r.phase} failed`;
  return `FAIL ${r.stack}: ${what}\n${(r.message ?? "").replace(/^/gm, "    ")}`;
}
