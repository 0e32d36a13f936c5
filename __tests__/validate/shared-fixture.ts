/**
 * The shipped app, synthesized with each state backend (local, pg, s3), and its local synth applied
 * to throwaway states in dependency order — each built ONCE per jest run and shared, read-only, by
 * every validate test file that needs it (shipped.test.ts, cross-stack.test.ts). A test edits a
 * `copyOf` (helpers.ts), never the fixture itself.
 *
 * Where it lives: HOMELAB_VALIDATE_FIXTURE_DIR, made by ../global-setup.ts (and removed by
 * ../global-teardown.ts) when jest.config.js names them. The first test file that asks for a part
 * builds it there (a lock directory per part makes every other worker wait for it); asking for one
 * synth starts all three, since the other files will want them. Without that variable each test
 * file builds only the parts it asks for, in its own temp dir, removed after the file.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synth } from "../../scripts/validate/synth";
import { TerraformSession } from "../../tools/schema-provider/session";
import { applyAll, once, prefetch, repoSchemas, rm, terraform } from "./helpers";

export const FIXTURE_DIR_ENV = "HOMELAB_VALIDATE_FIXTURE_DIR";

/** The backends a stack's state can live in (stacks/backend.ts), with the environment that selects each. */
export const BACKEND_ENV = {
  local: { HOMELAB_STATE_BACKEND: "local" },
  pg: { HOMELAB_STATE_BACKEND: "pg", HOMELAB_PG_CONN_STR: "postgres://terraform@nas.invalid/terraform_state?sslmode=require" },
  s3: { HOMELAB_STATE_BACKEND: "s3", HOMELAB_S3_BUCKET: "homelab-state", HOMELAB_S3_ENDPOINT: "https://s3.invalid:9000" },
} as const;
export type Backend = keyof typeof BACKEND_ENV;

const shared = process.env[FIXTURE_DIR_ENV];
/** Without global-setup.ts: this test file's own fixture directory, removed after the file. */
let own: string | undefined;
afterAll(() => own && rm(own));
const root = () => shared || (own ??= mkdtempSync(join(tmpdir(), "homelab-validate-fixture-")));

/**
 * A part of the fixture: built by whoever asks first (in any worker), awaited by everyone else.
 * `build(dir)` makes `<root>/<name>` and returns what the others need to know (JSON).
 */
function part<T>(name: string, build: (dir: string) => Promise<T>): () => Promise<T> {
  return once(async () => {
    const dir = join(root(), name);
    const ready = `${dir}.json`;
    const failed = `${dir}.failed`;
    let builder = false;
    try {
      mkdirSync(`${dir}.lock`, { recursive: false });
      builder = true;
    } catch {
      // Another test file builds it: wait for it.
    }
    if (builder) {
      try {
        writeFileSync(ready, JSON.stringify(await build(dir)));
      } catch (e) {
        writeFileSync(failed, (e as Error).stack ?? String(e));
        throw e;
      }
    }
    while (!existsSync(ready)) {
      if (existsSync(failed)) throw new Error(`the shared validate fixture ${name} failed to build (in another test file):\n${readFileSync(failed, "utf8")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return JSON.parse(readFileSync(ready, "utf8")) as T;
  });
}

const synths = Object.fromEntries(
  (Object.keys(BACKEND_ENV) as Backend[]).map((kind) => [
    kind,
    part(`synth-${kind}`, async (dir) => {
      await synth(dir, { env: BACKEND_ENV[kind] });
      return dir;
    }),
  ]),
) as Record<Backend, () => Promise<string>>;

/** The synth output (main.ts) of the shipped app with this state backend. */
export function synthOf(kind: Backend): Promise<string> {
  if (shared) prefetch(...Object.values(synths));
  return synths[kind]();
}

const appliedPart = part("applied", async (dir) => {
  const outdir = await synthOf("local");
  const session = await TerraformSession.start({ terraform: terraform!, schemas: repoSchemas() });
  try {
    return [...(await applyAll(session, outdir, dir))];
  } finally {
    await session.close();
  }
});

/** Stack name -> its applied copy (cdk.tf.json + terraform.tfstate) of the local synth, in dependency order. */
export async function appliedStacks(): Promise<Map<string, string>> {
  return new Map(await appliedPart());
}
