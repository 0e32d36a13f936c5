import { Construct } from "constructs";
import { IscsiInitiator } from "../.gen/providers/truenas/iscsi-initiator";
import { IscsiPortal as IscsiPortalResource } from "../.gen/providers/truenas/iscsi-portal";
import { TerraformOutput } from "../lib/cdktf";
import { invalidProp } from "./errors";
import { isIpv4 } from "./ipv4";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export interface IscsiPortalProps {
  /** Addresses the portal listens on (the storage VLAN address of TrueNAS). */
  readonly listenAddresses: string[];
  /**
   * TCP port.
   * @default 3260
   */
  readonly port?: number;
  /**
   * Initiator IQNs allowed to log in. Talos nodes generate their IQN at install, so the usual
   * value is empty (all initiators) with access limited by the storage VLAN.
   * @default [] (all initiators)
   */
  readonly initiators?: string[];
}

const IQN = /^(iqn\.\d{4}-\d{2}\.[^\s]+|eui\.[0-9a-f]{16}|naa\.[0-9a-f]{16,32})$/i;

/**
 * The iSCSI portal and initiator group democratic-csi's iSCSI driver targets; their numeric ids
 * are stack outputs (the CSI stack reads them as cross-stack references).
 */
export class IscsiPortal extends Construct {
  readonly portal: IscsiPortalResource;
  readonly initiatorGroup: IscsiInitiator;

  constructor(scope: Construct, id: string, props: IscsiPortalProps) {
    super(scope, id);
    if (props.listenAddresses.length === 0) invalidProp(this, "portal listens nowhere", [], "at least one IPv4 address");
    for (const a of props.listenAddresses) {
      if (!isIpv4(a) || a === "0.0.0.0") {
        invalidProp(this, "invalid listen address", a, "a specific IPv4 address (not 0.0.0.0: keep iSCSI on the storage VLAN)");
      }
    }
    const port = props.port ?? 3260;
    if (!Number.isInteger(port) || port < 1 || port > 65535) invalidProp(this, "invalid port", port, "1..65535");
    for (const iqn of props.initiators ?? []) if (!IQN.test(iqn)) invalidProp(this, "invalid initiator name", iqn, "iqn.YYYY-MM.<reversed domain>[:id], eui.<16 hex>, naa.<hex>");

    this.portal = new IscsiPortalResource(this, "Portal", {
      listen: props.listenAddresses.map((ip) => ({ ip, port })),
      comment: "democratic-csi (homelab-cdktf)",
    });
    this.initiatorGroup = new IscsiInitiator(this, "Initiators", {
      initiators: props.initiators ?? [],
      comment: "democratic-csi (homelab-cdktf)",
    });
    // `truenas_iscsi_portal.<id>` and `truenas_iscsi_initiator.<id>` (`iscsi` in a TrueNASStorage).
    for (const r of [this.portal, this.initiatorGroup]) {
      readableAddress(r, this.node.id);
      protectFromDestroy(r);
    }
    new TerraformOutput(this, "portal_id", { value: this.portal.id, description: "iSCSI portal id for democratic-csi targetGroupPortalGroup" });
    new TerraformOutput(this, "initiator_group_id", { value: this.initiatorGroup.id, description: "iSCSI initiator group id for democratic-csi targetGroupInitiatorGroup" });
  }

  /** Portal id, as a Terraform reference. */
  get portalId(): number { return this.portal.id; }
  /** Initiator group id, as a Terraform reference. */
  get initiatorGroupId(): number { return this.initiatorGroup.id; }
}
