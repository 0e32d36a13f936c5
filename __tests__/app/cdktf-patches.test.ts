/**
 * scripts/cdktf-patches.js, the rewrites of cdktf's own files that the synth bundle and these
 * tests load: token creation stacks are recorded only with HOMELAB_DEBUG.
 */
import { readFileSync } from "node:fs";
import { Token } from "../../lib/cdktf";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { patchCdktfSource, STACK_TRACE } = require("../../scripts/cdktf-patches.js") as {
  patchCdktfSource: (file: string, source: string, opts?: object) => string | undefined;
  STACK_TRACE: RegExp;
};

const stackTraceFile = require.resolve("cdktf/lib/tokens/private/stack-trace.js");

/** The patched stack-trace module, evaluated with `env` as its process.env. */
function patchedCapture(env: Record<string, string>): (below?: unknown) => string[] {
  const source = patchCdktfSource(stackTraceFile, readFileSync(stackTraceFile, "utf8"));
  if (!source) throw new Error("cdktf's stack-trace.js no longer looks as the patch expects");
  const exports: { captureStackTrace?: (below?: unknown) => string[] } = {};
  new Function("exports", "process", source)(exports, { env });
  return exports.captureStackTrace!;
}

describe("cdktf patches", () => {
  test("the stack-trace rewrite applies to cdktf's file (and only to it)", () => {
    expect(STACK_TRACE.test(stackTraceFile)).toBe(true);
    expect(patchCdktfSource("/x/node_modules/other/lib/tokens/private/stack-trace.js", "")).toBeUndefined();
  });

  test("without HOMELAB_DEBUG no stack is captured: one line says how to get it", () => {
    const capture = patchedCapture({});
    expect([...capture()]).toEqual(["(creation stack not recorded: run again with HOMELAB_DEBUG=1 to record it)"]);
  });

  test("with HOMELAB_DEBUG the creation stack is captured, its caller first", () => {
    const capture = patchedCapture({ HOMELAB_DEBUG: "1" });
    function createsAToken() {
      return capture();
    }
    const frames = createsAToken();
    expect(frames.length).toBeGreaterThan(1);
    expect(frames[0]).toMatch(/^createsAToken /);
  });

  test("cdktf's error for a bad token (an Intrinsic made from a function) names the switch", () => {
    // This process loads cdktf through the same rewrite (__tests__/esbuild-transform.js), without HOMELAB_DEBUG.
    expect(process.env.HOMELAB_DEBUG).toBeUndefined();
    expect(() => Token.asAny(() => 1)).toThrow("created at:\n(creation stack not recorded: run again with HOMELAB_DEBUG=1 to record it)");
  });
});
