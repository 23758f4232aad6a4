/**
 * Retrying idempotent requests (docs/sdk.md "Retries"): the one policy used by the typed client,
 * `Client` and the local platform's REST gateway.
 *
 * A non-idempotent request (POST, PATCH, …) is sent once. An idempotent one (GET, HEAD, PUT, DELETE,
 * OPTIONS, TRACE, or an operation marked `x-symphony-idempotent: true`) is sent again, always within
 * the caller's timeout (never extended), when a copy is lost or stuck:
 * - no responders (503): no instance is subscribed (an instance or the server restarting), so the
 *   request reached nobody; sent again after a backoff (50 ms doubling to 1 s, with jitter);
 * - our connection came back after a disconnect: every copy in flight over it is lost (nats.js drops
 *   unflushed bytes, and a reply cannot reach an inbox that is gone); sent again at once;
 * - no reply within the patience (default min(1 s, timeout/4), doubling): the instance that took it
 *   may have died (kill -9) and NATS says nothing about that. A further copy is sent while the earlier
 *   ones keep waiting, so a slow handler still has the whole timeout; at most 3 copies in flight.
 * The first reply wins; later ones are ignored. Every other error is final at once.
 */
import { ErrorCode, NatsError, type Msg, type RequestOptions, type Status } from "nats";

/** Anything that can send a NATS request (a NatsConnection); `status()` lets retries see reconnects. */
export interface Requester {
  request(subject: string, payload?: Uint8Array | string, opts?: Partial<RequestOptions>): Promise<Msg>;
}

/** RFC 9110 §9.2.2: repeating these has the effect of sending them once. */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** Whether a request may be sent more than once: an idempotent method, or an operation marked so. */
export function isIdempotent(method: string, marked?: boolean): boolean {
  return marked === true || IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** nats.js gives up after 10 attempts 2 s apart (~21 s); a long-lived connection should wait for NATS instead. */
export const RECONNECT_FOREVER = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 2_000,
  reconnectJitter: 500,
} as const;

export type AttemptReason = "first" | "no-responders" | "reconnected" | "unanswered";

export interface RetryOptions {
  /** The caller's deadline: the call settles within it, however many copies were sent. */
  timeoutMs: number;
  idempotent: boolean;
  /** No reply after this long sends another copy (doubling each time); default min(1 s, timeoutMs / 4). */
  patienceMs?: number;
  /** Asked before retrying a no-responders: true when the caller knows the target stopped for good. */
  giveUp?: () => boolean;
  /** Called for every copy sent (1-based), e.g. to log retries. */
  onAttempt?: (attempt: number, reason: AttemptReason) => void;
}

const MAX_IN_FLIGHT = 3;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 1_000;

/** Exponential backoff with jitter: 50, 100, 200, … 1000 ms, each between half and all of that. */
export function backoffMs(retry: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** retry);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

const codeOf = (err: unknown) => (err as { code?: string }).code;

/** Sends `payload` to `subject` and resolves with the first reply, retrying an idempotent request as above. */
export function requestWithRetry(nc: Requester, subject: string, payload: Uint8Array, options: RetryOptions): Promise<Msg> {
  const { timeoutMs } = options;
  if (!options.idempotent) return nc.request(subject, payload, { timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  let patience = options.patienceMs ?? Math.min(1_000, timeoutMs / 4);
  return new Promise<Msg>((resolve, reject) => {
    let settled = false;
    /** Copies whose reply may still come; `live`: those sent since the last reconnect. */
    let pending = 0;
    let live = 0;
    let sent = 0;
    let busy = 0;
    let lastError: unknown;
    let next: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(next);
      clearTimeout(overall);
      unwatch();
      settle();
    };
    const fail = (err: unknown) => finish(() => reject(err));
    const schedule = (ms: number, reason: AttemptReason) => {
      clearTimeout(next);
      next = setTimeout(() => send(reason), ms);
    };
    const send = (reason: AttemptReason) => {
      next = undefined;
      const remaining = deadline - Date.now();
      if (settled || remaining < 1) return;
      sent++;
      pending++;
      live++;
      options.onAttempt?.(sent, reason);
      if (reason === "unanswered") patience *= 2;
      if (live < MAX_IN_FLIGHT && patience < remaining) schedule(patience, "unanswered");
      nc.request(subject, payload, { timeout: remaining }).then(
        (msg) => finish(() => resolve(msg)),
        (err: unknown) => {
          pending--;
          live = Math.max(0, live - 1);
          if (settled) return;
          lastError = err;
          const code = codeOf(err);
          if (code === ErrorCode.NoResponders) {
            if (options.giveUp?.()) return fail(err);
            const wait = backoffMs(busy++);
            if (deadline - Date.now() > wait) return schedule(wait, "no-responders");
          } else if (code !== ErrorCode.Timeout && code !== ErrorCode.Disconnect) return fail(err);
          // Nothing else will come: settle now rather than at the deadline.
          if (pending === 0 && next === undefined) fail(err);
        },
      );
    };
    const overall = setTimeout(() => fail(pending > 0 || lastError === undefined ? NatsError.errorForCode(ErrorCode.Timeout) : lastError), timeoutMs);
    const unwatch = onReconnect(nc, () => {
      live = 0;
      send("reconnected");
    });
    send("first");
  });
}

/** Per connection: the callbacks to run when it reconnects, fed by one status watcher. */
const reconnectListeners = new WeakMap<object, Set<() => void>>();

function onReconnect(nc: Requester, listener: () => void): () => void {
  const status = (nc as { status?: () => AsyncIterable<Status> }).status;
  if (typeof status !== "function") return () => {};
  let listeners = reconnectListeners.get(nc);
  if (!listeners) {
    const set = new Set<() => void>();
    listeners = set;
    reconnectListeners.set(nc, set);
    void (async () => {
      for await (const s of status.call(nc)) if (s.type === "reconnect") for (const l of [...set]) l();
    })().catch(() => {});
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
