import { Construct } from "constructs";
import { HardwareMappingPci } from "../.gen/providers/proxmox/hardware-mapping-pci";
import { invalidProp } from "./errors";

/** What a passed-through device is for: TrueNAS needs a storage controller among them. */
export type PciDeviceKind = "storage-controller" | "network" | "gpu" | "other";

/** Where the device sits on one node: all of it is what `lspci -nn` / `proxmox_hardware_pci` shows. */
export interface PciMappingDevice {
  /** Proxmox node that has the device. */
  readonly nodeName: string;
  /** Full PCI address with domain, lowercase, e.g. `0000:03:00.0`. */
  readonly path: string;
  /** `vendor:device`, e.g. `1000:0097` (Broadcom SAS3008). */
  readonly deviceId: string;
  /** IOMMU group of the device: Proxmox refuses to start the VM if it changed (e.g. after a BIOS update). */
  readonly iommuGroup: number;
  /** `subsystem-vendor:subsystem-device`, e.g. `1028:1f53`. */
  readonly subsystemId: string;
  /**
   * Free text for this node's entry.
   * @default - none
   */
  readonly comment?: string;
}

export interface PciMappingProps {
  /** Cluster-wide mapping name that VMs reference (`hostpciN: mapping=<name>`). */
  readonly name: string;
  /** What the device is, so VMs can check they got what they need. */
  readonly kind: PciDeviceKind;
  /** One entry per node that has an identical device. */
  readonly devices: PciMappingDevice[];
  /**
   * Description shown in the Proxmox UI.
   * @default - none
   */
  readonly comment?: string;
}

// Formats from the provider's validators (fwprovider/types/hardwaremapping, proxmox/types/hardwaremapping)
// and PVE's `pve-configid` for the mapping name.
const NAME = /^[a-z][a-z0-9_-]+$/i;
const PCI_PATH = /^[a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}(\.[a-f0-9])?$/;
const PCI_ID = /^[0-9a-f]{4}:[0-9a-f]{4}$/i;

/**
 * A Proxmox VE cluster PCI hardware mapping (`proxmox_hardware_mapping_pci`).
 *
 * VMs pass devices through by mapping, never by raw address: with an API token only mapped devices
 * may be assigned (qemu-server `check_hostpci_perm`), and the mapping pins the vendor, device,
 * subsystem and IOMMU group, so a reshuffled PCI bus makes the VM refuse to start instead of
 * handing the wrong controller (and its disks) to TrueNAS.
 */
export class PciMapping extends Construct {
  /** The underlying `proxmox_hardware_mapping_pci`. */
  readonly resource: HardwareMappingPci;
  /** The mapping name, as a reference: using it makes the VM depend on the mapping. */
  readonly mappingName: string;
  readonly kind: PciDeviceKind;
  readonly name: string;
  private readonly nodes: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: PciMappingProps) {
    super(scope, id);
    if (!NAME.test(props.name)) {
      invalidProp(this, "invalid mapping name", props.name, "a letter, then letters, digits, '-' or '_'");
    }
    if (props.devices.length === 0) {
      invalidProp(this, "a mapping needs at least one device", [], "one entry per node that has the device");
    }
    const nodes = new Set<string>();
    for (const d of props.devices) {
      if (nodes.has(d.nodeName)) invalidProp(this, "node listed twice", d.nodeName, "one entry per node");
      nodes.add(d.nodeName);
      if (!PCI_PATH.test(d.path)) invalidProp(this, "invalid PCI path", d.path, "domain:bus:device.function in lowercase hex, e.g. 0000:03:00.0");
      if (!PCI_ID.test(d.deviceId)) invalidProp(this, "invalid device id", d.deviceId, "vendor:device in hex, e.g. 1000:0097");
      if (!PCI_ID.test(d.subsystemId)) invalidProp(this, "invalid subsystem id", d.subsystemId, "vendor:device in hex, e.g. 1028:1f53");
      if (!Number.isInteger(d.iommuGroup) || d.iommuGroup < 0) invalidProp(this, "invalid IOMMU group", d.iommuGroup, "integers >= 0");
      if (d.comment !== undefined && /[,=]/.test(d.comment)) invalidProp(this, "device comment contains ',' or '='", d.comment, "text without ',' and '='");
    }
    if (props.comment !== undefined && props.comment.trim() !== props.comment) {
      invalidProp(this, "comment has leading or trailing whitespace", props.comment, "trimmed text");
    }

    const resource = (this.resource = new HardwareMappingPci(this, "Resource", {
      name: props.name,
      comment: props.comment,
      map: props.devices.map((d) => ({
        nodeAttribute: d.nodeName,
        path: d.path,
        id: d.deviceId.toLowerCase(),
        iommuGroup: d.iommuGroup,
        subsystemId: d.subsystemId.toLowerCase(),
        comment: d.comment,
      })),
    }));
    resource.overrideLogicalId(props.name); // `proxmox_hardware_mapping_pci.<name>`, readable in plans
    this.mappingName = resource.name;
    this.name = props.name;
    this.kind = props.kind;
    this.nodes = nodes;
  }

  /** Whether the mapping has an entry for `nodeName`: a VM can only use it there. */
  isDefinedOn(nodeName: string): boolean {
    return this.nodes.has(nodeName);
  }

  /** Node names the mapping covers, sorted, for error messages. */
  get nodeNames(): string[] {
    return [...this.nodes].sort();
  }
}
