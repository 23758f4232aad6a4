/**
 * The platform's own NATS services, as the local platform provides them:
 * the extension registry (entries kept alive by status messages), cluster
 * info, usage reports and enforcement state. Subjects and payloads: runtime/platform.ts.
 */
import type { NatsConnection, Subscription } from "nats";
import type { Logger } from "@symphony-codegen/runtime/internal/log.js";
import { SUBJECTS, type EnforcementStatus, type RegistrationEntry, type StatusMessage } from "@symphony-codegen/runtime/internal/platform.js";
import { ensureBuckets } from "@symphony-codegen/runtime/internal/storage.js";

export interface RegistryRecord {
  entry: RegistrationEntry;
  status: StatusMessage["status"];
  lastSeen: string;
  /** ms since epoch after which the entry is dropped without a new status. */
  expires: number;
}

export interface PlatformOptions {
  replicas?: number;
  log: Logger;
  /** Enforcement state per prefix (default enforcement_ok). */
  enforcement?: Record<string, EnforcementStatus>;
}

const decoder = new TextDecoder();
const PLATFORM_VERSION = "0.1.0";

export class PlatformServices {
  #records = new Map<string, RegistryRecord>();
  /** Every prefix ever registered: an entry is dropped when its extension stops, the prefix stays known. */
  #prefixes = new Set<string>();
  #usage = new Map<string, Record<string, number>>();
  #subs: Subscription[] = [];
  #sweeper?: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: PlatformOptions,
  ) {}

  extensions(): RegistryRecord[] {
    this.#sweep();
    return [...this.#records.values()].sort((a, b) => a.entry.prefix.localeCompare(b.entry.prefix) || a.entry.id.localeCompare(b.entry.id));
  }

  /** "registered": an entry of this prefix is live; "gone": registered earlier, none live now; undefined: never registered. */
  registration(prefix: string): "registered" | "gone" | undefined {
    if (!this.#prefixes.has(prefix)) return undefined;
    return this.extensions().some((r) => r.entry.prefix === prefix) ? "registered" : "gone";
  }

  usage(prefix: string): Record<string, number> {
    return { ...this.#usage.get(prefix) };
  }

  setEnforcement(prefix: string, status: EnforcementStatus): void {
    (this.options.enforcement ??= {})[prefix] = status;
  }

  start(): void {
    const { log } = this.options;
    this.#serve(SUBJECTS.register, async (data) => {
      const entry = data as RegistrationEntry;
      if (!entry || typeof entry.prefix !== "string" || typeof entry.id !== "string") return { ok: false, error: "registration needs id and prefix" };
      if (Array.isArray(entry.buckets) && entry.buckets.length > 0) {
        try {
          await ensureBuckets(this.nc.jetstream(), entry.buckets, this.options.replicas ?? 1, log.child({ prefix: entry.prefix }));
        } catch (err) {
          return {
            ok: false,
            error: `could not create buckets: ${(err as Error).message}`,
          };
        }
      }
      const isNew = !this.#records.has(entry.id);
      this.#prefixes.add(entry.prefix);
      this.#records.set(entry.id, {
        entry,
        status: "running",
        lastSeen: new Date().toISOString(),
        expires: this.#expiry(entry),
      });
      if (isNew)
        log.info("extension registered", {
          prefix: entry.prefix,
          id: entry.id,
        });
      return { ok: true, id: entry.id };
    });
    this.#serve(SUBJECTS.list, () => ({ extensions: this.extensions() }));
    this.#serve(SUBJECTS.info, () => ({
      name: "symphony-dev",
      version: PLATFORM_VERSION,
      extensions: this.extensions().length,
      replicas: this.options.replicas ?? 1,
    }));
    this.#serve(SUBJECTS.clusterInfo, () => ({
      replicas: this.options.replicas ?? 1,
    }));
    this.#serve(SUBJECTS.usageReport, (data) => {
      const report = data as {
        prefix?: string;
        dimensions?: Record<string, unknown>;
      };
      if (!report?.prefix || typeof report.dimensions !== "object" || report.dimensions === null)
        return { ok: false, error: "usage report needs prefix and dimensions" };
      const totals = this.#usage.get(report.prefix) ?? {};
      for (const [k, v] of Object.entries(report.dimensions)) {
        if (typeof v !== "number" || !Number.isFinite(v)) return { ok: false, error: `dimension ${k} must be a number` };
      }
      for (const [k, v] of Object.entries(report.dimensions as Record<string, number>)) totals[k] = (totals[k] ?? 0) + v;
      this.#usage.set(report.prefix, totals);
      return { ok: true, totals };
    });
    this.#serve(SUBJECTS.enforcement, (data) => {
      const prefix = (data as { prefix?: string })?.prefix ?? "";
      return {
        prefix,
        status: this.options.enforcement?.[prefix] ?? "enforcement_ok",
      };
    });
    const statusSub = this.nc.subscribe(SUBJECTS.status, {
      callback: (_err, msg) => {
        try {
          const status = JSON.parse(decoder.decode(msg.data)) as StatusMessage;
          const record = this.#records.get(status.id);
          if (!record) return;
          if (status.status === "disconnected") {
            this.#records.delete(status.id);
            log.info("extension disconnected", {
              prefix: status.prefix,
              id: status.id,
            });
            return;
          }
          record.status = status.status;
          record.lastSeen = new Date().toISOString();
          record.expires = this.#expiry(record.entry);
        } catch {
          // A malformed status message changes nothing.
        }
      },
    });
    this.#subs.push(statusSub);
    this.#sweeper = setInterval(() => this.#sweep(), 1000);
    this.#sweeper.unref();
  }

  stop(): void {
    clearInterval(this.#sweeper);
    for (const s of this.#subs) s.unsubscribe();
  }

  #expiry(entry: RegistrationEntry): number {
    const interval = typeof entry.statusInterval === "number" && entry.statusInterval > 0 ? entry.statusInterval : 30;
    return Date.now() + interval * 3 * 1000;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, record] of this.#records) {
      if (record.expires < now) {
        this.#records.delete(id);
        this.options.log.info("extension expired", {
          prefix: record.entry.prefix,
          id,
        });
      }
    }
  }

  #serve(subject: string, answer: (data: unknown) => unknown): void {
    const sub = this.nc.subscribe(subject, {
      callback: (_err, msg) => {
        void (async () => {
          let reply: unknown;
          try {
            const text = decoder.decode(msg.data);
            reply = await answer(text ? JSON.parse(text) : {});
          } catch (err) {
            reply = {
              ok: false,
              error: `invalid request: ${(err as Error).message}`,
            };
          }
          if (msg.reply) msg.respond(JSON.stringify(reply));
        })();
      },
    });
    this.#subs.push(sub);
  }
}
