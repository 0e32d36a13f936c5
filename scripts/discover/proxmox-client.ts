/**
 * A read-only client of the Proxmox VE HTTPS API: GET only, and only the paths discovery needs.
 *
 * Authentication: header `Authorization: PVEAPIToken=<user@realm!id=uuid>`
 * (bpg/terraform-provider-proxmox@b22fe919fc34476b232191b69c8907f0c1aa5bea = v0.111.1,
 * proxmox/api/token_auth.go:39); base path `api2/json` (proxmox/api/client.go:33); answers are
 * `{"data": ...}`. "Does not exist" is HTTP 404, or 500 whose status or message says "does not exist"
 * (proxmox/api/client.go:366-374, `validateResponseCode`): that, and only that, is "absent".
 */
import https from "node:https";
import { DiscoverError, WriteRefusedError, describeNetworkError, firstLine } from "./errors";

/** The only requests discovery sends: GET of a VM's config, GET of the PCI mappings. */
export const READ_ONLY_PATHS: readonly RegExp[] = [
  /^\/api2\/json\/nodes\/[A-Za-z0-9.-]+\/qemu\/\d+\/config$/,
  /^\/api2\/json\/cluster\/mapping\/pci$/,
];

export type ProxmoxAnswer<T> =
  | { readonly status: "ok"; readonly data: T }
  | { readonly status: "absent"; readonly message: string }
  | { readonly status: "error"; readonly message: string };

export interface ProxmoxClientOptions {
  readonly insecure: boolean;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export class ProxmoxClient {
  private readonly base: URL;

  constructor(readonly endpoint: string, private readonly token: string, private readonly options: ProxmoxClientOptions) {
    let url: URL;
    try { url = new URL(endpoint); } catch { throw new DiscoverError(`Proxmox ${endpoint}: not a URL (PROXMOX_VE_ENDPOINT, e.g. https://din.lan:8006/)`); }
    if (url.protocol !== "https:") throw new DiscoverError(`Proxmox ${endpoint}: not an https:// URL (the API token would travel in clear)`);
    this.base = url;
  }

  /** GETs one allowed path; 401 (a refused token) and network/TLS failures throw a `DiscoverError`. */
  get<T>(path: string, method = "GET"): Promise<ProxmoxAnswer<T>> {
    if (method !== "GET" || !READ_ONLY_PATHS.some((p) => p.test(path))) {
      return Promise.reject(new WriteRefusedError(`Proxmox ${method} ${path}`));
    }
    const where = `Proxmox ${this.endpoint}`;
    return new Promise((resolve, reject) => {
      const req = https.request({
        protocol: "https:",
        hostname: this.base.hostname.replace(/^\[|\]$/g, ""),
        port: this.base.port || 443,
        path,
        method: "GET",
        headers: { Authorization: `PVEAPIToken=${this.token}`, Accept: "application/json" },
        rejectUnauthorized: !this.options.insecure,
        timeout: this.options.timeoutMs ?? 10_000,
      }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          let parsed: { data?: unknown; message?: string } = {};
          try { parsed = JSON.parse(body); } catch { /* PVE error pages may not be JSON */ }
          // PVE repeats the status text as the body's first line (bpg proxmox/api/client.go:347-353 skips it too).
          const extra = firstLine(parsed.message ?? "");
          const message = [res.statusMessage, extra && !extra.startsWith(res.statusMessage ?? "\0") ? extra : ""].filter(Boolean).join(": ") || `HTTP ${status}`;
          if (status === 401) return reject(new DiscoverError(`${where}: API token refused (${message}); check PROXMOX_VE_API_TOKEN (user@realm!id=uuid)`));
          if (status >= 200 && status < 300) return resolve({ status: "ok", data: parsed.data as T });
          if (status === 404 || (status === 500 && /does not exist|no such resource/i.test(`${res.statusMessage} ${parsed.message ?? ""}`))) {
            return resolve({ status: "absent", message });
          }
          resolve({ status: "error", message: `HTTP ${status} ${message}` });
        });
      });
      req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
      req.on("error", (err) => reject(describeNetworkError("Proxmox", this.endpoint, "PROXMOX_VE_INSECURE", err)));
      req.end();
    });
  }
}
