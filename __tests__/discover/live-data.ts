/**
 * What a half-adopted din looks like to the APIs, in their documented shapes (sources in fakes.ts
 * and scripts/discover/match-*.ts): most objects exist, some are missing, a few differ.
 */
import { homelab } from "../../inventory/homelab";

const TiB = 2 ** 40;
const GiB = 2 ** 30;
const prop = (rawvalue: string, value: string | null, parsed: unknown) => ({ parsed, rawvalue, value, source: "LOCAL", source_info: null });
const onOff = (v: "ON" | "OFF") => prop(v.toLowerCase(), v, v === "ON");

/** A `PoolDatasetEntry` (api/v25_10_0/pool_dataset.py; values as dataset_query_utils.py formats them). */
function dataset(id: string, quota: number, recordsize: number, compression: string, atime: "ON" | "OFF", sync: string, exec: "ON" | "OFF") {
  const rs = recordsize >= 2 ** 20 ? `${recordsize / 2 ** 20}M` : `${recordsize / 1024}K`;
  return {
    id, name: id, pool: id.split("/")[0], type: "FILESYSTEM", encrypted: false, children: [], user_properties: {}, locked: false,
    quota: quota ? prop(String(quota), `${quota / GiB}G`, quota) : prop("0", null, null),
    recordsize: prop(String(recordsize), rs, recordsize),
    compression: prop(compression.toLowerCase(), compression, compression.toLowerCase()),
    atime: onOff(atime), exec: onOff(exec), sync: prop(sync.toLowerCase(), sync, sync.toLowerCase()),
  };
}

const K = 1024;
const M = 2 ** 20;
/** Every declared dataset of din exists except scratch/temp; bulk/media has a 4 TiB quota, not 8.5 TiB. */
export const DATASETS = [
  dataset("fast/kubernetes", 0, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("fast/kubernetes/iscsi-zvols", 3.5 * TiB, 16 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("fast/kubernetes/iscsi-snapshots", 512 * GiB, 16 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("fast/kubernetes/nfs-dynamic", 2 * TiB, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("fast/kubernetes/nfs-snapshots", 256 * GiB, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("fast/kubernetes/nfs-static", 64 * GiB, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("fast/vms", 1.5 * TiB, 64 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("fast/ml-models", 512 * GiB, M, "LZ4", "OFF", "STANDARD", "OFF"),
  dataset("bulk/kubernetes", 0, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("bulk/kubernetes/nfs-dynamic", 5 * TiB, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("bulk/kubernetes/nfs-snapshots", 512 * GiB, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("bulk/media", 4 * TiB, M, "LZ4", "OFF", "STANDARD", "OFF"),
  dataset("bulk/photos", 5 * TiB, M, "LZ4", "OFF", "STANDARD", "OFF"),
  dataset("bulk/signoz-cold", 1 * TiB, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("bulk/backups", 2 * TiB, M, "ZSTD", "OFF", "STANDARD", "OFF"),
  dataset("bulk/backups/forgejo", 256 * GiB, M, "ZSTD", "OFF", "STANDARD", "OFF"),
  dataset("bulk/archive", 512 * GiB, M, "ZSTD", "OFF", "STANDARD", "OFF"),
  dataset("scratch/kubernetes", 0, 128 * K, "LZ4", "OFF", "STANDARD", "ON"),
  dataset("scratch/kubernetes/nfs-dynamic", 5 * TiB, M, "LZ4", "OFF", "DISABLED", "ON"),
  dataset("scratch/kubernetes/nfs-snapshots", 256 * GiB, M, "LZ4", "OFF", "DISABLED", "ON"),
  dataset("scratch/downloads", 3.5 * TiB, M, "LZ4", "OFF", "DISABLED", "ON"),
  dataset("scratch/ml-datasets", 1 * TiB, M, "LZ4", "OFF", "STANDARD", "OFF"),
];

const cron = (minute: string, hour: string, dow = "*") => ({ minute, hour, dom: "*", month: "*", dow });

export const TRUENAS_ANSWERS: Record<string, unknown> = {
  "pool.query": ["fast", "bulk", "scratch"].map((name, i) => ({ id: i + 1, name, guid: `${i}`, status: "ONLINE", path: `/mnt/${name}`, healthy: true, warning: false })),
  "pool.dataset.query": DATASETS,
  // TrueNAS made one per pool (pool.create); fast and bulk were set to the plan, scratch kept the default.
  "pool.scrub.query": [
    { id: 1, pool: 1, pool_name: "fast", threshold: 35, description: "", schedule: cron("00", "02", "7"), enabled: true },
    { id: 2, pool: 2, pool_name: "bulk", threshold: 35, description: "", schedule: cron("00", "02", "3"), enabled: true },
    { id: 3, pool: 3, pool_name: "scratch", threshold: 35, description: "", schedule: cron("00", "00", "7"), enabled: true },
  ],
  "sharing.nfs.query": [
    { id: 1, path: "/mnt/bulk/media", comment: "", networks: ["10.0.2.0/24", "10.10.10.0/24"], hosts: [], ro: true, maproot_user: null, maproot_group: null, mapall_user: null, mapall_group: null, security: [], enabled: true, locked: false },
    { id: 2, path: "/mnt/bulk/photos", comment: "", networks: ["10.10.10.0/24", "10.0.2.0/24"], hosts: [], ro: false, maproot_user: null, maproot_group: null, mapall_user: null, mapall_group: null, security: [], enabled: true, locked: false },
    { id: 5, path: "/mnt/bulk/signoz-cold", comment: "", networks: ["10.10.10.0/24"], hosts: [], ro: false, maproot_user: null, maproot_group: null, mapall_user: null, mapall_group: null, security: [], enabled: true, locked: false },
  ],
  "iscsi.portal.query": [{ id: 1, listen: [{ ip: "10.10.10.5", port: 3260 }], tag: 1, comment: "" }],
  "iscsi.initiator.query": [{ id: 1, initiators: [], comment: "k8s" }],
  "pool.snapshottask.query": [
    { id: 1, dataset: "fast/kubernetes", recursive: true, lifetime_value: 24, lifetime_unit: "HOUR", enabled: true, exclude: [], naming_schema: "auto-%Y-%m-%d_%H-%M", allow_empty: true, schedule: { ...cron("00", "*"), begin: "00:00", end: "23:59" }, state: {}, vmware_sync: false },
    { id: 2, dataset: "fast/vms", recursive: true, lifetime_value: 1, lifetime_unit: "DAY", enabled: true, exclude: [], naming_schema: "auto-%Y-%m-%d_%H-%M", allow_empty: true, schedule: { ...cron("0", "*/4"), begin: "00:00", end: "23:59" }, state: {}, vmware_sync: false },
  ],
  "replication.query": [],
  "cloud_backup.query": [],
  "service.query": [
    { id: 1, service: "nfs", enable: true, state: "RUNNING", pids: [100] },
    { id: 2, service: "iscsitarget", enable: false, state: "STOPPED", pids: [] },
    { id: 3, service: "ssh", enable: false, state: "STOPPED", pids: [] },
  ],
  "nfs.config": { id: 1, servers: null, allow_nonroot: false, protocols: ["NFSV3", "NFSV4"], v4_krb: false, v4_domain: "", bindip: ["10.10.10.5"], mountd_port: null, rpcstatd_port: null, rpclockd_port: null, mountd_log: false, statd_lockd_log: false, v4_krb_enabled: false, userd_manage_gids: false, keytab_has_nfs_spn: false },
  "mail.config": { id: 1, fromemail: "", fromname: "", outgoingserver: "", port: 25, security: "PLAIN", smtp: false, user: null, pass: null, oauth: null },
};

const [primary] = homelab.truenasVms;
const hba = homelab.pciDevices.find((d) => d.name === "din-hba-internal")!;

export const PROXMOX = {
  /** din-hba-internal exists as the inventory says; the other two mappings do not. */
  mappings: [{ id: hba.name, description: "by hand", map: [`id=${hba.deviceId},iommugroup=${hba.iommuGroup},node=din,path=${hba.path},subsystem-id=${hba.subsystemId}`] }],
  /** VM 300 made by Terragrunt with 16 GiB; grogu cannot be reached. */
  vms: { [`din/${primary!.vmId}`]: { name: "truenas-primary", memory: "16384", cores: 6, machine: "q35", hostpci0: "mapping=din-hba-internal,pcie=1", hostpci1: "mapping=din-hba-md1220,pcie=1" } },
  unreachableNodes: ["grogu"],
};
