import { Construct } from "constructs";
import { VirtualEnvironmentVm, type VirtualEnvironmentVmHostpci } from "../.gen/providers/proxmox/virtual-environment-vm";
import { Size } from "../capacity/size";
import { invalidProp, verbatim } from "./errors";
import type { PciMapping } from "./pci-mapping";
import { qemuVmConfig, type MachineType } from "./qemu-vm";
import type { VmNetworkInterface } from "./vm-network";

/** One device passed through to the VM by its cluster mapping. */
export interface PciPassthrough {
  /** The mapping to pass through; must have an entry for the VM's node. */
  readonly mapping: PciMapping;
  /**
   * `hostpciN` slot, 0..15.
   * @default - the lowest slot not taken, in list order
   */
  readonly slot?: number;
  /**
   * Attach as PCI Express (needs q35).
   * @default true
   */
  readonly pcie?: boolean;
  /**
   * Expose the device's option ROM. Always sent explicitly: the provider sends `rombar=0` when it
   * is unset, while Proxmox's own default is on.
   * @default true
   */
  readonly rombar?: boolean;
}

export interface TrueNASVmProps {
  /** Proxmox node the VM runs on. */
  readonly nodeName: string;
  /** Proxmox VM id, 100..999999999, unique across the app. */
  readonly vmId: number;
  /** VM name (a DNS label). */
  readonly name: string;
  /** Dedicated RAM: ZFS's ARC lives here. At least 8 GiB, a whole number of MiB. */
  readonly memory: Size;
  /** Storage controllers (at least one) and, optionally, NICs handed to TrueNAS whole. */
  readonly passthrough: PciPassthrough[];
  /** Host storage for the boot disk (TrueNAS's OS, not its pools), e.g. `local-zfs`. */
  readonly bootDiskDatastoreId: string;
  /**
   * Boot disk size. TrueNAS SCALE needs 16 GiB and keeps boot environments for every update.
   * @default Size.gibibytes(32)
   */
  readonly bootDiskSize?: Size;
  /**
   * Host storage for the EFI vars disk.
   * @default - the boot disk's datastore
   */
  readonly efiDiskDatastoreId?: string;
  /**
   * Virtual NICs on host bridges (dual-homed: one per VLAN). Leave empty when NICs are passed
   * through instead; the VM needs one or the other.
   * @default - none
   */
  readonly networkInterfaces?: VmNetworkInterface[];
  /**
   * CPU cores (one socket).
   * @default 4
   */
  readonly cpuCores?: number;
  /**
   * CPU type. `host` exposes AES-NI and AVX to ZFS encryption and checksums.
   * @default "host"
   */
  readonly cpuType?: string;
  /**
   * Machine type.
   * @default "q35"
   */
  readonly machine?: MachineType;
  /**
   * Installer ISO attached as a CD-ROM on ide2, e.g. `local:iso/TrueNAS-SCALE-25.10.1.iso`.
   * @default - no CD-ROM
   */
  readonly installerIsoFileId?: string;
  /**
   * Start order at host boot: storage first, everything that mounts it after.
   * @default 1
   */
  readonly startupOrder?: number;
  /**
   * Seconds Proxmox waits after starting this VM before starting the next one.
   * @default - no delay (Kubernetes retries its mounts)
   */
  readonly startupUpDelaySeconds?: number;
  /**
   * VM description.
   * @default - names the role and the passed-through devices
   */
  readonly description?: string;
  /**
   * Tags shown in the Proxmox UI.
   * @default ["storage", "truenas"]
   */
  readonly tags?: string[];
  /**
   * Turns OFF the protection against destroying this VM (Proxmox `protection` and Terraform
   * `prevent_destroy`). Only for throwaway test stacks: the VM holds the pool's configuration.
   * @default false
   */
  readonly allowDestroyInThrowawayTestStack?: boolean;
}

const MIN_MEMORY = Size.gibibytes(8); // TrueNAS SCALE's documented minimum, and what ZFS's ARC needs to be useful
const MAX_HOSTPCI_SLOTS = 16; // qemu-server PCI.pm: $MAX_HOSTPCI_DEVICES

/**
 * A TrueNAS SCALE VM on Proxmox VE with its disks' controller(s) passed through.
 *
 * ZFS sees the physical disks (SMART, scrub, TRIM) and nothing in Proxmox touches them; the pool
 * can be imported on bare metal if the host dies. The VM is protected from destroy by default.
 */
export class TrueNASVm extends Construct {
  /** The underlying `proxmox_virtual_environment_vm`. */
  readonly resource: VirtualEnvironmentVm;
  readonly vmId: number;
  readonly nodeName: string;
  /** hostpci slot → mapping name, as synthesized. */
  readonly hostpci: ReadonlyMap<number, string>;

  constructor(scope: Construct, id: string, props: TrueNASVmProps) {
    super(scope, id);
    const machine = props.machine ?? "q35";
    const hostpci = this.assignSlots(props, machine);
    const networkInterfaces = props.networkInterfaces ?? [];
    if (props.memory.compare(MIN_MEMORY) < 0) {
      invalidProp(this, "memory below what ZFS needs", verbatim(`${props.memory.in("GiB")} GiB`), `at least ${MIN_MEMORY.in("GiB")} GiB`);
    }
    if (!props.passthrough.some((p) => p.mapping.kind === "storage-controller")) {
      invalidProp(this, "no storage controller passed through", props.passthrough.map((p) => p.mapping.name), "at least one mapping of kind storage-controller (the HBA holding the pool's disks)");
    }
    if (networkInterfaces.length === 0 && !props.passthrough.some((p) => p.mapping.kind === "network")) {
      invalidProp(this, "no network path", [], "networkInterfaces, or a passed-through mapping of kind network");
    }
    const protectedVm = !props.allowDestroyInThrowawayTestStack;

    const config = qemuVmConfig(this, {
      nodeName: props.nodeName,
      vmId: props.vmId,
      name: props.name,
      description: props.description ?? describeVm(hostpci),
      tags: props.tags ?? ["storage", "truenas"],
      cpuCores: props.cpuCores ?? 4,
      cpuType: props.cpuType ?? "host",
      machine,
      memory: props.memory,
      bootDiskDatastoreId: props.bootDiskDatastoreId,
      bootDiskSize: props.bootDiskSize ?? Size.gibibytes(32),
      efiDiskDatastoreId: props.efiDiskDatastoreId ?? props.bootDiskDatastoreId,
      networkInterfaces,
      installerIsoFileId: props.installerIsoFileId,
      onBoot: true,
      guestAgent: true, // TrueNAS SCALE ships qemu-guest-agent
      startupOrder: props.startupOrder ?? 1,
      startupUpDelaySeconds: props.startupUpDelaySeconds,
    });

    this.resource = new VirtualEnvironmentVm(this, "Resource", {
      ...config,
      hostpci: [...hostpci.entries()].map(([slot, p]): VirtualEnvironmentVmHostpci => ({
        device: `hostpci${slot}`,
        mapping: p.mapping.mappingName,
        pcie: p.pcie ?? true,
        rombar: p.rombar ?? true,
      })),
      protection: protectedVm,
      // A storage VM must not reboot in the middle of an apply: hostpci/memory changes wait for a
      // planned reboot instead of dropping every NFS and iSCSI client at once.
      rebootAfterUpdate: false,
      // Graceful shutdown (ACPI) lets TrueNAS export its pools cleanly.
      stopOnDestroy: false,
      lifecycle: { preventDestroy: protectedVm },
    });
    // A readable address (`proxmox_virtual_environment_vm.truenas-primary`) for `terraform -target`
    // and `terraform state` (the first bring-up targets the VM alone, before TrueNAS answers).
    this.resource.overrideLogicalId(props.name);
    this.vmId = props.vmId;
    this.nodeName = props.nodeName;
    this.hostpci = new Map([...hostpci].map(([slot, p]) => [slot, p.mapping.name]));
  }

  /** Validates passthrough and gives every device a hostpci slot (explicit ones first). */
  private assignSlots(props: TrueNASVmProps, machine: MachineType): Map<number, PciPassthrough> {
    const slots = new Map<number, PciPassthrough>();
    for (const p of props.passthrough) {
      if (!p.mapping.isDefinedOn(props.nodeName)) {
        invalidProp(this, `mapping ${p.mapping.name} is not defined for node ${props.nodeName}`, p.mapping.name, `mappings with an entry for ${props.nodeName} (this one covers: ${p.mapping.nodeNames.join(", ")})`);
      }
      if ((p.pcie ?? true) && machine !== "q35") {
        invalidProp(this, `pcie passthrough of ${p.mapping.name} needs the q35 machine type`, machine, "machine q35, or pcie: false");
      }
      if (p.slot === undefined) continue;
      if (!Number.isInteger(p.slot) || p.slot < 0 || p.slot >= MAX_HOSTPCI_SLOTS) {
        invalidProp(this, "hostpci slot out of range", p.slot, `0..${MAX_HOSTPCI_SLOTS - 1}`);
      }
      if (slots.has(p.slot)) {
        invalidProp(this, `hostpci slot ${p.slot} used twice (${slots.get(p.slot)!.mapping.name} and ${p.mapping.name})`, p.slot, "each slot once");
      }
      slots.set(p.slot, p);
    }
    const names = props.passthrough.map((p) => p.mapping.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) invalidProp(this, "mapping passed through twice", dup, "each mapping once");
    let next = 0;
    for (const p of props.passthrough.filter((q) => q.slot === undefined)) {
      while (slots.has(next)) next++;
      if (next >= MAX_HOSTPCI_SLOTS) invalidProp(this, "too many passthrough devices", props.passthrough.length, `at most ${MAX_HOSTPCI_SLOTS}`);
      slots.set(next, p);
    }
    return new Map([...slots].sort(([a], [b]) => a - b));
  }
}

function describeVm(hostpci: Map<number, PciPassthrough>): string {
  const devices = [...hostpci].map(([slot, p]) => `hostpci${slot}=${p.mapping.name} (${p.mapping.kind})`).join(", ");
  return `TrueNAS SCALE storage VM, managed by homelab-cdktf. Passthrough: ${devices}. Do not attach the passed-through disks to any other VM.`;
}
