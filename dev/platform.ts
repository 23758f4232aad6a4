/**
 * The platform's own NATS services, as the local platform provides them:
 * the extension registry (entries kept alive by status messages), cluster
 * info, usage reports and enforcement state. Subjects and payloads: runtime/sdk/platform.ts.
 */
import type { NatsConnection, Subscription } from "nats";
import type { Logger } from "@symphony-codegen/runtime/internal/core/log.js";
import { SUBJECTS, type EnforcementStatus, type RegistrationEntry, type StatusMessage } from "@symphony-codegen/runtime/internal/sdk/platform.js";
import { ensureBuckets } from "@symphony-codegen/runtime/internal/sdk/storage.js";

export interface RegistryRecord {
  entry: RegistrationEntry;
  status: StatusMessage["status"];
  lastSeen: string;
  /** ms since epoch after which the entry is dropped without a new status. */
  expires: number;
}

/** An instance as the console shows it: "stale" once a heartbeat is overdue, "gone" once disconnected or expired. */
export interface InstanceStatus {
  id: string;
  prefix: string;
  name: string;
  state: "running" | "stale" | "gone";
  /** The status the instance reported last (its own word, e.g. "running"). */
  reported: StatusMessage["status"];
  lastSeen: string;
  /** ms since the last registration or status message. */
  ageMs: number;
  /** The heartbeat period the instance declared (ms). */
  intervalMs: number;
  /** Why a gone instance is gone. */
  reason?: "disconnected" | "expired";
  /** Declared lists and how many of each (capabilities, resources, …). */
  declared: Record<string, number>;
}

/** Gone instances the console still lists (latest first). */
const GONE_KEPT = 50;
/** A heartbeat this many periods overdue makes an instance stale (it expires at 3). */
const STALE_AFTER_PERIODS = 1.5;
const DECLARED = ["capabilities", "resources", "routes", "menus", "widgets", "buckets"] as const;

export interface PlatformOptions {
  replicas?: number;
  log: Logger;
  /** Enforcement state per prefix (default enforcement_ok). */
  enforcement?: Record<string, EnforcementStatus>;
  /**
   * Operator mode: extensions are isolated, so a KV bucket belongs to the first prefix that
   * claims it (at the token exchange or at registration) and no other prefix may declare it.
   */
  isolated?: boolean;
}

/** A refused platform message: the reason goes to the log and into the `{ok: false, error}` answer. */
class Refused extends Error {}

const decoder = new TextDecoder();
const PLATFORM_VERSION = "0.1.0";

export class PlatformServices {
  #records = new Map<string, RegistryRecord>();
  /** Every prefix ever registered: an entry is dropped when its extension stops, the prefix stays known. */
  #prefixes = new Set<string>();
  #usage = new Map<string, Record<string, number>>();
  /** Bucket name → owning prefix (isolated mode). */
  #bucketOwners = new Map<string, string>();
  /** Instances that disconnected or expired, latest last, at most GONE_KEPT. */
  #gone: { record: RegistryRecord; reason: "disconnected" | "expired" }[] = [];
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

  /** Every live instance with its heartbeat state, then the latest gone ones. */
  instances(): InstanceStatus[] {
    const now = Date.now();
    const live = this.extensions().map((r) => {
      const intervalMs = intervalOf(r.entry) * 1000;
      const ageMs = now - Date.parse(r.lastSeen);
      return statusOf(r, ageMs > intervalMs * STALE_AFTER_PERIODS ? "stale" : "running", ageMs);
    });
    const gone = [...this.#gone].reverse().map((g) => ({ ...statusOf(g.record, "gone", now - Date.parse(g.record.lastSeen)), reason: g.reason }));
    return [...live, ...gone];
  }

  #drop(id: string, record: RegistryRecord, reason: "disconnected" | "expired"): void {
    this.#records.delete(id);
    this.#gone = this.#gone.filter((g) => g.record.entry.id !== id);
    this.#gone.push({ record, reason });
    if (this.#gone.length > GONE_KEPT) this.#gone.shift();
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

  /**
   * Claims `buckets` for `prefix` (isolated mode): the refusal names the first bucket another
   * prefix owns, and then nothing is claimed. Open mode claims nothing and refuses nothing.
   */
  claimBuckets(prefix: string, buckets: readonly string[]): string | undefined {
    if (!this.options.isolated) return undefined;
    const taken = buckets.find((b) => (this.#bucketOwners.get(b) ?? prefix) !== prefix);
    if (taken !== undefined) return `bucket ${taken} belongs to extension ${this.#bucketOwners.get(taken)}`;
    for (const b of buckets) this.#bucketOwners.set(b, prefix);
    return undefined;
  }

  start(): void {
    // Each message carrying an identity is served on its shared subject and on `<subject>.<prefix>`
    // (runtime/sdk/platform.ts platformSubjects). On the latter the payload's prefix must be the subject's;
    // in operator mode that is the only form an extension's user may publish.
    this.#serveScoped(SUBJECTS.register, (data, scope) => this.#register(data as RegistrationEntry, scope));
    this.#serve(SUBJECTS.list, () => ({ extensions: this.extensions() }));
    this.#serve(SUBJECTS.info, () => ({
      name: "symphony-dev",
      version: PLATFORM_VERSION,
      extensions: this.extensions().length,
      replicas: this.options.replicas ?? 1,
    }));
    this.#serve(SUBJECTS.clusterInfo, () => ({ replicas: this.options.replicas ?? 1 }));
    this.#serveScoped(SUBJECTS.usageReport, (data, scope) => {
      const report = data as { prefix?: string; dimensions?: Record<string, unknown> };
      if (!report?.prefix || typeof report.dimensions !== "object" || report.dimensions === null)
        return { ok: false, error: "usage report needs prefix and dimensions" };
      inScope(report.prefix, scope, "usage report");
      const totals = this.#usage.get(report.prefix) ?? {};
      for (const [k, v] of Object.entries(report.dimensions)) {
        if (typeof v !== "number" || !Number.isFinite(v)) return { ok: false, error: `dimension ${k} must be a number` };
      }
      for (const [k, v] of Object.entries(report.dimensions as Record<string, number>)) totals[k] = (totals[k] ?? 0) + v;
      this.#usage.set(report.prefix, totals);
      return { ok: true, totals };
    });
    this.#serveScoped(SUBJECTS.enforcement, (data, scope) => {
      const prefix = (data as { prefix?: string })?.prefix ?? "";
      inScope(prefix, scope, "enforcement request");
      return { prefix, status: this.options.enforcement?.[prefix] ?? "enforcement_ok" };
    });
    for (const subject of [SUBJECTS.status, `${SUBJECTS.status}.*`]) {
      this.#subs.push(this.nc.subscribe(subject, { callback: (_err, msg) => this.#status(msg.data, scopeOf(SUBJECTS.status, msg.subject)) }));
    }
    this.#sweeper = setInterval(() => this.#sweep(), 1000);
    this.#sweeper.unref();
  }

  async #register(entry: RegistrationEntry, scope: string | undefined): Promise<unknown> {
    if (!entry || typeof entry.prefix !== "string" || typeof entry.id !== "string") return { ok: false, error: "registration needs id and prefix" };
    inScope(entry.prefix, scope, "registration");
    const existing = this.#records.get(entry.id);
    if (existing && existing.entry.prefix !== entry.prefix) throw new Refused(`instance ${entry.id} is registered by extension ${existing.entry.prefix}`);
    if (Array.isArray(entry.buckets) && entry.buckets.length > 0) {
      const taken = this.claimBuckets(
        entry.prefix,
        entry.buckets.map((b) => String(b?.name)),
      );
      if (taken) throw new Refused(taken);
      try {
        await ensureBuckets(this.nc.jetstream(), entry.buckets, this.options.replicas ?? 1, this.options.log.child({ prefix: entry.prefix }));
      } catch (err) {
        return { ok: false, error: `could not create buckets: ${(err as Error).message}` };
      }
    }
    this.#prefixes.add(entry.prefix);
    // Registered again (a restart keeping its id): no longer gone.
    this.#gone = this.#gone.filter((g) => g.record.entry.id !== entry.id);
    this.#records.set(entry.id, { entry, status: "running", lastSeen: new Date().toISOString(), expires: this.#expiry(entry) });
    if (!existing) this.options.log.info("extension registered", { prefix: entry.prefix, id: entry.id });
    return { ok: true, id: entry.id };
  }

  #status(data: Uint8Array, scope: string | undefined): void {
    let status: StatusMessage;
    try {
      status = JSON.parse(decoder.decode(data)) as StatusMessage;
    } catch {
      return; // A malformed status message changes nothing.
    }
    const record = this.#records.get(status?.id);
    if (!record) return;
    const { log } = this.options;
    // Only the extension an entry belongs to may keep it alive or end it.
    if (status.prefix !== record.entry.prefix || (scope !== undefined && scope !== status.prefix)) {
      log.warn("status refused", {
        id: status.id,
        prefix: status.prefix,
        owner: record.entry.prefix,
        ...(scope === undefined ? {} : { subjectPrefix: scope }),
      });
      return;
    }
    if (status.status === "disconnected") {
      this.#drop(status.id, record, "disconnected");
      log.info("extension disconnected", { prefix: status.prefix, id: status.id });
      return;
    }
    record.status = status.status;
    record.lastSeen = new Date().toISOString();
    record.expires = this.#expiry(record.entry);
  }

  stop(): void {
    clearInterval(this.#sweeper);
    for (const s of this.#subs) s.unsubscribe();
  }

  #expiry(entry: RegistrationEntry): number {
    return Date.now() + intervalOf(entry) * 3 * 1000;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, record] of this.#records) {
      if (record.expires < now) {
        this.#drop(id, record, "expired");
        this.options.log.info("extension expired", {
          prefix: record.entry.prefix,
          id,
        });
      }
    }
  }

  /** Serves `subject` and `subject.<prefix>`; the answer gets the prefix token (undefined on the shared subject). */
  #serveScoped(subject: string, answer: (data: unknown, scope: string | undefined) => unknown): void {
    this.#serve(subject, answer);
    this.#serve(`${subject}.*`, answer, subject);
  }

  #serve(subject: string, answer: (data: unknown, scope: string | undefined) => unknown, base = subject): void {
    const sub = this.nc.subscribe(subject, {
      callback: (_err, msg) => {
        void (async () => {
          let reply: unknown;
          try {
            const text = decoder.decode(msg.data);
            reply = await answer(text ? JSON.parse(text) : {}, scopeOf(base, msg.subject));
          } catch (err) {
            if (err instanceof Refused) this.options.log.warn("platform request refused", { subject: msg.subject, reason: err.message });
            reply = { ok: false, error: err instanceof Refused ? err.message : `invalid request: ${(err as Error).message}` };
          }
          if (msg.reply) msg.respond(JSON.stringify(reply));
        })();
      },
    });
    this.#subs.push(sub);
  }
}

/** The declared status period (s); 30 when missing or not positive. */
function intervalOf(entry: RegistrationEntry): number {
  return typeof entry.statusInterval === "number" && entry.statusInterval > 0 ? entry.statusInterval : 30;
}

function statusOf(r: RegistryRecord, state: InstanceStatus["state"], ageMs: number): InstanceStatus {
  const declared: Record<string, number> = {};
  for (const k of DECLARED) {
    const list = r.entry[k];
    if (Array.isArray(list) && list.length) declared[k] = list.length;
  }
  return {
    id: r.entry.id,
    prefix: r.entry.prefix,
    name: r.entry.name,
    state,
    reported: r.status,
    lastSeen: r.lastSeen,
    ageMs,
    intervalMs: intervalOf(r.entry) * 1000,
    declared,
  };
}

/** The prefix token of `<base>.<prefix>`; undefined for `base` itself. */
function scopeOf(base: string, subject: string): string | undefined {
  return subject.length > base.length ? subject.slice(base.length + 1) : undefined;
}

/** A message about extension `prefix` must arrive on that extension's subject (`scope`), or on the shared one (undefined). */
function inScope(prefix: string, scope: string | undefined, what: string): void {
  if (scope !== undefined && scope !== prefix) throw new Refused(`${what} for extension ${prefix} sent on the subject of extension ${scope}`);
}
