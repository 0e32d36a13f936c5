/**
 * The one home of the inventory's rules: before any construct is built, for every stack (online
 * or skipped), every name reference is resolved and every rule that spans entries is checked,
 * once. All problems are collected and thrown as ONE `InvalidInputError`, each line naming the
 * inventory entry to fix:
 *
 *   inventory homelab/truenasVms/truenas-primary/storage/nfsExports/bulk/media: VLAN referenced but never declared (got "dmz"; allowed: management, storage, ...)
 *
 * Constructs check only their own props; a pool checks its own budget. Which rule lives in which
 * file: docs/validation.md. Every rule is linear in the size of the inventory (Maps and Sets built
 * once, no scan of all entries per entry).
 */
import { InvalidInputError } from "../constructs/errors";
import { Findings, InventoryFacts, type InventoryCheckOptions, type InventoryRule } from "./rules/context";
import { checkCsi } from "./rules/csi";
import { checkNetworks } from "./rules/networks";
import { checkReferences } from "./rules/references";
import { checkSchedules } from "./rules/schedules";
import { checkSecrets } from "./rules/secrets";
import { checkSizes } from "./rules/sizes";
import { checkStorage } from "./rules/storage";
import { checkUniqueness } from "./rules/uniqueness";
import { checkHostsAndVms } from "./rules/vms";
import type { Homelab } from "./types";

export type { InventoryCheckOptions } from "./rules/context";

/** The rules, in the order their problems are listed. */
export const INVENTORY_RULES: readonly InventoryRule[] = [
  checkSecrets,
  checkReferences,
  checkUniqueness,
  checkNetworks,
  checkHostsAndVms,
  checkStorage,
  checkCsi,
  checkSizes,
  checkSchedules,
];

export interface InventoryCheck {
  /** Valid but costly choices (a vdev mixing disk sizes), one line each in the project's format: for synth's notes. */
  readonly warnings: string[];
  /** The inventory indexed (maps by name), for `InventoryIndex`: built once, by the check. */
  readonly facts: InventoryFacts;
}

/**
 * Checks the whole inventory. Throws one `InvalidInputError` with every problem; returns the
 * warnings when there is none.
 */
export function checkInventory(homelab: Homelab, options: InventoryCheckOptions = {}): InventoryCheck {
  if (homelab === null || typeof homelab !== "object") {
    throw new InvalidInputError([`inventory: not an inventory (got ${homelab === null ? "null" : typeof homelab}; allowed: a Homelab object, see inventory/types.ts)`]);
  }
  const facts = new InventoryFacts(homelab, options);
  const findings = new Findings();
  for (const rule of INVENTORY_RULES) rule(facts, findings);
  if (findings.problems.length > 0) throw new InvalidInputError(findings.redacted(findings.problems));
  return { warnings: findings.warnings, facts };
}
