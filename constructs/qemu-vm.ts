import type { IConstruct } from "constructs";
import type { VirtualEnvironmentVmConfig } from "../.gen/providers/proxmox/virtual-environment-vm";
import { Size } from "../capacity/size";
import { invalidProp } from "./errors";
import { claimVmId } from "./vm-id";
import { renderNetworkDevices, type VmNetworkInterface } from "./vm-network";

/** Machine types a VM can use. PCIe passthrough needs q35 (qemu-server PCI.pm: "q35 machine model is not enabled"). */
export type MachineType = "q35" | "i440fx";

/** What every VM this project builds has in common; the constructs add their own parts. */
export interface QemuVmConfigInput {
  readonly nodeName: string;
  readonly vmId: number;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly cpuCores: number;
  readonly cpuType: string;
  readonly machine: MachineType;
  readonly memory: Size;
  readonly bootDiskDatastoreId: string;
  readonly bootDiskSize: Size;
  readonly efiDiskDatastoreId: string;
  readonly networkInterfaces: readonly VmNetworkInterface[];
  readonly installerIsoFileId?: string;
  readonly onBoot: boolean;
  /** The guest runs qemu-guest-agent (clean shutdown, fs freeze for backups). */
  readonly guestAgent: boolean;
  readonly startupOrder?: number;
  readonly startupUpDelaySeconds?: number;
}

const DNS_NAME = /^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;
const TAG = /^[a-z0-9_][a-z0-9_+.-]*$/i; // PVE `pve-tag`
const ISO = /^[a-z][a-z0-9_.-]*:iso\/[^/\s]+\.(iso|img)$/i;

/**
 * The `proxmox_virtual_environment_vm` configuration shared by all VMs: UEFI (OVMF + EFI disk),
 * virtio-scsi-single with an I/O thread per disk, no memory ballooning device.
 */
export function qemuVmConfig(scope: IConstruct, spec: QemuVmConfigInput): VirtualEnvironmentVmConfig {
  claimVmId(scope, spec.vmId);
  if (!DNS_NAME.test(spec.name)) invalidProp(scope, "invalid VM name", spec.name, "a DNS label: letters, digits and '-', at most 63");
  for (const tag of spec.tags) if (!TAG.test(tag)) invalidProp(scope, "invalid tag", tag, "letters, digits, '_', '-', '+', '.'");
  if (!Number.isInteger(spec.cpuCores) || spec.cpuCores < 1 || spec.cpuCores > 2304) {
    invalidProp(scope, "CPU core count out of range", spec.cpuCores, "integers 1..2304");
  }
  const memoryMiB = wholeUnits(scope, "memory", spec.memory, Size.mebibytes(1), "MiB");
  if (memoryMiB < 64) invalidProp(scope, "memory below the Proxmox minimum", spec.memory, "at least 64 MiB");
  const diskGiB = wholeUnits(scope, "boot disk size", spec.bootDiskSize, Size.gibibytes(1), "GiB");
  if (diskGiB < 1) invalidProp(scope, "boot disk too small", spec.bootDiskSize, "at least 1 GiB");
  if (spec.installerIsoFileId !== undefined && !ISO.test(spec.installerIsoFileId)) {
    invalidProp(scope, "invalid installer ISO file id", spec.installerIsoFileId, "<storage>:iso/<file>.iso");
  }
  if (spec.startupOrder !== undefined && !(Number.isInteger(spec.startupOrder) && spec.startupOrder >= 0)) {
    invalidProp(scope, "invalid startup order", spec.startupOrder, "integers >= 0 (lower starts first)");
  }

  return {
    nodeName: spec.nodeName,
    vmId: spec.vmId,
    name: spec.name,
    description: spec.description,
    tags: [...spec.tags].sort(), // PVE stores tags sorted: sorted input keeps the plan empty
    onBoot: spec.onBoot,
    started: true,
    machine: spec.machine,
    bios: "ovmf",
    efiDisk: { datastoreId: spec.efiDiskDatastoreId, type: "4m", preEnrolledKeys: false },
    scsiHardware: "virtio-scsi-single",
    operatingSystem: { type: "l26" },
    // Without wait_for_ip disabled, every refresh blocks up to 15 min on a guest whose agent is not
    // up yet (an installer ISO, Talos in maintenance mode); nothing here needs the guest's IPs.
    agent: spec.guestAgent ? { enabled: true, type: "virtio", waitForIp: { disabled: true } } : { enabled: false },
    cpu: { cores: spec.cpuCores, sockets: 1, type: spec.cpuType },
    // floating = 0: no balloon device. VFIO pins guest RAM, and ZFS's ARC wants all of it anyway.
    memory: { dedicated: memoryMiB, floating: 0 },
    disk: [{
      interface: "scsi0",
      datastoreId: spec.bootDiskDatastoreId,
      size: diskGiB,
      fileFormat: "raw",
      iothread: true,
      discard: "on",
      ssd: true,
    }],
    // q35 only has ide0 and ide2; the provider's default ide3 is remapped by qemu-server.
    cdrom: spec.installerIsoFileId ? { fileId: spec.installerIsoFileId, interface: "ide2" } : undefined,
    bootOrder: spec.installerIsoFileId ? ["scsi0", "ide2"] : ["scsi0"],
    networkDevice: renderNetworkDevices(scope, spec.networkInterfaces),
    startup: spec.startupOrder === undefined ? undefined : {
      order: spec.startupOrder,
      upDelay: spec.startupUpDelaySeconds,
    },
  };
}

function wholeUnits(scope: IConstruct, what: string, size: Size, unit: Size, unitName: string): number {
  if (size.bytes % unit.bytes !== 0n) invalidProp(scope, `${what} is not a whole number of ${unitName}`, size, `multiples of ${unit.bytes} bytes`);
  return Number(size.bytes / unit.bytes);
}
