/**
 * A service's endpoints, each on a queue subscription of its own, without nats.js's per-endpoint
 * machinery: an endpoint added with `addEndpoint` holds an iterator, a stats object and closures
 * beside its subscription (2.7 KB each against 1.2 KB for the subscription alone; GitHub's 1,223
 * endpoints: 3.2 MiB of heap, and V8's young generation doubled while registering them).
 *
 * One subscription per endpoint, not one wildcard for the group: NATS hands a request to a member
 * of the queue group among the subscriptions matching its subject, so during a rolling upgrade only
 * the instances that serve an endpoint receive its requests, and an endpoint written by hand in the
 * same group (the reference SDK's pattern) receives all of its own.
 *
 * The wire stays NATS micro's: the nats.js Service still answers `$SRV.PING/INFO/STATS` (and serves
 * endpoints added to it directly, e.g. observability's); its `info()`/`stats()`/`reset()`/`stop()`
 * are extended to list, count and release these endpoints with nats.js's exact shapes (name,
 * subject, queue_group, metadata; num_requests, num_errors, last_error, processing_time,
 * average_processing_time, timed as nats.js times its handlers).
 */
import { Empty, headers, ServiceErrorCodeHeader, ServiceErrorHeader, type Msg, type NatsConnection, type Service, type Subscription } from "nats";
import type { Logger } from "../core/log.js";

/** An endpoint served on its own subscription. */
export interface GroupEndpoint {
  /** Endpoint name: the subject's last token. */
  readonly name: string;
  /** Announced in `$SRV.INFO`; built when asked (not held per endpoint). */
  metadata(): Record<string, string>;
  /** Handles one request; a throw is counted as the endpoint's error and answered as nats.js answers it. */
  serve(msg: Msg): void;
}

/** One endpoint's counters, created on its first request (most endpoints of a large API are never called). */
class EndpointStats {
  num_requests = 0;
  num_errors = 0;
  processing_time = 0;
  average_processing_time = 0;
  last_error?: string;
}

export interface GroupOptions {
  /** The group subject; endpoints listen on `<subject>.<name>`. */
  subject: string;
  /** Queue group: instances share load as nats.js micro endpoints do. */
  queue: string;
  log: Logger;
}

/**
 * Serves `endpoints` under `options.subject` for `service`, and makes the service announce and
 * count them in `$SRV.INFO`/`$SRV.STATS` as if each had been added with `addEndpoint`. Stopping the
 * service stops them receiving; a subscription that ends on its own stops the service, as nats.js does.
 */
export function serveEndpoints(nc: NatsConnection, service: Service, endpoints: readonly GroupEndpoint[], options: GroupOptions): void {
  const { subject, queue, log } = options;
  const stats = new Map<string, EndpointStats>();
  let stopping = false;
  const receive = (endpoint: GroupEndpoint, err: Error | null, msg: Msg) => {
    if (err) {
      log.error("endpoint subscription failed", { endpoint: endpoint.name, error: err.message });
      return;
    }
    const start = Date.now();
    let s = stats.get(endpoint.name);
    if (!s) stats.set(endpoint.name, (s = new EndpointStats()));
    try {
      endpoint.serve(msg);
    } catch (e) {
      // nats.js's answer to a handler that throws: an empty reply carrying the error in headers.
      s.num_errors++;
      s.last_error = (e as Error).message;
      const h = headers();
      h.set(ServiceErrorHeader, (e as Error).message);
      h.set(ServiceErrorCodeHeader, "500");
      msg.respond(Empty, { headers: h });
    } finally {
      s.num_requests++;
      s.processing_time += (Date.now() - start) * 1_000_000;
      s.average_processing_time = Math.round(s.processing_time / s.num_requests);
    }
  };
  const lost = (name: string, detail: string) => {
    if (stopping) return;
    stopping = true;
    void service.stop(new Error(`required subscription ${subject}.${name} ${detail}`)).catch(() => {});
  };
  const subs: Subscription[] = endpoints.map((endpoint) => {
    const sub = nc.subscribe(`${subject}.${endpoint.name}`, { queue, callback: (err, msg) => receive(endpoint, err, msg) });
    void sub.closed.then(
      () => lost(endpoint.name, "stopped"),
      (e: Error) => lost(endpoint.name, `errored: ${e.message}`),
    );
    return sub;
  });
  announce(service, endpoints, stats, options, async () => {
    stopping = true;
    await Promise.all(subs.map((sub) => (sub.isClosed() ? undefined : sub.drain().catch(() => {}))));
  });
}

/** Extends the nats.js service's own INFO/STATS/reset/stop with these endpoints (listed first: they were added first). */
function announce(
  service: Service,
  endpoints: readonly GroupEndpoint[],
  counters: Map<string, EndpointStats>,
  options: GroupOptions,
  drain: () => Promise<void>,
): void {
  const subject = (name: string) => `${options.subject}.${name}`;
  const info = service.info.bind(service);
  const stats = service.stats.bind(service);
  const reset = service.reset.bind(service);
  const stop = service.stop.bind(service);
  const zero = new EndpointStats();
  // nats.js's shapes and key order (ServiceImpl.endpoints() and NamedEndpointStatsImpl._stats()).
  service.info = () => {
    const own = info();
    const ours = endpoints.map((e) => ({ subject: subject(e.name), metadata: e.metadata(), name: e.name, queue_group: options.queue }));
    return { ...own, endpoints: [...ours, ...own.endpoints] };
  };
  service.stats = async () => {
    const own = await stats();
    const ours = endpoints.map((e) => {
      const s = counters.get(e.name) ?? zero;
      return {
        name: e.name,
        subject: subject(e.name),
        average_processing_time: s.average_processing_time,
        num_errors: s.num_errors,
        num_requests: s.num_requests,
        processing_time: s.processing_time,
        last_error: s.last_error,
        data: undefined,
        queue_group: options.queue,
      };
    });
    return { ...own, endpoints: [...ours, ...(own.endpoints ?? [])] };
  };
  service.reset = () => {
    reset();
    counters.clear();
  };
  service.stop = async (err?: Error) => {
    await drain();
    return stop(err);
  };
}
