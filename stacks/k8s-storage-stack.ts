import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { Construct } from "constructs";
import { CsiInstance, DEMOCRATIC_CSI_CHART, type CsiInstanceOptions } from "../constructs/csi-instance";
import { SecretValue } from "../constructs/secret";
import type { ITrueNASTarget } from "../constructs/truenas-storage";
import { invalidProp } from "../constructs/errors";
import { TerraformStack, TerraformVariable, Token, VariableType } from "../lib/cdktf";
import { applyBackend, type BackendChoice } from "./backend";

/** One democratic-csi instance: its options, with its datasets by full path on the TrueNAS. */
export interface K8sCsiInstanceOptions extends Omit<CsiInstanceOptions, "datasetParent" | "detachedSnapshotsParent" | "nfsAllowedNetworks"> {
  /** Parent of the volumes, e.g. `fast/kubernetes/nfs-dynamic`. */
  readonly datasetFullPath: string;
  /** Sibling for detached snapshots, e.g. `fast/kubernetes/nfs-snapshots`. */
  readonly snapshotsDatasetFullPath: string;
}

export interface K8sStorageStackProps {
  readonly backend: BackendChoice;
  /** The TrueNAS whose datasets and iSCSI portal the instances use; its stack is applied first. */
  readonly truenas: ITrueNASTarget;
  /** The democratic-csi instances, one Helm release each. */
  readonly instances: readonly K8sCsiInstanceOptions[];
  /**
   * Networks (CIDR) that may mount the NFS volumes democratic-csi exports.
   * @default - none: required when an instance uses NFS (an empty list would open them to everyone)
   */
  readonly nfsClientNetworks?: readonly string[];
  /**
   * Namespace of every release (created here, labelled privileged).
   * @default "democratic-csi"
   */
  readonly namespace?: string;
  /**
   * Install the CSI snapshot controller and its CRDs (chart snapshot-controller), which the
   * VolumeSnapshotClasses need. Turn off if the cluster already runs one.
   * @default true
   */
  readonly installSnapshotController?: boolean;
}

/** Chart snapshot-controller from the same repository: VolumeSnapshot CRDs + controller 8.2.1 (what the csi-snapshotter v8 of chart 0.15.x needs). */
export const SNAPSHOT_CONTROLLER_CHART = { repository: DEMOCRATIC_CSI_CHART.repository, chart: "snapshot-controller", version: "0.3.0" } as const;

/**
 * The variable carrying democratic-csi's TrueNAS API key (`TF_VAR_truenas_csi_api_key`), and its
 * version (`TF_VAR_truenas_csi_api_key_version`). Not `truenas_api_key`: that is the Terraform
 * provider's admin key in the storage stacks, a different key of a different TrueNAS user.
 */
export const CSI_API_KEY_VARIABLE = "truenas_csi_api_key";

/**
 * prod-k8s-storage: the democratic-csi releases on the Talos cluster, one per CSI instance, on
 * datasets the storage stack declares.
 *
 * The cluster comes from the environment (`KUBE_CONFIG_PATH`, `KUBE_CTX`, ... or the variables
 * below); democratic-csi's TrueNAS API key from the ephemeral variable `truenas_csi_api_key`, so it
 * is never in the state, the plan file or cdk.tf.json.
 */
export class K8sStorageStack extends TerraformStack {
  readonly namespace: NamespaceV1;
  readonly instances: CsiInstance[];
  readonly snapshotController?: Release;
  readonly apiKey: SecretValue;

  constructor(scope: Construct, id: string, props: K8sStorageStackProps) {
    super(scope, id);
    applyBackend(this, props.backend);
    this.addDependency(TerraformStack.of(props.truenas));
    addKubernetesProviders(this);

    // Ephemeral (Terraform >= 1.10): only write-only arguments may use it, and Terraform keeps it
    // out of the state and the saved plan.
    this.apiKey = SecretValue.fromVariable(this, CSI_API_KEY_VARIABLE, {
      ephemeral: true,
      description: `TrueNAS API key of the democratic-csi user (TF_VAR_${CSI_API_KEY_VARIABLE}). Ephemeral: needed at plan and apply, never stored.`,
    });

    const namespace = props.namespace ?? "democratic-csi";
    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: namespace,
        // democratic-csi's node pods are privileged (host mounts, iscsiadm via nsenter); Talos
        // enforces the baseline Pod Security Standard by default.
        labels: {
          "pod-security.kubernetes.io/enforce": "privileged",
          "pod-security.kubernetes.io/audit": "privileged",
          "pod-security.kubernetes.io/warn": "privileged",
        },
      },
    });

    if (props.installSnapshotController ?? true) {
      this.snapshotController = new Release(this, "snapshot-controller", {
        name: "snapshot-controller",
        namespace: "kube-system",
        ...SNAPSHOT_CONTROLLER_CHART,
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 5,
      });
    }

    const iscsi = props.truenas.iscsi;
    this.instances = props.instances.map(({ datasetFullPath, snapshotsDatasetFullPath, ...options }) => {
      if (options.protocol === "iscsi" && !iscsi) {
        invalidProp(`${this.node.path}/${options.name}`, `TrueNAS ${props.truenas.node.path} serves no iSCSI`, options.protocol, "nfs, or iSCSI turned on for that TrueNAS");
      }
      return new CsiInstance(this, options.name, {
        ...options,
        datasetParent: props.truenas.dataset(datasetFullPath),
        detachedSnapshotsParent: props.truenas.dataset(snapshotsDatasetFullPath),
        nfsAllowedNetworks: options.protocol === "nfs" ? [...(props.nfsClientNetworks ?? [])] : undefined,
        namespace: this.namespace.metadata.name,
        truenasHost: props.truenas.storageAddress,
        apiKey: this.apiKey,
        iscsiTargetGroup: options.protocol === "iscsi" ? iscsi : undefined,
        dependsOn: this.snapshotController ? [this.snapshotController] : undefined,
      });
    });
  }
}

/**
 * hashicorp/kubernetes and hashicorp/helm without a credential in the JSON: both read
 * `KUBE_CONFIG_PATH` / `KUBE_CONFIG_PATHS` / `KUBE_CTX` (and the other `KUBE_*` variables) when a
 * setting is null, so the variables default to null, like the Proxmox provider's.
 */
export function addKubernetesProviders(stack: TerraformStack): { kubernetes: KubernetesProvider; helm: HelmProvider } {
  const configPath = new TerraformVariable(stack, "kube_config_path", {
    type: VariableType.STRING,
    nullable: true,
    default: Token.nullValue(),
    description: "kubeconfig of the Talos cluster (null: KUBE_CONFIG_PATH / KUBE_CONFIG_PATHS)",
  });
  const context = new TerraformVariable(stack, "kube_context", {
    type: VariableType.STRING,
    nullable: true,
    default: Token.nullValue(),
    description: "kubeconfig context (null: KUBE_CTX, else the current context)",
  });
  const kubernetes = new KubernetesProvider(stack, "kubernetes", { configPath: configPath.stringValue, configContext: context.stringValue });
  const helm = new HelmProvider(stack, "helm", { kubernetes: { configPath: configPath.stringValue, configContext: context.stringValue } });
  return { kubernetes, helm };
}
