/** The summary line of `terraform plan` ("Plan: 1 to import, 2 to add, 0 to change, 0 to destroy."). */

export interface PlanCounts {
  import: number;
  add: number;
  change: number;
  destroy: number;
}

export function parsePlanCounts(out: string): PlanCounts | undefined {
  if (/No changes\./.test(out)) return { import: 0, add: 0, change: 0, destroy: 0 };
  const m = /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy/.exec(out);
  if (!m) return undefined;
  return { import: Number(m[1] ?? 0), add: Number(m[2]), change: Number(m[3]), destroy: Number(m[4]) };
}
