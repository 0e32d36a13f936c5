/**
 * A self-signed server certificate for go-plugin's AutoMTLS, built with node:crypto alone.
 *
 * node:crypto can make keys and sign bytes but has no certificate-signing API, so the X.509
 * structure (RFC 5280) is assembled here as DER. Terraform pins the certificate it reads from the
 * handshake line, so only what Go's verifier checks matters: SAN DNS:localhost (Go ignores the
 * CN), a validity window around now, a SHA-256 signature, and key usages that allow serverAuth.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from "node:crypto";

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const explicit = (n: number, c: Buffer) => tlv(0xa0 + n, c);

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = p >> 7;
    while (v > 0) {
      chunk.unshift(0x80 | (v & 0x7f));
      v >>= 7;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  // UTCTime for 1950..2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z"; // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

const OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";

export interface ServerCert {
  /** PEM certificate, for the TLS server. */
  certPem: string;
  /** PEM PKCS#8 private key, for the TLS server. */
  keyPem: string;
  /** DER certificate, base64 without "=" padding: the last field of go-plugin's handshake line. */
  handshakeCert: string;
}

export function makeServerCert(now = new Date()): ServerCert {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const name = seq(set(seq(oid("2.5.4.3"), utf8("localhost"))), set(seq(oid("2.5.4.10"), utf8("homelab-cdktf schema-provider"))));
  const algorithm = seq(oid(OID_ECDSA_SHA256));
  const extensions = seq(
    // subjectAltName: dNSName [2] "localhost"
    seq(oid("2.5.29.17"), octets(seq(tlv(0x82, Buffer.from("localhost"))))),
    // basicConstraints: CA (self-signed, and Terraform trusts it as its own root), critical
    seq(oid("2.5.29.19"), bool(true), octets(seq(bool(true)))),
    // keyUsage: digitalSignature, keyEncipherment, keyCertSign, critical
    seq(oid("2.5.29.15"), bool(true), octets(tlv(0x03, Buffer.from([0x02, 0xa4])))),
    // extKeyUsage: serverAuth, clientAuth
    seq(oid("2.5.29.37"), octets(seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")))),
  );
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name,
    seq(time(new Date(now.getTime() - 60_000)), time(new Date(now.getTime() + 24 * 3600_000 * 30))),
    name,
    spki,
    tlv(0xa3, extensions),
  );
  const signature = sign("sha256", tbs, privateKey); // DER ECDSA-Sig-Value
  const der = seq(tbs, algorithm, bitString(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n?$/, "\n")}-----END CERTIFICATE-----\n`;
  const keyPem = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" })).export({ type: "pkcs8", format: "pem" }) as string;
  return { certPem, keyPem, handshakeCert: der.toString("base64").replace(/=+$/, "") };
}
