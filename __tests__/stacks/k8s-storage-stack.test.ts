import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Construct } from "constructs";
import { invalidProp } from "../../constructs/errors";
import type { ITrueNASTarget } from "../../constructs/truenas-storage";
import type { ZfsDataset } from "../../constructs/zfs-dataset";
import { ZfsPool } from "../../constructs/zfs-pool";
import { App, TerraformStack, TerraformVariable, VariableType } from "../../lib/cdktf";
import { applyBackend } from "../../stacks/backend";
import { addTrueNASProvider } from "../../stacks/providers";
import { homelab } from "../../inventory/homelab";
import { csiInstanceOptions } from "../../stacks/homelab-app";
import { K8sStorageStack, type K8sStorageStackProps } from "../../stacks/k8s-storage-stack";
import type { TfJson } from "../helpers";

/** The homelab's four instances, as the app maps them. */
const homelabCsiInstances = () => homelab.kubernetesStorage!.instances.map(csiInstanceOptions);
const primaryStorage = homelab.truenasVms.find((v) => v.role === "primary")!.storage!;

/**
 * A minimal app: a stand-in prod-storage (the homelab's pools and datasets, the portal and
 * initiator ids as number values of that stack, so the k8s stack reads them across stacks) and the stack.
 */
class StandInTrueNAS extends Construct implements ITrueNASTarget {
  readonly storageAddress = "10.10.10.5";
  readonly pools: ZfsPool[];
  iscsi?: { portalId: number; initiatorGroupId: number };

  constructor(scope: TerraformStack) {
    super(scope, "storage");
    this.pools = primaryStorage.pools.map((p) => ZfsPool.fromName(this, `pool-${p.name}`, { name: p.name, layout: p.layout }));
    for (const { fullPath, ...options } of primaryStorage.datasets) {
      const pool = this.pools.find((p) => fullPath.startsWith(`${p.name}/`))!;
      pool.addDataset(fullPath.slice(pool.name.length + 1), options);
    }
    const portalId = new TerraformVariable(scope, "portal_id", { type: VariableType.NUMBER, default: 1 }).numberValue;
    const initiatorGroupId = new TerraformVariable(scope, "initiator_group_id", { type: VariableType.NUMBER, default: 3 }).numberValue;
    this.iscsi = { portalId, initiatorGroupId };
  }

  dataset(fullPath: string): ZfsDataset {
    const found = this.pools.flatMap((p) => p.datasets).find((d) => d.fullPath === fullPath);
    if (!found) invalidProp(this, "dataset referenced but never declared", fullPath, "the stand-in's datasets");
    return found;
  }
}

function build(outdir: string, override: (truenas: StandInTrueNAS) => Partial<K8sStorageStackProps> = () => ({})) {
  const app = new App({ outdir, skipValidation: false });
  const storage = new TerraformStack(app, "prod-storage");
  applyBackend(storage, { kind: "local" });
  addTrueNASProvider(storage);
  const truenas = new StandInTrueNAS(storage);
  const stack = new K8sStorageStack(app, "prod-k8s-storage", {
    backend: { kind: "local" },
    truenas,
    nfsClientNetworks: ["10.10.10.0/24", "10.0.2.0/24"],
    instances: homelabCsiInstances(),
    ...override(truenas),
  });
  return { app, storage, stack };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe("prod-k8s-storage stack", () => {
  const outdir = mkdtempSync(join(tmpdir(), "k8s-storage-"));
  const { app, stack } = build(outdir);
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, "stacks", "prod-k8s-storage", "cdk.tf.json"), "utf8")) as TfJson & { data?: any };
  const releases = json.resource!.helm_release as Record<string, any>;
  const secrets = json.resource!.kubernetes_secret_v1 as Record<string, any>;
  // In declaration order (the JSON keys are sorted).
  const csiReleases = stack.instances.map((i) => releases[i.release.friendlyUniqueId]!);
  const values = (name: string) => JSON.parse(csiReleases.find((r) => r.name === name)!.values[0]);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("four democratic-csi releases, pinned, unique drivers, one default class, the review's datasets", () => {
    expect(csiReleases.map((r) => r.name)).toEqual(["truenas-iscsi-fast", "truenas-nfs-fast", "truenas-nfs-bulk", "truenas-nfs-scratch"]);
    for (const r of csiReleases) {
      expect(r).toMatchObject({ repository: "https://democratic-csi.github.io/charts/", version: "0.15.1", namespace: "${kubernetes_namespace_v1.namespace.metadata[0].name}" });
      expect(r.depends_on).toEqual(["helm_release.snapshot-controller"]);
      expect(r.set).toHaveLength(1);
      expect(r.set[0].name).toBe("driver.existingConfigSecret");
      expect(r.set[0].value).toMatch(/^\$\{kubernetes_secret_v1\.[\w-]+\.metadata\[0\]\.name\}$/);
    }
    const drivers = csiReleases.map((r) => JSON.parse(r.values[0]).csiDriver.name);
    expect(new Set(drivers).size).toBe(4);
    const classes = csiReleases.map((r) => JSON.parse(r.values[0]).storageClasses[0]);
    expect(classes.map((c) => [c.name, c.defaultClass, c.reclaimPolicy, c.volumeBindingMode, c.parameters.fsType, c.labels["homelab-cdktf/pool"], c.annotations["homelab-cdktf/dataset-parent"]])).toEqual([
      ["truenas-iscsi-fast", false, "Retain", "WaitForFirstConsumer", "xfs", "fast", "fast/kubernetes/iscsi-zvols"],
      ["truenas-nfs-fast", true, "Delete", "Immediate", "nfs", "fast", "fast/kubernetes/nfs-dynamic"],
      ["truenas-nfs-bulk", false, "Retain", "Immediate", "nfs", "bulk", "bulk/kubernetes/nfs-dynamic"],
      ["truenas-nfs-scratch", false, "Delete", "Immediate", "nfs", "scratch", "scratch/kubernetes/nfs-dynamic"],
    ]);
    expect(csiReleases.every((r) => JSON.parse(r.values[0]).volumeSnapshotClasses.length === 1)).toBe(true);
    expect(stack.instances.map((i) => [i.datasetParentPath, i.detachedSnapshotsParentPath])).toEqual([
      ["fast/kubernetes/iscsi-zvols", "fast/kubernetes/iscsi-snapshots"],
      ["fast/kubernetes/nfs-dynamic", "fast/kubernetes/nfs-snapshots"],
      ["bulk/kubernetes/nfs-dynamic", "bulk/kubernetes/nfs-snapshots"],
      ["scratch/kubernetes/nfs-dynamic", "scratch/kubernetes/nfs-snapshots"],
    ]);
  });

  test("Talos: only the iSCSI release gets host PID and nsenter iscsiadm; the namespace is privileged", () => {
    expect(values("truenas-iscsi-fast").node).toMatchObject({ hostPID: true, driver: { iscsiDirHostPath: "/usr/local/etc/iscsi", iscsiDirHostPathType: "" } });
    expect(values("truenas-iscsi-fast").node.driver.extraEnv).toContainEqual({ name: "ISCSIADM_HOST_STRATEGY", value: "nsenter" });
    for (const n of ["truenas-nfs-fast", "truenas-nfs-bulk", "truenas-nfs-scratch"]) expect(values(n).node.hostPID).toBeUndefined();
    expect(json.resource!.kubernetes_namespace_v1).toMatchObject({
      namespace: {
        metadata: {
          name: "democratic-csi",
          labels: { "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/audit": "privileged", "pod-security.kubernetes.io/warn": "privileged" },
        },
      },
    });
  });

  test("the snapshot controller (CRDs for the VolumeSnapshotClasses) is installed once, pinned", () => {
    expect(releases["snapshot-controller"]).toMatchObject({ name: "snapshot-controller", namespace: "kube-system", chart: "snapshot-controller", version: "0.3.0", repository: "https://democratic-csi.github.io/charts/" });
  });

  test("iSCSI target group ids come from prod-storage through its remote state; the stack depends on prod-storage", () => {
    const iscsiSecret = Object.values(secrets).find((s) => s.metadata.labels["app.kubernetes.io/instance"] === "truenas-iscsi-fast")!;
    const config = iscsiSecret.data_wo["driver-config-file.yaml"] as string;
    expect(config).toMatch(/"targetGroupPortalGroup" = data\.terraform_remote_state\.cross-stack-reference-input-prod-storage\.outputs\.[\w-]+, "targetGroupInitiatorGroup" = data\.terraform_remote_state\.cross-stack-reference-input-prod-storage\.outputs\.[\w-]+/);
    expect(json.data!.terraform_remote_state["cross-stack-reference-input-prod-storage"]).toMatchObject({ backend: "local", config: { path: "../../../terraform.prod-storage.tfstate" } });
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks["prod-k8s-storage"].dependencies).toEqual(["prod-storage"]);
  });

  test("the CSI API key: its own name (not the storage stacks' truenas_api_key), ephemeral, sensitive, required, used only inside data_wo, versioned", () => {
    expect(json.variable!.truenas_api_key).toBeUndefined();
    expect(json.variable!.truenas_csi_api_key).toEqual({
      type: "string",
      sensitive: true,
      nullable: false,
      ephemeral: true,
      description: "TrueNAS API key of the democratic-csi user (TF_VAR_truenas_csi_api_key). Ephemeral: needed at plan and apply, never stored.",
    });
    expect(json.variable!.truenas_csi_api_key_version).toMatchObject({ type: "number", default: 1, nullable: false });
    const text = JSON.stringify(json);
    const uses = text.match(/var\.truenas_csi_api_key\b(?!_version)/g) ?? [];
    expect(uses).toHaveLength(4);
    for (const s of Object.values(secrets)) {
      expect(s.data_wo["driver-config-file.yaml"]).toContain(`"apiKey" = var.truenas_csi_api_key`);
      // Bumping the version re-sends the write-only Secret (and renames it, so the pods roll).
      expect(s.data_wo_revision).toBe("${var.truenas_csi_api_key_version}");
      expect(s.metadata.name).toContain("var.truenas_csi_api_key_version");
      expect(JSON.stringify(s.metadata)).not.toMatch(/var\.truenas_csi_api_key\b(?!_version)/);
      expect(s.data).toBeUndefined();
    }
    for (const r of Object.values(releases)) expect(JSON.stringify(r)).not.toMatch(/var\.truenas_csi_api_key\b(?!_version)/);
  });

  test("providers: the cluster from the environment, no credential in the JSON; local backend", () => {
    expect(json.provider).toEqual({
      kubernetes: [{ config_path: "${var.kube_config_path}", config_context: "${var.kube_context}" }],
      helm: [{ kubernetes: { config_path: "${var.kube_config_path}", config_context: "${var.kube_context}" } }],
    });
    expect(json.variable!.kube_config_path).toMatchObject({ default: null, nullable: true });
    expect(json.terraform!.required_providers).toEqual({ kubernetes: { source: "kubernetes", version: "2.38.0" }, helm: { source: "helm", version: "3.1.1" } });
    expect(json.terraform!.backend).toEqual({ local: { path: "../../../terraform.prod-k8s-storage.tfstate" } });
  });

  test("snapshot", () => {
    expect(json).toMatchSnapshot();
  });
});

describe("prod-k8s-storage stack: bad input", () => {
  type Case = [string, (truenas: StandInTrueNAS) => Partial<K8sStorageStackProps>, string];
  const swap = (a: string, b: string) => (p: string) => (p === a ? b : p === b ? a : p);
  test.each<Case>([
    [
      "a dataset the TrueNAS does not declare",
      () => ({ instances: homelabCsiInstances().map((s) => (s.name === "truenas-nfs-scratch" ? { ...s, datasetFullPath: "scratch/kubernetes/typo" } : s)) }),
      `prod-storage/storage: dataset referenced but never declared (got "scratch/kubernetes/typo"; allowed: the stand-in's datasets)`,
    ],
    [
      "an iSCSI instance on a TrueNAS without iSCSI",
      (truenas) => { truenas.iscsi = undefined; return {}; },
      `prod-k8s-storage/truenas-iscsi-fast: TrueNAS prod-storage/storage serves no iSCSI (got "iscsi"; allowed: nfs, or iSCSI turned on for that TrueNAS)`,
    ],
    ["two default classes", () => ({ instances: homelabCsiInstances().map((s) => ({ ...s, isDefault: s.protocol === "nfs" })) }), `prod-k8s-storage/truenas-nfs-bulk: a second default StorageClass (prod-k8s-storage/truenas-nfs-fast is the default already) (got "truenas-nfs-bulk"; allowed: at most one isDefault instance per cluster)`],
    ["a duplicate instance", () => ({ instances: [...homelabCsiInstances(), { ...homelabCsiInstances()[3]!, name: "truenas-nfs-scratch2" }] }), `prod-k8s-storage/truenas-nfs-scratch2: dataset overlaps scratch/kubernetes/nfs-dynamic of prod-k8s-storage/truenas-nfs-scratch (got "scratch/kubernetes/nfs-dynamic"; allowed: datasets disjoint from every other instance's on that TrueNAS (a unique parent per deployment))`],
    [
      "volumes and snapshots on different pools",
      () => {
        const s = swap("fast/kubernetes/nfs-snapshots", "bulk/kubernetes/nfs-snapshots");
        return { instances: homelabCsiInstances().map((i) => ({ ...i, snapshotsDatasetFullPath: s(i.snapshotsDatasetFullPath) })) };
      },
      `prod-k8s-storage/truenas-nfs-fast: detachedSnapshotsParent is on pool bulk, not on pool fast of datasetParent (got "bulk/kubernetes/nfs-snapshots"; allowed: datasets on pool fast, the pool the StorageClass promises)`,
    ],
    ["an iSCSI prefix too long", () => ({ instances: homelabCsiInstances().map((s) => (s.protocol === "iscsi" ? { ...s, iscsiNamePrefix: "homelab-cdktf-kubernetes-" } : s)) }), `prod-k8s-storage/truenas-iscsi-fast: iSCSI name prefix + pvc-<uuid> + suffix is 65 characters, over TrueNAS's 64 (got ["homelab-cdktf-kubernetes-",""]; allowed: prefix and suffix of at most 24 characters together)`],
  ])("rejects %s", (_name, override, message) => {
    expect(() => build(join(tmpdir(), "never-written"), override)).toThrow(message);
  });
});

describe("the TrueNAS API key never reaches cdktf.out", () => {
  const FAKE_KEY = "1-FAKEfakeFAKEfake0123456789abcdefTRUENASkeyNEVERinSTATE";
  const saved = { tfVar: process.env.TF_VAR_truenas_csi_api_key, env: process.env.TRUENAS_API_KEY };
  let outdir = "";
  beforeAll(() => {
    // Set where a careless implementation would read it from at synth.
    process.env.TF_VAR_truenas_csi_api_key = FAKE_KEY;
    process.env.TRUENAS_API_KEY = FAKE_KEY;
    outdir = mkdtempSync(join(tmpdir(), "k8s-storage-leak-"));
  });
  afterAll(() => {
    for (const [k, v] of [["TF_VAR_truenas_csi_api_key", saved.tfVar], ["TRUENAS_API_KEY", saved.env]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(outdir, { recursive: true, force: true });
  });

  test("a full synth with the key in the environment writes it nowhere", () => {
    const { app } = build(outdir);
    app.synth();
    const files = walk(outdir);
    expect(files.map((f) => f.slice(outdir.length + 1)).sort()).toEqual(
      expect.arrayContaining(["manifest.json", "stacks/prod-k8s-storage/cdk.tf.json", "stacks/prod-storage/cdk.tf.json"]),
    );
    let sawReference = false;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      expect({ file: f, leaks: text.includes(FAKE_KEY) }).toEqual({ file: f, leaks: false });
      sawReference ||= text.includes(`"apiKey\\" = var.truenas_csi_api_key`);
    }
    // The files read are the real ones: the reference to the variable is there instead.
    expect(sawReference).toBe(true);
  });
});
