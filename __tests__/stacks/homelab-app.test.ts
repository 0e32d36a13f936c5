import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { homelab } from "../../inventory/homelab";
import { srv01Homelab } from "../../inventory/srv01";
import type { Homelab } from "../../inventory/types";
import { App, Testing } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import type { StorageStack } from "../../stacks/storage-stack";
import { jsonOf, synth } from "../helpers";

const withGroguOnline: Homelab = { ...homelab, hosts: homelab.hosts.map((h) => ({ ...h, online: true })) };

describe("the homelab app", () => {
  test("grogu is offline: prod-backup is skipped with the reason, the others are built", () => {
    const { stacks, skipped } = buildHomelab(Testing.app(), homelab);
    expect(stacks.map((s) => s.node.id)).toEqual(["prod-storage", "dev-compute", "prod-k8s-storage"]);
    expect(skipped).toEqual([{
      stack: "prod-backup",
      reason: "host grogu is offline (awaiting the MikroTik switch (architecture review, 2026-02-05)); set online: true for it in the inventory to synthesize this stack",
    }]);
  });

  test("grogu online: prod-backup builds the backup TrueNAS (VMID 301) with the MD1200 HBA", () => {
    const { stacks, skipped } = buildHomelab(Testing.app(), withGroguOnline);
    expect(skipped).toEqual([]);
    const backup = stacks.find((s) => s.node.id === "prod-backup") as StorageStack;
    const vm = jsonOf(synth(backup), backup.truenas.resource);
    expect(vm).toMatchObject({ node_name: "grogu", vm_id: 301, protection: true, lifecycle: { prevent_destroy: true } });
    expect(backup.truenas.hostpci).toEqual(new Map([[0, "grogu-hba-md1200"]]));
    // The replication target runs SSH; it serves no NFS or iSCSI.
    expect((Object.values(synth(backup).resource!.truenas_service) as any[]).map((s) => s.name)).toEqual(["ssh"]);
    // ...and prod-storage's replication, held while grogu was offline, is now synthesized.
    const primary = stacks.find((s) => s.node.id === "prod-storage") as StorageStack;
    const json = synth(primary);
    const tasks = Object.values(json.resource!.truenas_replication_task) as any[];
    expect(tasks.map((t) => t.target_dataset).sort()).toEqual(["backup/replicas/kubernetes", "backup/replicas/photos", "backup/replicas/vms"]);
    expect(Object.values(json.resource!.truenas_keychain_ssh_connection)).toEqual([expect.objectContaining({ host: "10.10.10.6", remote_host_key: "${var.replication_target_host_key}" })]);
    expect(primary.storage!.replicationHeld).toBeUndefined();
  });

  test("the second homelab (srv01) synthesizes with the same constructs: one HBA, NIC1 and NIC2 passed through", () => {
    const { stacks } = buildHomelab(Testing.app(), srv01Homelab);
    expect(stacks.map((s) => s.node.id)).toEqual(["prod-storage"]);
    const stack = stacks[0] as StorageStack;
    const vm = jsonOf(synth(stack), stack.truenas.resource);
    expect(vm.node_name).toBe("srv01");
    expect(vm.network_device).toEqual([]);
    expect(vm.hostpci.map((h: any) => [h.device, h.rombar])).toEqual([["hostpci0", false], ["hostpci1", true], ["hostpci2", true]]);
    expect(stack.truenas.hostpci).toEqual(new Map([[0, "HBA"], [1, "NIC1"], [2, "NIC2"]]));
    expect(vm).toMatchObject({ memory: { dedicated: 32768, floating: 0 }, cpu: { cores: 6, type: "host" }, machine: "q35" });
  });

  test("prod-k8s-storage: the inventory's four instances on prod-storage's datasets, NFS exports limited to the client VLANs", () => {
    const { stacks } = buildHomelab(Testing.app(), homelab);
    const json = synth(stacks.find((s) => s.node.id === "prod-k8s-storage")!);
    const releases = Object.values(json.resource!.helm_release) as any[];
    const classes = releases.filter((r) => r.values).map((r) => JSON.parse(r.values[0]).storageClasses[0]);
    expect(classes.map((c) => [c.name, c.reclaimPolicy, c.defaultClass, c.parameters.fsType, c.annotations["homelab-cdktf/dataset-parent"]]).sort()).toEqual([
      ["truenas-iscsi-fast", "Retain", false, "xfs", "fast/kubernetes/iscsi-zvols"],
      ["truenas-nfs-bulk", "Retain", false, "nfs", "bulk/kubernetes/nfs-dynamic"],
      ["truenas-nfs-fast", "Delete", true, "nfs", "fast/kubernetes/nfs-dynamic"],
      ["truenas-nfs-scratch", "Delete", false, "nfs", "scratch/kubernetes/nfs-dynamic"],
    ]);
    const nfsConfigs = (Object.values(json.resource!.kubernetes_secret_v1) as any[]).map((s) => s.data_wo["driver-config-file.yaml"] as string).filter((c) => c.includes("freenas-api-nfs"));
    expect(nfsConfigs).toHaveLength(3);
    for (const c of nfsConfigs) expect(c).toContain(`"shareAllowedNetworks" = ["10.10.10.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]`);
  });

  describe("nothing holding data or serving clients is destroyed by an edit to the inventory", () => {
    const recorded = buildHomelab(Testing.app(), homelab).ledger;
    const [primary, backup] = homelab.truenasVms;
    const without = (path: string) => ({ ...primary.storage!, datasets: primary.storage!.datasets.filter((d) => d.fullPath !== path) });
    const withStorage = (storage: NonNullable<typeof primary.storage>): Homelab => ({
      ...homelab,
      truenasVms: [{ ...primary, storage }, backup],
      // No iSCSI: no iSCSI CSI instance either (the inventory rules refuse one).
      kubernetesStorage: storage.iscsi ? homelab.kubernetesStorage : { ...homelab.kubernetesStorage!, instances: homelab.kubernetesStorage!.instances.filter((i) => i.protocol !== "iscsi") },
    });

    test("the ledger lists every holder with its address: datasets, services, shares, portal, tasks, VMs, offline hosts included", () => {
      expect(recorded["prod-storage: dataset bulk/photos"]).toEqual({ address: "truenas_dataset.bulk--photos" });
      expect(recorded["prod-backup: dataset backup/replicas"]).toEqual({ address: "truenas_dataset.backup--replicas" });
      expect(recorded["prod-storage: service nfs"]).toEqual({ address: "truenas_service.nfs" });
      expect(recorded["prod-storage: service iscsitarget"]).toEqual({ address: "truenas_service.iscsitarget" });
      expect(recorded["prod-backup: service ssh"]).toEqual({ address: "truenas_service.ssh" });
      expect(recorded["prod-storage: nfs-export bulk/media"]).toEqual({ address: "truenas_nfs_share.bulk--media" });
      expect(recorded["prod-storage: iscsi-portal"]).toEqual({ address: "truenas_iscsi_portal.iscsi" });
      expect(recorded["prod-storage: iscsi-initiator-group"]).toEqual({ address: "truenas_iscsi_initiator.iscsi" });
      expect(recorded["prod-storage: snapshot-task fast/vms"]).toEqual({ address: "truenas_periodic_snapshot_task.fast--vms" });
      expect(recorded["prod-storage: offsite-task bulk/photos"]).toEqual({ address: "truenas_cloud_backup.bulk--photos" });
      expect(recorded["prod-storage: vm truenas-primary"]).toEqual({ address: "proxmox_virtual_environment_vm.truenas-primary" });
      expect(Object.keys(recorded).filter((h) => h.startsWith("prod-storage: dataset"))).toHaveLength(23);
      // Scrub tasks are held without their ids, replication while grogu is offline: not in the ledger.
      expect(Object.keys(recorded).filter((h) => /scrub-task|replication-task/.test(h))).toEqual([]);
    });

    test("a renamed dataset is refused at synth (the old one would be destroyed), naming every vanished one", () => {
      const renamed = withStorage({ ...primary.storage!, datasets: primary.storage!.datasets.map((d) => (d.fullPath === "bulk/archive" ? { ...d, fullPath: "bulk/cold-archive" } : d)) });
      expect(() => buildHomelab(Testing.app(), renamed, { ledger: recorded })).toThrow(
          `prod-storage: dataset bulk/archive is in the ledger but no longer in the inventory; the next apply would destroy it and its data (got "dataset bulk/archive"; allowed: keep it in the inventory, or add "dataset bulk/archive" to that TrueNAS's storage.retired: Terraform then forgets it and it stays on TrueNAS)`,
      );
    });

    test("removing a service, a share or a task is refused too: the apply would stop what it serves", () => {
      const noShares = withStorage({
        ...primary.storage!,
        nfsExports: primary.storage!.nfsExports!.filter((e) => e.dataset !== "bulk/media"),
        iscsi: false,
        snapshots: primary.storage!.snapshots!.filter((t) => t.dataset !== "bulk/photos"),
        replication: { ...primary.storage!.replication!, datasets: primary.storage!.replication!.datasets.filter((d) => d !== "bulk/photos") },
      });
      const problems = (() => { try { buildHomelab(Testing.app(), noShares, { ledger: recorded }); return ""; } catch (e) { return (e as Error).message; } })();
      expect(problems).toContain(`prod-storage: nfs-export bulk/media is in the ledger but no longer in the inventory; the next apply would delete it on TrueNAS, and stop what it serves (got "nfs-export bulk/media"; allowed: keep it in the inventory, or add "nfs-export bulk/media" to that TrueNAS's storage.retired`);
      expect(problems).toContain(`prod-storage: service iscsitarget is in the ledger but no longer in the inventory`);
      expect(problems).toContain(`prod-storage: iscsi-portal is in the ledger but no longer in the inventory`);
      expect(problems).toContain(`prod-storage: snapshot-task bulk/photos is in the ledger but no longer in the inventory`);
    });

    test("a retired dataset is forgotten by Terraform (a removed block), never destroyed, and stays in the ledger as retired", () => {
      const retired = withStorage({ ...without("bulk/archive"), retired: ["dataset bulk/archive"] });
      const built = buildHomelab(Testing.app(), retired, { ledger: recorded });
      expect(built.ledger["prod-storage: dataset bulk/archive"]).toEqual({ address: "truenas_dataset.bulk--archive", retired: true });
      const json = synth(built.stacks[0]) as any;
      expect(json.removed).toContainEqual({ from: "truenas_dataset.bulk--archive", lifecycle: { destroy: false } });
      expect(json.resource.truenas_dataset["bulk--archive"]).toBeUndefined();

      // The retired line deleted from the inventory before the apply: the ledger still forgets it.
      const later = buildHomelab(Testing.app(), withStorage(without("bulk/archive")), { ledger: built.ledger });
      expect(later.ledger["prod-storage: dataset bulk/archive"]).toEqual({ address: "truenas_dataset.bulk--archive", retired: true });
      expect((synth(later.stacks[0]) as any).removed).toContainEqual({ from: "truenas_dataset.bulk--archive", lifecycle: { destroy: false } });
    });

    test("a retired service is forgotten, not stopped", () => {
      const built = buildHomelab(Testing.app(), withStorage({ ...primary.storage!, iscsi: false, retired: ["service iscsitarget", "iscsi-portal", "iscsi-initiator-group"] }), { ledger: recorded });
      const json = synth(built.stacks[0]) as any;
      expect(json.removed).toEqual(expect.arrayContaining([
        { from: "truenas_service.iscsitarget", lifecycle: { destroy: false } },
        { from: "truenas_iscsi_portal.iscsi", lifecycle: { destroy: false } },
        { from: "truenas_iscsi_initiator.iscsi", lifecycle: { destroy: false } },
      ]));
      expect(json.resource.truenas_service.iscsitarget).toBeUndefined();
    });

    test("retiring what is still declared, or what the ledger never recorded, is refused", () => {
      expect(() => buildHomelab(Testing.app(), withStorage({ ...primary.storage!, retired: ["dataset bulk/archive"] }), { ledger: recorded })).toThrow(
        `inventory homelab/truenasVms/truenas-primary/storage/retired: dataset bulk/archive is both declared and retired (got "dataset bulk/archive"; allowed: one of the two)`,
      );
      expect(() => buildHomelab(Testing.app(), withStorage({ ...primary.storage!, retired: ["dataset bulk/typo"] }), { ledger: recorded })).toThrow(
        `inventory homelab/truenasVms/truenas-primary/storage/retired: retires something the ledger never recorded, so Terraform has nothing to forget (got "dataset bulk/typo"; allowed: a recorded holder of prod-storage: `,
      );
    });

    test("a holder whose address changed gets a moved block, not a destroy", () => {
      const old = { ...recorded, "prod-storage: service nfs": { address: "truenas_service.storage_services_nfs_838A8409" } };
      const built = buildHomelab(Testing.app(), homelab, { ledger: old });
      expect((synth(built.stacks[0]) as any).moved).toContainEqual({ from: "truenas_service.storage_services_nfs_838A8409", to: "truenas_service.nfs" });
      expect(built.ledger["prod-storage: service nfs"]).toEqual({ address: "truenas_service.nfs" });
    });
  });

  const vm0 = homelab.truenasVms[0];
  test.each<[string, Homelab, string]>([
    ["a VLAN never declared", { ...homelab, truenasVms: [{ ...vm0, nics: [{ bridge: "vmbr0", vlan: "dmz" }] }] },
      `inventory homelab/truenasVms/truenas-primary/nics/0: VLAN referenced but never declared (got "dmz"; allowed: management, storage, lan, k8s-shared, k8s-prod, k8s-test)`],
    ["a mapping never declared", { ...homelab, truenasVms: [{ ...vm0, passthrough: [{ mapping: "hba9" }] }] },
      `inventory homelab/truenasVms/truenas-primary/passthrough/0: PCI mapping referenced but never declared (got "hba9"; allowed: din-hba-internal, din-hba-md1220, grogu-hba-md1200)`],
    ["an undeclared VLAN on an offline host's VM", { ...homelab, truenasVms: [vm0, { ...homelab.truenasVms[1], nics: [{ bridge: "vmbr0", vlan: "backup" }] }] },
      `inventory homelab/truenasVms/truenas-backup/nics/0: VLAN referenced but never declared (got "backup"; allowed: management, storage, lan, k8s-shared, k8s-prod, k8s-test)`],
    ["a bridge the host lacks", { ...homelab, truenasVms: [{ ...vm0, nics: [{ bridge: "vmbr9" }] }] },
      `inventory homelab/truenasVms/truenas-primary/nics/0: bridge not on host din (got "vmbr9"; allowed: vmbr0)`],
    ["replication to an offline host without the gate", { ...homelab, truenasVms: [{ ...vm0, storage: { ...vm0.storage!, replication: { ...vm0.storage!.replication!, whenTargetOffline: undefined } } }, homelab.truenasVms[1]] },
      `inventory homelab/truenasVms/truenas-primary/storage/replication: replication target host grogu is offline (got "grogu"; allowed: an online host, or whenTargetOffline: "hold" to keep it defined until the host is online)`],
    ["a dataset on a pool that is not declared", { ...homelab, truenasVms: [{ ...vm0, storage: { ...vm0.storage!, datasets: [...vm0.storage!.datasets, { fullPath: "nvme/apps", purpose: "x" }] } }, homelab.truenasVms[1]] },
      `inventory homelab/truenasVms/truenas-primary/storage/datasets/nvme/apps: pool referenced but never declared (got "nvme"; allowed: fast, bulk, scratch)`],
    ["an NFS export of a dataset never declared", { ...homelab, truenasVms: [{ ...vm0, storage: { ...vm0.storage!, nfsExports: [{ dataset: "bulk/movies", vlans: ["storage"] }] } }, homelab.truenasVms[1]] },
      `inventory homelab/truenasVms/truenas-primary/storage/nfsExports/bulk/movies: dataset referenced but never declared (got "bulk/movies"; allowed: bulk/kubernetes, bulk/kubernetes/nfs-dynamic, `],
    ["a CSI instance on a dataset never declared", { ...homelab, kubernetesStorage: { ...homelab.kubernetesStorage!, instances: [{ ...homelab.kubernetesStorage!.instances[0], dataset: "fast/kubernetes/zvols" }] } },
      `inventory homelab/kubernetesStorage/instances/truenas-iscsi-fast: dataset referenced but never declared (got "fast/kubernetes/zvols"; allowed: fast/kubernetes, fast/kubernetes/iscsi-zvols, `],
    ["a snapshot policy keeping nothing", { ...homelab, truenasVms: [{ ...vm0, storage: { ...vm0.storage!, snapshots: vm0.storage!.snapshots!.map((s, i) => (i === 0 ? { ...s, keep: 0 } : s)) } }, homelab.truenasVms[1]] },
      "prod-storage/storage/snapshots-fast-kubernetes: snapshot retention of fast/kubernetes keeps nothing (got 0; allowed: keep >= 1 snapshots)"],
    ["a pool without a scrub", { ...homelab, truenasVms: [{ ...vm0, storage: { ...vm0.storage!, scrubs: { fast: vm0.storage!.scrubs.fast, bulk: vm0.storage!.scrubs.bulk } } }, homelab.truenasVms[1]] },
      `inventory homelab/truenasVms/truenas-primary/storage/scrubs: pool scratch has no scrub schedule (got "scratch"; allowed: a weekly scrub for every pool (staggered: two pools never scrub at once))`],
    ["a VM id reused by the Talos cluster", { ...homelab, talosClusters: [{ ...homelab.talosClusters![0], controlPlane: { ...homelab.talosClusters![0].controlPlane, firstVmId: 300 } }] },
      "inventory homelab/talosClusters/test/controlPlane: vm id 300 is already used by inventory homelab/truenasVms/truenas-primary (got firstVmId 300, ids 300..302; allowed: ids unique across the homelab, offline hosts and every Talos VM included)"],
  ])("rejects %s", (_name, bad, message) => {
    expect(() => buildHomelab(Testing.app(), bad)).toThrow(message);
  });

  test("a bad inventory writes nothing: the error comes before app.synth()", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-synth-"));
    const app = new App({ outdir });
    const bad = { ...homelab, truenasVms: [{ ...vm0, vmId: 42 }, homelab.truenasVms[1]] };
    expect(() => { buildHomelab(app, bad); app.synth(); }).toThrow("prod-storage/truenas-primary: vm id out of range (got 42; allowed: integers 100..999999999)");
    // new App() creates the empty stacks/ folder; no file may exist under it.
    expect(fs.readdirSync(outdir, { recursive: true }).filter((f) => fs.statSync(path.join(outdir, f.toString())).isFile())).toEqual([]);
  });
});
