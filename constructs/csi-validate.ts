import type { IConstruct } from "constructs";
import { Token } from "../lib/cdktf";
import { DEMOCRATIC_CSI_IMAGE, type CsiFsType, type CsiReclaimPolicy, type CsiVolumeBindingMode } from "./csi-chart-values";
import { datasetsOverlap } from "./csi-cluster-claims";
import type { CsiProtocol, DriverConfigInput } from "./csi-driver-config";
import type { CsiDataset, CsiInstanceProps } from "./csi-instance";
import { Problems, verbatim } from "./errors";
import { ipv4CidrPrefix, isIpv4 } from "./ipv4";
import { SecretValue } from "./secret";

/** `CsiInstanceProps` checked, with every default applied. */
export interface CsiInstanceSettings {
  readonly name: string;
  readonly protocol: CsiProtocol;
  readonly csiDriverName: string;
  readonly namespace: string;
  /** The pool of both datasets: what the StorageClass promises (label `homelab-cdktf/pool`). */
  readonly pool: string;
  readonly datasetParent: CsiDataset;
  readonly detachedSnapshotsParent: CsiDataset;
  readonly isDefault: boolean;
  readonly reclaimPolicy: CsiReclaimPolicy;
  readonly volumeBindingMode: CsiVolumeBindingMode;
  readonly allowVolumeExpansion: boolean;
  readonly fsType: CsiFsType;
  readonly mountOptions: readonly string[];
  readonly snapshotDeletionPolicy: CsiReclaimPolicy;
  readonly detachedSnapshots: boolean;
  readonly driverImageTag: string;
  readonly apiKey: SecretValue;
  /** The driver config without the API key. */
  readonly driverConfig: DriverConfigInput;
}

// PV names are `pvc-<uuid>`: 4 + 36 characters. democratic-csi (api.js) refuses an iSCSI name
// over 64 characters on SCALE, at the first PVC, long after the apply succeeded.
const PVC_NAME_LENGTH = 40;
const ISCSI_NAME_MAX = 64;
const HELM_RELEASE_NAME_MAX = 53;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ISCSI_NAME_PART = /^[a-z0-9.:-]*$/; // IQN characters; democratic-csi lowercases the name anyway
const MOUNT_OPTION = /^[A-Za-z0-9_.=:/+-]+$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}(@sha256:[0-9a-f]{64})?$/;

const PROTOCOLS: readonly CsiProtocol[] = ["nfs", "iscsi"];
const FS_TYPES: Record<CsiProtocol, readonly CsiFsType[]> = { nfs: ["nfs"], iscsi: ["ext4", "xfs", "ext3"] };
const RECLAIM: readonly CsiReclaimPolicy[] = ["Delete", "Retain"];
const BINDING: readonly CsiVolumeBindingMode[] = ["Immediate", "WaitForFirstConsumer"];

/**
 * Checks every prop of one instance and applies the defaults. Collects all problems, one line each
 * in the project's format, and throws them at once; returns only valid settings.
 */
export function validateCsiInstanceProps(scope: IConstruct, props: CsiInstanceProps): CsiInstanceSettings {
  const problems = new Problems();
  const report = (what: string, got: unknown, allowed: string) => problems.add(scope, what, got, allowed);
  const identity = checkIdentity(props, report);
  const pool = checkDatasets(scope, props, report);
  const storageClass = checkStorageClass(props, identity.protocol, report);
  const connection = checkConnection(props, report);
  const driverConfig = checkProtocolOptions(props, identity.protocol, connection, report);
  problems.throwIfAny();
  return {
    ...identity,
    ...storageClass,
    pool,
    datasetParent: props.datasetParent,
    detachedSnapshotsParent: props.detachedSnapshotsParent,
    driverImageTag: connection.driverImageTag,
    driverConfig: driverConfig!, // undefined only along with a problem, thrown above
  };
}

type Report = (what: string, got: unknown, allowed: string) => void;

/** Names (release, CSI driver, namespace), the TrueNAS host and the API key. */
function checkIdentity(props: CsiInstanceProps, report: Report) {
  const { name, protocol } = props;
  if (!PROTOCOLS.includes(protocol)) report("invalid protocol", protocol, PROTOCOLS.join(", "));
  const nameOk = DNS_LABEL.test(name) && name.length <= HELM_RELEASE_NAME_MAX;
  if (!nameOk) report("invalid instance name", name, `a DNS label of at most ${HELM_RELEASE_NAME_MAX} characters (Helm release name): lowercase letters, digits and '-'`);
  const csiDriverName = props.csiDriverName ?? `org.democratic-csi.${name}`;
  // A derived driver name is only worth a line of its own when the instance name is fine.
  if ((props.csiDriverName !== undefined || nameOk) && !(DNS_SUBDOMAIN.test(csiDriverName) && csiDriverName.length <= 63)) {
    report("invalid CSI driver name", csiDriverName, "a DNS subdomain of at most 63 characters, e.g. org.democratic-csi.<instance>");
  }
  if (!Token.isUnresolved(props.namespace) && !DNS_LABEL.test(props.namespace)) report("invalid namespace", props.namespace, "a DNS label");
  // A dotted all-numeric name is a mistyped address, not a DNS name.
  const host = props.truenasHost;
  if (!Token.isUnresolved(host) && !(isIpv4(host) || (DNS_SUBDOMAIN.test(host) && !/^[\d.]+$/.test(host)))) {
    report("invalid TrueNAS host", host, "an IPv4 address or DNS name on the storage network, e.g. 10.10.10.5");
  }
  if (!SecretValue.isSecretValue(props.apiKey)) {
    // Never print the value: it may be the real key.
    const got = typeof props.apiKey === "string" ? `a literal of ${(props.apiKey as string).length} characters` : `a ${typeof props.apiKey}`;
    report("API key is not a secret from a Terraform variable, and would be written into cdk.tf.json", verbatim(got), "SecretValue.fromVariable(...), e.g. the stack's ephemeral variable truenas_csi_api_key");
  }
  return { name, protocol, csiDriverName, namespace: props.namespace, apiKey: props.apiKey, isDefault: props.isDefault ?? false };
}

/** Both datasets: in this app, literal paths on their pool, on one pool, siblings. Returns the pool. */
function checkDatasets(scope: IConstruct, props: CsiInstanceProps, report: Report): string {
  const { datasetParent: parent, detachedSnapshotsParent: snaps } = props;
  let pathsOk = true;
  for (const [role, ds] of [["datasetParent", parent], ["detachedSnapshotsParent", snaps]] as const) {
    if (ds.node.root !== scope.node.root) report(`${role} is not declared in this app`, ds.fullPath, "a dataset of a DatasetTree in the same app");
    if (Token.isUnresolved(ds.fullPath) || !ds.fullPath.startsWith(`${ds.poolName}/`) || ds.fullPath.split("/").some((c) => c === "")) {
      pathsOk = false;
      report(`${role} is not a literal ZFS path on its pool ${ds.poolName}`, ds.fullPath, `<pool>/<dataset>..., e.g. ${ds.poolName}/kubernetes/nfs-dynamic`);
    }
  }
  const pool = parent.poolName;
  if (snaps.poolName !== pool) {
    report(`detachedSnapshotsParent is on pool ${snaps.poolName}, not on pool ${pool} of datasetParent`, snaps.fullPath, `datasets on pool ${pool}, the pool the StorageClass promises`);
  }
  if (pathsOk && datasetsOverlap(parent.fullPath, snaps.fullPath)) {
    report("datasetParent and detachedSnapshotsParent overlap", [parent.fullPath, snaps.fullPath], "siblings, neither inside the other (democratic-csi refuses to start otherwise)");
  }
  return pool;
}

/** The StorageClass and the VolumeSnapshotClass, with the protocol's defaults. */
function checkStorageClass(props: CsiInstanceProps, protocol: CsiProtocol, report: Report) {
  const iscsi = protocol === "iscsi";
  const fsType = props.fsType ?? (iscsi ? "ext4" : "nfs");
  const fsTypes = FS_TYPES[protocol] as readonly CsiFsType[] | undefined; // undefined for an invalid protocol, reported already
  if (fsTypes && !fsTypes.includes(fsType)) report(`fsType does not fit protocol ${protocol}`, fsType, fsTypes.join(", "));
  const reclaimPolicy = props.reclaimPolicy ?? (iscsi ? "Retain" : "Delete");
  if (!RECLAIM.includes(reclaimPolicy)) report("invalid reclaimPolicy", reclaimPolicy, RECLAIM.join(", "));
  const snapshotDeletionPolicy = props.snapshotDeletionPolicy ?? "Delete";
  if (!RECLAIM.includes(snapshotDeletionPolicy)) report("invalid snapshotDeletionPolicy", snapshotDeletionPolicy, RECLAIM.join(", "));
  const volumeBindingMode = props.volumeBindingMode ?? (iscsi ? "WaitForFirstConsumer" : "Immediate");
  if (!BINDING.includes(volumeBindingMode)) report("invalid volumeBindingMode", volumeBindingMode, BINDING.join(", "));
  const mountOptions = props.mountOptions ?? (iscsi ? [] : ["nfsvers=4.2", "noatime"]);
  for (const o of mountOptions) if (!MOUNT_OPTION.test(o)) report("invalid mount option", o, "one option per entry, without spaces or commas, e.g. noatime");
  return {
    fsType,
    reclaimPolicy,
    snapshotDeletionPolicy,
    volumeBindingMode,
    mountOptions,
    allowVolumeExpansion: props.allowVolumeExpansion ?? true,
    detachedSnapshots: props.detachedSnapshots ?? false,
  };
}

/** Ports, TLS and the image tag. */
function checkConnection(props: CsiInstanceProps, report: Report) {
  const apiPort = props.truenasApiPort ?? 443;
  const portalPort = props.iscsiPortalPort ?? 3260;
  for (const [what, p] of [["TrueNAS API port", apiPort], ["iSCSI portal port", portalPort]] as const) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) report(`invalid ${what}`, p, "1..65535");
  }
  const driverImageTag = props.driverImageTag ?? DEMOCRATIC_CSI_IMAGE.tag;
  if (!IMAGE_TAG.test(driverImageTag)) report("invalid driver image tag", driverImageTag, "a tag, optionally with @sha256:<digest>, e.g. next");
  return { driverImageTag, apiPort, portalPort, allowInsecureTls: props.truenasAllowInsecureTls ?? true };
}

/**
 * The options of one protocol (and none of the other's). Returns the driver config without the
 * API key, or undefined when an option it needs is missing (reported).
 */
function checkProtocolOptions(props: CsiInstanceProps, protocol: CsiProtocol, connection: ReturnType<typeof checkConnection>, report: Report): DriverConfigInput | undefined {
  const common = {
    truenasHost: props.truenasHost,
    apiPort: connection.apiPort,
    allowInsecureTls: connection.allowInsecureTls,
    datasetParentName: props.datasetParent.fullPath,
    detachedSnapshotsDatasetParentName: props.detachedSnapshotsParent.fullPath,
  };
  const namePrefix = props.iscsiNamePrefix ?? "";
  const nameSuffix = props.iscsiNameSuffix ?? "";
  if (protocol === "nfs") {
    if (props.iscsiTargetGroup !== undefined) report("iscsiTargetGroup on an NFS instance", "iscsiTargetGroup", "no iSCSI options on protocol nfs");
    if (props.iscsiNamePrefix !== undefined || props.iscsiNameSuffix !== undefined) report("iSCSI name prefix/suffix on an NFS instance", [namePrefix, nameSuffix], "no iSCSI options on protocol nfs");
    const nfsAllowedNetworks = props.nfsAllowedNetworks ?? [];
    for (const n of nfsAllowedNetworks) if (ipv4CidrPrefix(n) === undefined) report("invalid NFS allowed network", n, "IPv4 CIDR, e.g. 10.10.10.0/24");
    return { protocol, ...common, nfsAllowedNetworks };
  }
  if (protocol !== "iscsi") return undefined; // an invalid protocol, reported already
  if (props.nfsAllowedNetworks !== undefined) report("nfsAllowedNetworks on an iSCSI instance", props.nfsAllowedNetworks, "no NFS options on protocol iscsi");
  for (const [what, part] of [["prefix", namePrefix], ["suffix", nameSuffix]] as const) {
    if (!ISCSI_NAME_PART.test(part)) report(`invalid iSCSI name ${what}`, part, "lowercase letters, digits, '.', '-' and ':'");
  }
  const longest = namePrefix.length + PVC_NAME_LENGTH + nameSuffix.length;
  if (longest > ISCSI_NAME_MAX) {
    report(`iSCSI name prefix + pvc-<uuid> + suffix is ${longest} characters, over TrueNAS's ${ISCSI_NAME_MAX}`, [namePrefix, nameSuffix], `prefix and suffix of at most ${ISCSI_NAME_MAX - PVC_NAME_LENGTH} characters together`);
  }
  const tg = props.iscsiTargetGroup;
  if (tg === undefined) {
    report("iSCSI instance without a target group", undefined, "iscsiTargetGroup with the storage stack's portal and initiator group ids");
    return undefined;
  }
  for (const [what, v] of [["portal id", tg.portalId], ["initiator group id", tg.initiatorGroupId]] as const) {
    if (!Token.isUnresolved(v) && (!Number.isInteger(v) || v < 1)) report(`invalid iSCSI ${what}`, v, "the API's id (integer >= 1), best the storage stack's resource attribute");
  }
  return {
    protocol,
    ...common,
    iscsiPortalPort: connection.portalPort,
    iscsiNamePrefix: namePrefix,
    iscsiNameSuffix: nameSuffix,
    iscsiPortalId: tg.portalId,
    iscsiInitiatorGroupId: tg.initiatorGroupId,
  };
}
