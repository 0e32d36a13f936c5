/**
 * The democratic-csi driver configuration: the `driver-config-file.yaml` the driver reads (from the
 * config Secret), typed, and the function that renders it. No constructs here.
 *
 * Keys and allowed values follow democratic-csi's `examples/freenas-api-nfs.yaml` and
 * `examples/freenas-api-iscsi.yaml` and `ci/configs/truenas/scale/25.10/scale-{nfs,iscsi}.yaml` on
 * branch `next` (commit 9ed7f8a, 2025-11-12). Only the keys this project sets are typed; the
 * examples have more (`instance_id`, `httpConnection.username`/`password`/`apiVersion`,
 * `zfs.cli`, `zfs.datasetProperties`, `iscsi.nameTemplate`, `iscsi.extentCommentTemplate`, ...).
 */

export type CsiProtocol = "nfs" | "iscsi";

/** `driver` of the HTTP API drivers (no SSH key to manage): `freenas-api-nfs`, `freenas-api-iscsi`. */
export type FreenasApiDriver = "freenas-api-nfs" | "freenas-api-iscsi";

/** `driver` value per protocol. */
export const DRIVER_BY_PROTOCOL = {
  nfs: "freenas-api-nfs",
  iscsi: "freenas-api-iscsi",
} as const satisfies Record<CsiProtocol, FreenasApiDriver>;

/** `httpConnection`: how the driver reaches the TrueNAS API. */
export interface FreenasHttpConnection {
  readonly protocol: "http" | "https";
  readonly host: string;
  readonly port: number;
  /** Only in the Secret (a Terraform expression, never a literal); absent from the hashed public part. */
  readonly apiKey?: string;
  /** Accept a self-signed certificate. */
  readonly allowInsecure: boolean;
}

/** `zfs` of `freenas-api-nfs`: one dataset per volume. */
export interface FreenasNfsZfs {
  readonly datasetParentName: string;
  /** Must not overlap `datasetParentName` (siblings are fine); required even without snapshots. */
  readonly detachedSnapshotsDatasetParentName: string;
  /** `refquota` = the PVC's size. */
  readonly datasetEnableQuotas: boolean;
  /** `refreservation` = the PVC's size. */
  readonly datasetEnableReservation: boolean;
  /** Octal mode as a string, e.g. "0777". */
  readonly datasetPermissionsMode: string;
  readonly datasetPermissionsUser: number;
  readonly datasetPermissionsGroup: number;
}

/** `zfs` of `freenas-api-iscsi`: one zvol per volume. */
export interface FreenasIscsiZfs {
  readonly datasetParentName: string;
  /** Must not overlap `datasetParentName` (siblings are fine); required even without snapshots. */
  readonly detachedSnapshotsDatasetParentName: string;
  /** "" (inherit), lz4, gzip-9, ... */
  readonly zvolCompression: string;
  /** "" (inherit), on, off, verify. */
  readonly zvolDedup: "" | "on" | "off" | "verify";
  readonly zvolEnableReservation: boolean;
  /** "" (the driver's default, 16K), 512, 1K, 2K, 4K, 8K, 16K, 64K, 128K. */
  readonly zvolBlocksize: "" | "512" | "1K" | "2K" | "4K" | "8K" | "16K" | "64K" | "128K";
}

/** `nfs`: the share democratic-csi creates per volume. */
export interface FreenasNfsShare {
  readonly shareHost: string;
  readonly shareAlldirs: boolean;
  readonly shareAllowedHosts: readonly string[];
  /** CIDRs; empty = every network. */
  readonly shareAllowedNetworks: readonly string[];
  readonly shareMaprootUser: string;
  readonly shareMaprootGroup: string;
  readonly shareMapallUser: string;
  readonly shareMapallGroup: string;
}

/** `iscsi.targetGroups[]`: the API's DB ids (not always the UI's numbers). */
export interface FreenasIscsiTargetGroup {
  readonly targetGroupPortalGroup: number;
  readonly targetGroupInitiatorGroup: number;
  readonly targetGroupAuthType: "None" | "CHAP" | "CHAP Mutual";
  /** Only with CHAP; null otherwise. */
  readonly targetGroupAuthGroup: number | null;
}

/** `iscsi`: the target and extent democratic-csi creates per volume. */
export interface FreenasIscsi {
  /** `host[:port]`. */
  readonly targetPortal: string;
  /** More portals, for multipath. */
  readonly targetPortals: readonly string[];
  /** "" = no `-I` to iscsiadm. */
  readonly interface: string;
  readonly namePrefix: string;
  readonly nameSuffix: string;
  readonly targetGroups: readonly FreenasIscsiTargetGroup[];
  readonly extentInsecureTpc: boolean;
  readonly extentXenCompat: boolean;
  readonly extentDisablePhysicalBlocksize: boolean;
  readonly extentBlocksize: 512 | 1024 | 2048 | 4096;
  /** "" lets TrueNAS decide. */
  readonly extentRpm: "" | "Unknown" | "SSD" | "5400" | "7200" | "10000" | "15000";
  /** 0..100; 0 = no alert. */
  readonly extentAvailThreshold: number;
}

export interface FreenasApiNfsConfig {
  readonly driver: "freenas-api-nfs";
  readonly httpConnection: FreenasHttpConnection;
  readonly zfs: FreenasNfsZfs;
  readonly nfs: FreenasNfsShare;
}

export interface FreenasApiIscsiConfig {
  readonly driver: "freenas-api-iscsi";
  readonly httpConnection: FreenasHttpConnection;
  readonly zfs: FreenasIscsiZfs;
  readonly iscsi: FreenasIscsi;
}

/** The whole `driver-config-file.yaml` of one instance. */
export type DemocraticCsiDriverConfig = FreenasApiNfsConfig | FreenasApiIscsiConfig;

/** What `CsiInstance` chooses for both protocols; everything else is fixed below. */
interface DriverConfigCommonInput {
  readonly truenasHost: string;
  readonly apiPort: number;
  readonly allowInsecureTls: boolean;
  /** A Terraform expression (token), never a literal: it ends up only in the Secret's `data_wo`. */
  readonly apiKey?: string;
  readonly datasetParentName: string;
  readonly detachedSnapshotsDatasetParentName: string;
}

export interface NfsDriverConfigInput extends DriverConfigCommonInput {
  readonly protocol: "nfs";
  readonly nfsAllowedNetworks: readonly string[];
}

export interface IscsiDriverConfigInput extends DriverConfigCommonInput {
  readonly protocol: "iscsi";
  readonly iscsiPortalPort: number;
  readonly iscsiNamePrefix: string;
  readonly iscsiNameSuffix: string;
  /** Terraform number tokens from the storage stack (cross-stack references). */
  readonly iscsiPortalId: number;
  readonly iscsiInitiatorGroupId: number;
}

export type DriverConfigInput = NfsDriverConfigInput | IscsiDriverConfigInput;

/**
 * The driver config. With `apiKey` omitted it is the public part: what the Secret's name is hashed
 * from, so that any change of it (host, datasets, target group ids) renames the Secret and rolls
 * the pods, which the chart does not do by itself with `driver.existingConfigSecret`.
 */
export function driverConfig(c: NfsDriverConfigInput): FreenasApiNfsConfig;
export function driverConfig(c: IscsiDriverConfigInput): FreenasApiIscsiConfig;
export function driverConfig(c: DriverConfigInput): DemocraticCsiDriverConfig;
export function driverConfig(c: DriverConfigInput): DemocraticCsiDriverConfig {
  const httpConnection: FreenasHttpConnection = {
    // https only: TrueNAS 25.04+ revokes an API key that was sent over plain http.
    protocol: "https",
    host: c.truenasHost,
    port: c.apiPort,
    allowInsecure: c.allowInsecureTls,
    ...(c.apiKey !== undefined ? { apiKey: c.apiKey } : {}),
  };
  return c.protocol === "nfs" ? nfsConfig(c, httpConnection) : iscsiConfig(c, httpConnection);
}

function nfsConfig(c: NfsDriverConfigInput, httpConnection: FreenasHttpConnection): FreenasApiNfsConfig {
  return {
    driver: DRIVER_BY_PROTOCOL.nfs,
    httpConnection,
    zfs: {
      datasetParentName: c.datasetParentName,
      detachedSnapshotsDatasetParentName: c.detachedSnapshotsDatasetParentName,
      // refquota = the PVC's size on every volume dataset; the parent's quota caps the sum.
      datasetEnableQuotas: true,
      // No refreservation: volumes are thin, so the parent quota can be overcommitted.
      datasetEnableReservation: false,
      datasetPermissionsMode: "0777",
      datasetPermissionsUser: 0,
      datasetPermissionsGroup: 0,
    },
    nfs: {
      shareHost: c.truenasHost,
      shareAlldirs: false,
      shareAllowedHosts: [],
      shareAllowedNetworks: [...c.nfsAllowedNetworks],
      // The SCALE CI config: root squashed to root, so pods running as root can chown.
      shareMaprootUser: "root",
      shareMaprootGroup: "root",
      shareMapallUser: "",
      shareMapallGroup: "",
    },
  };
}

function iscsiConfig(c: IscsiDriverConfigInput, httpConnection: FreenasHttpConnection): FreenasApiIscsiConfig {
  return {
    driver: DRIVER_BY_PROTOCOL.iscsi,
    httpConnection,
    zfs: {
      datasetParentName: c.datasetParentName,
      detachedSnapshotsDatasetParentName: c.detachedSnapshotsDatasetParentName,
      // "" = inherit from the parent dataset (compression set by the DatasetTree).
      zvolCompression: "",
      zvolDedup: "",
      // Thin zvols (sparse, no refreservation): the parent's quota is the cap.
      zvolEnableReservation: false,
      // "" = the driver's default, 16K.
      zvolBlocksize: "",
    },
    iscsi: {
      targetPortal: `${c.truenasHost}:${c.iscsiPortalPort}`,
      targetPortals: [],
      // "" = no `-I` to iscsiadm: the default interface.
      interface: "",
      namePrefix: c.iscsiNamePrefix,
      nameSuffix: c.iscsiNameSuffix,
      targetGroups: [
        {
          // DB ids from the API (truenas_iscsi_portal / _initiator `id`), not the UI's numbers.
          targetGroupPortalGroup: c.iscsiPortalId,
          targetGroupInitiatorGroup: c.iscsiInitiatorGroupId,
          targetGroupAuthType: "None",
          targetGroupAuthGroup: null,
        },
      ],
      extentInsecureTpc: true,
      extentXenCompat: false,
      extentDisablePhysicalBlocksize: true,
      extentBlocksize: 512,
      extentRpm: "SSD",
      // 0 = no per-extent free-space alert; pool alerts cover it.
      extentAvailThreshold: 0,
    },
  };
}
