import { CapacityError, CapacityInputError, explain, renderConsoleTable } from "../capacity";
import { InvalidInputError } from "../constructs/errors";

/**
 * What synth prints when it refuses an input: the project's own message block, nothing else (no
 * stack trace, no source line, no dumped object). A capacity refusal is the pool table and each
 * failing pool's explanation. `undefined` for an error that is not the user's: a bug keeps its trace.
 */
export function formatRefusal(e: unknown): string | undefined {
  let body: string | undefined;
  if (e instanceof CapacityError) {
    body = `${renderConsoleTable(e.reports)}\n\n${e.reports.filter((r) => r.verdict === "error").map(explain).join("\n\n")}`;
  } else if (e instanceof InvalidInputError || e instanceof CapacityInputError) {
    body = e.message;
  }
  return body === undefined ? undefined : `synth refused: nothing was written.\n${body}\n`;
}
