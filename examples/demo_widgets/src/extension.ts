/**
 * Demo Widgets: a dashboard of three widgets fed by a data-migration management service that the
 * extension polls (the reference SDK's `demo_widgets`, which polls LiveData Migrator). Each poll
 * re-renders the widgets and pushes the ones that changed with `updateResource`, which
 * re-registers the extension so the dashboard shows them at once. When the service stops
 * answering, the widgets keep the last data, say since when it is stale, and the health widget
 * shows the error; `GET /snapshot` and `POST /poll` give the same state as JSON.
 */
import { Extension, MimeType, problem } from "@symphony-codegen/runtime";
import { httpUrlSetting, msSetting } from "../../common/settings.js";
import { GetSnapshot, PollNow, register, type components, type Handlers } from "./generated/index.js";
import { readManagement } from "./management.js";
import { renderWidgets, WIDGETS, type DashboardState, type WidgetId } from "./widgets.js";

export const PREFIX = "demo_widgets";
export const WIDGET_MIME = MimeType.TextSlashHtmlPlusSymphony;

type Snapshot = components["schemas"]["Snapshot"];

export interface DemoWidgetsOptions {
  /** The management service's base URL. */
  managementUrl: string;
  /** Time between polls (ms). */
  pollIntervalMs: number;
  /** How long one poll may wait for the service (ms). */
  timeoutMs: number;
}

/** From MANAGEMENT_URL, POLL_INTERVAL_MS and POLL_TIMEOUT_MS; a malformed value is an InvalidConfiguration naming it. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoWidgetsOptions {
  return {
    managementUrl: httpUrlSetting(env, "MANAGEMENT_URL", "http://127.0.0.1:18080"),
    pollIntervalMs: msSetting(env, "POLL_INTERVAL_MS", 5000, 10, 3_600_000),
    timeoutMs: msSetting(env, "POLL_TIMEOUT_MS", 3000, 10, 3_600_000),
  };
}

export function createExtension(options: DemoWidgetsOptions = optionsFromEnv()): Extension {
  const initial = renderWidgets({ upstreamUrl: options.managementUrl });
  const ext = new Extension("Demo Widgets", PREFIX)
    .withDescription("A dashboard of migration widgets fed by polling a management service")
    .addCapability("sub", `extensions.${PREFIX}`, "Demo Widgets");
  for (const [id, w] of Object.entries(WIDGETS) as [WidgetId, (typeof WIDGETS)[WidgetId]][]) {
    ext.addResourceFull(w.uri, WIDGET_MIME, initial[id], w.name, w.notes).addWidgetWithNotes(w.name, w.uri, w.notes);
  }
  return ext.addRoute(`/${PREFIX}`, WIDGETS.migrations.uri).addMenu("main", "Migrations", `/${PREFIX}`, "fa-chart-line");
}

/** Polls the management service and keeps the widgets in step with it. */
export class Dashboard {
  readonly state: DashboardState;
  /** The content each widget last had pushed (or declared before the first registration). */
  #shown: Record<WidgetId, string>;
  #polling?: Promise<Snapshot>;
  #timer?: NodeJS.Timeout;

  constructor(
    readonly ext: Extension,
    readonly options: DemoWidgetsOptions,
  ) {
    this.state = { upstreamUrl: options.managementUrl };
    this.#shown = renderWidgets(this.state);
  }

  /** Polls every `pollIntervalMs` until stop(); a poll still running is not doubled. */
  start(): void {
    this.#timer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One poll (concurrent callers share it): reads the service, updates the widgets that changed. */
  poll(): Promise<Snapshot> {
    this.#polling ??= this.#pollOnce().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  async #pollOnce(): Promise<Snapshot> {
    try {
      const reading = await readManagement(this.options.managementUrl, this.options.timeoutMs);
      if (this.state.failure) this.ext.log.info("management service answers again", { url: this.options.managementUrl });
      this.state.reading = { ...reading, polledAt: new Date() };
      this.state.failure = undefined;
    } catch (err) {
      const error = (err as Error).message;
      if (!this.state.failure) this.ext.log.warn("management service not answering", { url: this.options.managementUrl, error });
      this.state.failure = { error, since: this.state.failure?.since ?? new Date() };
    }
    return this.snapshot(await this.#pushChanged());
  }

  /** Pushes each widget whose HTML changed; returns how many were pushed. A failed push is retried on the next poll. */
  async #pushChanged(): Promise<number> {
    const next = renderWidgets(this.state);
    let pushed = 0;
    for (const id of Object.keys(next) as WidgetId[]) {
      if (next[id] === this.#shown[id]) continue;
      try {
        await this.ext.updateResource(WIDGETS[id].uri, WIDGET_MIME, next[id]);
        this.#shown[id] = next[id];
        pushed++;
      } catch (err) {
        this.ext.log.warn("could not push a widget update", { widget: WIDGETS[id].uri, error: String(err) });
      }
    }
    return pushed;
  }

  snapshot(widgetsUpdated = 0): Snapshot {
    const { reading, failure } = this.state;
    return {
      ...(reading ? { polledAt: reading.polledAt.toISOString() } : {}),
      upstream: {
        url: this.options.managementUrl,
        reachable: !failure,
        ...(failure ? { error: failure.error, failingSince: failure.since.toISOString() } : {}),
      },
      migrations: reading?.migrations ?? [],
      throughput: reading?.throughput ?? { bytesPerSecond: 0, filesPerSecond: 0 },
      widgetsUpdated,
    };
  }
}

export function createHandlers(dashboard: Dashboard): Handlers {
  return {
    getSnapshot() {
      if (!dashboard.state.reading) {
        const why = dashboard.state.failure?.error ?? "no poll has finished yet";
        return GetSnapshot.serviceUnavailable(problem(503, `The management service at ${dashboard.options.managementUrl} has not answered: ${why}`));
      }
      return GetSnapshot.ok(dashboard.snapshot());
    },
    async pollNow() {
      return PollNow.ok(await dashboard.poll());
    },
  };
}

/** Polls once before serving (so the first registration already shows data), then on the interval. */
export function setupWith(options: DemoWidgetsOptions = optionsFromEnv()): (ext: Extension) => Promise<Dashboard> {
  return async (ext) => {
    const dashboard = new Dashboard(ext, options);
    await dashboard.poll();
    dashboard.start();
    ext.onShutdown(() => dashboard.stop());
    await register(ext, createHandlers(dashboard));
    return dashboard;
  };
}
