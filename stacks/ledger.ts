/**
 * The ledger of what holds data or serves clients (`inventory/homelab.data-holders.json`,
 * committed): every dataset, created pool, service, share, iSCSI portal and initiator group, and
 * scrub, snapshot, replication and offsite task synth has seen, with its Terraform address.
 *
 * Why: Terraform enforces `prevent_destroy` only on resources still in the configuration. Something
 * renamed or deleted in the inventory loses its block, and with it the protection: the next apply
 * would destroy the dataset or stop the service. So synth refuses an inventory from which a recorded
 * holder vanished, unless it is retired (Terraform then forgets it: a `removed` block with
 * `destroy = false`). A retired holder STAYS in the ledger, retired, and its `removed` block stays in
 * the JSON even after its `retired` line is deleted from the inventory: only `npm run ledger --
 * forget '<holder>'`, run after the apply that forgot it, drops it. A holder whose address changed
 * gets a `moved` block instead of a destroy.
 */
import { datasetAddressName } from "../constructs/zfs-dataset";

export interface LedgerEntry {
  /** Terraform address in its stack, e.g. `truenas_dataset.bulk--photos`. */
  readonly address: string;
  /** Retired: Terraform is told to forget it (`removed`, `destroy = false`); the object stays. */
  readonly retired?: true;
}

/** Key: `<stack>: <label>`, e.g. `prod-storage: dataset bulk/photos`, `prod-storage: service nfs`. */
export type Ledger = Readonly<Record<string, LedgerEntry>>;

/** A holder the inventory declares now. */
export interface CurrentHolder {
  readonly stack: string;
  readonly label: string;
  readonly address: string;
}

/** A holder the inventory retires (`retired: ["dataset bulk/archive"]`), with where it says so. */
export interface RetiringHolder {
  readonly stack: string;
  readonly label: string;
  readonly inventoryPath: string;
}

export interface LedgerOutcome {
  /** The ledger to record. */
  readonly ledger: Ledger;
  /** Addresses Terraform must forget, per stack. */
  readonly forget: readonly { readonly stack: string; readonly address: string }[];
  /** Addresses that changed, per stack: `moved` blocks. */
  readonly moved: readonly { readonly stack: string; readonly from: string; readonly to: string }[];
  /** Refusals, in the project's format. */
  readonly problems: readonly string[];
}

export const key = (stack: string, label: string) => `${stack}: ${label}`;

/** Reconciles the recorded ledger with what the inventory declares and retires now. Linear. */
export function reconcileLedger(recorded: Ledger, current: readonly CurrentHolder[], retiring: readonly RetiringHolder[]): LedgerOutcome {
  const ledger: Record<string, LedgerEntry> = {};
  const forget: { stack: string; address: string }[] = [];
  const moved: { stack: string; from: string; to: string }[] = [];
  const problems: string[] = [];

  for (const h of current) {
    const k = key(h.stack, h.label);
    const before = recorded[k];
    if (before && before.address !== h.address) moved.push({ stack: h.stack, from: before.address, to: h.address });
    ledger[k] = { address: h.address };
  }
  const retiringKeys = new Set<string>();
  for (const r of retiring) {
    const k = key(r.stack, r.label);
    retiringKeys.add(k);
    if (ledger[k]) {
      problems.push(`${r.inventoryPath}: ${r.label} is both declared and retired (got ${JSON.stringify(r.label)}; allowed: one of the two)`);
    } else if (!recorded[k]) {
      const known = Object.keys(recorded).filter((x) => x.startsWith(`${r.stack}: `)).map((x) => x.slice(r.stack.length + 2));
      problems.push(`${r.inventoryPath}: retires something the ledger never recorded, so Terraform has nothing to forget (got ${JSON.stringify(r.label)}; allowed: a recorded holder of ${r.stack}: ${known.join(", ") || "none"})`);
    } else {
      ledger[k] = { address: recorded[k].address, retired: true };
      forget.push({ stack: r.stack, address: recorded[k].address });
    }
  }
  for (const [k, entry] of Object.entries(recorded)) {
    if (ledger[k] || retiringKeys.has(k)) continue;
    const stack = k.slice(0, k.indexOf(": "));
    const label = k.slice(stack.length + 2);
    if (entry.retired) {
      // Retired earlier: keep forgetting it until `npm run ledger -- forget` after the apply.
      ledger[k] = entry;
      forget.push({ stack, address: entry.address });
      continue;
    }
    const [kind] = label.split(" ");
    const consequence = kind === "dataset" || kind === "pool" ? "destroy it and its data" : "delete it on TrueNAS, and stop what it serves";
    problems.push(
      `${stack}: ${label} is in the ledger but no longer in the inventory; the next apply would ${consequence} ` +
        `(got ${JSON.stringify(label)}; allowed: keep it in the inventory, or add ${JSON.stringify(label)} to that TrueNAS's storage.retired: Terraform then forgets it and it stays on TrueNAS)`,
    );
  }
  return { ledger, forget, moved, problems };
}

/**
 * Reads the ledger file's JSON. The first format (`{ dataHolders: ["<stack>: dataset <path>", ...] }`,
 * datasets and created pools only) is read too: their addresses follow from their names.
 */
export function parseLedger(json: unknown): Ledger {
  const doc = (json ?? {}) as { holders?: Record<string, LedgerEntry>; dataHolders?: string[] };
  if (doc.holders) return doc.holders;
  const ledger: Record<string, LedgerEntry> = {};
  for (const h of doc.dataHolders ?? []) {
    const [, what] = h.split(": ");
    const [kind, name] = what.split(" ");
    ledger[h] = { address: kind === "dataset" ? `truenas_dataset.${datasetAddressName(name)}` : `truenas_pool.${name}` };
  }
  return ledger;
}

/** The file's text: sorted keys, so a synth that sees the same holders writes the same bytes. */
export function serializeLedger(ledger: Ledger): string {
  const holders = Object.fromEntries(Object.keys(ledger).sort().map((k) => [k, ledger[k]]));
  return `${JSON.stringify({
    "//": "Written by synth: everything that holds data or serves clients, with its Terraform address. Commit it. Removing one from the inventory is refused unless it is retired; a retired one stays here (retired) until `npm run ledger -- forget '<holder>'` after the apply that forgot it.",
    holders,
  }, null, 2)}\n`;
}
