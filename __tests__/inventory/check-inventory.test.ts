import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Size } from "../../capacity";
import { InvalidInputError } from "../../constructs/errors";
import { Schedule } from "../../constructs/schedule";
import { checkInventory } from "../../inventory/check-inventory";
import { homelab } from "../../inventory/homelab";
import { srv01Homelab } from "../../inventory/srv01";
import type { Homelab } from "../../inventory/types";
import { Testing } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import { copyOf, storageOf, synthError, vmOf } from "./mutations";

type Edit = (lab: any) => void;

/** The shipped homelab with one edit, checked: the whole refusal ("" when accepted). */
function refusal(edit: Edit): string {
  const lab = copyOf(homelab);
  edit(lab);
  try {
    checkInventory(lab);
    return "";
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as Error).message;
  }
}

const vlan = (lab: Homelab, name: string) => lab.vlans.find((v) => v.name === name) as any;
const ALLOWED_VLANS = "management, storage, lan, k8s-shared, k8s-prod, k8s-test";
const FAST_DATASETS = "fast/kubernetes, fast/kubernetes/iscsi-zvols, fast/kubernetes/iscsi-snapshots, fast/kubernetes/nfs-dynamic, fast/kubernetes/nfs-snapshots, fast/kubernetes/nfs-static, fast/vms, fast/ml-models";
const BULK_DATASETS = "bulk/kubernetes, bulk/kubernetes/nfs-dynamic, bulk/kubernetes/nfs-snapshots, bulk/media, bulk/photos, bulk/signoz-cold, bulk/backups, bulk/backups/forgejo, bulk/archive";

describe("checkInventory: one home for the inventory's rules", () => {
  test("the shipped inventories pass, without warnings", () => {
    expect(checkInventory(homelab).warnings).toEqual([]);
    expect(checkInventory(srv01Homelab).warnings).toEqual([]);
    // The index the app builds from: the same inventory, its names mapped once.
    expect(checkInventory(homelab).facts.lab).toBe(homelab);
    expect([...checkInventory(homelab).facts.vlans.keys()]).toEqual(homelab.vlans.map((v) => v.name));
  });

  // Issue 10's list of what was accepted although wrong, or crashed: each refused, naming the inventory entry.
  test.each<[string, Edit, string]>([
    ["democratic-csi NFS without client VLANs (TrueNAS reads an empty list as everyone)", (lab) => { lab.kubernetesStorage.nfsClientVlans = []; },
      `inventory homelab/kubernetesStorage: democratic-csi's NFS volumes open to everyone: no client VLANs (TrueNAS exports an empty list to every host) (got []; allowed: the VLANs (by name) whose hosts mount them, e.g. ${ALLOWED_VLANS})`],
    ["democratic-csi NFS to a 0.0.0.0/0 client VLAN", (lab) => { vlan(lab, "k8s-test").cidr = "0.0.0.0/0"; },
      `inventory homelab/kubernetesStorage: democratic-csi's NFS volumes open to everyone through VLAN k8s-test (got "0.0.0.0/0"; allowed: VLANs with a prefix of /8 or longer (the networks that need the share))`],
    ["a Talos VM taking the offline backup TrueNAS's VM id", (lab) => { lab.talosClusters[0].workers.firstVmId = 301; },
      "inventory homelab/talosClusters/test/workers: vm id 301 is already used by inventory homelab/truenasVms/truenas-backup (got firstVmId 301, ids 301..302; allowed: ids unique across the homelab, offline hosts and every Talos VM included)"],
    ["two VLANs with the same id", (lab) => { vlan(lab, "k8s-test").id = 31; },
      "inventory homelab/vlans/k8s-test: VLAN id already used by inventory homelab/vlans/k8s-prod (got 31; allowed: one VLAN per id)"],
    ["two VLANs with the same name", (lab) => { lab.vlans.push({ name: "k8s-prod", id: 33, cidr: "10.0.4.0/24", purpose: "second prod" }); },
      `inventory homelab/vlans/k8s-prod: VLAN name declared twice (got "k8s-prod"; allowed: unique VLAN names)`],
    ["a VLAN id out of range", (lab) => { vlan(lab, "lan").id = 4095; },
      "inventory homelab/vlans/lan: VLAN id out of range (got 4095; allowed: integers 1..4094 (802.1Q))"],
    ["a malformed CIDR on a VLAN nothing uses", (lab) => { vlan(lab, "management").cidr = "10.10.1.0/33"; },
      `inventory homelab/vlans/management: invalid CIDR (got "10.10.1.0/33"; allowed: an IPv4 network in CIDR notation, e.g. 10.10.10.0/24)`],
    ["a CIDR with host bits set", (lab) => { vlan(lab, "storage").cidr = "10.10.10.5/24"; },
      `inventory homelab/vlans/storage: CIDR has host bits set (got "10.10.10.5/24"; allowed: the network address, 10.10.10.0/24)`],
    ["two PCI devices with the same name", (lab) => { lab.pciDevices.push({ ...lab.pciDevices[2], path: "0000:05:00.0" }); },
      `inventory homelab/pciDevices/grogu-hba-md1200: PCI device declared twice (got "grogu-hba-md1200"; allowed: unique mapping names)`],
    ["two PCI devices at the same node and address", (lab) => { lab.pciDevices.push({ ...lab.pciDevices[0], name: "din-hba-front" }); },
      `inventory homelab/pciDevices/din-hba-front: PCI address already mapped by inventory homelab/pciDevices/din-hba-internal (got "din 0000:03:00.0"; allowed: one mapping per device (node and PCI address))`],
    ["a storage address outside the storage VLAN (the VLAN named storage)", (lab) => { storageOf(lab, "backup").storageAddress = "10.10.20.6"; },
      `inventory homelab/truenasVms/truenas-backup/storage/storageAddress: storage address outside the storage VLAN storage (got "10.10.20.6"; allowed: an address of 10.10.10.0/24)`],
    ["cron fields out of range (hour 27, day of week 9)", (lab) => {
      const s = storageOf(lab);
      s.scrubs = { ...s.scrubs, fast: Schedule.weekly({ dayOfWeek: 9, hour: 2 }) };
      s.snapshots = s.snapshots!.map((x, i) => (i === 1 ? { ...x, schedule: Schedule.cron({ minute: 0, hour: "*/4,27" }) } : x));
    }, [
      `inventory homelab/truenasVms/truenas-primary/storage/snapshots/fast/vms/schedule: hour 27 out of range in Schedule.cron (got "*/4,27"; allowed: 0-23)`,
      "inventory homelab/truenasVms/truenas-primary/storage/scrubs/fast: day of week 9 out of range in Schedule.weekly (got 9; allowed: 0-7 (0 and 7 = Sunday))",
    ].join("\n")],
    ["a replication target parent on a pool the target does not have", (lab) => { storageOf(lab).replication = { ...storageOf(lab).replication!, targetParent: "tank/replicas" }; },
      `inventory homelab/truenasVms/truenas-primary/storage/replication: replication target parent on a pool that truenas-backup does not have (got "tank"; allowed: a dataset on a pool of truenas-backup (backup))`],
    ["two TrueNAS VMs with the same role", (lab) => { vmOf(lab, "backup").role = "primary"; }, [
      `inventory homelab/truenasVms/truenas-primary/storage/replication: replication target referenced but never declared (got "backup"; allowed: the role of a TrueNAS VM with storage (primary))`,
      `inventory homelab/truenasVms/truenas-backup: TrueNAS role already taken by inventory homelab/truenasVms/truenas-primary (got "primary" (the stack prod-storage); allowed: one TrueNAS VM per role (primary, backup): each role is one stack)`,
    ].join("\n")],
    ["an inventory with nothing to synthesize", (lab) => { lab.truenasVms = []; lab.talosClusters = []; lab.kubernetesStorage = undefined; },
      "inventory homelab: nothing to synthesize: no TrueNAS VM and no Talos cluster (got no truenasVms, no talosClusters; allowed: at least one entry in truenasVms or talosClusters)"],
    ["a mapping passed through twice", (lab) => { vmOf(lab, "primary").passthrough = [...vmOf(lab, "primary").passthrough, { mapping: "din-hba-md1220" }]; },
      `inventory homelab/truenasVms/truenas-primary/passthrough/2: PCI mapping already passed through by inventory homelab/truenasVms/truenas-primary/passthrough/1 (got "din-hba-md1220"; allowed: each mapping passed through once, to one VM)`],
    ["a CSI instance named twice", (lab) => { lab.kubernetesStorage.instances.push({ ...lab.kubernetesStorage.instances[3], dataset: "scratch/temp", snapshotsDataset: "scratch/downloads" }); },
      `inventory homelab/kubernetesStorage/instances/truenas-nfs-scratch: CSI instance declared twice (got "truenas-nfs-scratch"; allowed: unique instance names (Helm release and StorageClass names))`],
    ["negative, NaN and fractional sizes, a quota of 2^53 bytes", (lab) => {
      vmOf(lab, "primary").memory = Size.gibibytes(-1);
      const quotas: Record<string, Size> = { "bulk/media": Size.tebibytes(NaN), "bulk/photos": Size.bytes(0.5), "bulk/archive": Size.tebibytes(8192) };
      storageOf(lab).datasets = storageOf(lab).datasets.map((d) => (quotas[d.fullPath] ? { ...d, quota: quotas[d.fullPath] } : d));
    }, [
      "inventory homelab/truenasVms/truenas-primary/memory: invalid size: a size cannot be negative (got Size.gibibytes(-1); allowed: a non-negative amount of gibibytes that is a whole number of bytes)",
      "inventory homelab/truenasVms/truenas-primary/storage/datasets/bulk/media/quota: invalid size: not a number (got Size.tebibytes(NaN); allowed: a non-negative amount of tebibytes that is a whole number of bytes)",
      "inventory homelab/truenasVms/truenas-primary/storage/datasets/bulk/photos/quota: invalid size: not a whole number of bytes (got Size.bytes(0.5); allowed: a non-negative whole number of bytes)",
      "inventory homelab/truenasVms/truenas-primary/storage/datasets/bulk/archive/quota: quota too large for Terraform's JSON (a number, exact only below 2^53 bytes) (got 9007.199 TB (8192.000 TiB); allowed: less than 8 PiB (9,007,199,254,740,992 bytes), or no quota)",
    ].join("\n")],
    ["an iSCSI instance on a TrueNAS that serves no iSCSI", (lab) => { storageOf(lab).iscsi = false; },
      `inventory homelab/kubernetesStorage/instances/truenas-iscsi-fast: iSCSI instance on truenas-primary, which serves no iSCSI (got "iscsi"; allowed: protocol "nfs", or iscsi: true in inventory homelab/truenasVms/truenas-primary/storage)`],
    ["datasets of snapshots, replication and offsite backup never declared", (lab) => {
      const s = storageOf(lab);
      s.snapshots = [...s.snapshots!, { dataset: "fast/vm", schedule: Schedule.hourly(), keep: 3 }];
      s.offsiteBackup = { ...s.offsiteBackup!, datasets: ["bulk/photo"] };
      s.replication = { ...s.replication!, datasets: [...s.replication!.datasets, "bulk/foto"] };
    }, [
      `inventory homelab/truenasVms/truenas-primary/storage/snapshots/fast/vm: dataset referenced but never declared (got "fast/vm"; allowed: ${FAST_DATASETS})`,
      `inventory homelab/truenasVms/truenas-primary/storage/offsiteBackup: dataset referenced but never declared (got "bulk/photo"; allowed: ${BULK_DATASETS})`,
      `inventory homelab/truenasVms/truenas-primary/storage/replication: dataset referenced but never declared (got "bulk/foto"; allowed: ${BULK_DATASETS})`,
    ].join("\n")],
    ["a scrub of a pool never declared", (lab) => { const { scratch, ...rest } = storageOf(lab).scrubs; storageOf(lab).scrubs = { ...rest, scrach: scratch }; }, [
      `inventory homelab/truenasVms/truenas-primary/storage/scrubs/scrach: scrub of a pool never declared (got "scrach"; allowed: fast, bulk, scratch)`,
      `inventory homelab/truenasVms/truenas-primary/storage/scrubs: pool scratch has no scrub schedule (got "scratch"; allowed: a weekly scrub for every pool (staggered: two pools never scrub at once))`,
    ].join("\n")],
    ["a passed-through device of another host", (lab) => { vmOf(lab, "primary").passthrough = [{ mapping: "din-hba-internal" }, { mapping: "grogu-hba-md1200" }]; vmOf(lab, "backup").passthrough = [{ mapping: "din-hba-md1220" }]; }, [
      `inventory homelab/truenasVms/truenas-primary/passthrough/1: PCI mapping grogu-hba-md1200 is a device of host grogu, not of din where the VM runs (got "grogu-hba-md1200"; allowed: a PCI device of din (nodeName: "din" in pciDevices), or the VM on grogu)`,
      `inventory homelab/truenasVms/truenas-backup/passthrough/0: PCI mapping din-hba-md1220 is a device of host din, not of grogu where the VM runs (got "din-hba-md1220"; allowed: a PCI device of grogu (nodeName: "grogu" in pciDevices), or the VM on din)`,
    ].join("\n")],
  ])("refuses %s", (_name, edit, message) => {
    expect(refusal(edit)).toBe(message);
  });

  test("every problem at once, each once, in one block", () => {
    const message = refusal((lab) => {
      vmOf(lab, "primary").nics = [{ bridge: "vmbr0", vlan: "dmz" }, { bridge: "vmbr0", vlan: "dmz" }];
      vlan(lab, "lan").id = 0;
      lab.talosClusters[0].controlPlane.firstVmId = 300;
    });
    expect(message.split("\n")).toEqual([
      `inventory homelab/truenasVms/truenas-primary/nics/0: VLAN referenced but never declared (got "dmz"; allowed: ${ALLOWED_VLANS})`,
      `inventory homelab/truenasVms/truenas-primary/nics/1: VLAN referenced but never declared (got "dmz"; allowed: ${ALLOWED_VLANS})`,
      "inventory homelab/talosClusters/test/controlPlane: vm id 300 is already used by inventory homelab/truenasVms/truenas-primary (got firstVmId 300, ids 300..302; allowed: ids unique across the homelab, offline hosts and every Talos VM included)",
      "inventory homelab/talosClusters/test/controlPlane: vm id 301 is already used by inventory homelab/truenasVms/truenas-backup (got firstVmId 300, ids 300..302; allowed: ids unique across the homelab, offline hosts and every Talos VM included)",
      "inventory homelab/vlans/lan: VLAN id out of range (got 0; allowed: integers 1..4094 (802.1Q))",
    ]);
  });

  test("a vdev mixing disk sizes is a warning, with the bytes lost, in synth's notes", () => {
    const lab = copyOf(homelab);
    const s = storageOf(lab);
    // One 8 TB disk replaced by a 10 TB one: the pool keeps its size, the 10 TB disk loses ~2 TB.
    s.pools = s.pools.map((p) => (p.name === "bulk" ? { ...p, layout: { ...p.layout, vdevs: [{ type: "raidz2" as const, disks: [...p.layout.vdevs[0].disks.slice(0, 5), Size.terabytes(10)] }] } } : p));
    const warning = "inventory homelab/truenasVms/truenas-primary/storage/pools/bulk/layout/vdevs/0: raidz2 vdev mixes disk sizes: ZFS uses every disk as if it were the smallest, so 1,998,436,958,208 bytes, 1.998 TB (1.818 TiB), of its disks are never used (got 5 x 8.002 TB, 1 x 10.000 TB; allowed: disks of one size per vdev (or accept the loss))";
    expect(checkInventory(lab).warnings).toEqual([warning]);
    expect(buildHomelab(Testing.app(), lab).notes).toContain(warning);
  });

  test("what crashed in the constructs library (a mapping or CSI instance twice) is refused before any construct, writing nothing", () => {
    for (const edit of [
      (lab: any) => { vmOf(lab, "primary").passthrough = [...vmOf(lab, "primary").passthrough, vmOf(lab, "primary").passthrough[0]]; },
      (lab: any) => { lab.kubernetesStorage.instances.push({ ...lab.kubernetesStorage.instances[3], dataset: "scratch/temp", snapshotsDataset: "scratch/downloads" }); },
      (lab: any) => { lab.talosClusters.push({ ...lab.talosClusters[0], controlPlane: { ...lab.talosClusters[0].controlPlane, firstVmId: 3301 }, workers: { ...lab.talosClusters[0].workers, firstVmId: 3311 } }); },
    ]) {
      const lab = copyOf(homelab);
      edit(lab);
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-check-"));
      const error = synthError(lab, outdir);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).not.toContain("There is already a Construct");
      expect(fs.readdirSync(outdir, { recursive: true }).filter((f) => fs.statSync(path.join(outdir, f.toString())).isFile())).toEqual([]);
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("bad sizes and schedules do not throw while the inventory module loads: the checker names them", () => {
    expect(() => [Size.gibibytes(-1), Size.bytes(NaN), Size.bytes(0.5), Schedule.weekly({ dayOfWeek: 9, hour: 27 })]).not.toThrow();
    expect(Size.gibibytes(-1).isValid()).toBe(false);
    expect(() => Size.gibibytes(-1).bytes).toThrow("Size.gibibytes: a size cannot be negative (got -1; allowed: a non-negative amount of gibibytes that is a whole number of bytes)");
    expect(() => Schedule.daily({ hour: 27 }).toTrueNAS()).toThrow("Schedule.daily: hour 27 out of range (got 27; allowed: 0-23)");
  });

  test("a value of the wrong type (synth runs without a type check) is refused, not a crash", () => {
    expect(refusal((lab) => { (vmOf(lab, "primary") as any).memory = 32; storageOf(lab).scrubs = { ...storageOf(lab).scrubs, fast: "weekly" as never }; })).toBe([
      "inventory homelab/truenasVms/truenas-primary/memory: not a Size (got 32; allowed: a Size, e.g. Size.gibibytes(32) or Size.bytes(900_185_481_216n))",
      `inventory homelab/truenasVms/truenas-primary/storage/scrubs/fast: not a Schedule (got "weekly"; allowed: ${Schedule.FACTORIES})`,
    ].join("\n"));
  });

  describe("linear in the size of the inventory", () => {
    /** The shipped homelab with k times more VLANs, PCI devices, datasets, exports, snapshot tasks, Talos clusters and CSI instances: valid. */
    function scaled(k: number): Homelab {
      const lab = copyOf(homelab) as any;
      const n = (m: number) => Array.from({ length: m * k }, (_, i) => i);
      lab.vlans.push(...n(6).map((i) => ({ name: `v${i}`, id: 100 + i, cidr: `10.${100 + (i >> 8)}.${i & 255}.0/24`, purpose: `vlan ${i}` })));
      lab.pciDevices.push(...n(3).map((i) => ({ ...lab.pciDevices[0], name: `dev${i}`, path: `0000:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}.1` })));
      const s = storageOf(lab);
      s.datasets = [...s.datasets, ...n(24).map((i) => ({ fullPath: `bulk/archive/d${i}`, purpose: `dataset ${i}`, quota: Size.gibibytes(1) }))];
      s.nfsExports = [...s.nfsExports!, ...n(4).map((i) => ({ dataset: `bulk/archive/d${16 * k + i}`, vlans: [`v${i}`] }))];
      s.snapshots = [...s.snapshots!, ...n(3).map((i) => ({ dataset: `bulk/archive/d${20 * k + i}`, schedule: Schedule.hourly(), keep: 2 }))];
      lab.talosClusters.push(...n(1).map((i) => ({ ...lab.talosClusters[0], clusterName: `c${i}`, controlPlane: { ...lab.talosClusters[0].controlPlane, firstVmId: 10_000 + 10 * i }, workers: { ...lab.talosClusters[0].workers, firstVmId: 10_005 + 10 * i } })));
      lab.kubernetesStorage.instances.push(...n(4).map((i) => ({ name: `csi-${i}`, protocol: "nfs", dataset: `bulk/archive/d${2 * i}`, snapshotsDataset: `bulk/archive/d${2 * i + 1}` })));
      return lab;
    }
    const best = (lab: Homelab) => Math.min(...Array.from({ length: 7 }, () => {
      const t = process.hrtime.bigint();
      checkInventory(lab);
      return Number(process.hrtime.bigint() - t);
    }));

    test("10x and 100x inventories are valid, and 100x costs about 10 times 10x (not 100)", () => {
      const [ten, hundred] = [scaled(10), scaled(100)];
      expect(checkInventory(ten).warnings).toEqual([]);
      expect(checkInventory(hundred).warnings).toEqual([]);
      const ratio = best(hundred) / best(ten);
      // Linear is 10, quadratic 100; the margin absorbs a loaded machine (min of 7 runs each).
      expect(ratio).toBeLessThan(40);
    });
  });
});
