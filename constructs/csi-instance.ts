import { Release } from "@cdktf/provider-helm/lib/release";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Construct, type IConstruct, type Node } from "constructs";
import { Fn, TerraformStack, Token, type ITerraformDependable } from "../lib/cdktf";
import { DRIVER_BY_PROTOCOL, driverConfig, type CsiProtocol, type DriverConfigInput } from "./csi-driver-config";
import { invalidProp, verbatim } from "./errors";
import { ipv4CidrPrefix, isIpv4 } from "./ipv4";

export type { CsiProtocol } from "./csi-driver-config";

/** A ZFS dataset declared by a DatasetTree (structural: `ZfsDataset` satisfies it without an import). */
export interface CsiDataset {
  /** Full literal ZFS path, e.g. `fast/kubernetes/nfs-dynamic`. */
  readonly path: string;
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

export type CsiReclaimPolicy = "Delete" | "Retain";
export type CsiVolumeBindingMode = "Immediate" | "WaitForFirstConsumer";
export type CsiFsType = "nfs" | "ext4" | "xfs" | "ext3";

/** What one democratic-csi instance serves: the part of the props a stack takes per instance. */
export interface CsiInstanceSpec {
  /** Helm release name, StorageClass name and VolumeSnapshotClass name, e.g. `truenas-nfs-fast`. */
  readonly name: string;
  /** `nfs` (driver freenas-api-nfs, datasets) or `iscsi` (driver freenas-api-iscsi, zvols). */
  readonly protocol: CsiProtocol;
  /** The pool the StorageClass promises (its `homelab-cdktf/pool` label); `datasetParent` must be on it. */
  readonly pool: string;
  /** Parent of every volume (`zfs.datasetParentName`). */
  readonly datasetParent: CsiDataset;
  /**
   * Parent of detached snapshots (`zfs.detachedSnapshotsDatasetParentName`): a sibling of
   * `datasetParent`, never inside it or around it; democratic-csi's Probe refuses to start otherwise.
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

export interface CsiInstanceProps extends CsiInstanceSpec {
  /** Kubernetes namespace of the release and its config Secret (labelled privileged by the stack). */
  readonly namespace: string;
  /** TrueNAS address the nodes reach (storage VLAN), e.g. `10.10.10.5`: API, NFS shares and iSCSI portal. */
  readonly truenasHost: string;
  /**
   * The TrueNAS API key as a Terraform expression (e.g. an ephemeral variable's value). A literal
   * is refused: it would be written into cdk.tf.json.
   */
  readonly apiKey: string;
  /** iSCSI only (required there): the storage stack's portal and initiator group. */
  readonly iscsiTargetGroup?: CsiIscsiTargetGroup;
  /**
   * Bump to push the config Secret again (e.g. after rotating the API key): it is write-only, so
   * Terraform cannot see that the key changed. Feeds `data_wo_revision` and the Secret's name.
   * @default 1
   */
  readonly configRevision?: number;
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

/** Chart democratic-csi, pinned: 0.15.1 (2026-01-07, digest 3d87e129…) is the latest in the repo index. */
export const DEMOCRATIC_CSI_CHART = {
  repository: "https://democratic-csi.github.io/charts/",
  chart: "democratic-csi",
  version: "0.15.1",
} as const;

/**
 * The driver image. The `next` tag is the only build that works with TrueNAS 25.x: v1.9.4 (what
 * the chart's `latest` is) fails Probe on 25.04+ ("only available with TrueNAS SCALE") and sends
 * the pre-22.12 NFS share payload (HTTP 422). It is pushed to Docker Hub only: the ghcr push line
 * of `.github/bin/docker-release.sh` is commented out on master and next.
 */
export const DEMOCRATIC_CSI_IMAGE = { registry: "docker.io/democraticcsi/democratic-csi", tag: "next" } as const;

/** Talos: iscsiadm runs in the host's namespaces (iscsi-tools extension), found through host PID. */
export const TALOS_ISCSI_NODE = {
  hostPID: true,
  extraEnv: [
    { name: "ISCSIADM_HOST_STRATEGY", value: "nsenter" },
    { name: "ISCSIADM_HOST_PATH", value: "/usr/local/sbin/iscsiadm" },
  ],
  iscsiDirHostPath: "/usr/local/etc/iscsi",
  iscsiDirHostPathType: "",
} as const;

// PV names are `pvc-<uuid>`: 4 + 36 characters. democratic-csi (api.js) refuses an iSCSI name
// over 64 characters on SCALE, at the first PVC, long after the apply succeeded.
const PVC_NAME_LENGTH = 40;
const ISCSI_NAME_MAX = 64;
const HELM_RELEASE_NAME_MAX = 53;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ISCSI_NAME_PART = /^[a-z0-9.:-]*$/; // IQN characters; democratic-csi lowercases the name anyway
const MOUNT_OPTION = /^[A-Za-z0-9_.=:/+-]+$/;

const FS_TYPES: Record<CsiProtocol, readonly CsiFsType[]> = { nfs: ["nfs"], iscsi: ["ext4", "xfs", "ext3"] };
const RECLAIM: readonly CsiReclaimPolicy[] = ["Delete", "Retain"];
const BINDING: readonly CsiVolumeBindingMode[] = ["Immediate", "WaitForFirstConsumer"];

// One cluster per stack: driver names, StorageClass names and the default class are unique there.
interface ClusterClaims {
  readonly drivers: Map<string, string>;
  readonly classes: Map<string, string>;
  defaultClass?: string;
}
const clusterClaims = new WeakMap<IConstruct, ClusterClaims>();
// One TrueNAS per app: dataset parents of every instance of every stack must be disjoint.
interface DatasetClaim {
  readonly path: string;
  readonly owner: string;
}
const datasetClaims = new WeakMap<IConstruct, DatasetClaim[]>();

/** Whether one ZFS path is the other or inside it (whole path components). */
export function datasetsOverlap(a: string, b: string): boolean {
  return `${a}/`.startsWith(`${b}/`) || `${b}/`.startsWith(`${a}/`);
}

/**
 * One democratic-csi instance: a `helm_release` of the democratic-csi chart (CSIDriver, controller,
 * node DaemonSet, StorageClass, VolumeSnapshotClass) and the `kubernetes_secret_v1` holding its
 * driver config, written through `data_wo` so the TrueNAS API key is in neither the Terraform
 * state, cdk.tf.json nor the Helm values.
 */
export class CsiInstance extends Construct {
  readonly release: Release;
  readonly configSecret: SecretV1;
  /** The Helm values, as sent (the Secret's name is `set` separately). Never holds the key. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly name: string;
  readonly protocol: CsiProtocol;
  readonly pool: string;
  readonly storageClassName: string;
  readonly csiDriverName: string;
  readonly isDefault: boolean;
  readonly datasetParentPath: string;
  readonly detachedSnapshotsParentPath: string;

  constructor(scope: Construct, id: string, props: CsiInstanceProps) {
    super(scope, id);
    const { protocol, name } = props;
    const iscsi = protocol === "iscsi";
    if (protocol !== "nfs" && protocol !== "iscsi") invalidProp(this, "invalid protocol", protocol, "nfs, iscsi");
    if (!DNS_LABEL.test(name) || name.length > HELM_RELEASE_NAME_MAX) {
      invalidProp(this, "invalid instance name", name, `a DNS label of at most ${HELM_RELEASE_NAME_MAX} characters (Helm release name): lowercase letters, digits and '-'`);
    }
    const csiDriverName = props.csiDriverName ?? `org.democratic-csi.${name}`;
    if (!DNS_SUBDOMAIN.test(csiDriverName) || csiDriverName.length > 63) {
      invalidProp(this, "invalid CSI driver name", csiDriverName, "a DNS subdomain of at most 63 characters, e.g. org.democratic-csi.<instance>");
    }
    if (!Token.isUnresolved(props.namespace) && !DNS_LABEL.test(props.namespace)) {
      invalidProp(this, "invalid namespace", props.namespace, "a DNS label");
    }
    // A dotted all-numeric name is a mistyped address, not a DNS name.
    const hostOk = isIpv4(props.truenasHost) || (DNS_SUBDOMAIN.test(props.truenasHost) && !/^[\d.]+$/.test(props.truenasHost));
    if (!Token.isUnresolved(props.truenasHost) && !hostOk) {
      invalidProp(this, "invalid TrueNAS host", props.truenasHost, "an IPv4 address or DNS name on the storage network, e.g. 10.10.10.5");
    }
    if (!Token.isUnresolved(props.apiKey)) {
      // Never print the value: it may be the real key.
      invalidProp(this, "API key is a literal, which would be written into cdk.tf.json", verbatim(`a literal of ${props.apiKey.length} characters`), "a Terraform expression, e.g. the stack's ephemeral variable truenas_api_key");
    }

    this.checkDatasets(props);
    const fsType = props.fsType ?? (iscsi ? "ext4" : "nfs");
    if (!FS_TYPES[protocol].includes(fsType)) invalidProp(this, `fsType does not fit protocol ${protocol}`, fsType, FS_TYPES[protocol].join(", "));
    const reclaimPolicy = props.reclaimPolicy ?? (iscsi ? "Retain" : "Delete");
    if (!RECLAIM.includes(reclaimPolicy)) invalidProp(this, "invalid reclaimPolicy", reclaimPolicy, RECLAIM.join(", "));
    const snapshotDeletionPolicy = props.snapshotDeletionPolicy ?? "Delete";
    if (!RECLAIM.includes(snapshotDeletionPolicy)) invalidProp(this, "invalid snapshotDeletionPolicy", snapshotDeletionPolicy, RECLAIM.join(", "));
    const volumeBindingMode = props.volumeBindingMode ?? (iscsi ? "WaitForFirstConsumer" : "Immediate");
    if (!BINDING.includes(volumeBindingMode)) invalidProp(this, "invalid volumeBindingMode", volumeBindingMode, BINDING.join(", "));
    const mountOptions = props.mountOptions ?? (iscsi ? [] : ["nfsvers=4.2", "noatime"]);
    for (const o of mountOptions) if (!MOUNT_OPTION.test(o)) invalidProp(this, "invalid mount option", o, "one option per entry, without spaces or commas, e.g. noatime");

    const namePrefix = props.iscsiNamePrefix ?? "";
    const nameSuffix = props.iscsiNameSuffix ?? "";
    const nfsAllowedNetworks = props.nfsAllowedNetworks ?? [];
    if (iscsi) {
      if (props.nfsAllowedNetworks !== undefined) invalidProp(this, "nfsAllowedNetworks on an iSCSI instance", props.nfsAllowedNetworks, "no NFS options on protocol iscsi");
      if (!ISCSI_NAME_PART.test(namePrefix)) invalidProp(this, "invalid iSCSI name prefix", namePrefix, "lowercase letters, digits, '.', '-' and ':'");
      if (!ISCSI_NAME_PART.test(nameSuffix)) invalidProp(this, "invalid iSCSI name suffix", nameSuffix, "lowercase letters, digits, '.', '-' and ':'");
      const longest = namePrefix.length + PVC_NAME_LENGTH + nameSuffix.length;
      if (longest > ISCSI_NAME_MAX) {
        invalidProp(this, `iSCSI name prefix + pvc-<uuid> + suffix is ${longest} characters, over TrueNAS's ${ISCSI_NAME_MAX}`, [namePrefix, nameSuffix], `prefix and suffix of at most ${ISCSI_NAME_MAX - PVC_NAME_LENGTH} characters together`);
      }
      const tg = props.iscsiTargetGroup;
      if (tg === undefined) invalidProp(this, "iSCSI instance without a target group", undefined, "iscsiTargetGroup with the storage stack's portal and initiator group ids");
      for (const [what, v] of [["portal id", tg.portalId], ["initiator group id", tg.initiatorGroupId]] as const) {
        if (!Token.isUnresolved(v) && (!Number.isInteger(v) || v < 1)) invalidProp(this, `invalid iSCSI ${what}`, v, "the API's id (integer >= 1), best the storage stack's resource attribute");
      }
    } else {
      if (props.iscsiTargetGroup !== undefined) invalidProp(this, "iscsiTargetGroup on an NFS instance", "iscsiTargetGroup", "no iSCSI options on protocol nfs");
      if (props.iscsiNamePrefix !== undefined || props.iscsiNameSuffix !== undefined) {
        invalidProp(this, "iSCSI name prefix/suffix on an NFS instance", [namePrefix, nameSuffix], "no iSCSI options on protocol nfs");
      }
      for (const n of nfsAllowedNetworks) if (ipv4CidrPrefix(n) === undefined) invalidProp(this, "invalid NFS allowed network", n, "IPv4 CIDR, e.g. 10.10.10.0/24");
    }
    const revision = props.configRevision ?? 1;
    if (!Number.isInteger(revision) || revision < 1) invalidProp(this, "invalid configRevision", revision, "integers >= 1, bumped to push the config Secret again");
    const apiPort = props.truenasApiPort ?? 443;
    const portalPort = props.iscsiPortalPort ?? 3260;
    for (const [what, p] of [["TrueNAS API port", apiPort], ["iSCSI portal port", portalPort]] as const) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) invalidProp(this, `invalid ${what}`, p, "1..65535");
    }
    const imageTag = props.driverImageTag ?? DEMOCRATIC_CSI_IMAGE.tag;
    if (!/^[\w][\w.-]{0,127}(@sha256:[0-9a-f]{64})?$/.test(imageTag)) invalidProp(this, "invalid driver image tag", imageTag, "a tag, optionally with @sha256:<digest>, e.g. next");
    const isDefault = props.isDefault ?? false;

    // Cross-instance rules last, so a rejected instance claims nothing.
    this.claimClusterNames(name, csiDriverName, isDefault);
    this.claimDatasets(props);

    const configInput: DriverConfigInput = {
      protocol,
      truenasHost: props.truenasHost,
      apiPort,
      allowInsecureTls: props.truenasAllowInsecureTls ?? true,
      datasetParentName: props.datasetParent.path,
      detachedSnapshotsDatasetParentName: props.detachedSnapshotsParent.path,
      nfsAllowedNetworks,
      iscsiPortalPort: portalPort,
      iscsiNamePrefix: namePrefix,
      iscsiNameSuffix: nameSuffix,
      iscsiPortalId: props.iscsiTargetGroup?.portalId,
      iscsiInitiatorGroupId: props.iscsiTargetGroup?.initiatorGroupId,
    };

    // The chart does not restart pods when an existing config Secret changes, and data_wo changes
    // are invisible to Terraform. So the Secret's name carries a hash (computed by Terraform, as
    // the target group ids are only known there) of the public config and the revision: any
    // change makes a new Secret, the release points at it, and the pods roll.
    const configHash = Fn.substr(Fn.sha256(Fn.jsonencode({ config: driverConfig(configInput), revision })), 0, 10);
    this.configSecret = new SecretV1(this, "driver-config", {
      metadata: {
        name: `${name}-driver-config-${configHash}`,
        namespace: props.namespace,
        labels: { "app.kubernetes.io/managed-by": "homelab-cdktf", "app.kubernetes.io/instance": name },
      },
      type: "Opaque",
      // Write-only: Terraform sends it to the cluster and keeps nothing (Terraform >= 1.11).
      dataWo: { "driver-config-file.yaml": Fn.yamlencode(driverConfig({ ...configInput, apiKey: props.apiKey })) },
      dataWoRevision: revision,
      // The new Secret exists before the release moves to it; the old one goes after.
      lifecycle: { createBeforeDestroy: true },
    });

    const image = { registry: DEMOCRATIC_CSI_IMAGE.registry, tag: imageTag, ...(imageTag.includes("@") ? {} : { pullPolicy: "Always" }) };
    const { hostPID, ...talosDriver } = TALOS_ISCSI_NODE;
    this.values = {
      csiDriver: { name: csiDriverName, ...(iscsi ? {} : { fsGroupPolicy: "File" }) },
      // The chart needs driver.config.driver even with an existing Secret (it decides the iSCSI mounts).
      driver: { config: { driver: DRIVER_BY_PROTOCOL[protocol] } },
      storageClasses: [
        {
          name,
          defaultClass: isDefault,
          reclaimPolicy,
          volumeBindingMode,
          allowVolumeExpansion: props.allowVolumeExpansion ?? true,
          parameters: { fsType },
          mountOptions,
          labels: { "homelab-cdktf/pool": props.pool, "homelab-cdktf/protocol": protocol },
          annotations: { "homelab-cdktf/dataset-parent": props.datasetParent.path },
        },
      ],
      volumeSnapshotClasses: [
        { name, deletionPolicy: snapshotDeletionPolicy, parameters: { detachedSnapshots: String(props.detachedSnapshots ?? false) } },
      ],
      controller: { driver: { image } },
      node: iscsi ? { hostPID, driver: { image, ...talosDriver } } : { driver: { image } },
    };

    this.release = new Release(this, "release", {
      name,
      namespace: props.namespace,
      repository: DEMOCRATIC_CSI_CHART.repository,
      chart: DEMOCRATIC_CSI_CHART.chart,
      version: DEMOCRATIC_CSI_CHART.version,
      // JSON is YAML: the values stay a literal, readable in cdk.tf.json and the plan.
      values: [JSON.stringify(this.values, null, 2)],
      set: [{ name: "driver.existingConfigSecret", value: this.configSecret.metadata.name, type: "string" }],
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 5,
      dependsOn: props.dependsOn,
    });

    this.name = name;
    this.protocol = protocol;
    this.pool = props.pool;
    this.storageClassName = name;
    this.csiDriverName = csiDriverName;
    this.isDefault = isDefault;
    this.datasetParentPath = props.datasetParent.path;
    this.detachedSnapshotsParentPath = props.detachedSnapshotsParent.path;
  }

  private checkDatasets(props: CsiInstanceProps): void {
    const roles = [["datasetParent", props.datasetParent], ["detachedSnapshotsParent", props.detachedSnapshotsParent]] as const;
    for (const [role, ds] of roles) {
      if (ds.node.root !== this.node.root) {
        invalidProp(this, `${role} is not declared in this app`, ds.path, "a dataset of a DatasetTree in the same app");
      }
      if (Token.isUnresolved(ds.path) || !ds.path.startsWith(`${ds.poolName}/`) || ds.path.split("/").some((c) => c === "")) {
        invalidProp(this, `${role} is not a literal ZFS path on its pool ${ds.poolName}`, ds.path, `<pool>/<dataset>..., e.g. ${ds.poolName}/kubernetes/nfs-dynamic`);
      }
    }
    if (props.datasetParent.poolName !== props.pool) {
      invalidProp(this, `datasetParent is not on pool ${props.pool}, which the StorageClass promises`, props.datasetParent.path, `datasets on pool ${props.pool}`);
    }
    const [parent, snaps] = [props.datasetParent.path, props.detachedSnapshotsParent.path];
    if (datasetsOverlap(parent, snaps)) {
      invalidProp(this, "datasetParent and detachedSnapshotsParent overlap", [parent, snaps], "siblings, neither inside the other (democratic-csi refuses to start otherwise)");
    }
  }

  private claimClusterNames(name: string, driver: string, isDefault: boolean): void {
    const stack = TerraformStack.of(this);
    let claims = clusterClaims.get(stack);
    if (!claims) clusterClaims.set(stack, (claims = { drivers: new Map(), classes: new Map() }));
    const driverOwner = claims.drivers.get(driver);
    if (driverOwner !== undefined) invalidProp(this, `CSI driver name already used by ${driverOwner}`, driver, "one driver name per instance in a cluster");
    const classOwner = claims.classes.get(name);
    if (classOwner !== undefined) invalidProp(this, `StorageClass name already used by ${classOwner}`, name, "one StorageClass name per instance in a cluster");
    if (isDefault && claims.defaultClass !== undefined) {
      invalidProp(this, `a second default StorageClass (${claims.defaultClass} is the default already)`, name, "at most one isDefault instance per cluster");
    }
    claims.drivers.set(driver, this.node.path);
    claims.classes.set(name, this.node.path);
    if (isDefault) claims.defaultClass = this.node.path;
  }

  private claimDatasets(props: CsiInstanceProps): void {
    const root = this.node.root;
    let claims = datasetClaims.get(root);
    if (!claims) datasetClaims.set(root, (claims = []));
    const mine = [props.datasetParent.path, props.detachedSnapshotsParent.path];
    for (const path of mine) {
      const other = claims.find((c) => datasetsOverlap(c.path, path));
      if (other) invalidProp(this, `dataset overlaps ${other.path} of ${other.owner}`, path, "datasets disjoint from every other instance's (a unique parent per deployment)");
    }
    for (const path of mine) claims.push({ path, owner: this.node.path });
  }
}
