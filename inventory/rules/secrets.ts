/**
 * Secrets: the inventory is data that lands in cdk.tf.json, capacity.md and git, so no string in
 * it (any field, any record key, walked generically) may look like a credential. A hit names the
 * field and the kind of secret, and never echoes the value (`got <redacted: looks like a TrueNAS
 * API key>`); every other message of the same run has the value replaced by `<redacted>`.
 *
 * Known shapes: TrueNAS API keys (`<id>-<64 alphanumerics>`), Backblaze B2 application keys
 * (`K00...`, 31 characters) and key ids (25 hex digits starting `00`), AWS access key ids
 * (`AKIA`/`ASIA` + 16), Proxmox API tokens (`user@realm!id=<uuid>`), PEM private keys, password
 * assignments (`password=`, `passwd:`, `pwd=`, also `secret=`, `token=`, `api_key=`), credentials
 * in a URL (`scheme://user:password@`). Unknown shapes: a long high-entropy token, see `highEntropy`.
 */
import { verbatim } from "../../constructs/errors";
import type { Findings, InventoryFacts } from "./context";

interface SecretShape {
  readonly kind: string;
  readonly pattern: RegExp;
}

// Boundaries are lookarounds on the shape's own alphabet, so a key inside a longer token is not a hit.
const SHAPES: readonly SecretShape[] = [
  { kind: "a PEM private key", pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/ },
  { kind: "a TrueNAS API key", pattern: /(?<![A-Za-z0-9-])\d+-[A-Za-z0-9]{64}(?![A-Za-z0-9])/ },
  { kind: "a Backblaze B2 application key", pattern: /(?<![A-Za-z0-9+/])K00\d[A-Za-z0-9+/]{27}(?![A-Za-z0-9+/])/ },
  { kind: "a Backblaze B2 application key id", pattern: /(?<![0-9A-Za-z])00[0-9a-f]{23}(?![0-9A-Za-z])/ },
  { kind: "an AWS access key id", pattern: /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { kind: "a Proxmox API token", pattern: /[\w.-]+@[\w.-]+![\w.-]+=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i },
  { kind: "a password in a URL", pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i },
  { kind: "a password assignment", pattern: /(?<![A-Za-z0-9])(password|passwd|passphrase|pwd|pass)\s*[:=]\s*[^\s"'<>]/i },
  { kind: "a secret assignment", pattern: /(?<![A-Za-z0-9])(secret|token|api[-_]?key|access[-_]?key|private[-_]?key)\s*[:=]\s*[^\s"'<>]/i },
];

/** A token is a run of base64/base64url/hex characters; shorter ones are never flagged by entropy. */
export const TOKEN_MIN_LENGTH = 32;
const TOKEN = /[A-Za-z0-9+/=_-]{32,}/g;
/**
 * Shannon entropy thresholds, bits per character. Random 32-character tokens measure (20,000
 * samples): base64 median 4.56, 1st percentile 4.23; alphanumerics 4.54 / 4.20; hex 3.63 / 3.27.
 * The inventory's own long strings (dataset paths such as `scratch/kubernetes/nfs-snapshots`,
 * ISO file names, purposes) stay below 4.05 and lack a digit or an uppercase letter.
 */
const MIXED_MIN_ENTROPY = 4.1; // upper, lower and digit present
const TWO_CLASS_MIN_ENTROPY = 4.5; // two of the three present (e.g. no digit)
const HEX_MIN_ENTROPY = 3.0; // hex only, digits and letters

/** Shannon entropy of `s` in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A long random-looking token: at least 32 characters of base64/hex alphabet, either hex (digits
 * and letters) with entropy >= 3.0, or mixed case with digits and entropy >= 4.1, or two of
 * upper/lower/digit with entropy >= 4.5. A digest written as `sha256:<hex>` is not a secret.
 */
export function highEntropy(text: string): string | undefined {
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0];
    if (/sha(1|256|384|512):$/i.test(text.slice(0, m.index))) continue;
    const digit = /\d/.test(token);
    const upper = /[A-Z]/.test(token);
    const lower = /[a-z]/.test(token);
    const h = shannonEntropy(token);
    if (/^[0-9a-fA-F]+$/.test(token)) {
      if (digit && (upper || lower) && h >= HEX_MIN_ENTROPY) return token;
    } else if (digit && upper && lower) {
      if (h >= MIXED_MIN_ENTROPY) return token;
    } else if (Number(digit) + Number(upper) + Number(lower) >= 2 && h >= TWO_CLASS_MIN_ENTROPY) {
      return token;
    }
  }
  return undefined;
}

/** What kind of credential `text` looks like, and the part that does; undefined when it looks like none. */
export function findSecret(text: string): { kind: string; match: string } | undefined {
  // Every shape is 20 characters or more, or an assignment or URL (with ':' or '='): most names skip the scan.
  if (text.length < 20 && !/[:=]/.test(text)) return undefined;
  for (const { kind, pattern } of SHAPES) {
    const m = pattern.exec(text);
    if (m) return { kind, match: m[0] };
  }
  const token = highEntropy(text);
  return token === undefined ? undefined : { kind: "a high-entropy token (a key or password)", match: token };
}

export function checkSecrets(facts: InventoryFacts, findings: Findings): void {
  for (const leaf of facts.leaves()) {
    if (typeof leaf.value !== "string") continue;
    const hit = findSecret(leaf.value);
    if (!hit) continue;
    findings.redact(leaf.value);
    findings.redact(hit.match);
    findings.problem(
      leaf.isKey ? `${leaf.path} (a key)` : leaf.path,
      "a credential in the inventory, which would be written into cdk.tf.json, capacity.md and git",
      verbatim(`<redacted: looks like ${hit.kind}>`),
      "no secrets in the inventory: credentials come from the environment or sensitive Terraform variables at deploy (README, Deploy)",
    );
  }
}
