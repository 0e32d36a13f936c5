/**
 * The democratic-csi driver configuration (the `driver-config-file.yaml` the driver reads) and the
 * Helm values of one release, as plain objects. No constructs here: `CsiInstance` validates its
 * props, then renders these.
 *
 * Keys follow `examples/freenas-api-{nfs,iscsi}.yaml` and `ci/configs/truenas/scale/25.10/*` on
 * democratic-csi's `next` branch (9ed7f8a), and `values.yaml` of chart democratic-csi 0.15.1.
 */

export type CsiProtocol = "nfs" | "iscsi";

/** The part of the driver config that `CsiInstance` chooses; everything else is fixed below. */
export interface DriverConfigInput {
  readonly protocol: CsiProtocol;
  readonly truenasHost: string;
  readonly apiPort: number;
  readonly allowInsecureTls: boolean;
  /** A Terraform expression (token), never a literal: it ends up only in the Secret's `data_wo`. */
  readonly apiKey?: string;
  readonly datasetParentName: string;
  readonly detachedSnapshotsDatasetParentName: string;
  readonly nfsAllowedNetworks: readonly string[];
  readonly iscsiPortalPort: number;
  readonly iscsiNamePrefix: string;
  readonly iscsiNameSuffix: string;
  /** Terraform number tokens from the storage stack (cross-stack references). */
  readonly iscsiPortalId?: number;
  readonly iscsiInitiatorGroupId?: number;
}

/** `driver` value per protocol: the HTTP API drivers (no SSH key to manage). */
export const DRIVER_BY_PROTOCOL: Record<CsiProtocol, string> = {
  nfs: "freenas-api-nfs",
  iscsi: "freenas-api-iscsi",
};

/**
 * The driver config. With `apiKey` omitted it is the public part: what the Secret's name is hashed
 * from, so that any change of it (host, datasets, target group ids) renames the Secret and rolls
 * the pods, which the chart does not do by itself with `driver.existingConfigSecret`.
 */
export function driverConfig(c: DriverConfigInput): Record<string, unknown> {
  const httpConnection: Record<string, unknown> = {
    // https only: TrueNAS 25.04+ revokes an API key that was sent over plain http.
    protocol: "https",
    host: c.truenasHost,
    port: c.apiPort,
    allowInsecure: c.allowInsecureTls,
  };
  if (c.apiKey !== undefined) httpConnection.apiKey = c.apiKey;
  const common = {
    driver: DRIVER_BY_PROTOCOL[c.protocol],
    httpConnection,
  };
  if (c.protocol === "nfs") {
    return {
      ...common,
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
  return {
    ...common,
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
