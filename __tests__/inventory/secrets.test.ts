import { reviewBulk, reviewFast, reviewScratch } from "../capacity/fixtures/review-plan";
import { checkInventory } from "../../inventory/check-inventory";
import { homelab } from "../../inventory/homelab";
import { findSecret, highEntropy, shannonEntropy, TOKEN_MIN_LENGTH } from "../../inventory/rules/secrets";
import { srv01Homelab } from "../../inventory/srv01";
import type { Homelab } from "../../inventory/types";
import { copyOf, storageOf } from "./mutations";

/** Every string (values and record keys) in `value`. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

/** A deterministic PRNG (mulberry32), so the entropy figures below are reproducible. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const tokens = (alphabet: string, length: number, count: number, seed = 1) => {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""));
};

function refusal(lab: Homelab): string {
  try {
    checkInventory(lab);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

describe("the secret scanner", () => {
  test("no legitimate value trips it: every string of both shipped inventories and of the review's plan", () => {
    const legit = [...strings(homelab), ...strings(srv01Homelab), ...strings([reviewFast, reviewBulk, reviewScratch])];
    expect(legit.length).toBeGreaterThan(300);
    expect(legit.filter((s) => findSecret(s) !== undefined)).toEqual([]);
    // ...nor values of the shapes the inventory holds that come close.
    for (const s of [
      "scratch/kubernetes/nfs-snapshots", "fast/kubernetes/iscsi-snapshots-of-the-postgres-zvols", "local:iso/talos-v1.11.5-iscsi-metal-amd64.iso",
      "0000:03:00.0", "1000:0097", "PostgreSQLMySQLRedisClickHousezvols", "ghcr.io/democratic-csi/democratic-csi@sha256:" + "0123456789abcdef".repeat(4),
      "3fa85f64-5717-4562-b3fc-2c963f66afa6", "restic_password", "TF_VAR_truenas_api_key", "homelab-din-offsite-backups-bucket-2026",
      "Dell HBA330 Mini (SAS3008, IT mode): front bays, bulk 6x 8 TB and scratch 6x 3 TB", "wwn-0x5000c500a1b2c3d4",
    ]) expect([s, findSecret(s)]).toEqual([s, undefined]);
  });

  test.each<[string, string]>([
    ["1-" + "x7Kq9Lm2Np4Rs6Tv8Wy0Za3Bc5De7Fg9Hj1Kl3Mn5Pq7Rs9Tv1Wx3Yz5Ab7Cd9Ef", "a TrueNAS API key"],
    ["K004abcdEFGHijklMNOPqrstUVWXyz0", "a Backblaze B2 application key"],
    ["0014b0b5f8a6e2e0000000003", "a Backblaze B2 application key id"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow...", "a PEM private key"],
    ["-----BEGIN OPENSSH PRIVATE KEY-----", "a PEM private key"],
    ["AKIAIOSFODNN7EXAMPLE", "an AWS access key id"],
    ["terraform@pve!cdktf=0fa8e2c4-5a1b-4c3d-9e8f-0123456789ab", "a Proxmox API token"],
    ["smtp://truenas:hunter2@smtp.homelab.example", "a password in a URL"],
    ["password=hunter2", "a password assignment"],
    ["passwd: correct-horse", "a password assignment"],
    ["pwd=x", "a password assignment"],
    ["api_key = abc", "a secret assignment"],
    ["note wJalrXUtnFEMI9K7MDENGbPxRfiCY3XAMPLEKEY here", "a high-entropy token (a key or password)"],
    ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "a high-entropy token (a key or password)"],
  ])("finds %j: %s", (text, kind) => {
    expect(findSecret(text)?.kind).toBe(kind);
  });

  test("high entropy, defined: >= 32 characters of base64/hex alphabet, Shannon entropy >= 4.1 bits/char (mixed case and digits), 4.5 (two of the three) or 3.0 (hex)", () => {
    expect(TOKEN_MIN_LENGTH).toBe(32);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
    expect(highEntropy("x".repeat(31))).toBeUndefined();
    expect(highEntropy("aB3".repeat(11))).toBeUndefined(); // long, but 3 symbols: 1.58 bits/char
    // Random tokens (as keys are): nearly all of 32 characters, all of 40, are found.
    const found = (ts: string[]) => ts.filter((t) => highEntropy(t) !== undefined).length / ts.length;
    expect(found(tokens(ALNUM, 32, 2000))).toBeGreaterThan(0.97);
    expect(found(tokens(ALNUM, 40, 2000, 2))).toBeGreaterThan(0.995);
    expect(found(tokens(ALNUM + "+/", 48, 2000, 3))).toBe(1);
    expect(found(tokens("0123456789abcdef", 40, 2000, 4))).toBeGreaterThan(0.995);
  });

  test("a secret anywhere in the inventory is refused naming the field and the kind, never echoing the value", () => {
    const key = "1-" + "x7Kq9Lm2Np4Rs6Tv8Wy0Za3Bc5De7Fg9Hj1Kl3Mn5Pq7Rs9Tv1Wx3Yz5Ab7Cd9Ef";
    const lab = copyOf(homelab) as any;
    storageOf(lab).datasets = storageOf(lab).datasets.map((d) => (d.fullPath === "bulk/photos" ? { ...d, purpose: `Immich, api key ${key}` } : d));
    lab.pciDevices[0].description = "-----BEGIN PRIVATE KEY-----";
    lab.hosts[1].offlineReason = "waiting; root password=hunter2";
    expect(refusal(lab)).toBe([
      "inventory homelab/hosts/grogu/offlineReason: a credential in the inventory, which would be written into cdk.tf.json, capacity.md and git (got <redacted: looks like a password assignment>; allowed: no secrets in the inventory: credentials come from the environment or sensitive Terraform variables at deploy (README, Deploy))",
      "inventory homelab/pciDevices/din-hba-internal/description: a credential in the inventory, which would be written into cdk.tf.json, capacity.md and git (got <redacted: looks like a PEM private key>; allowed: no secrets in the inventory: credentials come from the environment or sensitive Terraform variables at deploy (README, Deploy))",
      "inventory homelab/truenasVms/truenas-primary/storage/datasets/bulk/photos/purpose: a credential in the inventory, which would be written into cdk.tf.json, capacity.md and git (got <redacted: looks like a TrueNAS API key>; allowed: no secrets in the inventory: credentials come from the environment or sensitive Terraform variables at deploy (README, Deploy))",
    ].join("\n"));
  });

  test("a secret used as a name is redacted from every line, the paths and other rules' values included", () => {
    const secret = "AKIAIOSFODNN7EXAMPLE";
    const lab = copyOf(homelab) as any;
    lab.vlans[0].name = secret; // a VLAN named like a key, and referenced under that name
    storageOf(lab).nfsExports = [{ dataset: "bulk/media", vlans: [secret, "nope"] }];
    const { fast, ...scrubs } = storageOf(lab).scrubs;
    storageOf(lab).scrubs = { ...scrubs, [secret]: fast }; // and as a record key
    const message = refusal(lab);
    expect(message).not.toBe("");
    expect(message).not.toContain(secret);
    expect(message).toContain("inventory homelab/vlans/<redacted>/name: a credential in the inventory");
    expect(message).toContain("inventory homelab/truenasVms/truenas-primary/storage/scrubs (a key): a credential in the inventory");
    expect(message).toContain(`nfsExports/bulk/media: VLAN referenced but never declared (got "nope"; allowed: <redacted>, storage,`);
  });
});
