/**
 * The Helm chart democratic-csi 0.15.1: its pinned coordinates, the values this project sets,
 * typed, and the builder of one release's values. No constructs here.
 *
 * Keys follow `stable/democratic-csi/values.yaml` of democratic-csi/charts at 79a3c02 (chart
 * 0.15.1, 2026-01-07) and the templates that read them: `driver.yaml` (csiDriver),
 * `storage-classes.yaml`, `snapshot-classes.yaml`, `controller.yaml`/`node.yaml` (image,
 * hostPID, extraEnv, iscsiDirHostPath[Type]) and `_helpers.tpl` (`driver.config.driver` decides the
 * iSCSI host mounts). Only the keys this project sets are typed; the chart has many more.
 */
import { DRIVER_BY_PROTOCOL, type FreenasApiDriver } from "./csi-driver-config";
import type { CsiInstanceSettings } from "./csi-validate";

export type CsiReclaimPolicy = "Delete" | "Retain";
export type CsiVolumeBindingMode = "Immediate" | "WaitForFirstConsumer";
/** StorageClass `parameters.fsType`: `nfs` for NFS; `ext3`, `ext4` or `xfs` on a block device. */
export type CsiFsType = "nfs" | "ext4" | "xfs" | "ext3";

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

/** `controller.driver.image`, `node.driver.image` (0.15: registry and tag split). */
export interface DemocraticCsiImage {
  readonly registry: string;
  readonly tag: string;
  /** @default - Kubernetes' default (IfNotPresent unless the tag is `latest`) */
  readonly pullPolicy?: "Always" | "IfNotPresent" | "Never";
}

/** `csiDriver`: the CSIDriver object. */
export interface DemocraticCsiDriverValues {
  /** Required, unique in the cluster; also the kubelet plugin directory. */
  readonly name: string;
  /** k8s 1.19+. */
  readonly fsGroupPolicy?: "None" | "File" | "ReadWriteOnceWithFSType";
}

/** `storageClasses[]`. */
export interface DemocraticCsiStorageClass {
  readonly name: string;
  /** Adds the annotation `storageclass.kubernetes.io/is-default-class: "true"`. */
  readonly defaultClass: boolean;
  readonly reclaimPolicy: CsiReclaimPolicy;
  readonly volumeBindingMode: CsiVolumeBindingMode;
  readonly allowVolumeExpansion: boolean;
  /** Every value is quoted by the template. */
  readonly parameters: { readonly fsType: CsiFsType };
  readonly mountOptions: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** `volumeSnapshotClasses[]`. */
export interface DemocraticCsiSnapshotClass {
  readonly name: string;
  readonly deletionPolicy: CsiReclaimPolicy;
  /** The driver reads `detachedSnapshots` as the string "true" or "false". */
  readonly parameters: { readonly detachedSnapshots: "true" | "false" };
}

export interface DemocraticCsiEnvVar {
  readonly name: string;
  readonly value: string;
}

/** `node`: the node DaemonSet. */
export interface DemocraticCsiNodeValues {
  /** @default false (chart) */
  readonly hostPID?: boolean;
  readonly driver: {
    readonly image: DemocraticCsiImage;
    readonly extraEnv?: readonly DemocraticCsiEnvVar[];
    /** @default "/etc/iscsi" (chart) */
    readonly iscsiDirHostPath?: string;
    /** @default "Directory" (chart); "" = no type check */
    readonly iscsiDirHostPathType?: string;
  };
}

/** The values of one release, as this project sends them (JSON in `helm_release.values[0]`). */
export interface DemocraticCsiValues {
  readonly csiDriver: DemocraticCsiDriverValues;
  /**
   * `driver.config` holds only `driver`: the config itself is in the Secret that
   * `driver.existingConfigSecret` names (set separately, by `helm_release.set`).
   */
  readonly driver: { readonly config: { readonly driver: FreenasApiDriver } };
  readonly storageClasses: readonly DemocraticCsiStorageClass[];
  readonly volumeSnapshotClasses: readonly DemocraticCsiSnapshotClass[];
  readonly controller: { readonly driver: { readonly image: DemocraticCsiImage } };
  readonly node: DemocraticCsiNodeValues;
}

/** What the values of one release are made of: the validated settings, and the volumes' parent by path. */
export type ChartValuesInput = Pick<
  CsiInstanceSettings,
  | "name" | "protocol" | "csiDriverName" | "pool" | "isDefault" | "reclaimPolicy" | "volumeBindingMode"
  | "allowVolumeExpansion" | "fsType" | "mountOptions" | "snapshotDeletionPolicy" | "detachedSnapshots" | "driverImageTag"
> & { readonly datasetParentPath: string };

/** One StorageClass and one VolumeSnapshotClass named like the release; Talos settings on iSCSI nodes. */
export function chartValues(v: ChartValuesInput): DemocraticCsiValues {
  const iscsi = v.protocol === "iscsi";
  // A digest-pinned image is immutable; a moving tag (next) is pulled on every start.
  const image: DemocraticCsiImage = { registry: DEMOCRATIC_CSI_IMAGE.registry, tag: v.driverImageTag, ...(v.driverImageTag.includes("@") ? {} : { pullPolicy: "Always" }) };
  const { hostPID, ...talosDriver } = TALOS_ISCSI_NODE;
  return {
    csiDriver: { name: v.csiDriverName, ...(iscsi ? {} : { fsGroupPolicy: "File" }) },
    // The chart needs driver.config.driver even with an existing Secret (it decides the iSCSI mounts).
    driver: { config: { driver: DRIVER_BY_PROTOCOL[v.protocol] } },
    storageClasses: [
      {
        name: v.name,
        defaultClass: v.isDefault,
        reclaimPolicy: v.reclaimPolicy,
        volumeBindingMode: v.volumeBindingMode,
        allowVolumeExpansion: v.allowVolumeExpansion,
        parameters: { fsType: v.fsType },
        mountOptions: v.mountOptions,
        labels: { "homelab-cdktf/pool": v.pool, "homelab-cdktf/protocol": v.protocol },
        annotations: { "homelab-cdktf/dataset-parent": v.datasetParentPath },
      },
    ],
    volumeSnapshotClasses: [{ name: v.name, deletionPolicy: v.snapshotDeletionPolicy, parameters: { detachedSnapshots: v.detachedSnapshots ? "true" : "false" } }],
    controller: { driver: { image } },
    node: iscsi ? { hostPID, driver: { image, ...talosDriver } } : { driver: { image } },
  };
}
