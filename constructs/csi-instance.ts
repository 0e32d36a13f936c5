import { Release } from "@cdktf/provider-helm/lib/release";
import { Construct, type Node } from "constructs";
import type { ITerraformDependable } from "../lib/cdktf";
import { chartValues, DEMOCRATIC_CSI_CHART, type CsiFsType, type CsiReclaimPolicy, type CsiVolumeBindingMode, type DemocraticCsiValues } from "./csi-chart-values";
import { ClusterClaims } from "./csi-cluster-claims";
import { CsiConfigSecret } from "./csi-config-secret";
import type { CsiProtocol } from "./csi-driver-config";
import { validateCsiInstanceProps, type CsiInstanceSettings } from "./csi-validate";
import type { SecretValue } from "./secret";

export { DEMOCRATIC_CSI_CHART, DEMOCRATIC_CSI_IMAGE, TALOS_ISCSI_NODE } from "./csi-chart-values";
export type { CsiFsType, CsiReclaimPolicy, CsiVolumeBindingMode, DemocraticCsiValues } from "./csi-chart-values";
export { datasetsOverlap } from "./csi-cluster-claims";
export type { CsiProtocol, DemocraticCsiDriverConfig } from "./csi-driver-config";

/** A ZFS dataset declared by a DatasetTree (structural: `ZfsDataset` satisfies it without an import). */
export interface CsiDataset {
  /** Full literal ZFS name, pool included, e.g. `fast/kubernetes/nfs-dynamic`. */
  readonly fullPath: string;
  /** The pool it lives on, e.g. `fast`. */
  readonly poolName: string;
  /** It is a construct: error messages name it, and it must belong to the same app. */
  readonly node: Node;
}

/** The iSCSI portal and initiator group of the storage stack. */
export interface CsiIscsiTargetGroup {
  /** `truenas_iscsi_portal` id (the API's DB id), usually a number token from the storage stack. */
  readonly portalId: number;
  /** `truenas_iscsi_initiator` id, usually a number token from the storage stack. */
  readonly initiatorGroupId: number;
}

/**
 * What one democratic-csi instance serves: the props minus what the parent (the stack) supplies
 * for every instance (namespace, TrueNAS host, API key, iSCSI target group, revision).
 */
export interface CsiInstanceOptions {
  /** Helm release name, StorageClass name and VolumeSnapshotClass name, e.g. `truenas-nfs-fast`. */
  readonly name: string;
  /** `nfs` (driver freenas-api-nfs, datasets) or `iscsi` (driver freenas-api-iscsi, zvols). */
  readonly protocol: CsiProtocol;
  /**
   * Parent of every volume (`zfs.datasetParentName`). Its pool is the one the StorageClass
   * promises (label `homelab-cdktf/pool`).
   */
  readonly datasetParent: CsiDataset;
  /**
   * Parent of detached snapshots (`zfs.detachedSnapshotsDatasetParentName`): a sibling of
   * `datasetParent` (same pool), never inside it or around it; democratic-csi's Probe refuses to
   * start otherwise.
   */
  readonly detachedSnapshotsParent: CsiDataset;
  /**
   * Mark the StorageClass as the cluster default (`storageclass.kubernetes.io/is-default-class`).
   * @default false
   */
  readonly isDefault?: boolean;
  /**
   * What happens to the dataset/zvol when its PVC is deleted.
   * @default - "Retain" for iscsi (databases keep their volumes), "Delete" for nfs
   */
  readonly reclaimPolicy?: CsiReclaimPolicy;
  /**
   * When the volume is created.
   * @default - "WaitForFirstConsumer" for iscsi (no zvol for a PVC no pod uses), "Immediate" for nfs
   */
  readonly volumeBindingMode?: CsiVolumeBindingMode;
  /**
   * Let PVCs grow (refquota for NFS, volsize plus a filesystem grow for iSCSI).
   * @default true
   */
  readonly allowVolumeExpansion?: boolean;
  /**
   * Filesystem: `nfs` for NFS; `ext4`, `xfs` or `ext3` on an iSCSI zvol.
   * @default - "nfs" for nfs, "ext4" for iscsi
   */
  readonly fsType?: CsiFsType;
  /**
   * StorageClass mount options.
   * @default - ["nfsvers=4.2", "noatime"] for nfs (needs NFSv4 on in the TrueNAS NFS service), [] for iscsi
   */
  readonly mountOptions?: string[];
  /**
   * VolumeSnapshotClass deletion policy.
   * @default "Delete"
   */
  readonly snapshotDeletionPolicy?: CsiReclaimPolicy;
  /**
   * Snapshots as full copies (zfs send/receive) under `detachedSnapshotsParent` instead of ZFS
   * snapshots of the volume. Detached ones survive the volume's deletion but cost its full size.
   * @default false
   */
  readonly detachedSnapshots?: boolean;
  /**
   * CSIDriver name, unique in the cluster; also the kubelet plugin socket directory.
   * @default - `org.democratic-csi.<name>`
   */
  readonly csiDriverName?: string;
  /**
   * iSCSI only: prefix of every target/extent name (`<prefix>pvc-<uuid><suffix>`, at most 64 characters on SCALE).
   * @default ""
   */
  readonly iscsiNamePrefix?: string;
  /**
   * iSCSI only: suffix of every target/extent name.
   * @default ""
   */
  readonly iscsiNameSuffix?: string;
  /**
   * NFS only: networks (CIDR) allowed to mount the exports.
   * @default - every network (TrueNAS's empty list)
   */
  readonly nfsAllowedNetworks?: string[];
}

export interface CsiInstanceProps extends CsiInstanceOptions {
  /** Kubernetes namespace of the release and its config Secret (labelled privileged by the stack). */
  readonly namespace: string;
  /** TrueNAS address the nodes reach (storage VLAN), e.g. `10.10.10.5`: API, NFS shares and iSCSI portal. */
  readonly truenasHost: string;
  /**
   * democratic-csi's TrueNAS API key: a secret from an (ephemeral) Terraform variable, reaching the
   * cluster only through the config Secret's write-only `data_wo`. Its version feeds
   * `data_wo_revision` and the Secret's name: bump it after rotating the key, so the next apply
   * writes a new Secret and the pods roll. A literal is refused: it would be written into cdk.tf.json.
   */
  readonly apiKey: SecretValue;
  /** iSCSI only (required there): the storage stack's portal and initiator group. */
  readonly iscsiTargetGroup?: CsiIscsiTargetGroup;
  /**
   * TrueNAS API port (https: 25.04+ revokes API keys sent over plain http).
   * @default 443
   */
  readonly truenasApiPort?: number;
  /**
   * Accept TrueNAS's self-signed certificate.
   * @default true
   */
  readonly truenasAllowInsecureTls?: boolean;
  /**
   * iSCSI portal port on `truenasHost`.
   * @default 3260
   */
  readonly iscsiPortalPort?: number;
  /**
   * democratic-csi image tag (registry docker.io/democraticcsi/democratic-csi). Pin a tested
   * build as `next@sha256:<digest>`.
   * @default "next"
   */
  readonly driverImageTag?: string;
  /**
   * Extra dependencies of the Helm release (e.g. the snapshot controller that installs the
   * VolumeSnapshotClass CRD).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One democratic-csi instance: a `helm_release` of the democratic-csi chart (CSIDriver, controller,
 * node DaemonSet, StorageClass, VolumeSnapshotClass) and the `kubernetes_secret_v1` holding its
 * driver config, written through `data_wo` so the TrueNAS API key is in neither the Terraform
 * state, cdk.tf.json nor the Helm values.
 *
 * Steps: check the props (every problem at once), claim the cluster-wide names and the datasets,
 * write the config Secret, install the release with values that point at it.
 */
export class CsiInstance extends Construct {
  readonly release: Release;
  readonly configSecret: CsiConfigSecret;
  /** The Helm values, as sent (the Secret's name is `set` separately). Never holds the key. */
  readonly values: DemocraticCsiValues;
  readonly name: string;
  readonly protocol: CsiProtocol;
  /** The pool of its datasets, which the StorageClass promises (label `homelab-cdktf/pool`). */
  readonly pool: string;
  readonly storageClassName: string;
  readonly csiDriverName: string;
  readonly isDefault: boolean;
  readonly datasetParentPath: string;
  readonly detachedSnapshotsParentPath: string;

  constructor(scope: Construct, id: string, props: CsiInstanceProps) {
    super(scope, id);
    const s = validateCsiInstanceProps(this, props);
    // Cross-instance rules after the instance's own, so a rejected instance claims nothing.
    ClusterClaims.of(this).claim(this, {
      csiDriverName: s.csiDriverName,
      storageClassName: s.name,
      isDefault: s.isDefault,
      datasets: [s.datasetParent, s.detachedSnapshotsParent],
    });

    this.configSecret = new CsiConfigSecret(this, "driver-config", {
      instanceName: s.name,
      namespace: s.namespace,
      config: s.driverConfig,
      apiKey: s.apiKey.value,
      revision: s.apiKey.version,
    });
    this.values = chartValues({ ...s, datasetParentPath: s.datasetParent.fullPath });
    this.release = this.installRelease(s, props.dependsOn);

    this.name = s.name;
    this.protocol = s.protocol;
    this.pool = s.pool;
    this.storageClassName = s.name;
    this.csiDriverName = s.csiDriverName;
    this.isDefault = s.isDefault;
    this.datasetParentPath = s.datasetParent.fullPath;
    this.detachedSnapshotsParentPath = s.detachedSnapshotsParent.fullPath;
  }

  private installRelease(s: CsiInstanceSettings, dependsOn: ITerraformDependable[] | undefined): Release {
    return new Release(this, "release", {
      name: s.name,
      namespace: s.namespace,
      repository: DEMOCRATIC_CSI_CHART.repository,
      chart: DEMOCRATIC_CSI_CHART.chart,
      version: DEMOCRATIC_CSI_CHART.version,
      // JSON is YAML: the values stay a literal, readable in cdk.tf.json and the plan.
      values: [JSON.stringify(this.values, null, 2)],
      set: [{ name: "driver.existingConfigSecret", value: this.configSecret.metadata.name, type: "string" }],
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 5,
      dependsOn,
    });
  }
}
