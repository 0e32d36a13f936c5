/**
 * A read-only client of TrueNAS's JSON-RPC 2.0 WebSocket API (`wss://<host>/api/current`, TrueNAS
 * 25.04+). It sends only the methods in `READ_ONLY_METHODS`; anything else is refused before a byte
 * leaves the process.
 *
 * Wire format (truenas/middleware@bf5e64c487c482617b72778b4b23b4b9e471fa16 = TS-25.10.6,
 * src/middlewared/middlewared/api/base/server/ws_handler/rpc.py, `validate_message`, `send_error`,
 * `process_method_call`): request `{"jsonrpc":"2.0","id":n,"method":m,"params":[...]}`; answer
 * `{"jsonrpc":"2.0","id":n,"result":r}` or `{"jsonrpc":"2.0","id":n,"error":{"code","message",
 * "data":{"error","errname","reason",...}}}`. Route: main.py `_add_api_route` (`/api/{version}`).
 */
import WebSocket from "ws";
import { DiscoverError, WriteRefusedError, describeNetworkError, firstLine } from "./errors";

/**
 * Every method discovery may call. All are queries or `*.config` reads, plus the login, which
 * writes nothing to the configuration. Names and result shapes: TS-25.10.6
 * src/middlewared/middlewared/api/v25_10_0/{auth,pool,pool_dataset,pool_scrub,nfs,iscsi_portal,
 * iscsi_initiator,pool_snapshottask,replication,cloud_backup,mail,service}.py.
 */
export const READ_ONLY_METHODS: ReadonlySet<string> = new Set([
  "auth.login_with_api_key",
  "pool.query",
  "pool.dataset.query",
  "pool.scrub.query",
  "sharing.nfs.query",
  "iscsi.portal.query",
  "iscsi.initiator.query",
  "pool.snapshottask.query",
  "replication.query",
  "cloud_backup.query",
  "nfs.config",
  "mail.config",
  "service.query",
]);

/** A JSON-RPC error answer to one call: the call failed, the connection is fine. */
export class RpcError extends Error {
  constructor(readonly method: string, message: string) {
    super(`${method}: ${message}`);
    this.name = "RpcError";
  }
}

export interface TrueNASConnectOptions {
  /** Accept a certificate that does not verify (self-signed). */
  readonly insecure: boolean;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string };

export class TrueNASClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure?: DiscoverError;

  private constructor(private readonly ws: WebSocket, readonly endpoint: string, private readonly timeoutMs: number) {
    ws.on("message", (raw) => this.onMessage(String(raw)));
    ws.on("error", (err) => this.fail(describeNetworkError("TrueNAS", endpoint, "TRUENAS_INSECURE", err)));
    ws.on("close", () => this.fail(new DiscoverError(`TrueNAS ${endpoint}: connection closed by the host`)));
  }

  static connect(endpoint: string, options: TrueNASConnectOptions): Promise<TrueNASClient> {
    if (!/^wss:\/\//i.test(endpoint)) {
      // TrueNAS revokes an API key used over an insecure transport (plugins/auth.py, "API key revoked
      // due to insecure transport", TS-25.10.6; commit 48d9dea9c3): never send it over ws://.
      return Promise.reject(new DiscoverError(`TrueNAS ${endpoint}: not a wss:// URL (TrueNAS revokes an API key sent over plain ws://); use wss://<host>/api/current`));
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(endpoint, { rejectUnauthorized: !options.insecure, handshakeTimeout: timeoutMs });
      const fail = (e: unknown) => { ws.removeAllListeners(); ws.on("error", () => undefined); ws.terminate(); reject(e); };
      ws.once("error", (err) => fail(describeNetworkError("TrueNAS", endpoint, "TRUENAS_INSECURE", /handshake has timed out/.test(String(err)) ? { code: "ETIMEDOUT" } : err)));
      ws.once("unexpected-response", (_req, res) => fail(new DiscoverError(`TrueNAS ${endpoint}: HTTP ${res.statusCode} instead of a WebSocket (TrueNAS 25.04+ serves /api/current)`)));
      ws.once("open", () => { ws.removeAllListeners(); resolve(new TrueNASClient(ws, endpoint, timeoutMs)); });
    });
  }

  /** `auth.login_with_api_key` answers `false` for a key it does not accept (plugins/auth.py `login_with_api_key`, TS-25.10.6). */
  async login(apiKey: string): Promise<void> {
    const ok = await this.call<boolean>("auth.login_with_api_key", [apiKey]).catch((e: Error) => {
      throw e instanceof RpcError ? new DiscoverError(`TrueNAS ${this.endpoint}: login failed (${e.message})`) : e;
    });
    if (ok !== true) throw new DiscoverError(`TrueNAS ${this.endpoint}: API key refused (check TRUENAS_API_KEY)`);
  }

  /** Calls one read-only method; throws `WriteRefusedError` (sending nothing) for any other. */
  call<T>(method: string, params: unknown[] = []): Promise<T> {
    if (!READ_ONLY_METHODS.has(method)) return Promise.reject(new WriteRefusedError(`TrueNAS method ${JSON.stringify(method)}`));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, new DiscoverError(`TrueNAS ${this.endpoint}: no answer to ${method} (timed out)`)), this.timeoutMs);
      this.pending.set(id, { method, resolve: (v) => { clearTimeout(timer); resolve(v as T); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  close(): void {
    this.failure ??= new DiscoverError(`TrueNAS ${this.endpoint}: client closed`);
    this.ws.removeAllListeners();
    this.ws.on("error", () => undefined);
    this.ws.close();
  }

  private onMessage(raw: string): void {
    let msg: { id?: unknown; result?: unknown; error?: { message?: string; data?: { reason?: string } } };
    try { msg = JSON.parse(raw); } catch { return; }
    if (typeof msg.id !== "number" || !this.pending.has(msg.id)) return; // events, notifications
    const p = this.pending.get(msg.id)!;
    if (msg.error) this.settle(msg.id, new RpcError(p.method, firstLine(msg.error.data?.reason ?? msg.error.message ?? "error")));
    else this.settle(msg.id, undefined, msg.result);
  }

  private settle(id: number, err?: Error, result?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve(result);
  }

  private fail(err: DiscoverError): void {
    if (this.failure) return;
    this.failure = err;
    for (const id of [...this.pending.keys()]) this.settle(id, err);
  }
}
