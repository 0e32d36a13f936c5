import type { IConstruct } from "constructs";

/**
 * Bad input: the user's mistake, not a bug. Its message is one or more lines of the one shape every
 * validation error takes, `<inventory entry or construct path>: <what is wrong> (got <value>;
 * allowed: <values>)`; the app prints them and nothing else (no stack trace, see main.ts).
 */
export class InvalidInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "InvalidInputError";
  }
}

/** One problem line in the project's format. */
export function problem(scope: IConstruct | string, what: string, got: unknown, allowed: string): string {
  const path = typeof scope === "string" ? scope : scope.node.path;
  return `${path}: ${what} (got ${describe(got)}; allowed: ${allowed})`;
}

/**
 * Throws one problem. Thrown from constructors, so a bad input stops the app before `app.synth()`
 * writes anything. Where a construct can find several problems, collect them with `Problems`.
 */
export function invalidProp(scope: IConstruct | string, what: string, got: unknown, allowed: string): never {
  throw new InvalidInputError([problem(scope, what, got, allowed)]);
}

/** Collects every problem of an input, then throws them all at once (or nothing). */
export class Problems {
  private readonly lines: string[] = [];

  add(scope: IConstruct | string, what: string, got: unknown, allowed: string): void {
    const line = problem(scope, what, got, allowed);
    if (!this.lines.includes(line)) this.lines.push(line);
  }

  /** Runs `check`, keeping the problems it throws instead of stopping at the first. */
  collect(check: () => void): void {
    try {
      check();
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      for (const line of e.problems) if (!this.lines.includes(line)) this.lines.push(line);
    }
  }

  get count(): number {
    return this.lines.length;
  }

  throwIfAny(): void {
    if (this.lines.length > 0) throw new InvalidInputError(this.lines);
  }
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
