/**
 * `npm run discover [-- --dry-run] [--inventory <module>] [--out <file>] [--truenas <vm name>]`
 *
 * Connects read-only to Proxmox VE (PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN, PROXMOX_VE_INSECURE)
 * and to one TrueNAS (TRUENAS_ENDPOINT = wss://<host>/api/current, TRUENAS_API_KEY,
 * TRUENAS_INSECURE), finds what the inventory declares, prints found/absent, id and drift, and
 * writes the ids to the imports file beside the inventory (`inventory/homelab.imports.json`).
 * Exit 0 when done; 2, with one line on stderr, for bad credentials, an unreachable host or TLS.
 */
import { runDiscover } from "./discover/run";

runDiscover(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
