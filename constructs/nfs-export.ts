import { Construct } from "constructs";
import { NfsShare } from "../.gen/providers/truenas/nfs-share";
import { datasetAddressName, type ZfsDataset } from "./zfs-dataset";
import { invalidProp } from "./errors";
import { ipv4CidrPrefix } from "./ipv4";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export interface NfsExportProps {
  /** The dataset to export (its mount point is the share path). */
  readonly dataset: ZfsDataset;
  /** Client networks in CIDR notation, e.g. the storage and Kubernetes VLANs. Never everyone. */
  readonly networks: string[];
  /**
   * Export read-only.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Map client root to this user (e.g. `root` for Kubernetes volumes that chown on start).
   * @default - root is squashed to nobody
   */
  readonly maprootUser?: string;
  /**
   * Map client root's group to this group.
   * @default - with maprootUser: "wheel"; otherwise none
   */
  readonly maprootGroup?: string;
  /**
   * Share comment.
   * @default - the dataset's purpose
   */
  readonly comment?: string;
}

/** An NFS export of one dataset, limited to the networks that need it. */
export class NfsExport extends Construct {
  readonly resource: NfsShare;

  constructor(scope: Construct, id: string, props: NfsExportProps) {
    super(scope, id);
    if (props.networks.length === 0) {
      invalidProp(this, `NFS share of ${props.dataset.fullPath} open to everyone`, [], "at least one client network in CIDR notation");
    }
    for (const n of props.networks) {
      const prefix = ipv4CidrPrefix(n);
      if (prefix === undefined) invalidProp(this, "invalid client network", n, "IPv4 CIDR such as 10.10.10.0/24");
      if (prefix < 8) {
        invalidProp(this, `NFS share of ${props.dataset.fullPath} open to everyone`, n, "networks of /8 or smaller (the VLANs that need the share)");
      }
    }
    this.resource = new NfsShare(this, "Resource", {
      path: props.dataset.mountpoint,
      networks: props.networks,
      ro: props.readOnly ?? false,
      maprootUser: props.maprootUser,
      maprootGroup: props.maprootGroup ?? (props.maprootUser ? "wheel" : undefined),
      comment: props.comment ?? props.dataset.purpose,
      enabled: true,
    });
    readableAddress(this.resource, datasetAddressName(props.dataset.fullPath));
    protectFromDestroy(this.resource);
  }
}
