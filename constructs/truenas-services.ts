import { Construct } from "constructs";
import { NfsConfig } from "../.gen/providers/truenas/nfs-config";
import { Service } from "../.gen/providers/truenas/service";
import { invalidProp } from "./errors";
import { isIpv4 } from "./ipv4";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export type NfsProtocol = "NFSV3" | "NFSV4";

export interface TrueNASServicesProps {
  /**
   * Serve NFS, bound to these addresses only (the storage VLAN), started now and at boot.
   * @default - the NFS service is left as it is
   */
  readonly nfsBindAddresses?: string[];
  /**
   * NFS versions served. democratic-csi's classes mount with `nfsvers=4.2`.
   * @default ["NFSV3", "NFSV4"]
   */
  readonly nfsProtocols?: NfsProtocol[];
  /**
   * Run the iSCSI target service, now and at boot.
   * @default false
   */
  readonly iscsi?: boolean;
  /**
   * Run SSH, now and at boot (a replication target receives over it).
   * @default false
   */
  readonly ssh?: boolean;
}

/**
 * The TrueNAS services the shares and tasks need, enabled at boot and running: without them an
 * NFS export or an iSCSI portal exists but serves nothing. Deleting a `truenas_service` is NOT
 * harmless: its Delete sends `service.update {enable: false}` and `service.stop`, and `name` forces
 * replacement (provider @55fe7336, @d8257440 internal/resources/service/resource.go), which would
 * drop every NFS and iSCSI client. So each service carries `prevent_destroy` and sits in the ledger:
 * removing one from the inventory is refused at synth unless it is retired (Terraform forgets it).
 */
export class TrueNASServices extends Construct {
  readonly services: Service[] = [];
  readonly nfsConfig?: NfsConfig;

  constructor(scope: Construct, id: string, props: TrueNASServicesProps) {
    super(scope, id);
    const run = (name: string) => {
      const service = new Service(this, name, { name, enabled: true, running: true });
      // `truenas_service.nfs`: discover and import files name services by it.
      readableAddress(service, name);
      protectFromDestroy(service);
      this.services.push(service);
    };
    if (props.nfsBindAddresses) {
      if (props.nfsBindAddresses.length === 0) invalidProp(this, "NFS bound to no address", [], "at least one IPv4 address (an empty list would bind every interface)");
      for (const a of props.nfsBindAddresses) {
        if (!isIpv4(a)) invalidProp(this, "invalid NFS bind address", a, "IPv4 addresses of this TrueNAS");
      }
      const protocols = props.nfsProtocols ?? ["NFSV3", "NFSV4"];
      if (protocols.length === 0) invalidProp(this, "NFS serving no protocol version", protocols, "NFSV3, NFSV4 or both");
      this.nfsConfig = new NfsConfig(this, "NfsConfig", { protocols, bindip: props.nfsBindAddresses });
      readableAddress(this.nfsConfig, "nfs"); // its Delete makes no API call: no protection needed
      run("nfs");
    }
    if (props.iscsi) run("iscsitarget");
    if (props.ssh) run("ssh");
  }
}
