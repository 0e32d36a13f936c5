import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { Construct } from "constructs";
import { Fn } from "../lib/cdktf";
import { driverConfig, type DriverConfigInput } from "./csi-driver-config";

/** The key of the driver config in the Secret (what the chart mounts with `driver.existingConfigSecret`). */
export const DRIVER_CONFIG_FILE = "driver-config-file.yaml";

export interface CsiConfigSecretProps {
  /** The democratic-csi instance (Helm release) the Secret belongs to: its name prefix and label. */
  readonly instanceName: string;
  readonly namespace: string;
  /** The driver config without the API key (validated). */
  readonly config: DriverConfigInput;
  /** The TrueNAS API key as a Terraform expression (an ephemeral variable), never a literal. */
  readonly apiKey: string;
  /** `data_wo_revision`; bump to push the Secret again. */
  readonly revision: number;
}

/**
 * The `kubernetes_secret_v1` holding one instance's `driver-config-file.yaml`, written through the
 * write-only `data_wo` (Terraform >= 1.11) so the TrueNAS API key is in neither the Terraform
 * state, cdk.tf.json nor the Helm values.
 *
 * The chart does not restart pods when an existing config Secret changes, and data_wo changes are
 * invisible to Terraform. So the name carries a hash (computed by Terraform, as the target group
 * ids are only known there) of the public config and the revision: any change makes a new Secret,
 * the release points at it, and the pods roll. `<instance>-driver-config-<10 hex>`.
 */
export class CsiConfigSecret extends SecretV1 {
  constructor(scope: Construct, id: string, props: CsiConfigSecretProps) {
    const { instanceName, namespace, config, apiKey, revision } = props;
    const configHash = Fn.substr(Fn.sha256(Fn.jsonencode({ config: driverConfig(config), revision })), 0, 10);
    super(scope, id, {
      metadata: {
        name: `${instanceName}-driver-config-${configHash}`,
        namespace,
        labels: { "app.kubernetes.io/managed-by": "homelab-cdktf", "app.kubernetes.io/instance": instanceName },
      },
      type: "Opaque",
      // Write-only: Terraform sends it to the cluster and keeps nothing.
      dataWo: { [DRIVER_CONFIG_FILE]: Fn.yamlencode(driverConfig({ ...config, apiKey })) },
      dataWoRevision: revision,
      // The new Secret exists before the release moves to it; the old one goes after.
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
