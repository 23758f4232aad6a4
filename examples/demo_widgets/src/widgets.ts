/**
 * The dashboard's widgets, each an HTML resource rendered from the latest poll. Every value from
 * the management service is escaped: a migration path is data, never markup.
 */
import type { Migration, Throughput } from "./management.js";

export const WIDGETS = {
  migrations: { uri: "ui://demo_widgets/migrations", name: "Migrations", notes: "Each migration's state and what it has moved" },
  throughput: { uri: "ui://demo_widgets/throughput", name: "Throughput", notes: "Bytes and files per second across all migrations" },
  health: { uri: "ui://demo_widgets/health", name: "Management service", notes: "Whether the management service answers the extension's polls" },
} as const;
export type WidgetId = keyof typeof WIDGETS;

/** What the widgets are drawn from. */
export interface DashboardState {
  upstreamUrl: string;
  /** The latest answered poll. */
  reading?: { migrations: Migration[]; throughput: Throughput; polledAt: Date };
  /** Set while polls fail. */
  failure?: { error: string; since: Date };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${UNITS[i]}`;
}

const waiting = (s: DashboardState) => `<p class="muted">Waiting for the first answer from ${escapeHtml(s.upstreamUrl)}</p>`;
/** A stale-data banner: the widgets keep the last answer and say how old it is. */
const stale = (s: DashboardState) =>
  s.failure && s.reading ? `<p class="warning">Showing data from ${s.reading.polledAt.toISOString()}: the management service is not answering.</p>` : "";

function migrationsWidget(s: DashboardState): string {
  if (!s.reading) return waiting(s);
  const rows = s.reading.migrations.map(
    (m) =>
      `<tr><td>${escapeHtml(m.id)}</td><td>${escapeHtml(m.path)}</td><td class="state-${m.state.toLowerCase()}">${m.state}</td>` +
      `<td>${formatBytes(m.bytesMigrated)}</td><td>${m.filesMigrated}</td></tr>`,
  );
  const counts = new Map<string, number>();
  for (const m of s.reading.migrations) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
  const byState = [...counts].map(([state, n]) => `${n} ${state.toLowerCase()}`).join(", ");
  return [
    stale(s),
    `<p>${s.reading.migrations.length} migrations${byState ? `: ${byState}` : ""}</p>`,
    `<table><thead><tr><th>Migration</th><th>Path</th><th>State</th><th>Migrated</th><th>Files</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
  ].join("");
}

function throughputWidget(s: DashboardState): string {
  if (!s.reading) return waiting(s);
  const t = s.reading.throughput;
  return `${stale(s)}<p class="figure">${formatBytes(t.bytesPerSecond)}/s</p><p>${t.filesPerSecond.toFixed(1)} files/s</p>`;
}

function healthWidget(s: DashboardState): string {
  const url = escapeHtml(s.upstreamUrl);
  if (s.failure) return `<p class="error">Not answering since ${s.failure.since.toISOString()}</p><p>${url}</p><pre>${escapeHtml(s.failure.error)}</pre>`;
  if (!s.reading) return waiting(s);
  return `<p class="ok">Answering</p><p>${url}</p><p>Last poll ${s.reading.polledAt.toISOString()}</p>`;
}

const RENDER: Record<WidgetId, (s: DashboardState) => string> = {
  migrations: migrationsWidget,
  throughput: throughputWidget,
  health: healthWidget,
};

/** Every widget's HTML for `state`. */
export function renderWidgets(state: DashboardState): Record<WidgetId, string> {
  return Object.fromEntries(Object.entries(RENDER).map(([id, render]) => [id, `<div class="widget">${render(state)}</div>`])) as Record<WidgetId, string>;
}
