/**
 * Local stand-ins for TrueNAS and Proxmox VE, over TLS with a self-signed certificate, answering
 * the documented request/response shapes, and recording every request they get.
 *
 * TrueNAS: JSON-RPC 2.0 over WebSocket at /api/current (truenas/middleware TS-25.10.6,
 * src/middlewared/middlewared/api/base/server/ws_handler/rpc.py: `{"jsonrpc","id","result"}`, errors
 * `{"code","message","data":{"error","errname","reason"}}`, -32601 "Method does not exist"; a call
 * before login fails with ENOTAUTHENTICATED); `auth.login_with_api_key` answers true/false
 * (plugins/auth.py `login_with_api_key`).
 * Proxmox: `{"data": ...}`; 401 for a bad token; a missing VM config is HTTP 500 "Configuration file
 * '...' does not exist" (bpg/terraform-provider-proxmox v0.111.1 proxmox/api/client.go:366-374 reads
 * that as "does not exist"); an unreachable node is HTTP 595.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { makeServerCert } from "../../tools/schema-provider/cert";

const cert = makeServerCert();

export interface RpcCall { method: string; params: unknown[] }

export interface FakeTrueNAS {
  readonly url: string;
  readonly calls: RpcCall[];
  close(): Promise<void>;
}

export async function startFakeTrueNAS(opts: { apiKey: string; answers: Record<string, unknown>; failing?: Record<string, string> }): Promise<FakeTrueNAS> {
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem });
  const wss = new WebSocketServer({ server, path: "/api/current" });
  const calls: RpcCall[] = [];
  wss.on("connection", (ws) => {
    let authenticated = false;
    ws.on("message", (raw) => {
      const msg = JSON.parse(String(raw)) as { jsonrpc: string; id: number; method: string; params?: unknown[] };
      const params = msg.params ?? [];
      calls.push({ method: msg.method, params });
      const reply = (body: object) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: msg.id, ...body }));
      const callError = (errname: string, reason: string) => reply({ error: { code: -32001, message: "Method call error", data: { error: 22, errname, reason, trace: null, extra: null } } });
      if (msg.method === "auth.login_with_api_key") {
        authenticated = params[0] === opts.apiKey;
        return reply({ result: authenticated });
      }
      if (!authenticated) return callError("ENOTAUTHENTICATED", "Not authenticated");
      if (opts.failing?.[msg.method]) return callError("EINVAL", opts.failing[msg.method]!);
      if (!(msg.method in opts.answers)) return reply({ error: { code: -32601, message: "Method does not exist" } });
      let result = opts.answers[msg.method];
      const filter = (params[0] as unknown[][] | undefined)?.[0];
      if (Array.isArray(result) && filter?.[0] === "id" && filter[1] === "in") {
        result = result.filter((r: { id: unknown }) => (filter[2] as unknown[]).includes(r.id));
      }
      reply({ result });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `wss://127.0.0.1:${port}/api/current`,
    calls,
    close: () => new Promise((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.close(() => resolve());
    }),
  };
}

export interface HttpRequestSeen { method: string; path: string; authorization?: string }

export interface FakeProxmox {
  readonly url: string;
  readonly requests: HttpRequestSeen[];
  close(): Promise<void>;
}

export async function startFakeProxmox(opts: { token: string; mappings: unknown[]; vms: Record<string, object>; unreachableNodes?: string[] }): Promise<FakeProxmox> {
  const requests: HttpRequestSeen[] = [];
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization });
    const send = (status: number, reason: string, body: object) => {
      res.writeHead(status, reason, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `PVEAPIToken=${opts.token}`) return send(401, "invalid token value!", { data: null });
    if (req.method === "GET" && req.url === "/api2/json/cluster/mapping/pci") return send(200, "OK", { data: opts.mappings });
    const vm = /^\/api2\/json\/nodes\/([^/]+)\/qemu\/(\d+)\/config$/.exec(req.url ?? "");
    if (req.method === "GET" && vm) {
      const [, node, id] = vm;
      if (opts.unreachableNodes?.includes(node!)) return send(595, "Errors during connection establishment, proxy handshake: No route to host", { data: null });
      const config = opts.vms[`${node}/${id}`];
      if (config) return send(200, "OK", { data: config });
      const msg = `Configuration file 'nodes/${node}/qemu-server/${id}.conf' does not exist`;
      return send(500, msg, { data: null, message: `${msg}\n` });
    }
    send(501, "Method not implemented", { data: null });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
