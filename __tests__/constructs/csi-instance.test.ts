import { Construct } from "constructs";
import { SecretValue } from "../../constructs/secret";
import { CsiInstance, DEMOCRATIC_CSI_CHART, DEMOCRATIC_CSI_IMAGE, datasetsOverlap, type CsiDataset, type CsiInstanceProps } from "../../constructs/csi-instance";
import { TerraformStack, Testing } from "../../lib/cdktf";
import { addKubernetesProviders } from "../../stacks/k8s-storage-stack";
import { jsonOf, synth } from "../helpers";

/** A stand-in storage stack (datasets as plain constructs) and a cluster stack with the providers. */
function fixture() {
  const app = Testing.app();
  const storage = new TerraformStack(app, "storage");
  const ds = (path: string): CsiDataset => Object.assign(new Construct(storage, path.replace(/\//g, "_")), { fullPath: path, poolName: path.split("/")[0]! });
  const stack = new TerraformStack(app, "test");
  addKubernetesProviders(stack);
  const apiKey = SecretValue.fromVariable(stack, "truenas_csi_api_key", { description: "CSI key", ephemeral: true });
  const sets = {
    nfsFast: { parent: ds("fast/kubernetes/nfs-dynamic"), snaps: ds("fast/kubernetes/nfs-snapshots") },
    iscsiFast: { parent: ds("fast/kubernetes/iscsi-zvols"), snaps: ds("fast/kubernetes/iscsi-snapshots") },
    nfsBulk: { parent: ds("bulk/kubernetes/nfs-dynamic"), snaps: ds("bulk/kubernetes/nfs-snapshots") },
    nested: ds("fast/kubernetes/nfs-dynamic/snaps"),
    around: ds("fast/kubernetes"),
  };
  return { app, storage, stack, apiKey, ds, sets };
}
type Fixture = ReturnType<typeof fixture>;

function nfs(f: Fixture): CsiInstanceProps {
  return {
    name: "truenas-nfs-fast",
    protocol: "nfs",
    datasetParent: f.sets.nfsFast.parent,
    detachedSnapshotsParent: f.sets.nfsFast.snaps,
    namespace: "democratic-csi",
    truenasHost: "10.10.10.5",
    apiKey: f.apiKey,
  };
}

function iscsi(f: Fixture): CsiInstanceProps {
  return {
    name: "truenas-iscsi-fast",
    protocol: "iscsi",
    datasetParent: f.sets.iscsiFast.parent,
    detachedSnapshotsParent: f.sets.iscsiFast.snaps,
    namespace: "democratic-csi",
    truenasHost: "10.10.10.5",
    apiKey: f.apiKey,
    iscsiTargetGroup: { portalId: 1, initiatorGroupId: 3 },
  };
}

/** The Helm values a release sends (a JSON document in `values[0]`). */
function valuesOf(release: any): any {
  expect(release.values).toHaveLength(1);
  return JSON.parse(release.values[0]);
}

const nextImage = { registry: "docker.io/democraticcsi/democratic-csi", tag: "next", pullPolicy: "Always" };

describe("CsiInstance", () => {
  test("defaults, NFS: pinned chart, next image, Delete/Immediate/nfs 4.2, config Secret by data_wo with the key as a reference", () => {
    const f = fixture();
    const csi = new CsiInstance(f.stack, "nfs", nfs(f));
    const json = synth(f.stack);
    const release = jsonOf(json, csi.release);
    const secret = jsonOf(json, csi.configSecret);

    expect(release).toMatchObject({
      name: "truenas-nfs-fast",
      namespace: "democratic-csi",
      repository: "https://democratic-csi.github.io/charts/",
      chart: "democratic-csi",
      version: "0.15.1",
      atomic: true,
      set: [{ name: "driver.existingConfigSecret", type: "string", value: `\${kubernetes_secret_v1.${csi.configSecret.friendlyUniqueId}.metadata[0].name}` }],
    });
    expect(valuesOf(release)).toEqual({
      csiDriver: { name: "org.democratic-csi.truenas-nfs-fast", fsGroupPolicy: "File" },
      driver: { config: { driver: "freenas-api-nfs" } },
      storageClasses: [
        {
          name: "truenas-nfs-fast",
          defaultClass: false,
          reclaimPolicy: "Delete",
          volumeBindingMode: "Immediate",
          allowVolumeExpansion: true,
          parameters: { fsType: "nfs" },
          mountOptions: ["nfsvers=4.2", "noatime"],
          labels: { "homelab-cdktf/pool": "fast", "homelab-cdktf/protocol": "nfs" },
          annotations: { "homelab-cdktf/dataset-parent": "fast/kubernetes/nfs-dynamic" },
        },
      ],
      volumeSnapshotClasses: [{ name: "truenas-nfs-fast", deletionPolicy: "Delete", parameters: { detachedSnapshots: "false" } }],
      controller: { driver: { image: nextImage } },
      node: { driver: { image: nextImage } },
    });

    expect(secret.metadata).toMatchObject({ namespace: "democratic-csi" });
    expect(secret.metadata.name).toMatch(/^truenas-nfs-fast-driver-config-\$\{substr\(sha256\(jsonencode\(\{"config" = \{"driver" = "freenas-api-nfs".*"revision" = var\.truenas_csi_api_key_version\}\)\), 0, 10\)\}$/);
    expect(secret.metadata.name).not.toMatch(/var\.truenas_csi_api_key\b(?!_version)/);
    // The key's version: bumped after a rotation, it re-sends the write-only data and renames the Secret.
    expect(secret.data_wo_revision).toBe("${var.truenas_csi_api_key_version}");
    expect(secret.lifecycle).toEqual({ create_before_destroy: true });
    expect(secret.data).toBeUndefined();
    const config = secret.data_wo["driver-config-file.yaml"] as string;
    expect(Object.keys(secret.data_wo)).toEqual(["driver-config-file.yaml"]);
    expect(config.startsWith("${yamlencode({")).toBe(true);
    expect(config).toContain(`"httpConnection" = {"protocol" = "https", "host" = "10.10.10.5", "port" = 443, "allowInsecure" = true, "apiKey" = var.truenas_csi_api_key}`);
    expect(config).toContain(`"datasetParentName" = "fast/kubernetes/nfs-dynamic", "detachedSnapshotsDatasetParentName" = "fast/kubernetes/nfs-snapshots", "datasetEnableQuotas" = true, "datasetEnableReservation" = false`);
    expect(config).toContain(`"nfs" = {"shareHost" = "10.10.10.5", "shareAlldirs" = false, "shareAllowedHosts" = [], "shareAllowedNetworks" = []`);
    expect(config).not.toContain("iscsi");

    expect(csi).toMatchObject({ name: "truenas-nfs-fast", storageClassName: "truenas-nfs-fast", csiDriverName: "org.democratic-csi.truenas-nfs-fast", pool: "fast", isDefault: false });
    expect(DEMOCRATIC_CSI_CHART.version).toBe("0.15.1");
    expect(DEMOCRATIC_CSI_IMAGE.tag).toBe("next");
  });

  test("a DNS name is a valid TrueNAS host", () => {
    const f = fixture();
    const csi = new CsiInstance(f.stack, "nfs", { ...nfs(f), truenasHost: "truenas-primary.storage.lan" });
    expect(jsonOf(synth(f.stack), csi.configSecret).data_wo["driver-config-file.yaml"]).toContain(`"shareHost" = "truenas-primary.storage.lan"`);
  });

  test("defaults, iSCSI: databases keep their volumes; Talos host PID, nsenter iscsiadm and /usr/local/etc/iscsi; target group ids in the config", () => {
    const f = fixture();
    const csi = new CsiInstance(f.stack, "iscsi", iscsi(f));
    const json = synth(f.stack);
    const values = valuesOf(jsonOf(json, csi.release));
    expect(values.csiDriver).toEqual({ name: "org.democratic-csi.truenas-iscsi-fast" });
    expect(values.driver).toEqual({ config: { driver: "freenas-api-iscsi" } });
    expect(values.storageClasses[0]).toMatchObject({
      reclaimPolicy: "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      parameters: { fsType: "ext4" },
      mountOptions: [],
    });
    expect(values.node).toEqual({
      hostPID: true,
      driver: {
        image: nextImage,
        extraEnv: [
          { name: "ISCSIADM_HOST_STRATEGY", value: "nsenter" },
          { name: "ISCSIADM_HOST_PATH", value: "/usr/local/sbin/iscsiadm" },
        ],
        iscsiDirHostPath: "/usr/local/etc/iscsi",
        iscsiDirHostPathType: "",
      },
    });
    const config = jsonOf(json, csi.configSecret).data_wo["driver-config-file.yaml"] as string;
    expect(config).toContain(`"driver" = "freenas-api-iscsi"`);
    expect(config).toContain(`"zvolEnableReservation" = false`);
    expect(config).toContain(`"targetPortal" = "10.10.10.5:3260"`);
    expect(config).toContain(`"namePrefix" = "", "nameSuffix" = ""`);
    expect(config).toContain(`"targetGroups" = [{"targetGroupPortalGroup" = 1, "targetGroupInitiatorGroup" = 3, "targetGroupAuthType" = "None", "targetGroupAuthGroup" = null}]`);
    expect(config).not.toContain(`"nfs" =`);
  });

  test("custom: default class, xfs, options, prefix/suffix, networks, a pinned digest, Retain snapshots, detached", () => {
    const f = fixture();
    const digest = `next@sha256:${"a".repeat(64)}`;
    const csi = new CsiInstance(f.stack, "iscsi", {
      ...iscsi(f),
      isDefault: true,
      fsType: "xfs",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
      allowVolumeExpansion: false,
      mountOptions: ["noatime"],
      snapshotDeletionPolicy: "Retain",
      detachedSnapshots: true,
      csiDriverName: "org.example.iscsi",
      iscsiNamePrefix: "k8s-",
      iscsiNameSuffix: "-prod",
      truenasApiPort: 8443,
      truenasAllowInsecureTls: false,
      iscsiPortalPort: 3261,
      driverImageTag: digest,
    });
    const other = new CsiInstance(f.stack, "nfs", { ...nfs(f), nfsAllowedNetworks: ["10.10.10.0/24"] });
    const json = synth(f.stack);
    const values = valuesOf(jsonOf(json, csi.release));
    expect(values.csiDriver.name).toBe("org.example.iscsi");
    expect(values.storageClasses[0]).toMatchObject({ defaultClass: true, reclaimPolicy: "Delete", volumeBindingMode: "Immediate", allowVolumeExpansion: false, parameters: { fsType: "xfs" }, mountOptions: ["noatime"] });
    expect(values.volumeSnapshotClasses).toEqual([{ name: "truenas-iscsi-fast", deletionPolicy: "Retain", parameters: { detachedSnapshots: "true" } }]);
    // A digest-pinned image is immutable: no Always pull.
    expect(values.controller.driver.image).toEqual({ registry: "docker.io/democraticcsi/democratic-csi", tag: digest });
    const secret = jsonOf(json, csi.configSecret);
    expect(secret.data_wo_revision).toBe("${var.truenas_csi_api_key_version}");
    const config = secret.data_wo["driver-config-file.yaml"] as string;
    expect(config).toContain(`"port" = 8443, "allowInsecure" = false`);
    expect(config).toContain(`"targetPortal" = "10.10.10.5:3261"`);
    expect(config).toContain(`"namePrefix" = "k8s-", "nameSuffix" = "-prod"`);
    expect(jsonOf(json, other.configSecret).data_wo["driver-config-file.yaml"]).toContain(`"shareAllowedNetworks" = ["10.10.10.0/24"]`);
    expect(json).toMatchSnapshot();
  });

  test("the same names may repeat in another cluster (stack), the datasets may not", () => {
    const f = fixture();
    new CsiInstance(f.stack, "nfs", nfs(f));
    const dev = new TerraformStack(f.app, "dev");
    addKubernetesProviders(dev);
    const devKey = SecretValue.fromVariable(dev, "truenas_csi_api_key", { description: "dev CSI key" });
    const bulk = new CsiInstance(dev, "nfs", { ...nfs(f), apiKey: devKey, isDefault: true, datasetParent: f.sets.nfsBulk.parent, detachedSnapshotsParent: f.sets.nfsBulk.snaps });
    // The pool the StorageClass promises is its datasets' pool.
    expect(bulk.pool).toBe("bulk");
    expect(valuesOf(jsonOf(synth(dev), bulk.release)).storageClasses[0].labels).toEqual({ "homelab-cdktf/pool": "bulk", "homelab-cdktf/protocol": "nfs" });
    expect(() => new CsiInstance(dev, "nfs2", { ...nfs(f), name: "other", apiKey: devKey })).toThrow(
      `dev/nfs2: dataset overlaps fast/kubernetes/nfs-dynamic of test/nfs (got "fast/kubernetes/nfs-dynamic"; allowed: datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment))`,
    );
  });

  test("datasets overlap on whole path components only", () => {
    expect(datasetsOverlap("fast/kubernetes/nfs-dynamic", "fast/kubernetes/nfs-dynamic")).toBe(true);
    expect(datasetsOverlap("fast/kubernetes", "fast/kubernetes/nfs-dynamic")).toBe(true);
    expect(datasetsOverlap("fast/kubernetes/nfs-dynamic/x", "fast/kubernetes/nfs-dynamic")).toBe(true);
    expect(datasetsOverlap("fast/kubernetes/nfs-dynamic", "fast/kubernetes/nfs-dynamic-snaps")).toBe(false);
    expect(datasetsOverlap("fast/kubernetes/nfs-dynamic", "bulk/kubernetes/nfs-dynamic")).toBe(false);
  });

  type Case = [string, (f: Fixture) => CsiInstanceProps, string];
  test.each<Case>([
    ["bad name", (f) => ({ ...nfs(f), name: "Truenas_NFS" }), `test/csi: invalid instance name (got "Truenas_NFS"; allowed: a DNS label of at most 53 characters (Helm release name): lowercase letters, digits and '-')`],
    ["name too long for Helm", (f) => ({ ...nfs(f), name: "a".repeat(54) }), `test/csi: invalid instance name (got "${"a".repeat(54)}"; allowed: a DNS label of at most 53 characters (Helm release name): lowercase letters, digits and '-')`],
    ["bad protocol", (f) => ({ ...nfs(f), protocol: "smb" as never }), `test/csi: invalid protocol (got "smb"; allowed: nfs, iscsi)`],
    ["bad driver name", (f) => ({ ...nfs(f), csiDriverName: "org.democratic-csi/nfs" }), `test/csi: invalid CSI driver name (got "org.democratic-csi/nfs"; allowed: a DNS subdomain of at most 63 characters, e.g. org.democratic-csi.<instance>)`],
    ["bad namespace", (f) => ({ ...nfs(f), namespace: "Democratic CSI" }), `test/csi: invalid namespace (got "Democratic CSI"; allowed: a DNS label)`],
    ["bad host", (f) => ({ ...nfs(f), truenasHost: "https://10.10.10.5" }), `test/csi: invalid TrueNAS host (got "https://10.10.10.5"; allowed: an IPv4 address or DNS name on the storage network, e.g. 10.10.10.5)`],
    ["bad IPv4 host", (f) => ({ ...nfs(f), truenasHost: "10.10.10.256" }), `test/csi: invalid TrueNAS host (got "10.10.10.256"; allowed: an IPv4 address or DNS name on the storage network, e.g. 10.10.10.5)`],
    ["literal API key (never printed)", (f) => ({ ...nfs(f), apiKey: "1-secretsecret" as never }), `test/csi: API key is not a secret from a Terraform variable, and would be written into cdk.tf.json (got a literal of 14 characters; allowed: SecretValue.fromVariable(...), e.g. the stack's ephemeral variable truenas_csi_api_key)`],
    ["dataset of another app", (f) => ({ ...nfs(f), datasetParent: Object.assign(new Construct(Testing.app(), "elsewhere"), { fullPath: "fast/x", poolName: "fast" }) }), `test/csi: datasetParent is not declared in this app (got "fast/x"; allowed: a dataset of a DatasetTree in the same app)`],
    ["dataset path not on its pool", (f) => ({ ...nfs(f), detachedSnapshotsParent: Object.assign(new Construct(f.storage, "odd"), { fullPath: "fast2/x", poolName: "fast" }) }), `test/csi: detachedSnapshotsParent is not a literal ZFS path on its pool fast (got "fast2/x"; allowed: <pool>/<dataset>..., e.g. fast/kubernetes/nfs-dynamic)`],
    ["parent on another pool than its snapshots", (f) => ({ ...nfs(f), datasetParent: f.sets.nfsBulk.parent }), `test/csi: detachedSnapshotsParent is on pool fast, not on pool bulk of datasetParent (got "fast/kubernetes/nfs-snapshots"; allowed: datasets on pool bulk, the pool the StorageClass promises)`],
    ["snapshots nested in the parent", (f) => ({ ...nfs(f), detachedSnapshotsParent: f.sets.nested }), `test/csi: datasetParent and detachedSnapshotsParent overlap (got ["fast/kubernetes/nfs-dynamic","fast/kubernetes/nfs-dynamic/snaps"]; allowed: siblings, neither inside the other (democratic-csi refuses to start otherwise))`],
    ["snapshots around the parent", (f) => ({ ...nfs(f), detachedSnapshotsParent: f.sets.around }), `test/csi: datasetParent and detachedSnapshotsParent overlap (got ["fast/kubernetes/nfs-dynamic","fast/kubernetes"]; allowed: siblings, neither inside the other (democratic-csi refuses to start otherwise))`],
    ["snapshots equal to the parent", (f) => ({ ...nfs(f), detachedSnapshotsParent: f.sets.nfsFast.parent }), `test/csi: datasetParent and detachedSnapshotsParent overlap (got ["fast/kubernetes/nfs-dynamic","fast/kubernetes/nfs-dynamic"]; allowed: siblings, neither inside the other (democratic-csi refuses to start otherwise))`],
    ["block fsType on NFS", (f) => ({ ...nfs(f), fsType: "ext4" }), `test/csi: fsType does not fit protocol nfs (got "ext4"; allowed: nfs)`],
    ["nfs fsType on iSCSI", (f) => ({ ...iscsi(f), fsType: "nfs" }), `test/csi: fsType does not fit protocol iscsi (got "nfs"; allowed: ext4, xfs, ext3)`],
    ["bad reclaim policy", (f) => ({ ...nfs(f), reclaimPolicy: "Recycle" as never }), `test/csi: invalid reclaimPolicy (got "Recycle"; allowed: Delete, Retain)`],
    ["bad binding mode", (f) => ({ ...nfs(f), volumeBindingMode: "Later" as never }), `test/csi: invalid volumeBindingMode (got "Later"; allowed: Immediate, WaitForFirstConsumer)`],
    ["bad mount option", (f) => ({ ...nfs(f), mountOptions: ["nfsvers=4.2,noatime"] }), `test/csi: invalid mount option (got "nfsvers=4.2,noatime"; allowed: one option per entry, without spaces or commas, e.g. noatime)`],
    ["iSCSI name over 64 with a pvc-<uuid>", (f) => ({ ...iscsi(f), iscsiNamePrefix: "homelab-kubernetes-", iscsiNameSuffix: "-prod1" }), `test/csi: iSCSI name prefix + pvc-<uuid> + suffix is 65 characters, over TrueNAS's 64 (got ["homelab-kubernetes-","-prod1"]; allowed: prefix and suffix of at most 24 characters together)`],
    ["iSCSI name bad characters", (f) => ({ ...iscsi(f), iscsiNamePrefix: "K8S_" }), `test/csi: invalid iSCSI name prefix (got "K8S_"; allowed: lowercase letters, digits, '.', '-' and ':')`],
    ["iSCSI without target group", (f) => ({ ...iscsi(f), iscsiTargetGroup: undefined }), `test/csi: iSCSI instance without a target group (got nothing; allowed: iscsiTargetGroup with the storage stack's portal and initiator group ids)`],
    ["iSCSI literal portal id 0", (f) => ({ ...iscsi(f), iscsiTargetGroup: { portalId: 0, initiatorGroupId: 3 } }), `test/csi: invalid iSCSI portal id (got 0; allowed: the API's id (integer >= 1), best the storage stack's resource attribute)`],
    ["NFS networks on iSCSI", (f) => ({ ...iscsi(f), nfsAllowedNetworks: [] }), `test/csi: nfsAllowedNetworks on an iSCSI instance (got []; allowed: no NFS options on protocol iscsi)`],
    ["target group on NFS", (f) => ({ ...nfs(f), iscsiTargetGroup: { portalId: 1, initiatorGroupId: 1 } }), `test/csi: iscsiTargetGroup on an NFS instance (got "iscsiTargetGroup"; allowed: no iSCSI options on protocol nfs)`],
    ["iSCSI prefix on NFS", (f) => ({ ...nfs(f), iscsiNamePrefix: "k8s-" }), `test/csi: iSCSI name prefix/suffix on an NFS instance (got ["k8s-",""]; allowed: no iSCSI options on protocol nfs)`],
    ["bad NFS network", (f) => ({ ...nfs(f), nfsAllowedNetworks: ["10.10.10.0"] }), `test/csi: invalid NFS allowed network (got "10.10.10.0"; allowed: IPv4 CIDR, e.g. 10.10.10.0/24)`],
    ["bad API port", (f) => ({ ...nfs(f), truenasApiPort: 70000 }), `test/csi: invalid TrueNAS API port (got 70000; allowed: 1..65535)`],
    ["bad image tag", (f) => ({ ...nfs(f), driverImageTag: "next@sha256:abc" }), `test/csi: invalid driver image tag (got "next@sha256:abc"; allowed: a tag, optionally with @sha256:<digest>, e.g. next)`],
  ])("rejects %s", (_name, props, message) => {
    const f = fixture();
    expect(() => new CsiInstance(f.stack, "csi", props(f))).toThrow(message);
  });

  type PairCase = [string, (f: Fixture) => [CsiInstanceProps, CsiInstanceProps], string];
  test.each<PairCase>([
    ["duplicate StorageClass name", (f) => [nfs(f), { ...iscsi(f), name: "truenas-nfs-fast", csiDriverName: "org.democratic-csi.other" }], `test/second: StorageClass name already used by test/first (got "truenas-nfs-fast"; allowed: one StorageClass name per instance in a cluster)`],
    ["duplicate driver name", (f) => [nfs(f), { ...iscsi(f), csiDriverName: "org.democratic-csi.truenas-nfs-fast" }], `test/second: CSI driver name already used by test/first (got "org.democratic-csi.truenas-nfs-fast"; allowed: one driver name per instance in a cluster)`],
    ["two default classes", (f) => [{ ...nfs(f), isDefault: true }, { ...iscsi(f), isDefault: true }], `test/second: a second default StorageClass (test/first is the default already) (got "truenas-iscsi-fast"; allowed: at most one isDefault instance per cluster)`],
    ["the same parent twice", (f) => [nfs(f), { ...nfs(f), name: "copy" }], `test/second: dataset overlaps fast/kubernetes/nfs-dynamic of test/first (got "fast/kubernetes/nfs-dynamic"; allowed: datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment))`],
    ["a parent inside another instance's", (f) => [{ ...nfs(f), datasetParent: f.sets.around, detachedSnapshotsParent: f.ds("fast/csi-snaps") }, iscsi(f)], `test/second: dataset overlaps fast/kubernetes of test/first (got "fast/kubernetes/iscsi-zvols"; allowed: datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment))`],
    ["a shared snapshots parent", (f) => [nfs(f), { ...iscsi(f), detachedSnapshotsParent: f.sets.nfsFast.snaps }], `test/second: dataset overlaps fast/kubernetes/nfs-snapshots of test/first (got "fast/kubernetes/nfs-snapshots"; allowed: datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment))`],
  ])("rejects %s across instances", (_name, props, message) => {
    const f = fixture();
    const [a, b] = props(f);
    new CsiInstance(f.stack, "first", a);
    expect(() => new CsiInstance(f.stack, "second", b)).toThrow(message);
  });

  test("every problem of the props at once, one line each, in one error", () => {
    const f = fixture();
    const props: CsiInstanceProps = { ...iscsi(f), name: "Bad_Name", detachedSnapshotsParent: f.sets.nfsBulk.snaps, fsType: "nfs", truenasApiPort: 0, iscsiTargetGroup: undefined };
    const message = [
      `test/csi: invalid instance name (got "Bad_Name"; allowed: a DNS label of at most 53 characters (Helm release name): lowercase letters, digits and '-')`,
      `test/csi: detachedSnapshotsParent is on pool bulk, not on pool fast of datasetParent (got "bulk/kubernetes/nfs-snapshots"; allowed: datasets on pool fast, the pool the StorageClass promises)`,
      `test/csi: fsType does not fit protocol iscsi (got "nfs"; allowed: ext4, xfs, ext3)`,
      `test/csi: invalid TrueNAS API port (got 0; allowed: 1..65535)`,
      `test/csi: iSCSI instance without a target group (got nothing; allowed: iscsiTargetGroup with the storage stack's portal and initiator group ids)`,
    ].join("\n");
    expect(() => new CsiInstance(f.stack, "csi", props)).toThrow(new Error(message));
  });

  test("every cross-instance problem at once, and the rejected instance claims nothing", () => {
    const f = fixture();
    new CsiInstance(f.stack, "first", { ...nfs(f), isDefault: true });
    const message = [
      `test/second: CSI driver name already used by test/first (got "org.democratic-csi.truenas-nfs-fast"; allowed: one driver name per instance in a cluster)`,
      `test/second: StorageClass name already used by test/first (got "truenas-nfs-fast"; allowed: one StorageClass name per instance in a cluster)`,
      `test/second: a second default StorageClass (test/first is the default already) (got "truenas-nfs-fast"; allowed: at most one isDefault instance per cluster)`,
      `test/second: dataset overlaps fast/kubernetes/nfs-dynamic of test/first (got "fast/kubernetes/nfs-dynamic"; allowed: datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment))`,
      `test/second: dataset overlaps fast/kubernetes/nfs-snapshots of test/first (got "fast/kubernetes/nfs-snapshots"; allowed: datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment))`,
    ].join("\n");
    expect(() => new CsiInstance(f.stack, "second", { ...nfs(f), isDefault: true })).toThrow(new Error(message));
    expect(() => new CsiInstance(f.stack, "third", iscsi(f))).not.toThrow();
  });

  test("an iSCSI name of exactly 64 characters is accepted", () => {
    const f = fixture();
    expect(() => new CsiInstance(f.stack, "csi", { ...iscsi(f), iscsiNamePrefix: "homelab-kubernetes-", iscsiNameSuffix: "-prod" })).not.toThrow();
  });

  test("a rejected instance claims nothing: fixing it and retrying works", () => {
    const f = fixture();
    new CsiInstance(f.stack, "first", { ...nfs(f), isDefault: true });
    expect(() => new CsiInstance(f.stack, "second", { ...iscsi(f), isDefault: true })).toThrow("a second default StorageClass");
    expect(() => new CsiInstance(f.stack, "third", iscsi(f))).not.toThrow();
  });
});
