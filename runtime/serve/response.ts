/**
 * Typed per-status responses (as in oapi-codegen's strict server) and the one
 * shared builder object every generated `Operation.ok(...)` call goes through.
 */
import type { WrappedResponse } from "./envelope.js";
import { BASE64, isBytes, toBase64 } from "./media.js";

/** What a handler returns: one member per declared status. */
export interface AnyResponse {
  status: number;
  body?: unknown;
  headers?: Readonly<Record<string, unknown>>;
  contentType?: string;
}

/**
 * A response's headers when the spec declares none. Generated response unions name it rather than
 * spell it out: one type reference is cheaper for tsc than resolving the instantiation in every member.
 */
export type ResponseHeaders = Readonly<Record<string, string | number | boolean>>;

const STATUS_NAMES = {
  200: "ok",
  201: "created",
  202: "accepted",
  203: "nonAuthoritativeInformation",
  204: "noContent",
  205: "resetContent",
  206: "partialContent",
  301: "movedPermanently",
  302: "found",
  303: "seeOther",
  304: "notModified",
  307: "temporaryRedirect",
  308: "permanentRedirect",
  400: "badRequest",
  401: "unauthorized",
  402: "paymentRequired",
  403: "forbidden",
  404: "notFound",
  405: "methodNotAllowed",
  406: "notAcceptable",
  408: "requestTimeout",
  409: "conflict",
  410: "gone",
  412: "preconditionFailed",
  413: "contentTooLarge",
  415: "unsupportedMediaType",
  422: "unprocessableContent",
  429: "tooManyRequests",
  500: "internalServerError",
  501: "notImplemented",
  502: "badGateway",
  503: "serviceUnavailable",
  504: "gatewayTimeout",
} as const;
type StatusNames = typeof STATUS_NAMES;

/** Members declared with exactly this status. */
type Exact<R, S> = R extends { status: infer T } ? ([T] extends [S] ? R : never) : never;
/** Members whose status type admits S (ranges such as 2XX, and `default`). */
type Accepting<R, S> = R extends { status: infer T } ? (S extends T ? R : never) : never;
/** The response member a status selects: the exact one, else a range, else `default`. */
export type MemberFor<R, S> = [Exact<R, S>] extends [never] ? Accepting<R, S> : Exact<R, S>;

type Init<M> = Omit<M, "status" | "body">;
type BodyOf<M> = M extends { body?: infer B } ? B : never;
type BuilderArgs<M> = undefined extends BodyOf<M> ? [body?: BodyOf<M>, init?: Init<M>] : [body: BodyOf<M>, init?: Init<M>];

/** Declared status numbers (not `default`, whose status type is all of `number`). */
type DeclaredStatus<R> = R extends { status: infer S } ? (number extends S ? never : S) : never;

/** The statuses with a named builder. */
type NamedStatus = keyof StatusNames;

/** The status types of a response union's members. */
type StatusOf<R> = R extends { status: infer S } ? S : never;

/**
 * Builders for the response union R (an AnyResponse union). Shaped for the cost to tsc of one
 * instance per generated operation, paid whether or not a builder is ever used:
 *  - keyed over the fixed NamedStatus, filtered in the `as` clause: instantiating a mapped type
 *    evaluates its constraint at once, and `DeclaredStatus<R>` would be distributed over every
 *    member there; the `as` clause waits until a builder is looked up;
 *  - R is not constrained (nor is responseBuilders'): checking the constraint relates every member
 *    to AnyResponse for each instance, a third of the instance's cost.
 */
export type ResponseBuilders<R> = {
  [K in NamedStatus as K extends DeclaredStatus<R> ? StatusNames[K] : never]: (...args: BuilderArgs<MemberFor<R, K>>) => R;
} & {
  /** Any declared status (or any status number when the operation declares `default`). */
  status<S extends StatusOf<R>>(status: S, ...args: BuilderArgs<MemberFor<R, S>>): R;
};

function build(status: number, body?: unknown, init?: Omit<AnyResponse, "status" | "body">): AnyResponse {
  // Not `{ ...init, status, body }` (V8 takes a slow path for a key after a spread, ~2 µs a call)
  // nor Object.assign: the two members an init can carry, copied, keep one object shape.
  const response: AnyResponse = { status, body };
  if (init?.headers !== undefined) response.headers = init.headers;
  if (init?.contentType !== undefined) response.contentType = init.contentType;
  return response;
}

const BUILDERS: Record<string, unknown> = { status: build };
for (const [code, name] of Object.entries(STATUS_NAMES)) {
  BUILDERS[name] = (body?: unknown, init?: object) => build(Number(code), body, init);
}

/** Builders for one operation's response union; a single shared object at run time. */
export function responseBuilders<R>(): ResponseBuilders<R> {
  return BUILDERS as unknown as ResponseBuilders<R>;
}

/** Response keys as the spec writes them: "200", "2XX", "default". Value: the default content type, or null when the response has no body. */
export type ResponseTable = Readonly<Record<string, string | null>>;

const RANGE_KEYS = ["1XX", "2XX", "3XX", "4XX", "5XX"];

/** The response key a status selects: exact ("404"), then its range ("4XX"), then "default"; undefined when none is declared. */
export function responseKey(table: Readonly<Record<string, unknown>>, status: number): string | undefined {
  const exact = String(status);
  if (Object.hasOwn(table, exact)) return exact;
  const range = RANGE_KEYS[Math.floor(status / 100) - 1] ?? `${Math.floor(status / 100)}XX`;
  if (Object.hasOwn(table, range)) return range;
  return Object.hasOwn(table, "default") ? "default" : undefined;
}

/** The declared response a status selects (exact, then `2XX`-style range, then `default`); null means "no body". */
export function defaultContentType(table: ResponseTable, status: number): string | null | undefined {
  const key = responseKey(table, status);
  return key === undefined ? undefined : table[key];
}

export class InvalidResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidResponse";
  }
}

/** Turns a handler's typed response into the wrapped reply of the wire contract. */
export function encodeResponse(table: ResponseTable, response: unknown): WrappedResponse {
  if (response === null || typeof response !== "object") {
    throw new InvalidResponse(`handler returned ${response === null ? "null" : typeof response}, expected { status, body }`);
  }
  const r = response as AnyResponse;
  if (typeof r.status !== "number" || !Number.isInteger(r.status) || r.status < 100 || r.status > 599) {
    throw new InvalidResponse(`handler returned status ${JSON.stringify(r.status)}, expected an integer 100–599`);
  }
  const reply: WrappedResponse = { body: r.body === undefined ? null : r.body, statuscode: r.status };
  if (isBytes(r.body)) {
    reply.body = toBase64(r.body);
    reply.bodyencoding = BASE64;
  }
  const contentType = r.contentType ?? defaultContentType(table, r.status);
  // A response declared without content gets no content type; an undeclared status defaults to JSON.
  if (contentType !== null) reply.contenttype = contentType ?? "application/json";
  if (r.headers) {
    const headers = headerStrings(r.headers);
    if (headers) reply.headers = headers;
  }
  return reply;
}

/** Header values as the wire carries them (lists comma-joined, objects as JSON); undefined when none is set. */
function headerStrings(values: Readonly<Record<string, unknown>>): Record<string, string> | undefined {
  let headers: Record<string, string> | undefined;
  // for…in, not Object.entries: no entry arrays per reply (own keys only, whatever the prototype holds).
  for (const name in values) {
    const value = values[name];
    if (value === undefined || value === null || !Object.hasOwn(values, name)) continue;
    (headers ??= {})[name] = Array.isArray(value) ? value.map(String).join(", ") : typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return headers;
}
