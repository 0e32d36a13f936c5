/**
 * Networks: VLAN ids and CIDRs are well-formed (every VLAN, used or not), a CIDR is a network
 * address (no host bits set), each TrueNAS's storage address lies in its storage VLAN, and no NFS
 * export (static, or democratic-csi's dynamic ones) is open to everyone.
 *
 * The storage VLAN of a TrueNAS: the VLAN named `storage` when the inventory declares one (every
 * shipped homelab does); otherwise the VLAN of the TrueNAS's first NIC that has one (its virtual
 * NICs first, then its passed-through NICs). With neither, the address is only checked for syntax.
 */
import { verbatim } from "../../constructs/errors";
import { ipv4CidrPrefix, isIpv4 } from "../../constructs/ipv4";
import type { CsiInstanceEntry, NfsExportEntry, NicEntry, PassthroughEntry, VlanEntry } from "../types";
import { entryPath, isRecord, list, type Findings, type InventoryFacts, type TrueNASFacts } from "./context";

/** Shorter prefixes than this are "everyone" for an NFS share (as the NfsExport construct says). */
const MIN_NFS_PREFIX = 8;
export const STORAGE_VLAN_NAME = "storage";

/** An IPv4 network, parsed. */
interface Network {
  readonly base: number;
  readonly prefix: number;
}

function toNumber(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The network of a well-formed CIDR (host bits cleared), or undefined. */
function parseCidr(cidr: unknown): (Network & { hostBits: boolean }) | undefined {
  if (typeof cidr !== "string") return undefined;
  const prefix = ipv4CidrPrefix(cidr);
  if (prefix === undefined) return undefined;
  const address = toNumber(cidr.slice(0, cidr.indexOf("/")));
  const size = 2 ** (32 - prefix);
  const base = Math.floor(address / size) * size;
  return { base, prefix, hostBits: base !== address };
}

export function checkNetworks(facts: InventoryFacts, findings: Findings): void {
  const networks = new Map<string, Network>(); // well-formed VLANs by name
  list<VlanEntry>(facts.lab.vlans).forEach((v, i) => {
    if (!isRecord(v)) return;
    const path = entryPath(`${facts.root}/vlans`, v, i);
    if (!Number.isInteger(v.id) || v.id < 1 || v.id > 4094) findings.problem(path, "VLAN id out of range", v.id, "integers 1..4094 (802.1Q)");
    const net = parseCidr(v.cidr);
    if (!net) {
      findings.problem(path, "invalid CIDR", v.cidr, "an IPv4 network in CIDR notation, e.g. 10.10.10.0/24");
    } else if (net.hostBits) {
      findings.problem(path, "CIDR has host bits set", v.cidr, `the network address, ${toAddress(net.base)}/${net.prefix}`);
    } else if (facts.vlans.get(v.name) === v) {
      networks.set(v.name, net);
    }
  });

  const addresses = new Map<string, string>();
  for (const t of facts.truenas) {
    if (!t.storage) continue;
    checkStorageAddress(facts, findings, t, networks, addresses);
    list<NfsExportEntry>(t.storage.nfsExports).forEach((e, i) => {
      if (!isRecord(e)) return;
      openToEveryone(facts, findings, entryPath(`${t.storagePath}/nfsExports`, e, i), `NFS share of ${e.dataset}`, e.vlans, networks);
    });
  }

  const k8s = facts.lab.kubernetesStorage;
  if (isRecord(k8s) && list<CsiInstanceEntry>(k8s.instances).some((i) => isRecord(i) && i.protocol === "nfs")) {
    openToEveryone(facts, findings, `${facts.root}/kubernetesStorage`, "democratic-csi's NFS volumes", k8s.nfsClientVlans, networks);
  }
}

/** No client VLANs (TrueNAS then exports to everyone), or a client VLAN that is everyone. */
function openToEveryone(facts: InventoryFacts, findings: Findings, path: string, what: string, vlans: unknown, networks: ReadonlyMap<string, Network>): void {
  const names = list<string>(vlans);
  if (names.length === 0) {
    findings.problem(path, `${what} open to everyone: no client VLANs (TrueNAS exports an empty list to every host)`, Array.isArray(vlans) ? verbatim("[]") : vlans, `the VLANs (by name) whose hosts mount them, e.g. ${facts.allowed("vlans", () => facts.vlans.keys())}`);
    return;
  }
  for (const name of names) {
    const net = networks.get(name);
    if (net && net.prefix < MIN_NFS_PREFIX) {
      findings.problem(path, `${what} open to everyone through VLAN ${name}`, facts.vlans.get(name)!.cidr, `VLANs with a prefix of /${MIN_NFS_PREFIX} or longer (the networks that need the share)`);
    }
  }
}

/** The storage address is an IPv4 address of the storage VLAN (not its network or broadcast address), one TrueNAS each. */
function checkStorageAddress(facts: InventoryFacts, findings: Findings, t: TrueNASFacts, networks: ReadonlyMap<string, Network>, addresses: Map<string, string>): void {
  const address = t.storage!.storageAddress;
  const path = `${t.storagePath}/storageAddress`;
  if (typeof address !== "string" || !isIpv4(address)) {
    findings.problem(path, "storage address is not an IPv4 address", address, "the TrueNAS's address on the storage VLAN, e.g. 10.10.10.5");
    return;
  }
  const other = addresses.get(address);
  if (other !== undefined) findings.problem(path, `storage address already used by ${other}`, address, "one address per TrueNAS");
  else addresses.set(address, t.path);

  const vlanName = storageVlanOf(facts, t);
  const net = vlanName === undefined ? undefined : networks.get(vlanName);
  if (!net) return; // no storage VLAN, or one whose own problem is reported
  const size = 2 ** (32 - net.prefix);
  const n = toNumber(address);
  const cidr = `${toAddress(net.base)}/${net.prefix}`;
  if (n < net.base || n >= net.base + size) {
    findings.problem(path, `storage address outside the storage VLAN ${vlanName}`, address, `an address of ${cidr}`);
  } else if (net.prefix <= 30 && (n === net.base || n === net.base + size - 1)) {
    findings.problem(path, `storage address is the ${n === net.base ? "network" : "broadcast"} address of the storage VLAN ${vlanName}`, address, `a host address of ${cidr}`);
  }
}

/** See the module comment: `storage` if declared, else the VLAN of the TrueNAS's first NIC that has one. */
export function storageVlanOf(facts: InventoryFacts, t: TrueNASFacts): string | undefined {
  if (facts.vlans.has(STORAGE_VLAN_NAME)) return STORAGE_VLAN_NAME;
  const nic = list<NicEntry>(t.vm.nics).find((n) => isRecord(n) && typeof n.vlan === "string");
  if (nic) return nic.vlan;
  for (const p of list<PassthroughEntry>(t.vm.passthrough)) {
    const device = isRecord(p) ? facts.pciDevices.get(p.mapping) : undefined;
    if (device && typeof device.vlan === "string") return device.vlan;
  }
  return undefined;
}
