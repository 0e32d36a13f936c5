/**
 * Test data for the inventory checker: random VALID variations of the shipped homelab (names,
 * counts, ids, quotas within budget, schedules, which host is online) and a catalogue of single
 * MUTATIONS, one per kind of mistake the checker refuses, each applicable to any valid variant.
 */
import fc from "fast-check";
import { Size } from "../../capacity";
import { Schedule } from "../../constructs/schedule";
import { homelab } from "../../inventory/homelab";
import { App } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import type { DatasetEntry, Homelab, TrueNASStorageEntry, TrueNASVmEntry, VlanEntry } from "../../inventory/types";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Builds and synthesizes `lab` into `outdir` as main.ts does, and returns what it threw (undefined
 * if it synthesized): a refusal must throw before anything is written.
 */
export function synthError(lab: Homelab, outdir: string): unknown {
  const app = new App({ outdir, stackTraces: false });
  try {
    buildHomelab(app, lab);
    app.synth();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** A deep copy of the inventory's plain data (Sizes and Schedules are immutable values, shared). */
export function copyOf<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyOf) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyOf(v)])) as T;
  }
  return value;
}

/** The TrueNAS VM of `role` (the shipped homelab and its variants have both roles). */
export function vmOf(lab: Homelab, role: "primary" | "backup"): Mutable<TrueNASVmEntry> {
  return lab.truenasVms.find((v) => v.role === role) as Mutable<TrueNASVmEntry>;
}

export function storageOf(lab: Homelab, role: "primary" | "backup" = "primary"): Mutable<TrueNASStorageEntry> {
  return vmOf(lab, role).storage as Mutable<TrueNASStorageEntry>;
}

/** Renames every use of a string value in the inventory (names are referenced by value). */
function renameEverywhere<T>(value: T, renames: ReadonlyMap<string, string>): T {
  if (typeof value === "string") return (renames.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((v) => renameEverywhere(v, renames)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameEverywhere(v, renames)])) as T;
  }
  return value;
}

const label = fc.stringMatching(/^[a-z][a-z0-9]{2,7}$/);
const REMOVABLE = ["bulk/archive", "scratch/temp", "scratch/ml-datasets", "fast/ml-models", "scratch/downloads"];

const schedule = fc.oneof(
  fc.constant(Schedule.hourly()),
  fc.constantFrom(1, 2, 3, 4, 6, 8, 12, 24).map((h) => Schedule.everyHours(h)),
  fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) }).map((o) => Schedule.daily(o)),
);

/** Random valid variations of the shipped homelab: each must synthesize. */
export const validHomelab: fc.Arbitrary<Homelab> = fc.record({
  name: label,
  vlanNames: fc.uniqueArray(label, { minLength: 6, maxLength: 6 }),
  renameVlans: fc.boolean(),
  vlanIds: fc.uniqueArray(fc.integer({ min: 1, max: 4094 }), { minLength: 6, maxLength: 6 }),
  pciNames: fc.uniqueArray(label, { minLength: 3, maxLength: 3 }),
  vmIds: fc.uniqueArray(fc.integer({ min: 100, max: 99_999 }).map((n) => n * 10), { minLength: 4, maxLength: 4 }),
  clusterName: label,
  controlPlanes: fc.constantFrom(1, 3, 5),
  workers: fc.integer({ min: 0, max: 4 }),
  quotaPermille: fc.integer({ min: 200, max: 1000 }),
  removed: fc.subarray(REMOVABLE),
  extraDatasets: fc.integer({ min: 0, max: 4 }),
  snapshots: fc.array(fc.record({ schedule, keep: fc.integer({ min: 1, max: 48 }) }), { minLength: 3, maxLength: 3 }),
  scrubDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 4, maxLength: 4 }),
  scrubHour: fc.integer({ min: 0, max: 23 }),
  addresses: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 2, maxLength: 2 }),
  groguOnline: fc.boolean(),
  csiNames: fc.uniqueArray(label, { minLength: 4, maxLength: 4 }),
  defaultInstance: fc.integer({ min: 1, max: 3 }),
  offsite: fc.boolean(),
}).map((r) => {
  const renames = new Map<string, string>();
  if (r.renameVlans) homelab.vlans.forEach((v, i) => renames.set(v.name, `vl-${r.vlanNames[i]}`));
  homelab.pciDevices.forEach((d, i) => renames.set(d.name, `pci-${r.pciNames[i]}`));
  homelab.kubernetesStorage!.instances.forEach((inst, i) => renames.set(inst.name, `csi-${r.csiNames[i]}`));
  const lab = renameEverywhere(copyOf(homelab), renames) as Mutable<Homelab>;
  lab.name = r.name;
  lab.vlans = lab.vlans.map((v, i) => ({ ...v, id: r.vlanIds[i] }));
  lab.hosts = lab.hosts.map((h) => (h.nodeName === "grogu" ? { ...h, online: r.groguOnline } : h));
  const [primary, backup] = [vmOf(lab, "primary"), vmOf(lab, "backup")];
  primary.vmId = r.vmIds[0];
  backup.vmId = r.vmIds[1];
  const talos = lab.talosClusters![0] as Mutable<NonNullable<Homelab["talosClusters"]>[number]>;
  lab.talosClusters = [{
    ...talos,
    clusterName: r.clusterName,
    controlPlane: { ...talos.controlPlane, count: r.controlPlanes, firstVmId: r.vmIds[2] },
    workers: { ...talos.workers, count: r.workers, firstVmId: r.vmIds[3] },
  }];
  const s = storageOf(lab);
  const scale = (size: Size | undefined) => (size === undefined ? undefined : Size.bytes((size.bytes * BigInt(r.quotaPermille)) / 1000n));
  const removed = new Set(r.removed);
  s.datasets = [
    ...s.datasets.filter((d) => !removed.has(d.fullPath)).map((d): DatasetEntry => ({ ...d, quota: scale(d.quota) })),
    ...Array.from({ length: r.extraDatasets }, (_, i): DatasetEntry => ({ fullPath: `scratch/extra-${i}`, purpose: `extra dataset ${i}`, quota: Size.gibibytes(1 + i) })),
  ];
  s.snapshots = s.snapshots!.map((snap, i) => ({ ...snap, ...r.snapshots[i] }));
  s.scrubs = Object.fromEntries(Object.keys(s.scrubs).map((pool, i) => [pool, Schedule.weekly({ dayOfWeek: r.scrubDays[i], hour: r.scrubHour })]));
  storageOf(lab, "backup").scrubs = { backup: Schedule.weekly({ dayOfWeek: r.scrubDays[3], hour: r.scrubHour }) };
  s.storageAddress = `10.10.10.${r.addresses[0]}`;
  storageOf(lab, "backup").storageAddress = `10.10.10.${r.addresses[1]}`;
  if (!r.offsite) s.offsiteBackup = undefined;
  const k8s = lab.kubernetesStorage!;
  lab.kubernetesStorage = { ...k8s, instances: k8s.instances.map((inst, i) => ({ ...inst, isDefault: i === r.defaultInstance })) };
  return lab as Homelab;
});

/** A mutation: one mistake made in a valid inventory, and a line of the refusal it must cause. */
export interface Mutation {
  readonly kind: string;
  /** Mutates `lab` (a fresh deep copy). */
  readonly apply: (lab: Mutable<Homelab>, pick: number) => void;
  /** Matches one line of the refusal. */
  readonly line: RegExp;
  /** A value that must not appear anywhere in the refusal (a secret). */
  readonly never?: (pick: number) => string;
}

const vlanOf = (lab: Homelab, i: number) => lab.vlans[i % lab.vlans.length] as Mutable<VlanEntry>;
const SECRETS = [
  "1-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3v",
  "K004abcdEFGHijklMNOPqrstUVWXyz0",
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  "backups: password=hunter2-correct-horse",
  "AKIAIOSFODNN7EXAMPLE",
  "tok wJalrXUtnFEMI9K7MDENGbPxRfiCY3XAMPLEKEY end",
  "smtp://truenas:s3cr3t@smtp.homelab.example",
  "0014b0b5f8a6e2e0000000003",
];

export const MUTATIONS: readonly Mutation[] = [
  // names and references
  { kind: "a NIC on a VLAN never declared", apply: (lab) => { vmOf(lab, "primary").nics = [{ bridge: "vmbr0", vlan: "dmz" }]; }, line: /\/nics\/0: VLAN referenced but never declared \(got "dmz"/ },
  { kind: "a PCI device on a VLAN never declared", apply: (lab) => { lab.pciDevices = lab.pciDevices.map((d, i) => (i === 0 ? { ...d, vlan: "sotrage" } : d)); }, line: /\/pciDevices\/[^:]+: VLAN referenced but never declared/ },
  { kind: "a passthrough mapping never declared", apply: (lab) => { vmOf(lab, "backup").passthrough = [{ mapping: "hba9" }]; }, line: /truenasVms\/[^:]+\/passthrough\/0: PCI mapping referenced but never declared \(got "hba9"/ },
  { kind: "a VM on a host never declared", apply: (lab) => { vmOf(lab, "primary").nodeName = "dinn"; }, line: /truenasVms\/[^/:]+: host referenced but never declared \(got "dinn"/ },
  { kind: "a PCI device on a host never declared", apply: (lab, p) => { lab.pciDevices = lab.pciDevices.map((d, i) => (i === p % 3 ? { ...d, nodeName: "grogu2" } : d)); }, line: /pciDevices\/[^:]+: host referenced but never declared/ },
  { kind: "a bridge the host lacks", apply: (lab) => { vmOf(lab, "primary").nics = [{ ...vmOf(lab, "primary").nics![0], bridge: "vmbr9" }]; }, line: /nics\/0: bridge not on host din \(got "vmbr9"/ },
  { kind: "a Talos cluster on a host never declared", apply: (lab) => { lab.talosClusters = [{ ...lab.talosClusters![0], nodeName: "dni" }]; }, line: /talosClusters\/[^:]+: host referenced but never declared/ },
  { kind: "a Talos NIC on a VLAN never declared", apply: (lab) => { lab.talosClusters = [{ ...lab.talosClusters![0], nic: { bridge: "vmbr0", vlan: "k8s-tset" } }]; }, line: /talosClusters\/[^:]+\/nic: VLAN referenced but never declared/ },
  { kind: "a dataset on a pool never declared", apply: (lab) => { storageOf(lab).datasets = [...storageOf(lab).datasets, { fullPath: "nvme/apps", purpose: "apps" }]; }, line: /datasets\/nvme\/apps: pool referenced but never declared \(got "nvme"/ },
  { kind: "a dataset whose parent is never declared", apply: (lab) => { storageOf(lab).datasets = [...storageOf(lab).datasets, { fullPath: "bulk/new/child", purpose: "x" }]; }, line: /datasets\/bulk\/new\/child: parent dataset bulk\/new never declared/ },
  { kind: "an NFS export of a dataset never declared", apply: (lab) => { storageOf(lab).nfsExports = [{ dataset: "bulk/movies", vlans: [lab.vlans[1].name] }]; }, line: /nfsExports\/bulk\/movies: dataset referenced but never declared/ },
  { kind: "an NFS export to a VLAN never declared", apply: (lab) => { storageOf(lab).nfsExports = [{ dataset: "bulk/media", vlans: ["dmz"] }]; }, line: /nfsExports\/bulk\/media: VLAN referenced but never declared \(got "dmz"/ },
  { kind: "a snapshot task of a dataset never declared", apply: (lab) => { storageOf(lab).snapshots = [...storageOf(lab).snapshots!, { dataset: "fast/vmz", schedule: Schedule.hourly(), keep: 2 }]; }, line: /snapshots\/fast\/vmz: dataset referenced but never declared/ },
  { kind: "a replicated dataset never declared", apply: (lab) => { storageOf(lab).replication = { ...storageOf(lab).replication!, datasets: ["fast/vm"] }; }, line: /replication: dataset referenced but never declared \(got "fast\/vm"/ },
  { kind: "an offsite dataset never declared", apply: (lab) => { storageOf(lab).offsiteBackup = { bucket: "homelab-offsite", datasets: ["bulk/fotos"], schedule: Schedule.daily({ hour: 1 }), keepLast: 3 }; }, line: /offsiteBackup: dataset referenced but never declared \(got "bulk\/fotos"/ },
  { kind: "a CSI dataset never declared", apply: (lab, p) => { const k = lab.kubernetesStorage!; lab.kubernetesStorage = { ...k, instances: k.instances.map((i, j) => (j === p % 4 ? { ...i, dataset: `${i.dataset}x` } : i)) }; }, line: /kubernetesStorage\/instances\/[^:]+: dataset referenced but never declared/ },
  { kind: "a CSI snapshots dataset never declared", apply: (lab, p) => { const k = lab.kubernetesStorage!; lab.kubernetesStorage = { ...k, instances: k.instances.map((i, j) => (j === p % 4 ? { ...i, snapshotsDataset: "fast/kubernetes/snaps" } : i)) }; }, line: /kubernetesStorage\/instances\/[^:]+: dataset referenced but never declared \(got "fast\/kubernetes\/snaps"/ },
  { kind: "a scrub of a pool never declared", apply: (lab) => { const { fast, ...rest } = storageOf(lab).scrubs; storageOf(lab).scrubs = { ...rest, fsat: fast }; }, line: /scrubs\/fsat: scrub of a pool never declared/ },
  { kind: "a replication target parent on a pool the target lacks", apply: (lab) => { storageOf(lab).replication = { ...storageOf(lab).replication!, targetParent: "tank/replicas" }; }, line: /replication: replication target parent on a pool that [^ ]+ does not have \(got "tank"/ },
  { kind: "a CSI client VLAN never declared", apply: (lab) => { lab.kubernetesStorage = { ...lab.kubernetesStorage!, nfsClientVlans: ["k8s"] }; }, line: /kubernetesStorage\/nfsClientVlans: VLAN referenced but never declared \(got "k8s"/ },
  { kind: "CSI on a TrueNAS role without one", apply: (lab) => { lab.kubernetesStorage = { ...lab.kubernetesStorage!, truenasRole: "secondary" as "backup" }; }, line: /kubernetesStorage: TrueNAS referenced but never declared \(got "secondary"/ },
  // networks
  { kind: "democratic-csi NFS without client VLANs", apply: (lab) => { lab.kubernetesStorage = { ...lab.kubernetesStorage!, nfsClientVlans: [] }; }, line: /kubernetesStorage: democratic-csi's NFS volumes open to everyone: no client VLANs/ },
  { kind: "democratic-csi NFS to a 0.0.0.0/0 VLAN", apply: (lab) => { const name = lab.kubernetesStorage!.nfsClientVlans[0]; lab.vlans = lab.vlans.map((v) => (v.name === name ? { ...v, cidr: "0.0.0.0/0" } : v)); }, line: /kubernetesStorage: democratic-csi's NFS volumes open to everyone through VLAN [^ ]+ \(got "0\.0\.0\.0\/0"/ },
  { kind: "a static NFS export without VLANs", apply: (lab) => { storageOf(lab).nfsExports = [{ dataset: "bulk/media", vlans: [] }]; }, line: /nfsExports\/bulk\/media: NFS share of bulk\/media open to everyone: no client VLANs/ },
  { kind: "a VLAN id out of range", apply: (lab, p) => { const v = vlanOf(lab, p); lab.vlans = lab.vlans.map((x) => (x === v ? { ...x, id: [0, 4095, 1.5, -1][p % 4] } : x)); }, line: /vlans\/[^:]+: VLAN id out of range/ },
  { kind: "a malformed CIDR", apply: (lab, p) => { const v = vlanOf(lab, p); lab.vlans = lab.vlans.map((x) => (x === v ? { ...x, cidr: ["10.10.10/24", "10.10.10.0/33", "300.1.1.0/24", "10.0.0.0"][p % 4] } : x)); }, line: /vlans\/[^:]+: invalid CIDR/ },
  { kind: "a CIDR with host bits set", apply: (lab, p) => { const v = vlanOf(lab, p); lab.vlans = lab.vlans.map((x) => (x === v ? { ...x, cidr: x.cidr.replace(/\.0\//, `.${1 + (p % 254)}/`) } : x)); }, line: /vlans\/[^:]+: CIDR has host bits set/ },
  { kind: "a storage address outside the storage VLAN", apply: (lab) => { storageOf(lab).storageAddress = "10.10.11.5"; }, line: /storageAddress: storage address outside the storage VLAN [^ ]+ \(got "10\.10\.11\.5"; allowed: an address of 10\.10\.10\.0\/24\)/ },
  // uniqueness
  { kind: "a Talos VM id taken by the offline TrueNAS", apply: (lab) => { const c = lab.talosClusters![0]; lab.talosClusters = [{ ...c, workers: { ...c.workers, count: 1, firstVmId: vmOf(lab, "backup").vmId } }]; }, line: /talosClusters\/[^:]+\/workers: vm id \d+ is already used by inventory [^ ]+\/truenasVms\// },
  { kind: "two TrueNAS VMs with one VM id", apply: (lab) => { vmOf(lab, "backup").vmId = vmOf(lab, "primary").vmId; }, line: /truenasVms\/[^:]+: vm id \d+ is already used by/ },
  { kind: "two VLANs with one id", apply: (lab, p) => { const v = vlanOf(lab, 1 + (p % (lab.vlans.length - 1))); lab.vlans = lab.vlans.map((x) => (x === v ? { ...x, id: lab.vlans[0].id } : x)); }, line: /VLAN id already used by/ },
  { kind: "two VLANs with one name", apply: (lab) => { lab.vlans = [...lab.vlans, { ...lab.vlans[1], id: 4000, cidr: "10.200.0.0/16" }]; }, line: /vlans\/[^:]+: VLAN name declared twice/ },
  { kind: "two PCI devices with one name", apply: (lab) => { lab.pciDevices = [...lab.pciDevices, { ...lab.pciDevices[0], path: "0000:99:00.0" }]; }, line: /PCI device declared twice/ },
  { kind: "two PCI devices at one node and address", apply: (lab) => { lab.pciDevices = [...lab.pciDevices, { ...lab.pciDevices[0], name: "another" }]; }, line: /pciDevices\/another: PCI address already mapped by/ },
  { kind: "two TrueNAS VMs with one role", apply: (lab) => { vmOf(lab, "backup").role = "primary"; }, line: /TrueNAS role already taken by/ },
  { kind: "a mapping passed through twice", apply: (lab) => { const vm = vmOf(lab, "primary"); vm.passthrough = [...vm.passthrough, vm.passthrough[0]]; }, line: /passthrough\/2: PCI mapping already passed through by/ },
  { kind: "a CSI instance named twice", apply: (lab) => { const k = lab.kubernetesStorage!; lab.kubernetesStorage = { ...k, instances: [...k.instances, { ...k.instances[1], isDefault: false, dataset: "bulk/media", snapshotsDataset: "bulk/photos" }] }; }, line: /CSI instance declared twice/ },
  { kind: "a pool name on two TrueNAS VMs", apply: (lab) => { const b = storageOf(lab, "backup"); b.pools = [{ ...b.pools[0], name: "fast" }]; b.datasets = [{ ...b.datasets[0], fullPath: "fast/replicas" }]; b.scrubs = { fast: b.scrubs.backup }; storageOf(lab).replication = { ...storageOf(lab).replication!, targetParent: "fast/replicas" }; }, line: /pools\/fast: pool name already used by/ },
  // hosts and VMs
  { kind: "nothing to synthesize", apply: (lab) => { lab.truenasVms = []; lab.talosClusters = []; lab.kubernetesStorage = undefined; }, line: /^inventory [^/ ]+: nothing to synthesize/ },
  { kind: "a passthrough of another host's device", apply: (lab) => { const vm = vmOf(lab, "primary"); vm.passthrough = [...vm.passthrough, ...vmOf(lab, "backup").passthrough]; vmOf(lab, "backup").passthrough = []; }, line: /passthrough\/2: PCI mapping [^ ]+ is a device of host grogu, not of din/ },
  // storage
  { kind: "replication to an offline host without the gate", apply: (lab) => { lab.hosts = lab.hosts.map((h) => ({ ...h, online: h.nodeName === "din" })); storageOf(lab).replication = { ...storageOf(lab).replication!, whenTargetOffline: undefined }; }, line: /replication: replication target host grogu is offline/ },
  { kind: "a replicated dataset without snapshots", apply: (lab) => { storageOf(lab).snapshots = []; }, line: /replication: replicated dataset has no snapshot task/ },
  { kind: "a pool without a scrub", apply: (lab) => { const { bulk: _b, ...rest } = storageOf(lab).scrubs; storageOf(lab).scrubs = rest; }, line: /scrubs: pool bulk has no scrub schedule/ },
  // CSI
  { kind: "an iSCSI instance on a TrueNAS without iSCSI", apply: (lab) => { storageOf(lab).iscsi = false; }, line: /instances\/[^:]+: iSCSI instance on [^ ]+, which serves no iSCSI/ },
  { kind: "two default StorageClasses", apply: (lab) => { const k = lab.kubernetesStorage!; lab.kubernetesStorage = { ...k, instances: k.instances.map((i) => ({ ...i, isDefault: true })) }; }, line: /a second default StorageClass/ },
  { kind: "two CSI instances on overlapping datasets", apply: (lab) => { const k = lab.kubernetesStorage!; lab.kubernetesStorage = { ...k, instances: k.instances.map((i, j) => (j === 3 ? { ...i, dataset: k.instances[2].dataset.split("/").slice(0, 2).join("/") } : i)) }; }, line: /dataset overlaps one of/ },
  // sizes
  { kind: "a negative, NaN or fractional size", apply: (lab, p) => {
    const bad = [Size.gibibytes(-1), Size.bytes(NaN), Size.bytes(1.5), Size.tebibytes(-0.5), Size.kibibytes(0.0001)][p % 5];
    if (p % 3 === 0) vmOf(lab, "primary").memory = bad;
    else if (p % 3 === 1) storageOf(lab).datasets = storageOf(lab).datasets.map((d, i) => (i === 1 ? { ...d, quota: bad } : d));
    else { const pool = storageOf(lab).pools[1]; storageOf(lab).pools = [{ ...pool, layout: { ...pool.layout, vdevs: [{ type: "raidz2", disks: [...pool.layout.vdevs[0].disks.slice(1), bad] }] } }, ...storageOf(lab).pools.filter((x) => x !== pool)]; }
  }, line: /: invalid size: .* \(got Size\.\w+\(/ },
  { kind: "a quota of 2^53 bytes or more", apply: (lab, p) => { storageOf(lab).datasets = storageOf(lab).datasets.map((d, i) => (i === 0 ? { ...d, quota: Size.bytes((1n << 53n) + BigInt(p)) } : d)); }, line: /\/quota: quota too large for Terraform's JSON/ },
  // schedules
  { kind: "a cron field out of range", apply: (lab, p) => {
    const s = storageOf(lab);
    if (p % 3 === 0) s.snapshots = s.snapshots!.map((x, i) => (i === 0 ? { ...x, schedule: Schedule.cron({ minute: 0, hour: 27 }) } : x));
    else if (p % 3 === 1) s.scrubs = { ...s.scrubs, fast: Schedule.weekly({ dayOfWeek: 9, hour: 2 }) };
    else s.offsiteBackup = { bucket: "homelab-offsite", datasets: ["bulk/photos"], schedule: Schedule.daily({ hour: 24 }), keepLast: 3 };
  }, line: /(schedule|scrubs\/fast): (hour 27|day of week 9|hour 24) out of range in Schedule\.(cron|weekly|daily) / },
  // secrets
  ...SECRETS.map((secret, n): Mutation => ({
    kind: `a credential in the inventory (${n + 1})`,
    apply: (lab, p) => {
      if (p % 4 === 0) storageOf(lab).datasets = storageOf(lab).datasets.map((d, i) => (i === 2 ? { ...d, purpose: secret } : d));
      else if (p % 4 === 1) lab.pciDevices = lab.pciDevices.map((d, i) => (i === 0 ? { ...d, description: `HBA ${secret}` } : d));
      else if (p % 4 === 2) lab.hosts = lab.hosts.map((h) => ({ ...h, hardware: secret }));
      else storageOf(lab).alerts = { ...storageOf(lab).alerts!, smtpUser: secret };
    },
    line: /: a credential in the inventory, .* \(got <redacted: looks like [^>]+>;/,
    never: () => secret,
  })),
];
