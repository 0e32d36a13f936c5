import { homelab } from "../../inventory/homelab";
import { Testing } from "../../lib/cdktf";
import { buildHomelab } from "../../stacks/homelab-app";
import { StorageStack } from "../../stacks/storage-stack";
import { jsonOf, resourcesOf, synth } from "../helpers";

function prodStorage(): StorageStack {
  const { stacks } = buildHomelab(Testing.app(), homelab);
  return stacks.find((s): s is StorageStack => s.node.id === "prod-storage")!;
}

describe("prod-storage stack", () => {
  const stack = prodStorage();
  const json = synth(stack);
  const vm = jsonOf(json, stack.truenas.resource);

  test("the primary TrueNAS VM on din, as the review and the passthrough design describe it", () => {
    expect(vm).toMatchObject({
      node_name: "din",
      vm_id: 300,
      name: "truenas-primary",
      machine: "q35",
      bios: "ovmf",
      cpu: { cores: 6, sockets: 1, type: "host" },
      memory: { dedicated: 32 * 1024, floating: 0 },
      on_boot: true,
      startup: { order: 1 },
      disk: [{ interface: "scsi0", datastore_id: "local-zfs", size: 32 }],
      efi_disk: { datastore_id: "local-zfs", type: "4m" },
    });
  });

  test("both HBAs pass through by mapping, never by raw id, with rombar explicit", () => {
    expect(vm.hostpci).toHaveLength(2);
    for (const [i, h] of vm.hostpci.entries()) {
      expect(h.device).toBe(`hostpci${i}`);
      expect(h.id).toBeUndefined();
      expect(h.mapping).toMatch(/^\$\{proxmox_hardware_mapping_pci\.[^.]+\.name\}$/);
      expect(h).toMatchObject({ pcie: true, rombar: true });
    }
    const maps = Object.values(resourcesOf(json, "proxmox_hardware_mapping_pci")) as any[];
    expect(maps.map((m) => m.name).sort()).toEqual(["din-hba-internal", "din-hba-md1220"]);
    expect(maps.every((m) => m.map.length === 1 && m.map[0].node === "din" && m.map[0].iommu_group >= 0 && m.map[0].subsystem_id)).toBe(true);
  });

  test("dual-homed: storage VLAN 10 with jumbo frames and LAN VLAN 20, every NIC object complete", () => {
    expect(vm.network_device.map((n: any) => [n.bridge, n.vlan_id, n.mtu])).toEqual([["vmbr0", 10, 9000], ["vmbr0", 20, 0]]);
    for (const n of vm.network_device) expect(Object.keys(n)).toHaveLength(11);
  });

  test("protected from destroy twice over: Proxmox protection and Terraform prevent_destroy", () => {
    expect(vm.protection).toBe(true);
    expect(vm.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("bpg/proxmox pinned exactly; no credential in the configuration", () => {
    expect(json.terraform!.required_providers.proxmox).toEqual({ source: "bpg/proxmox", version: "0.111.1" });
    expect(json.provider!.proxmox).toEqual([{ api_token: "${var.proxmox_ve_api_token}", endpoint: "${var.proxmox_ve_endpoint}", insecure: "${var.proxmox_ve_insecure}" }]);
    expect(json.variable!.proxmox_ve_api_token).toMatchObject({ sensitive: true, default: null });
    expect(json.terraform!.backend).toEqual({ local: { path: "../../../terraform.prod-storage.tfstate" } });
  });

  const datasets = Object.values(resourcesOf(json, "truenas_dataset")) as any[];
  const datasetNamed = (path: string) => {
    const ds = stack.storage!.dataset(path);
    return json.resource!.truenas_dataset[ds.resource.friendlyUniqueId] as any;
  };

  test("pools are adopted by name, never created by an apply", () => {
    expect(json.resource!.truenas_pool).toBeUndefined();
    expect((Object.values(json.data!.truenas_pool) as any[]).map((p) => p.name).sort()).toEqual(["bulk", "fast", "scratch"]);
  });

  test("quotas in bytes, binary as ZFS reads them", () => {
    expect(datasetNamed("fast/kubernetes/iscsi-zvols").quota).toBe(3.5 * 2 ** 40);
    expect(datasetNamed("fast/kubernetes/nfs-dynamic").quota).toBe(2 * 2 ** 40);
    expect(datasetNamed("fast/vms").quota).toBe(1.5 * 2 ** 40);
    expect(datasetNamed("bulk/photos").quota).toBe(5 * 2 ** 40);
    expect(datasetNamed("bulk/media").quota).toBe(8.5 * 2 ** 40);
    expect(datasetNamed("scratch/kubernetes/nfs-dynamic").quota).toBe(5 * 2 ** 40);
    expect(datasetNamed("fast/kubernetes").quota).toBeUndefined(); // a parent: its children carry the quotas
  });

  test("properties per use, every dataset protected, children named after their parent by reference", () => {
    expect(datasetNamed("bulk/media")).toMatchObject({ recordsize: "1M", exec: "OFF", compression: "LZ4" });
    expect(datasetNamed("fast/vms")).toMatchObject({ recordsize: "64K" });
    expect(datasetNamed("bulk/backups")).toMatchObject({ recordsize: "1M", compression: "ZSTD" });
    expect(datasetNamed("scratch/downloads")).toMatchObject({ sync: "DISABLED" });
    expect(datasets.length).toBe(23);
    for (const d of datasets) {
      expect(d.lifecycle).toEqual({ prevent_destroy: true });
      expect(d.atime).toBe("OFF");
    }
    expect(datasetNamed("fast/kubernetes/nfs-dynamic").name).toMatch(/^\$\{truenas_dataset\.[^.]+\.name\}\/nfs-dynamic$/);
  });

  test("democratic-csi parents exist with sibling datasets for detached snapshots", () => {
    for (const [parent, snapshots] of [
      ["fast/kubernetes/iscsi-zvols", "fast/kubernetes/iscsi-snapshots"],
      ["fast/kubernetes/nfs-dynamic", "fast/kubernetes/nfs-snapshots"],
      ["bulk/kubernetes/nfs-dynamic", "bulk/kubernetes/nfs-snapshots"],
      ["scratch/kubernetes/nfs-dynamic", "scratch/kubernetes/nfs-snapshots"],
    ]) {
      expect(datasetNamed(parent)).toBeDefined();
      expect(datasetNamed(snapshots)).toBeDefined();
      expect(snapshots.startsWith(`${parent}/`)).toBe(false);
    }
  });

  test("NFS exports for the static volumes, limited to the storage and Kubernetes VLANs", () => {
    const shares = Object.values(resourcesOf(json, "truenas_nfs_share")) as any[];
    const byComment = Object.fromEntries(shares.map((sh) => [sh.comment, sh]));
    expect(byComment["Jellyfin streaming"]).toMatchObject({ ro: true, networks: ["10.10.10.0/24", "10.0.2.0/24"] });
    expect(byComment["Immich library (irreplaceable)"]).toMatchObject({ ro: false, networks: ["10.10.10.0/24", "10.0.2.0/24"] });
    expect(byComment["old observability data"]).toMatchObject({ networks: ["10.10.10.0/24", "10.0.1.0/24"] });
    expect(byComment["shared configs (static PVs)"]).toMatchObject({ maproot_user: "root", networks: ["10.10.10.0/24", "10.0.1.0/24", "10.0.2.0/24"] });
    expect(shares).toHaveLength(4);
  });

  test("the iSCSI portal listens on the storage address only; its ids are outputs", () => {
    expect(Object.values(resourcesOf(json, "truenas_iscsi_portal"))).toEqual([expect.objectContaining({ listen: [{ ip: "10.10.10.5", port: 3260 }] })]);
    expect(Object.values(resourcesOf(json, "truenas_iscsi_initiator"))).toHaveLength(1);
  });

  test("tier 1: the review's snapshot schedules and retention", () => {
    const tasks = (Object.values(resourcesOf(json, "truenas_periodic_snapshot_task")) as any[]).map((t) => [t.schedule.hour, t.lifetime_value, t.lifetime_unit]);
    // hourly x24, 4-hourly x6, daily x30 (synthesized in logical-id order)
    expect(tasks.sort()).toEqual([["*", 1, "DAY"], ["*/4", 1, "DAY"], ["0", 30, "DAY"]].sort());
  });

  test("tier 2: replication to grogu is held while grogu is offline", () => {
    expect(json.resource!.truenas_replication_task).toBeUndefined();
    expect(stack.storage!.replicationHeld).toContain("grogu");
  });

  test("tier 3: photos, configs and Forgejo backups to B2, secrets write-only from sensitive variables", () => {
    const tasks = Object.values(resourcesOf(json, "truenas_cloud_backup")) as any[];
    expect(tasks.map((t) => t.description).sort()).toEqual(["offsite bulk/backups/forgejo", "offsite bulk/photos", "offsite fast/kubernetes/nfs-static"]);
    for (const t of tasks) expect(t).toMatchObject({ password_wo: "${var.restic_password}", snapshot: true, keep_last: 30 });
    for (const name of ["b2_key_id", "b2_application_key", "restic_password", "smtp_password"]) {
      expect(json.variable![name]).toMatchObject({ sensitive: true, nullable: false });
      expect(json.variable![name].default).toBeUndefined();
    }
  });

  test("scrub tasks are never created blind: without their ids (a fresh clone) every pool's scrub is held, with a note", () => {
    expect(resourcesOf(json, "truenas_scrub_task")).toEqual({});
    expect(stack.storage!.scrubsHeld).toEqual(["fast", "bulk", "scratch"]);
    const { notes } = buildHomelab(Testing.app(), homelab);
    expect(notes).toContain(`prod-storage: scrub schedule held for pools fast, bulk, scratch: TrueNAS made a scrub task when it created each pool and refuses a second one, so synth imports it once its id is known: run npm run discover, or put the id from \`midclt call pool.scrub.query\` in inventory/homelab.imports.json as "truenas_scrub_task.<pool>"`);
  });

  test("with the ids discovered, the scrub tasks are imported (import blocks) and their weekly schedules, staggered, managed", () => {
    const imports = { "prod-storage": { "truenas_scrub_task.fast": "1", "truenas_scrub_task.bulk": "2", "truenas_scrub_task.scratch": "3", "proxmox_virtual_environment_vm.truenas-primary": "din/300" } };
    const built = buildHomelab(Testing.app(), homelab, { imports });
    const imported = synth(built.stacks.find((s) => s.node.id === "prod-storage")!);
    const scrubs = Object.entries(resourcesOf(imported, "truenas_scrub_task")).map(([address, t]: [string, any]) => [address, t.description, t.schedule.dow, t.lifecycle]);
    expect(scrubs.sort()).toEqual([
      ["bulk", "scrub bulk (homelab-cdktf)", "3", { prevent_destroy: true }],
      ["fast", "scrub fast (homelab-cdktf)", "0", { prevent_destroy: true }],
      ["scratch", "scrub scratch (homelab-cdktf)", "5", { prevent_destroy: true }],
    ]);
    expect((imported as any).import).toEqual(expect.arrayContaining([
      { to: "truenas_scrub_task.fast", id: "1" },
      { to: "truenas_scrub_task.bulk", id: "2" },
      { to: "truenas_scrub_task.scratch", id: "3" },
      { to: "proxmox_virtual_environment_vm.truenas-primary", id: "din/300" },
    ]));
    expect((imported as any).import).toHaveLength(4); // exactly those, nothing else
    expect(built.notes.some((n) => n.includes("scrub schedule held"))).toBe(false);
  });

  test("email alerts at WARNING, the SMTP password write-only and versioned", () => {
    expect(Object.values(resourcesOf(json, "truenas_alert_service"))).toEqual([expect.objectContaining({ level: "WARNING" })]);
    expect(Object.values(resourcesOf(json, "truenas_mail"))).toEqual([expect.objectContaining({ pass: "${var.smtp_password}", lifecycle: { replace_triggered_by: ["terraform_data.alerts-smtp-password-version"] } })]);
    expect(json.variable!.smtp_password_version).toMatchObject({ type: "number", default: 1 });
  });

  test("the services the shares need: NFS (v3+v4, bound to the storage address only) and iSCSI, running and enabled at boot; no SSH", () => {
    expect(Object.values(resourcesOf(json, "truenas_nfs_config"))).toEqual([{ protocols: ["NFSV3", "NFSV4"], bindip: ["10.10.10.5"] }]);
    expect((Object.values(resourcesOf(json, "truenas_service")) as any[]).map((s) => [s.name, s.enabled, s.running]).sort()).toEqual([["iscsitarget", true, true], ["nfs", true, true]]);
    // Deleting a truenas_service stops it: readable addresses and prevent_destroy on each.
    expect(resourcesOf(json, "truenas_service")).toMatchObject({ nfs: { lifecycle: { prevent_destroy: true } }, iscsitarget: { lifecycle: { prevent_destroy: true } } });
  });

  test("everything that serves clients or runs a task is protected, under a readable address moved from the old hashed one", () => {
    for (const type of ["truenas_nfs_share", "truenas_iscsi_portal", "truenas_iscsi_initiator", "truenas_periodic_snapshot_task", "truenas_cloud_backup", "truenas_cloudsync_credentials", "truenas_alert_service"]) {
      const all = Object.entries(resourcesOf(json, type)) as [string, any][];
      expect(all.length).toBeGreaterThan(0);
      for (const [address, r] of all) expect({ type, address, lifecycle: r.lifecycle }).toEqual({ type, address, lifecycle: { prevent_destroy: true } });
    }
    expect(Object.keys(resourcesOf(json, "truenas_nfs_share")).sort()).toEqual(["bulk--media", "bulk--photos", "bulk--signoz-cold", "fast--kubernetes--nfs-static"]);
    expect((json as any).moved).toContainEqual({ from: "truenas_nfs_share.storage_nfs-bulk-media_98A3539B", to: "truenas_nfs_share.bulk--media" });
    expect((json as any).moved).toContainEqual({ from: "truenas_service.storage_services_nfs_838A8409", to: "truenas_service.nfs" });
  });

  test("truenas/truenas pinned exactly, credentials only through variables", () => {
    expect(json.terraform!.required_providers.truenas).toEqual({ source: "truenas/truenas", version: "1.5.11" });
    expect(json.provider!.truenas).toEqual([{ api_key: "${var.truenas_api_key}", endpoint: "${var.truenas_endpoint}", insecure: "${var.truenas_insecure}" }]);
  });

  test("verification after apply: one check block per adopted pool (npm run verify)", () => {
    expect(Object.keys((json as any).check).sort()).toEqual(["pool_bulk", "pool_fast", "pool_scratch"]);
    expect((json as any).check.pool_fast.assert).toHaveLength(3); // ONLINE and healthy; vdev count, type and width; SIZE byte-exact
  });

  test("snapshot", () => {
    expect(json).toMatchSnapshot();
  });
});
