/**
 * Discovery on Proxmox VE: each TrueNAS VM's config and the PCI hardware mappings they pass through.
 *
 * Shapes (bpg/terraform-provider-proxmox@b22fe919fc34476b232191b69c8907f0c1aa5bea = v0.111.1):
 * VM config `GET nodes/<node>/qemu/<vmid>/config` (proxmox/nodes/vms/vms.go:146) answers `name`,
 * `memory` (MiB, a number or numeric string: vms_types.go:227 `CustomInt64`), `cores`, `machine`,
 * and `hostpciN` strings such as `mapping=din-hba-internal,pcie=1,rombar=1`
 * (proxmox/nodes/vms/custom_pci_device.go `UnmarshalJSON`). Mappings `GET cluster/mapping/pci`
 * (proxmox/cluster/mapping/mapping.go `List`, types.go `ListResponseData`: id, description, map)
 * with each map entry `id=<vendor:device>,iommugroup=N,node=<node>,path=<addr>,subsystem-id=<v:d>`
 * (proxmox/types/hardwaremapping/map.go `ParseMap`, device_id.go).
 * Import ids: proxmox_virtual_environment_vm `<node>/<vmid>` (proxmoxtf/resource/vm/vm.go:1794-1809,
 * `parseImportIDWithNodeName`); proxmox_hardware_mapping_pci the mapping name
 * (fwprovider/cluster/hardwaremapping/resource_pci.go:163-175).
 */
import type { Homelab } from "../../inventory/types";
import { STORAGE_STACK_BY_ROLE } from "./addresses";
import { findingsOf } from "./context";
import { DriftList, binarySize, text, type Finding } from "./drift";
import { ProxmoxClient } from "./proxmox-client";

export interface ProxmoxSettings {
  readonly endpoint: string;
  /** `user@realm!id=uuid` */
  readonly token: string;
  readonly insecure: boolean;
  readonly timeoutMs?: number;
}

type VmConfig = Record<string, string | number | undefined>;
interface MappingRow { id: string; map?: string[] }

/** `a=1,b=2` (or a bare first value, e.g. a raw PCI address) to a record. */
function keyValues(s: string, bare = "host"): Record<string, string> {
  return Object.fromEntries(s.split(",").map((kv) => (kv.includes("=") ? kv.split("=", 2) : [bare, kv]) as [string, string]));
}

function hostpciText(value: string | undefined): string {
  if (value === undefined) return "none";
  const kv = keyValues(String(value));
  const device = kv.mapping !== undefined ? `mapping=${kv.mapping}` : `host=${kv.host ?? "?"}`;
  return `${device} pcie=${kv.pcie ?? "0"} rombar=${kv.rombar ?? "1"}`; // PVE defaults: pcie 0, rombar 1
}

export async function discoverProxmox(homelab: Homelab, settings: ProxmoxSettings): Promise<Finding[]> {
  const client = new ProxmoxClient(settings.endpoint, settings.token, { insecure: settings.insecure, timeoutMs: settings.timeoutMs });
  const out: Finding[] = [];
  const mappings = await client.get<MappingRow[]>("/api2/json/cluster/mapping/pci");
  for (const vm of homelab.truenasVms) {
    const f = findingsOf(STORAGE_STACK_BY_ROLE[vm.role]);
    const ref = { type: "proxmox_virtual_environment_vm", vmName: vm.name } as const;
    const object = `VM ${vm.name} (${vm.nodeName}/${vm.vmId})`;
    const answer = await client.get<VmConfig>(`/api2/json/nodes/${encodeURIComponent(vm.nodeName)}/qemu/${vm.vmId}/config`);
    if (answer.status === "absent") out.push(f.absent(ref, object));
    else if (answer.status === "error") out.push(f.error(ref, object, answer.message));
    else {
      const c = answer.data ?? {};
      const memMiB = Number(String(c.memory ?? "").replace(/^current=/, "").split(",")[0]);
      const drift = new DriftList()
        .check("name", text(c.name), vm.name)
        .check("memory", Number.isFinite(memMiB) && c.memory !== undefined ? binarySize(BigInt(Math.round(memMiB)) << 20n) : "unknown", binarySize(vm.memory.bytes))
        .check("cores", text(c.cores ?? 1), String(vm.cpuCores))
        .check("machine", text(c.machine, "pc (default)"), "q35");
      const slots = new Set([...vm.passthrough.keys(), ...Object.keys(c).filter((k) => /^hostpci\d+$/.test(k)).map((k) => Number(k.slice(7)))]);
      for (const slot of [...slots].sort((a, b) => a - b)) {
        const p = vm.passthrough[slot];
        drift.check(`hostpci${slot}`, hostpciText(c[`hostpci${slot}`] as string | undefined), p ? `mapping=${p.mapping} pcie=1 rombar=${p.rombar === false ? 0 : 1}` : "none");
      }
      out.push(f.found(ref, object, { id: `${vm.nodeName}/${vm.vmId}`, drift: drift.items }));
    }

    for (const { mapping: name } of vm.passthrough) {
      const mref = { type: "proxmox_hardware_mapping_pci", mappingName: name } as const;
      const mobject = `PCI mapping ${name}`;
      const device = homelab.pciDevices.find((d) => d.name === name);
      if (mappings.status === "error") { out.push(f.error(mref, mobject, mappings.message)); continue; }
      const live = mappings.status === "ok" ? (mappings.data ?? []).find((m) => m.id === name) : undefined;
      if (!live) { out.push(f.absent(mref, mobject)); continue; }
      const entries = (live.map ?? []).map((m) => keyValues(m));
      const mine = entries.find((e) => e.node === device?.nodeName);
      const drift = new DriftList();
      if (!device) drift.check("inventory", "mapping exists", "no pciDevices entry of that name");
      else if (!mine) drift.check(`map for ${device.nodeName}`, entries.map((e) => e.node).join(", ") || "none", "one entry");
      else {
        drift.check("path", text(mine.path), device.path).check("id", text(mine.id), device.deviceId)
          .check("subsystem-id", text(mine["subsystem-id"]), device.subsystemId).check("iommugroup", text(mine.iommugroup), String(device.iommuGroup));
      }
      out.push(f.found(mref, mobject, { id: name, drift: drift.items }));
    }
  }
  return out;
}
