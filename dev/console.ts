/**
 * What the web page's live console shows: a bounded log of the gateway's requests (the problem
 * body of each failed one kept, bounded) that listeners follow as they arrive, and where a route
 * opens in the API reference. Only what the gateway's log record says is kept: no headers, no
 * query strings, no request bodies.
 */

/** A problem+json answer, cut to bounded size. */
export interface ProblemSummary {
  type?: string;
  title?: string;
  detail?: string;
  errors?: { in?: string; name?: string; pointer?: string; message?: string }[];
  /** Field errors left out beyond `MAX_ERRORS`. */
  moreErrors?: number;
  /** An error body that is not problem+json (an extension's own error schema), as JSON text. */
  body?: string;
}

export interface RequestEntry {
  /** Increasing per log: the page drops entries it already has (backlog, then stream). */
  seq: number;
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  prefix: string;
  endpoint?: string;
  /** The replying instance when discovery knows it (one instance), else how many could have. */
  instance?: string;
  instances?: number;
  traceId?: string;
  aborted?: boolean;
  problem?: ProblemSummary;
}

const MAX_TEXT = 1000;
const MAX_ERRORS = 20;

const text = (value: unknown, max = MAX_TEXT): string | undefined => (typeof value === "string" ? value.slice(0, max) : undefined);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The fields of a problem+json body worth showing, each bounded; undefined when `body` is not an object. */
export function summarizeProblem(body: unknown): ProblemSummary | undefined {
  if (!isObj(body)) return undefined;
  const summary: ProblemSummary = {};
  for (const key of ["type", "title", "detail"] as const) {
    const value = text(body[key]);
    if (value !== undefined) summary[key] = value;
  }
  if (Array.isArray(body.errors)) {
    summary.errors = body.errors.slice(0, MAX_ERRORS).map((e) => {
      if (!isObj(e)) return { message: text(String(e)) };
      // Parameters are named (`name`), body fields pointed at (`pointer`).
      const error = { in: text(e.in, 40), name: text(e.name, 200), pointer: text(e.pointer, 200), message: text(e.message) };
      return Object.fromEntries(Object.entries(error).filter(([, v]) => v !== undefined));
    });
    if (body.errors.length > MAX_ERRORS) summary.moreErrors = body.errors.length - MAX_ERRORS;
  }
  if (Object.keys(summary).length === 0) summary.body = JSON.stringify(body).slice(0, MAX_TEXT);
  return summary;
}

/** The gateway's per-request log record (dev/gateway.ts `handle`) as a console entry; unknown fields are left out. */
function entryOf(seq: number, record: Record<string, unknown>, problem: unknown): RequestEntry {
  const entry: RequestEntry = {
    seq,
    time: new Date().toISOString(),
    method: String(record.method ?? ""),
    path: String(record.path ?? ""),
    status: Number(record.status ?? 0),
    ms: Number(record.ms ?? 0),
    prefix: String(record.prefix ?? ""),
  };
  if (typeof record.endpoint === "string") entry.endpoint = record.endpoint;
  if (typeof record.instance === "string") entry.instance = record.instance;
  if (typeof record.instances === "number") entry.instances = record.instances;
  // Set by the gateway once requests are traced; shown as it comes.
  if (typeof record.traceId === "string" && /^[0-9a-f]{32}$/.test(record.traceId)) entry.traceId = record.traceId;
  if (record.aborted === true) entry.aborted = true;
  if (entry.status >= 400) {
    const summary = summarizeProblem(problem);
    if (summary) entry.problem = summary;
  }
  return entry;
}

/** A ring of the latest requests and, apart, of the latest failed ones (so a burst of 200s does not push them out). */
export class RequestLog {
  #requests: RequestEntry[] = [];
  #problems: RequestEntry[] = [];
  #seq = 0;
  #listeners = new Set<(entry: RequestEntry) => void>();

  constructor(
    readonly capacity = 500,
    readonly problemCapacity = 100,
  ) {}

  add(record: Record<string, unknown>, problem?: unknown): RequestEntry {
    const entry = entryOf(++this.#seq, record, problem);
    push(this.#requests, entry, this.capacity);
    if (entry.status >= 400) push(this.#problems, entry, this.problemCapacity);
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  requests(): RequestEntry[] {
    return [...this.#requests];
  }

  problems(): RequestEntry[] {
    return [...this.#problems];
  }

  /** Calls `listener` with every entry added from now on; returns the unsubscribe. */
  subscribe(listener: (entry: RequestEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function push<T>(ring: T[], item: T, capacity: number): void {
  ring.push(item);
  if (ring.length > capacity) ring.splice(0, ring.length - capacity);
}

const METHODS = new Set(["connect", "delete", "get", "head", "options", "patch", "post", "put", "query", "trace"]);

/**
 * Swagger UI's deep link (5.x, `deepLinking: true`) to the operation `method path` of `spec`:
 * `#/<first tag or "default">/<operation id>`, the id as Swagger UI derives it (`opId`: the
 * operationId with non-word characters as `_`, else method + path so replaced). Undefined when the
 * spec has no such operation.
 */
export function operationAnchor(spec: Record<string, unknown> | undefined, method: string | undefined, path: string | undefined): string | undefined {
  if (!method || !path) return undefined;
  const item = isObj(spec?.paths) ? spec.paths[path] : undefined;
  const operation = isObj(item) ? item[method.toLowerCase()] : undefined;
  if (!isObj(operation)) return undefined;
  const tag = Array.isArray(operation.tags) && typeof operation.tags[0] === "string" && operation.tags[0].trim() ? operation.tags[0].trim() : "default";
  const given = typeof operation.operationId === "string" && operation.operationId.replace(/\s/g, "") ? operation.operationId : undefined;
  const lower = method.toLowerCase();
  const id = given ? given.replace(/\W/g, "_") : `${METHODS.has(lower) ? lower : method}${path.replace(/\W/g, "_")}`;
  return `#/${encodeURIComponent(tag)}/${encodeURIComponent(id)}`;
}
