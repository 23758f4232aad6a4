/**
 * `runFuzz`: a real nats-server, `symphony-codegen dev` (the gateway) and each target example as its
 * own process; `cases` generated cases sent with bounded concurrency, three in five as NATS requests
 * straight to the endpoint and two in five as HTTP requests through the gateway; every answer judged
 * by the oracle. Returns the figures (docs/reliability.md) and one replayable example per finding.
 */
import http from "node:http";
import { connect, type NatsConnection } from "nats";
import { startNatsServer } from "../helpers/nats-server.js";
import {
  DEFAULT_TARGETS,
  generateCase,
  KINDS,
  loadOperations,
  MAX_PAYLOAD,
  type CaseKind,
  type FuzzCase,
  type FuzzTarget,
  type HttpCase,
  type NatsCase,
  type Transport,
} from "./cases.js";
import { FAILURES, judgeHttpResponse, judgeNatsReply, OUTCOMES, type Outcome, type OutcomeClass } from "./oracle.js";
import { rssKiB, startExample, startGateway, waitRouted, type LoggedProblem, type Watched } from "./processes.js";

export interface FuzzOptions {
  cases: number;
  seed: number;
  targets?: FuzzTarget[];
  /** Requests in flight at once (default 16): enough to keep both cores busy, few enough that nothing waits on a queue for long. */
  concurrency?: number;
  /** Only these case indices (a replay). */
  only?: number[];
  /** How long a NATS request waits for its reply before it counts as lost (the gateway's own bound is 10 s, then a 504). */
  timeoutMs?: number;
  /** Called every `progressEvery` cases. */
  onProgress?: (done: number, total: number, tally: Tally) => void;
  progressEvery?: number;
  /** Called with each case and its outcome (a replay prints them). */
  onCase?: (c: FuzzCase, outcome: Outcome) => void;
}

export type Tally = Record<OutcomeClass | "cases" | "answered", number>;

/** One kind of failure: an outcome class on one path with one detail (numbers aside), over every operation and case kind that showed it. */
export interface Finding {
  cls: OutcomeClass;
  transport: Transport;
  operations: string[];
  kinds: CaseKind[];
  detail: string;
  count: number;
  /** The first case that showed it. */
  example: { index: number; note: string; replay: string };
}

export interface ProcessFigures {
  name: string;
  pid: number;
  rssBeforeKiB?: number;
  rssAfterKiB?: number;
  rssMaxKiB?: number;
  /** Prototype members changed during the run ([] = untouched); undefined when the process could not be probed (not a Node process, or gone). */
  prototypesChanged?: string[];
  alive: boolean;
  /** For a process that ended during the run: its exit code or signal, and the last lines it wrote. */
  exit?: { how: string; tail: string };
  logged: { message: string; level: string; count: number }[];
}

export interface FuzzReport {
  seed: number;
  cases: number;
  concurrency: number;
  durationMs: number;
  total: Tally;
  byTransport: Record<Transport, Tally>;
  byKind: Partial<Record<CaseKind, Tally>>;
  processes: ProcessFigures[];
  findings: Finding[];
  /** lost + unexpected 5xx + bad replies + malformed 4xx + cases the harness could not send. */
  failures: number;
  /** Every watched Node process's prototypes unchanged. */
  prototypesUntouched: boolean;
}

const emptyTally = (): Tally => Object.fromEntries([...OUTCOMES, "cases", "answered"].map((k) => [k, 0])) as Tally;

const clip = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

function utf8OrBase64(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("utf8");
  return Buffer.from(text, "utf8").equals(Buffer.from(bytes)) ? text : `base64:${Buffer.from(bytes).toString("base64")}`;
}

/** Enough to send the case again by hand; the whole case comes back with `--seed S --case N`. */
export function replayOf(c: FuzzCase): string {
  if (c.transport === "nats") return `nats request ${c.subject} ${clip(utf8OrBase64(c.payload))}`;
  const headers = Object.entries(c.headers).map(([k, v]) => `${k}: ${clip(v, 120)}`);
  return [
    `${c.method} ${clip(c.absolute ? c.target : `/api/${c.op.target.prefix}${c.target}`, 300)}`,
    ...headers,
    ...(c.body ? ["", clip(utf8OrBase64(c.body))] : []),
  ].join("\n");
}

function sendNats(nc: NatsConnection, c: NatsCase, timeoutMs: number): Promise<Outcome> {
  if (c.payload.length > MAX_PAYLOAD)
    return Promise.resolve({
      cls: "unsent",
      detail: `envelope of ${c.payload.length} bytes over max_payload (a generator bug)`,
    });
  return nc.request(c.subject, c.payload, { timeout: timeoutMs }).then(
    (msg) => judgeNatsReply(c, msg.data),
    (err: { code?: string; message?: string }): Outcome => {
      if (err.code === "TIMEOUT") return { cls: "lost", detail: `no reply within ${timeoutMs} ms` };
      if (err.code === "503")
        return {
          cls: "lost",
          detail: "no responders (the service is not subscribed)",
        };
      return {
        cls: "unsent",
        detail: `request failed: ${err.code ?? ""} ${err.message ?? ""}`,
      };
    },
  );
}

/** Node's default `--max-http-header-size`: the request line and headers together. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

const headerBytes = (c: HttpCase) =>
  Buffer.byteLength(c.target) + Object.entries(c.headers).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v) + 4, 0);

function sendHttp(agent: http.Agent, base: URL, c: HttpCase, timeoutMs: number, retried = false): Promise<Outcome> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.body) headers["content-length"] = c.body.length;
    try {
      req = http.request({
        host: base.hostname,
        port: base.port,
        method: c.method,
        path: c.absolute ? c.target : `/api/${c.op.target.prefix}${c.target}`,
        headers,
        agent,
        timeout: timeoutMs,
      });
    } catch (err) {
      return resolve({
        cls: "unsent",
        detail: `the HTTP client refused the request: ${(err as Error).message}`,
      });
    }
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(judgeHttpResponse(c, c.method, res.statusCode ?? 0, res.headers["content-type"], Buffer.concat(chunks).toString("utf8"))));
      res.on("error", (err) =>
        resolve({
          cls: "lost",
          status: res.statusCode,
          detail: `response cut off: ${err.message}`,
        }),
      );
    });
    req.on("timeout", () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      // Node's HTTP server answers a request line and headers over its limit with 431 and closes the
      // socket while the client is still writing them: the reset is that refusal, not a lost request.
      if (headerBytes(c) > NODE_MAX_HEADER_BYTES && (err.code === "ECONNRESET" || err.code === "EPIPE"))
        resolve({ cls: "4xx", status: 431, detail: "headers over Node's limit: refused (431) and closed" });
      // A kept-alive socket the server closed as it was reused: the request never reached the
      // server; Node's documentation says to send it again.
      else if (req.reusedSocket && err.code === "ECONNRESET" && !retried) resolve(sendHttp(agent, base, c, timeoutMs, true));
      else resolve({ cls: "lost", detail: `connection ended without a response: ${err.code ?? err.message}` });
    });
    req.end(c.body);
  });
}

interface Started {
  nats: Awaited<ReturnType<typeof startNatsServer>>;
  gateway: Watched;
  httpUrl: string;
  services: Watched[];
}

async function startAll(targets: FuzzTarget[]): Promise<Started> {
  const nats = await startNatsServer();
  const started: Watched[] = [];
  try {
    // The gateway first: the services then register with its platform services, as under `dev --run`.
    const { proc: gateway, httpUrl } = await startGateway(nats.url);
    started.push(gateway);
    const services = await Promise.all(targets.map((t) => startExample(t.example, nats.url).then((s) => (started.push(s), s))));
    await waitRouted(
      gateway,
      httpUrl,
      targets.map((t) => t.prefix),
    );
    return { nats, gateway, httpUrl, services };
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    await nats.stop();
    throw err;
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const targets = options.targets ?? DEFAULT_TARGETS;
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ops = await loadOperations(targets);
  const indices = options.only ?? Array.from({ length: options.cases }, (_, i) => i);
  const { nats, gateway, httpUrl, services } = await startAll(targets);
  const watched = [...services, gateway];
  const nc = await connect({ servers: nats.url, name: "fuzz" });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    if (nc.info && nc.info.max_payload !== MAX_PAYLOAD)
      throw new Error(`nats-server max_payload is ${nc.info.max_payload}, the generator assumes ${MAX_PAYLOAD}`);
    const exits = new Map<number, string>();
    for (const w of watched) void w.exited.then((how) => exits.set(w.pid, String(how)));
    const pids = [...watched.map((w) => ({ name: w.name, pid: w.pid })), { name: "nats-server", pid: nats.pid }];
    const rssBefore = new Map(pids.map(({ pid }) => [pid, rssKiB(pid)]));
    const rssMax = new Map(rssBefore);
    const sampler = setInterval(() => {
      for (const { pid } of pids) rssMax.set(pid, Math.max(rssMax.get(pid) ?? 0, rssKiB(pid) ?? 0));
    }, 500);

    const total = emptyTally();
    const byTransport: Record<Transport, Tally> = {
      nats: emptyTally(),
      gateway: emptyTally(),
    };
    const byKind: Partial<Record<CaseKind, Tally>> = {};
    const findings = new Map<string, Finding>();
    const base = new URL(httpUrl);
    const started = performance.now();
    let next = 0;
    let done = 0;

    const record = (c: FuzzCase, outcome: Outcome) => {
      for (const t of [total, byTransport[c.transport], (byKind[c.kind] ??= emptyTally())]) {
        t.cases++;
        t[outcome.cls]++;
        if (outcome.cls !== "lost" && outcome.cls !== "unsent") t.answered++;
      }
      if (FAILURES.has(outcome.cls)) {
        const operation = `${c.op.target.prefix}.${c.op.model.endpoint}`;
        const key = [outcome.cls, c.transport, outcome.detail.replace(/\d+/g, "N").replace(/"[\w-]+"/g, "X")].join("|");
        const seen = findings.get(key);
        if (seen) {
          seen.count++;
          if (!seen.operations.includes(operation)) seen.operations.push(operation);
          if (!seen.kinds.includes(c.kind)) seen.kinds.push(c.kind);
        } else {
          const example = { index: c.index, note: c.note, replay: replayOf(c) };
          findings.set(key, {
            cls: outcome.cls,
            transport: c.transport,
            operations: [operation],
            kinds: [c.kind],
            detail: outcome.detail,
            count: 1,
            example,
          });
        }
      }
      options.onCase?.(c, outcome);
      done++;
      if (options.onProgress && done % (options.progressEvery ?? 5000) === 0) options.onProgress(done, indices.length, total);
    };

    const worker = async () => {
      while (next < indices.length) {
        const index = indices[next++]!;
        let c: FuzzCase;
        try {
          c = generateCase(ops, options.seed, index);
        } catch (err) {
          // A generator bug fails the run as a case not sent, with its stack; the other cases still run.
          const op = ops[0]!;
          const stub: FuzzCase = {
            transport: "nats",
            index,
            kind: "valid",
            note: `generation failed: ${(err as Error).stack}`,
            op,
            subject: "",
            payload: new Uint8Array(),
          };
          record(stub, { cls: "unsent", detail: `generating the case failed: ${(err as Error).message}` });
          continue;
        }
        record(c, c.transport === "nats" ? await sendNats(nc, c, timeoutMs) : await sendHttp(agent, base, c, timeoutMs * 3));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, indices.length) }, worker));
    const durationMs = performance.now() - started;
    clearInterval(sampler);

    const processes: ProcessFigures[] = [];
    for (const { name, pid } of pids) {
      const w = watched.find((x) => x.pid === pid);
      const probe = await w?.probe();
      const after = rssKiB(pid);
      processes.push({
        name,
        pid,
        rssBeforeKiB: rssBefore.get(pid),
        rssAfterKiB: after,
        rssMaxKiB: Math.max(rssMax.get(pid) ?? 0, after ?? 0) || undefined,
        prototypesChanged: probe ? [...probe.changed, ...(probe.chainIntact ? [] : ["prototype chain of {}"])] : undefined,
        alive: after !== undefined && !exits.has(pid),
        ...(exits.has(pid) ? { exit: { how: exits.get(pid)!, tail: w?.tail().slice(-3000) ?? "" } } : {}),
        logged: [...(w?.problems ?? new Map<string, LoggedProblem>()).entries()].map(([message, p]) => ({ message, level: p.level, count: p.count })),
      });
    }
    const failures = [...FAILURES].reduce((sum, cls) => sum + total[cls], 0);
    return {
      seed: options.seed,
      cases: indices.length,
      concurrency,
      durationMs,
      total,
      byTransport,
      byKind,
      processes,
      findings: [...findings.values()].sort((a, b) => b.count - a.count),
      failures,
      prototypesUntouched: processes
        .filter((p) => p.name !== "nats-server")
        .every((p) => p.prototypesChanged !== undefined && p.prototypesChanged.length === 0),
    };
  } finally {
    agent.destroy();
    await nc.close().catch(() => {});
    await Promise.all(watched.map((w) => w.stop()));
    await nats.stop();
  }
}

export { KINDS };
