/**
 * Whether a script module is the one node was asked to run (its `__filename` is the entry), so it
 * runs its CLI then and stays a library when a test or another script imports it.
 *
 * Not `require.main === module`: inside the launcher's bundle (`node scripts/app.js scripts/x.ts`,
 * what `npm run <tool>` runs) every module shares the bundle's `module`, and `require.main` is the
 * launcher. Both the launcher and tsx set `process.argv[1]` to the entry's source path, and the
 * launcher gives each bundled file its source `__filename`, as tsx does.
 */
import { resolve } from "node:path";

export const isEntry = (filename: string): boolean => process.argv[1] !== undefined && resolve(process.argv[1]) === filename;
