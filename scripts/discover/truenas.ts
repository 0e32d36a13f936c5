/**
 * Discovery on one TrueNAS: connect, log in with the API key, run the read-only queries, match the
 * answers against that TrueNAS's inventory entry.
 */
import type { Homelab } from "../../inventory/types";
import { STORAGE_STACK_BY_ROLE } from "./addresses";
import type { Answer, VmEntry } from "./context";
import type { Finding } from "./drift";
import { DiscoverError } from "./errors";
import { matchServices } from "./match-services";
import { matchStorage } from "./match-storage";
import { matchTasks } from "./match-tasks";
import { RpcError, TrueNASClient } from "./truenas-client";

export interface TrueNASSettings {
  /** `wss://<host>/api/current` */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly insecure: boolean;
  /** The TrueNAS VM (by name) the endpoint belongs to. @default - the one whose storage address is the endpoint's host */
  readonly vmName?: string;
  readonly timeoutMs?: number;
}

/** The TrueNAS VM of the inventory that `settings` talks to; a `DiscoverError` if that is unclear. */
export function truenasVmOf(homelab: Homelab, settings: TrueNASSettings): VmEntry {
  const withStorage = homelab.truenasVms.filter((v) => v.storage);
  const names = withStorage.map((v) => v.name).join(", ");
  if (settings.vmName !== undefined) {
    const vm = withStorage.find((v) => v.name === settings.vmName);
    if (!vm) throw new DiscoverError(`--truenas ${settings.vmName}: no TrueNAS VM of that name with storage in inventory ${homelab.name} (have: ${names})`);
    return vm;
  }
  let host = "";
  try { host = new URL(settings.endpoint).hostname; } catch { /* reported by connect */ }
  const vm = withStorage.find((v) => v.storage!.storageAddress === host);
  if (!vm) throw new DiscoverError(`TrueNAS ${settings.endpoint}: which TrueNAS VM is this? its host is no storage address of inventory ${homelab.name}; pass --truenas <name> (${names})`);
  return vm;
}

export async function discoverTrueNAS(homelab: Homelab, settings: TrueNASSettings): Promise<Finding[]> {
  const vm = truenasVmOf(homelab, settings);
  const storage = vm.storage!;
  const client = await TrueNASClient.connect(settings.endpoint, { insecure: settings.insecure, timeoutMs: settings.timeoutMs });
  try {
    await client.login(settings.apiKey);
    const ask = async (method: string, params: unknown[] = []): Promise<[string, Answer]> => {
      try {
        return [method, { ok: true, value: await client.call(method, params) }];
      } catch (e) {
        if (e instanceof RpcError) return [method, { ok: false, error: e.message }];
        throw e; // the connection failed: one line, exit 2
      }
    };
    // Query filters and options: api/base `query-filters` / `query-options`; pool.dataset.query's
    // `extra.retrieve_children` (plugins/pool_/dataset.py `query` docstring, TS-25.10.6).
    const answers = Object.fromEntries(await Promise.all([
      ask("pool.query"),
      ask("pool.dataset.query", [[["id", "in", storage.datasets.map((d) => d.fullPath)]], { extra: { retrieve_children: false } }]),
      ask("pool.scrub.query"),
      ask("sharing.nfs.query"),
      ask("iscsi.portal.query"),
      ask("iscsi.initiator.query"),
      ask("pool.snapshottask.query"),
      ask("replication.query"),
      ask("cloud_backup.query"),
      ask("service.query"),
      ask("nfs.config"),
      ask("mail.config"),
    ]));
    const ctx = { homelab, vm, storage, stack: STORAGE_STACK_BY_ROLE[vm.role], answers };
    return [...matchStorage(ctx), ...matchTasks(ctx), ...matchServices(ctx)];
  } finally {
    client.close();
  }
}
