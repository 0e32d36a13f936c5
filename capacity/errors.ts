/**
 * A capacity input that cannot describe a real pool or dataset. One shape for every message:
 * `<where>: <what is wrong> (got <value>; allowed: <what is>)`, so the fix is in the message.
 */
export class CapacityInputError extends RangeError {
  constructor(where: string, problem: string, got: unknown, allowed: string) {
    super(`${where}: ${problem} (got ${show(got)}; allowed: ${allowed})`);
    this.name = "CapacityInputError";
  }
}

/** Throws a `CapacityInputError`; typed `never` so callers can use it in expressions. */
export function invalid(where: string, problem: string, got: unknown, allowed: string): never {
  throw new CapacityInputError(where, problem, got, allowed);
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}`;
  if (value !== null && typeof value === "object" && "bytes" in value) return String(value);
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}` : v));
}
