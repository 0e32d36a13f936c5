// Structural invariants of the provider schema files in schemas/ (terraform `providers schema -json`
// form plus CDKTF's provider_versions). These files feed both the offline binding generator and the
// schema-serving fake provider, so Terraform's own rules on attribute flags and nesting must hold.
import * as fs from "node:fs";
import * as path from "node:path";

type CtyType = string | [string, unknown];
interface Attribute {
  type?: CtyType;
  nested_type?: { attributes: Record<string, Attribute>; nesting_mode: string };
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  write_only?: boolean;
  deprecated?: boolean;
  description?: string;
  description_kind?: string;
}
interface BlockType {
  nesting_mode: string;
  block: Block;
  min_items?: number;
  max_items?: number;
}
interface Block {
  attributes?: Record<string, Attribute>;
  block_types?: Record<string, BlockType>;
  description?: string;
  deprecated?: boolean;
}
interface Schema {
  version: number;
  block: Block;
}
interface ProviderSchema {
  provider: Schema;
  resource_schemas: Record<string, Schema>;
  data_source_schemas: Record<string, Schema>;
}
interface SchemaFile {
  format_version: string;
  provider_schemas: Record<string, ProviderSchema>;
  provider_versions?: Record<string, string>;
}

const dir = path.resolve(__dirname, "../../schemas");
const FILES: Record<string, { fqpn: string; version: string }> = {
  "truenas@1.5.11.json": { fqpn: "registry.terraform.io/truenas/truenas", version: "1.5.11" },
  "proxmox@0.111.1.json": { fqpn: "registry.terraform.io/bpg/proxmox", version: "0.111.1" },
  "kubernetes@2.38.0.json": { fqpn: "registry.terraform.io/hashicorp/kubernetes", version: "2.38.0" },
  "helm@3.1.1.json": { fqpn: "registry.terraform.io/hashicorp/helm", version: "3.1.1" },
};
const load = (f: string): SchemaFile => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
const ps = (f: string): ProviderSchema => load(f).provider_schemas[FILES[f].fqpn];

const PRIMITIVES = new Set(["string", "number", "bool", "dynamic"]);
function checkType(t: unknown, where: string, problems: string[]): void {
  if (typeof t === "string") {
    if (!PRIMITIVES.has(t)) problems.push(`${where}: unknown primitive type ${t}`);
    return;
  }
  if (!Array.isArray(t) || t.length !== 2) {
    problems.push(`${where}: malformed type ${JSON.stringify(t)}`);
    return;
  }
  const [kind, arg] = t;
  if (kind === "list" || kind === "set" || kind === "map") checkType(arg, `${where}<${kind}>`, problems);
  else if (kind === "object") {
    for (const [k, v] of Object.entries(arg as Record<string, unknown>)) checkType(v, `${where}.${k}`, problems);
  } else problems.push(`${where}: unknown type constructor ${kind}`);
}

function checkAttribute(a: Attribute, where: string, problems: string[], parentWriteOnly = false): void {
  const hasType = a.type !== undefined;
  const hasNested = a.nested_type !== undefined;
  if (hasType === hasNested) problems.push(`${where}: needs exactly one of type / nested_type`);
  if (hasType) checkType(a.type, where, problems);
  // Terraform's configschema rules (internalValidate): required excludes optional and computed;
  // at least one of required/optional/computed.
  if (a.required && (a.optional || a.computed)) problems.push(`${where}: required combined with optional/computed`);
  if (!a.required && !a.optional && !a.computed) problems.push(`${where}: none of required/optional/computed`);
  if (a.write_only) {
    if (a.computed) problems.push(`${where}: write_only cannot be computed`);
    if (!a.required && !a.optional) problems.push(`${where}: write_only must be settable`);
  }
  if (parentWriteOnly && !a.write_only) problems.push(`${where}: child of a write-only attribute must be write-only`);
  for (const k of Object.keys(a)) {
    if (!["type", "nested_type", "required", "optional", "computed", "sensitive", "write_only", "deprecated", "description", "description_kind"].includes(k))
      problems.push(`${where}: unexpected key ${k}`);
  }
  if (hasNested) {
    const nt = a.nested_type!;
    if (!["single", "list", "set", "map"].includes(nt.nesting_mode)) problems.push(`${where}: bad nesting_mode ${nt.nesting_mode}`);
    for (const [k, v] of Object.entries(nt.attributes)) checkAttribute(v, `${where}.${k}`, problems, !!a.write_only);
  }
}

function checkBlock(b: Block, where: string, problems: string[]): void {
  const attrs = b.attributes ?? {};
  const blocks = b.block_types ?? {};
  for (const [k, a] of Object.entries(attrs)) checkAttribute(a, `${where}.${k}`, problems);
  for (const [k, bt] of Object.entries(blocks)) {
    if (k in attrs) problems.push(`${where}.${k}: both attribute and block`);
    if (!["single", "group", "list", "set", "map"].includes(bt.nesting_mode)) problems.push(`${where}.${k}: bad nesting_mode`);
    if (bt.min_items !== undefined && bt.max_items !== undefined && bt.max_items > 0 && bt.min_items > bt.max_items)
      problems.push(`${where}.${k}: min_items > max_items`);
    if ((bt.nesting_mode === "single" || bt.nesting_mode === "group") && (bt.min_items || bt.max_items))
      problems.push(`${where}.${k}: single/group blocks take no min/max_items`);
    checkBlock(bt.block, `${where}.${k}`, problems);
  }
}

describe.each(Object.keys(FILES))("%s", (file) => {
  const doc = load(file);
  const { fqpn, version } = FILES[file];

  it("is in `terraform providers schema -json` form keyed by the full FQPN", () => {
    expect(doc.format_version).toBe("1.0");
    expect(Object.keys(doc.provider_schemas)).toEqual([fqpn]);
    const p = doc.provider_schemas[fqpn];
    expect(p.provider.block).toBeDefined();
    expect(typeof p.resource_schemas).toBe("object");
    expect(typeof p.data_source_schemas).toBe("object");
  });

  it("records the provider version under provider_versions", () => {
    expect(doc.provider_versions).toEqual({ [fqpn]: version });
  });

  it("has only attribute flag combinations and nestings Terraform accepts", () => {
    const problems: string[] = [];
    const p = doc.provider_schemas[fqpn];
    checkBlock(p.provider.block, "provider", problems);
    for (const [n, s] of Object.entries(p.resource_schemas)) {
      expect(Number.isInteger(s.version)).toBe(true);
      checkBlock(s.block, n, problems);
    }
    for (const [n, s] of Object.entries(p.data_source_schemas)) checkBlock(s.block, `data.${n}`, problems);
    expect(problems).toEqual([]);
  });

  it("gives every resource and data source an id attribute", () => {
    const p = doc.provider_schemas[fqpn];
    for (const s of [...Object.values(p.resource_schemas), ...Object.values(p.data_source_schemas)])
      expect(s.block.attributes?.id?.computed).toBe(true);
  });

  it("prefixes every type name with the provider's local name", () => {
    const local = fqpn.split("/").pop()!;
    const p = doc.provider_schemas[fqpn];
    for (const n of [...Object.keys(p.resource_schemas), ...Object.keys(p.data_source_schemas)])
      expect(n.startsWith(`${local}_`)).toBe(true);
  });
});

describe("truenas/truenas 1.5.11", () => {
  const p = ps("truenas@1.5.11.json");
  const attrs = (r: string) => p.resource_schemas[r].block.attributes!;

  it("covers the resources the project uses", () => {
    expect(Object.keys(p.resource_schemas).sort()).toEqual([
      "truenas_alert_service", "truenas_cloud_backup", "truenas_cloudsync_credentials", "truenas_cloudsync_task",
      "truenas_dataset", "truenas_iscsi_initiator", "truenas_iscsi_portal", "truenas_keychain_ssh_connection",
      "truenas_keychain_ssh_keypair", "truenas_mail", "truenas_nfs_config", "truenas_nfs_share", "truenas_periodic_snapshot_task",
      "truenas_pool", "truenas_replication_task", "truenas_scrub_task", "truenas_service", "truenas_zvol",
    ]);
    expect(Object.keys(p.data_source_schemas)).toEqual(["truenas_pool"]);
  });

  it("is a plugin-framework schema: no blocks, nested attributes instead", () => {
    for (const s of Object.values(p.resource_schemas)) expect(s.block.block_types).toBeUndefined();
    expect(attrs("truenas_pool").topology.nested_type?.nesting_mode).toBe("single");
    expect(attrs("truenas_iscsi_portal").listen.nested_type?.nesting_mode).toBe("list");
    expect(attrs("truenas_iscsi_portal").listen.required).toBe(true);
  });

  it("types sizes as numbers (bytes) and recordsize as a string", () => {
    const ds = attrs("truenas_dataset");
    for (const k of ["quota", "refquota", "reservation", "refreservation"]) {
      expect(ds[k].type).toBe("number");
      expect(ds[k]).toMatchObject({ optional: true, computed: true });
    }
    expect(ds.recordsize.type).toBe("string");
    expect(attrs("truenas_zvol").volsize).toMatchObject({ type: "number", required: true });
    expect(attrs("truenas_zvol").volblocksize.type).toBe("number");
  });

  it("marks secrets sensitive and keeps write-only attributes out of state", () => {
    expect(p.provider.block.attributes!.api_key.sensitive).toBe(true);
    expect(attrs("truenas_cloud_backup").password_wo).toMatchObject({ write_only: true, sensitive: true });
    expect(attrs("truenas_cloudsync_credentials").provider_config).toMatchObject({ required: true, sensitive: true });
    expect(attrs("truenas_dataset").encryption_passphrase.write_only).toBe(true);
    expect(attrs("truenas_zvol").sparse.write_only).toBeUndefined();
  });

  it("has numeric computed ids for the iSCSI portal and initiator group", () => {
    expect(attrs("truenas_iscsi_portal").id).toEqual(expect.objectContaining({ type: "number", computed: true }));
    expect(attrs("truenas_iscsi_initiator").id).toEqual(expect.objectContaining({ type: "number", computed: true }));
  });
});

describe("bpg/proxmox 0.111.1", () => {
  const p = ps("proxmox@0.111.1.json");
  const vm = p.resource_schemas.proxmox_virtual_environment_vm.block;

  it("keeps the covered set of resources and data sources", () => {
    expect(Object.keys(p.resource_schemas).sort()).toEqual([
      "proxmox_hardware_mapping_pci", "proxmox_virtual_environment_hardware_mapping_pci", "proxmox_virtual_environment_vm",
    ]);
    expect(Object.keys(p.data_source_schemas).sort()).toEqual([
      "proxmox_hardware_mapping_pci", "proxmox_virtual_environment_hardware_mapping_pci", "proxmox_virtual_environment_node",
    ]);
  });

  it("has network_device as an optional+computed list(object) attribute with 11 keys (ConfigModeAttr)", () => {
    const nd = vm.attributes!.network_device;
    expect(vm.block_types?.network_device).toBeUndefined();
    expect(nd).toMatchObject({ optional: true, computed: true });
    const [kind, elem] = nd.type as [string, [string, Record<string, string>]];
    expect(kind).toBe("list");
    expect(elem[0]).toBe("object");
    expect(Object.keys(elem[1]).sort()).toEqual([
      "bridge", "disconnected", "enabled", "firewall", "mac_address", "model", "mtu", "queues", "rate_limit", "trunks", "vlan_id",
    ]);
  });

  it("lowers SDK lists of Resource to list blocks with the source's max_items", () => {
    expect(vm.block_types!.hostpci).toMatchObject({ nesting_mode: "list", max_items: 16 });
    expect(vm.block_types!.disk).toMatchObject({ nesting_mode: "list" });
    for (const b of ["cpu", "memory", "agent", "operating_system", "efi_disk", "tpm_state", "initialization"])
      expect(vm.block_types![b].max_items).toBe(1);
  });

  it("gives the SDK resource the implicit optional+computed id", () => {
    expect(vm.attributes!.id).toMatchObject({ type: "string", optional: true, computed: true });
  });

  it("marks the long-named hardware mapping types deprecated and the short ones not", () => {
    expect(p.resource_schemas.proxmox_virtual_environment_hardware_mapping_pci.block.deprecated).toBe(true);
    expect(p.resource_schemas.proxmox_hardware_mapping_pci.block.deprecated).toBeUndefined();
    expect(p.resource_schemas.proxmox_hardware_mapping_pci.block.attributes!.map.nested_type?.nesting_mode).toBe("set");
  });
});

describe("hashicorp/kubernetes 2.38.0 and hashicorp/helm 3.1.1", () => {
  it("kubernetes_secret_v1 has write-only data_wo with a data_wo_revision trigger", () => {
    const b = ps("kubernetes@2.38.0.json").resource_schemas.kubernetes_secret_v1.block;
    expect(b.attributes!.data_wo).toMatchObject({ type: ["map", "string"], optional: true, write_only: true });
    expect(b.attributes!.data_wo_revision).toMatchObject({ type: "number", optional: true });
    expect(b.block_types!.metadata).toMatchObject({ nesting_mode: "list", min_items: 1, max_items: 1 });
  });

  it("helm_release set/set_wo/set_sensitive are list nested attributes and kubernetes is a nested attribute", () => {
    const h = ps("helm@3.1.1.json");
    const r = h.resource_schemas.helm_release.block.attributes!;
    for (const k of ["set", "set_wo", "set_sensitive", "set_list"]) expect(r[k].nested_type?.nesting_mode).toBe("list");
    expect(r.set_wo.write_only).toBe(true);
    expect(r.set_sensitive.nested_type!.attributes.value.sensitive).toBe(true);
    expect(r.values.type).toEqual(["list", "string"]);
    expect(h.provider.block.attributes!.kubernetes.nested_type?.nesting_mode).toBe("single");
    expect(h.provider.block.block_types).toBeUndefined();
  });
});
