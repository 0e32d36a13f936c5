/**
 * The one line discovery ends with when it cannot talk to TrueNAS or Proxmox: bad credentials,
 * an unreachable host, a TLS problem. The CLI prints `discover: <message>` on stderr, exits 2.
 */
export class DiscoverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DiscoverError";
  }
}

/** The client was asked for a method or request that could write: refused before anything is sent. */
export class WriteRefusedError extends Error {
  constructor(what: string) {
    super(`refused to send ${what}: discovery is read-only (not in the allow-list of read-only calls)`);
    this.name = "WriteRefusedError";
  }
}

/** Node's TLS verification codes (`tls.TLSSocket` `authorizationError`) that mean "certificate not trusted". */
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/**
 * A network or TLS failure as one readable line, e.g. `TrueNAS wss://10.10.10.5/api/current: TLS
 * certificate not trusted (set TRUENAS_INSECURE=true for a self-signed certificate)`.
 */
export function describeNetworkError(service: string, endpoint: string, insecureVar: string, err: unknown): DiscoverError {
  if (err instanceof DiscoverError) return err;
  const e = err as NodeJS.ErrnoException & { code?: string };
  const code = e?.code ?? "";
  const where = `${service} ${endpoint}`;
  if (UNTRUSTED.has(code)) return new DiscoverError(`${where}: TLS certificate not trusted (set ${insecureVar}=true for a self-signed certificate)`);
  if (code === "CERT_HAS_EXPIRED") return new DiscoverError(`${where}: TLS certificate has expired (set ${insecureVar}=true to accept it anyway)`);
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return new DiscoverError(`${where}: TLS certificate is for another host name (set ${insecureVar}=true to accept it anyway)`);
  if (code === "ECONNREFUSED") return new DiscoverError(`${where}: connection refused (is the host up and the port right?)`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new DiscoverError(`${where}: host name not found`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new DiscoverError(`${where}: host unreachable`);
  if (code === "ETIMEDOUT" || code === "ETIMEOUT") return new DiscoverError(`${where}: no answer (timed out)`);
  if (code === "ECONNRESET") return new DiscoverError(`${where}: connection reset by the host`);
  if (/^ERR_SSL_|^EPROTO$/.test(code)) return new DiscoverError(`${where}: TLS handshake failed (${firstLine(e.message)})`);
  return new DiscoverError(`${where}: ${firstLine(e?.message ?? String(err))}`);
}

export function firstLine(text: string): string {
  return String(text).split("\n")[0]!.trim();
}
