import type { IConstruct } from "constructs";

/**
 * The one shape every validation error takes:
 * `<construct path>: <what is wrong> (got <value>; allowed: <values>)`.
 * Thrown from constructors, so a bad input stops the app before `app.synth()` writes anything.
 */
export function invalidProp(scope: IConstruct | string, what: string, got: unknown, allowed: string): never {
  const path = typeof scope === "string" ? scope : scope.node.path;
  throw new Error(`${path}: ${what} (got ${describe(got)}; allowed: ${allowed})`);
}

/** Renders a bad value the way a user typed it: strings quoted, arrays and objects as JSON. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}`;
  // Value objects (Size) print themselves; arrays and plain objects print as JSON.
  if (value !== null && typeof value === "object" && !Array.isArray(value) && value.toString !== Object.prototype.toString) {
    return String(value);
  }
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}` : v));
}

/** A value already formatted for humans (e.g. "4 GiB"): printed as is, without quotes. */
export function verbatim(text: string): { toString(): string } {
  return { toString: () => text };
}
