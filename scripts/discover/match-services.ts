/**
 * The iSCSI portal and initiator group, services, and the NFS and mail singletons of one TrueNAS.
 *
 * Shapes (truenas/middleware TS-25.10.6, src/middlewared/middlewared/api/v25_10_0/): `IscsiPortalEntry`
 * (iscsi_portal.py: id, listen [{ip, port}], tag, comment), `IscsiInitiatorEntry` (iscsi_initiator.py:
 * id, initiators, comment), `ServiceEntry` (service.py: id, service, enable, state), `NfsEntry`
 * (nfs.py: bindip, protocols), `MailEntry` (mail.py: outgoingserver, port, security, smtp, user, fromemail).
 * Import ids (terraform-provider-truenas ImportState): portal and initiator group by integer id
 * (internal/resources/iscsi_portal/resource.go @d4a5d9828ed41d1c2d05a361970e7deed58650ef,
 * iscsi_initiator/resource.go @55fe733665b0ad0951b9db6279e2be24f71e9ab8); truenas_service by service
 * name (`ImportStatePassthroughID` to `name`, service/resource.go @55fe733665b0ad0951b9db6279e2be24f71e9ab8);
 * truenas_nfs_config and truenas_mail accept any id and keep the fixed "nfs_config" / "mail"
 * (nfs_config/resource.go @75b4139d31b421726141fdab5fbae8e5553661b4, model.go @9e8789e27650d18de97ab79eb21ba5500fd17c3c
 * `nfsConfigResourceID`; mail/resource.go @09cc5b6424957f72a89d2c33869b657ad4f13ced, model.go
 * @d4a5d9828ed41d1c2d05a361970e7deed58650ef `mailResourceID`).
 */
import { findingsOf, rowsOf, type TrueNASContext } from "./context";
import { DriftList, setText, text, type Finding } from "./drift";

interface PortalRow { id: number; listen?: { ip: string; port?: number }[]; comment?: string }
interface InitiatorRow { id: number; initiators?: string[]; comment?: string }
interface ServiceRow { id: number; service: string; enable?: boolean; state?: string }
interface NfsConfigRow { bindip?: string[]; protocols?: string[] }
interface MailRow { outgoingserver?: string; port?: number; security?: string; smtp?: boolean; user?: string | null; fromemail?: string }

/** What constructs/iscsi-portal.ts writes as the comment of both, and its default port. */
const CSI_COMMENT = "democratic-csi (homelab-cdktf)";
const ISCSI_PORT = 3260;

export function matchServices(ctx: TrueNASContext): Finding[] {
  const f = findingsOf(ctx.stack);
  const out: Finding[] = [];
  const { storage, vm, homelab } = ctx;
  const addr = storage.storageAddress;
  if (storage.iscsi) {
    const portals = rowsOf<PortalRow>(ctx, "iscsi.portal.query");
    const ref = { type: "truenas_iscsi_portal" } as const;
    const object = `iSCSI portal on ${addr}`;
    if (portals.error !== undefined) out.push(f.error(ref, object, portals.error));
    else {
      const on = portals.rows.filter((p) => (p.listen ?? []).some((l) => l.ip === addr)).sort((a, b) => Number(b.comment === CSI_COMMENT) - Number(a.comment === CSI_COMMENT) || a.id - b.id);
      const live = on[0];
      if (!live) out.push(f.absent(ref, object));
      else out.push(f.found(ref, object, {
        id: String(live.id),
        drift: new DriftList().check("listen", setText((live.listen ?? []).map((l) => `${l.ip}:${l.port ?? ISCSI_PORT}`)), `${addr}:${ISCSI_PORT}`).check("comment", text(live.comment), CSI_COMMENT).items,
      }));
    }
    const groups = rowsOf<InitiatorRow>(ctx, "iscsi.initiator.query");
    const gref = { type: "truenas_iscsi_initiator" } as const;
    if (groups.error !== undefined) out.push(f.error(gref, "iSCSI initiator group", groups.error));
    else {
      const tagged = groups.rows.filter((g) => g.comment === CSI_COMMENT).sort((a, b) => a.id - b.id);
      const live = tagged[0] ?? (groups.rows.length === 1 ? groups.rows[0] : undefined);
      if (live) {
        const drift = new DriftList().check("initiators", setText(live.initiators), "none").check("comment", text(live.comment), CSI_COMMENT);
        out.push(f.found(gref, "iSCSI initiator group", { id: String(live.id), drift: drift.items, note: tagged.length ? undefined : "the only initiator group" }));
      } else if (groups.rows.length === 0) out.push(f.absent(gref, "iSCSI initiator group"));
      else out.push(f.error(gref, "iSCSI initiator group", `${groups.rows.length} groups (ids ${groups.rows.map((g) => g.id).join(", ")}), none commented "${CSI_COMMENT}": set that comment on the one democratic-csi uses`));
    }
  }

  // Which services the stack runs (constructs/truenas-storage.ts, stacks/homelab-app.ts).
  const k8s = homelab.kubernetesStorage;
  const nfs = (storage.nfsExports?.length ?? 0) > 0 || (k8s?.truenasRole === vm.role && k8s.instances.some((i) => i.protocol === "nfs"));
  const ssh = homelab.truenasVms.some((o) => o.storage?.replication?.targetRole === vm.role);
  const services = rowsOf<ServiceRow>(ctx, "service.query");
  for (const name of [nfs && "nfs", storage.iscsi && "iscsitarget", ssh && "ssh"].filter((s): s is string => Boolean(s))) {
    const ref = { type: "truenas_service", service: name } as const;
    if (services.error !== undefined) { out.push(f.error(ref, `service ${name}`, services.error)); continue; }
    const live = services.rows.find((s) => s.service === name);
    if (!live) { out.push(f.absent(ref, `service ${name}`)); continue; }
    const drift = new DriftList().check("enable", text(live.enable), "true").check("state", text(live.state), "RUNNING");
    out.push(f.found(ref, `service ${name}`, { id: name, drift: drift.items }));
  }
  if (nfs) {
    const cfg = rowsOf<NfsConfigRow>(ctx, "nfs.config");
    const ref = { type: "truenas_nfs_config" } as const;
    if (cfg.error !== undefined) out.push(f.error(ref, "NFS settings", cfg.error));
    else {
      const drift = new DriftList().check("bindip", setText(cfg.rows[0]?.bindip), addr).check("protocols", setText(cfg.rows[0]?.protocols), "NFSV3, NFSV4");
      out.push(f.found(ref, "NFS settings", { id: "nfs_config", drift: drift.items }));
    }
  }
  if (storage.alerts) {
    const mail = rowsOf<MailRow>(ctx, "mail.config");
    const ref = { type: "truenas_mail" } as const;
    const a = storage.alerts;
    if (mail.error !== undefined) out.push(f.error(ref, "mail settings", mail.error));
    else {
      const m = mail.rows[0] ?? {};
      const drift = new DriftList()
        .check("outgoingserver", text(m.outgoingserver), a.smtpServer).check("port", text(m.port), "587").check("security", text(m.security), "TLS")
        .check("smtp", text(m.smtp), "true").check("user", text(m.user), a.smtpUser).check("fromemail", text(m.fromemail), a.fromAddress);
      out.push(f.found(ref, "mail settings", { id: "mail", drift: drift.items }));
    }
  }
  return out;
}
