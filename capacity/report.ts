import type { BudgetReport } from "./budget";
import type { PoolLayout } from "./pool";
import { Size } from "./size";

/** Renderers for budget reports. Pure: they return strings; the caller prints or writes them. */

/** A compact table for the synth log: one line per pool. */
export function renderConsoleTable(reports: readonly BudgetReport[]): string {
  const rows = [
    ["pool", "usable", "committed", "headroom", "used", "verdict"],
    ...reports.map((r) => [r.pool, r.usable.toHuman(2), r.committed.toHuman(2), headroom(r, 2), `${r.percent.toFixed(1)}%`, r.verdict.toUpperCase()]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i >= 1 && i <= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd()).join("\n");
}

/** `cdktf.out/capacity.md`: the summary table, then per pool its layout, findings and contributors. */
export function renderMarkdown(reports: readonly BudgetReport[]): string {
  const out = [
    "# Capacity",
    "",
    "Usable is what `zfs list` shows as USED + AVAIL of the empty pool's root dataset (TrueNAS's capacity), computed byte for byte from the OpenZFS rules.",
    "Committed is the most the planned datasets can hold: quotas, reservations, thick zvol refreservations and expected sizes.",
    "",
    "| pool | usable | committed | headroom | used | verdict |",
    "|---|---:|---:|---:|---:|---|",
    ...reports.map((r) => `| ${r.pool} | ${r.usable.toHuman()} | ${r.committed.toHuman()} | ${headroom(r, 3)} | ${r.percent.toFixed(1)}% | ${r.verdict} |`),
  ];
  for (const r of reports) {
    out.push("", `## ${r.pool}`, "");
    out.push(`- Layout: ${describeLayout(r.layout)}`);
    out.push(`- \`zpool list\` SIZE ${r.capacity.zpoolSize.toHuman()}; slop ${r.capacity.slop.toHuman()}; usable ${r.usable.toHuman()} (${r.usable.bytes} bytes)`);
    out.push(`- Guaranteed up front (reservations, thick zvols): ${r.guaranteed.toHuman()}`);
    out.push(
      `- Thresholds: warning above ${r.thresholds.warningPercent}%, error above ${r.thresholds.criticalPercent}%` +
        (r.thresholds.reason ? ` (overridden: ${r.thresholds.reason})` : " (defaults)"),
    );
    if (r.findings.length > 0) {
      out.push("", "| severity | dataset | finding |", "|---|---|---|");
      for (const f of r.findings) out.push(`| ${f.severity} | ${f.dataset ?? "(pool)"} | ${cell(f.message)} |`);
    }
    if (r.fix) out.push("", `To make it fit: ${r.fix}`);
    if (r.contributors.length > 0) {
      out.push("", "| dataset | committed | because of | purpose |", "|---|---:|---|---|");
      for (const c of r.contributors) out.push(`| ${c.path} | ${c.bytes.toHuman()} | ${c.basis} | ${cell(c.purpose ?? "")} |`);
    }
  }
  return out.join("\n") + "\n";
}

const COLORS = { ok: "#2e7d32", warning: "#ef8f00", error: "#c62828" } as const;

/**
 * `cdktf.out/capacity.svg`: one horizontal bar per pool. The grey track is the usable space (100%), the
 * coloured bar what is committed, dashed lines the pool's warning and error thresholds.
 */
export function renderSvg(reports: readonly BudgetReport[]): string {
  const width = 880;
  const labelWidth = 150;
  const trackX = labelWidth + 10;
  const trackWidth = width - trackX - 30;
  const rowHeight = 64;
  const top = 44;
  const maxPercent = Math.max(110, ...reports.map((r) => Math.ceil(Math.min(r.percent, 400) / 10) * 10 + 10));
  const x = (percent: number) => trackX + (Math.min(percent, maxPercent) / maxPercent) * trackWidth;
  const height = top + reports.length * rowHeight + 34;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold" fill="#222">Pool capacity: committed vs usable</text>`,
  ];
  reports.forEach((r, i) => {
    const y = top + i * rowHeight;
    const barY = y + 18;
    const color = COLORS[r.verdict];
    parts.push(
      `<text x="16" y="${barY + 15}" font-size="15" font-weight="bold" fill="#222">${xml(r.pool)}</text>`,
      `<text x="16" y="${barY + 32}" fill="${color}">${r.percent.toFixed(1)}% · ${r.verdict}</text>`,
      `<rect x="${trackX}" y="${barY}" width="${(x(100) - trackX).toFixed(1)}" height="22" fill="#e0e0e0"/>`,
      `<rect x="${trackX}" y="${barY + 3}" width="${(x(r.percent) - trackX).toFixed(1)}" height="16" fill="${color}"/>`,
      `<line x1="${x(100).toFixed(1)}" y1="${barY - 4}" x2="${x(100).toFixed(1)}" y2="${barY + 26}" stroke="#222" stroke-width="2"/>`,
    );
    for (const [percent, stroke] of [[r.thresholds.warningPercent, COLORS.warning], [r.thresholds.criticalPercent, COLORS.error]] as const) {
      parts.push(`<line x1="${x(percent).toFixed(1)}" y1="${barY - 4}" x2="${x(percent).toFixed(1)}" y2="${barY + 26}" stroke="${stroke}" stroke-width="2" stroke-dasharray="4 3"/>`);
    }
    parts.push(
      `<text x="${trackX}" y="${y + 12}" fill="#444">${xml(`${tb(r.committed)} committed of ${tb(r.usable)} usable (${r.usable.in("TiB").toFixed(2)} TiB)`)}</text>`,
    );
  });
  const legendY = height - 14;
  parts.push(
    `<line x1="16" y1="${legendY - 4}" x2="36" y2="${legendY - 4}" stroke="${COLORS.warning}" stroke-width="2" stroke-dasharray="4 3"/>`,
    `<text x="42" y="${legendY}" fill="#444">warning line</text>`,
    `<line x1="136" y1="${legendY - 4}" x2="156" y2="${legendY - 4}" stroke="${COLORS.error}" stroke-width="2" stroke-dasharray="4 3"/>`,
    `<text x="162" y="${legendY}" fill="#444">error line</text>`,
    `<line x1="240" y1="${legendY - 4}" x2="260" y2="${legendY - 4}" stroke="#222" stroke-width="2"/>`,
    `<text x="266" y="${legendY}" fill="#444">100% of usable (root USED + AVAIL)</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

/** "3 × raidz2 of 7 × 900GB, log mirror of 2 × 120GB; ashift 12; truenas-25.04; OpenZFS 2.4". */
export function describeLayout(layout: PoolLayout): string {
  const groups: { text: string; count: number }[] = [];
  for (const v of layout.vdevs) {
    const sizes = [...new Set(v.disks.map((d) => d.toDriveSizeString()))].join("/");
    const kind = v.type === "draid" ? `draid${v.parity}:${v.data}d:${v.spares ?? 0}s` : v.type;
    const text = `${v.class && v.class !== "normal" ? `${v.class} ` : ""}${kind} of ${v.disks.length} × ${sizes}`;
    const last = groups[groups.length - 1];
    if (last?.text === text) last.count++;
    else groups.push({ text, count: 1 });
  }
  const vdevs = groups.map((g) => (g.count > 1 ? `${g.count} × ${g.text}` : g.text)).join(", ");
  return `${vdevs}; ashift ${layout.ashift}; ${layout.partitionScheme}; OpenZFS ${layout.openzfs ?? "2.4"}`;
}

function headroom(r: BudgetReport, digits: number): string {
  return r.shortfall.isZero() ? r.headroom.toHuman(digits) : `-${r.shortfall.toHuman(digits).replace("(", "(-")}`;
}

function tb(size: Size): string {
  return `${size.in("TB").toFixed(2)} TB`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
