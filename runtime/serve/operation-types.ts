/**
 * An operation's request and response types derived at the type level from openapi-typescript's
 * type of the operation (`operations["id"]` or `paths["/p"]["get"]`), so that generated handlers.ts
 * names them in one line each instead of spelling out every field: tsc instantiates a generic alias
 * only where it is used, while spelled-out types are parsed, bound and checked for every operation.
 * The generator derives only where the result is exactly its spelled-out type (no response headers,
 * at most one media type per response, no readOnly/writeOnly markers) and spells out the others.
 */
import type { CallOptions } from "../client/client.js";
import type { ResponseHeaders } from "./response.js";
import type { HandlerContext } from "./serve.js";
import type { Status1XX, Status2XX, Status3XX, Status4XX, Status5XX } from "./status-ranges.js";

/** One parameter location: `Record<string, never>` when the operation has none there (openapi-typescript's `?: never`). */
type Located<P> = [NonNullable<P>] extends [never] ? Record<string, never> : NonNullable<P>;

/** The body types of a `requestBody`, plus `undefined` when it is optional; `undefined` when there is none. */
type BodyOf<B> = [B] extends [undefined]
  ? undefined
  : (NonNullable<B> extends { content: infer C } ? C[keyof C] : never) | (undefined extends B ? undefined : never);

/** A request as a handler receives it. */
export type RequestOf<
  O extends {
    parameters: {
      path?: unknown;
      query?: unknown;
      header?: unknown;
      cookie?: unknown;
    };
  },
> = {
  path: Located<O["parameters"]["path"]>;
  query: Located<O["parameters"]["query"]>;
  headers: Located<O["parameters"]["header"]>;
  cookies: Located<O["parameters"]["cookie"]>;
  // Indexed, not inferred: `infer` drops the `undefined` an optional requestBody reads as.
  body: BodyOf<O["requestBody" & keyof O]>;
};

/** The status type of a response key: the number itself, a range's numbers, any number for `default`. */
interface KeyStatus {
  "1XX": Status1XX;
  "2XX": Status2XX;
  "3XX": Status3XX;
  "4XX": Status4XX;
  "5XX": Status5XX;
  default: number;
}
type StatusFor<K> = K extends number ? K : K extends `${infer N extends number}` ? N : K extends keyof KeyStatus ? KeyStatus[K] : never;

/** One response member: its (single) media type's body, or no body. */
type MemberOf<S, R> = R extends { content: infer C }
  ? {
      status: S;
      body: C[keyof C];
      headers?: ResponseHeaders;
      contentType?: keyof C;
    }
  : {
      status: S;
      body?: undefined;
      headers?: ResponseHeaders;
      contentType?: string;
    };

/** What a handler returns: one member per declared response. */
export type ResponseOf<O> = O extends { responses: infer R } ? { [K in keyof R]-?: MemberOf<StatusFor<K>, R[K]> }[keyof R] : never;

/** The request locations a client sends, by the request field naming each. */
type Location = "path" | "query" | "headers" | "cookies";

/** The fields of request `Q` a client sends: the locations holding parameters (not `Record<string, never>`), and a body if there is one. */
type SentKey<Q> = {
  [K in keyof Q]: K extends Location ? (string extends keyof Q[K] ? never : K) : K extends "body" ? ([Q[K]] extends [undefined] ? never : K) : never;
}[keyof Q];

/**
 * Of those, the ones a client may leave out: a location none of whose parameters is required (not
 * `{} extends …`: `{}` has Object.prototype's members, so `{ toString?: string }` would read as required), an optional body.
 */
type OptionalKey<Q> = {
  [K in keyof Q]: K extends Location ? (Partial<Q[K]> extends Q[K] ? K : never) : K extends "body" ? (undefined extends Q[K] ? K : never) : never;
}[keyof Q];

/**
 * The `req` of a client method: `Record<string, never>` when nothing is sent, else one object
 * (a homomorphic mapped type over the intersection, so required and optional fields merge into
 * one type with each field's own modifier); an optional body without its `undefined`.
 */
type SentRequest<Q> = [SentKey<Q>] extends [never] ? Record<string, never> : { [K in keyof SentParts<Q>]: SentParts<Q>[K] };
type SentParts<Q> = { [K in Exclude<SentKey<Q>, OptionalKey<Q>>]: Q[K] } & {
  [K in SentKey<Q> & OptionalKey<Q>]?: Exclude<Q[K], undefined>;
};

/**
 * One operation's handler: a generated `Handlers` member. A property of this type, not a method
 * spelled out, is a third of the syntax tsc parses and binds per operation; the parameters are
 * checked strictly (a handler cannot narrow its request type).
 */
export type OperationHandler<Req, Res> = (req: Req, ctx: HandlerContext) => Res | Promise<Res>;

/** A client method's parameters: `req` is optional when all it holds is. */
type ClientParameters<Q> = {} extends SentRequest<Q> ? [req?: SentRequest<Q>, options?: CallOptions] : [req: SentRequest<Q>, options?: CallOptions];

/**
 * The typed client of handlers `H` (a generated `Handlers` interface): per operation, a method
 * sending the request fields the handler receives (less what the client cannot send) and
 * resolving to the handler's response type. Homomorphic over `H`, so hover docs are `H`'s.
 * The generated client.ts spells out the methods this cannot derive exactly (see emit/client.ts)
 * in an interface, `Spelled`, that they are taken from instead.
 */
export type ClientOf<H, Spelled = {}> = {
  [K in keyof H]: K extends keyof Spelled
    ? Spelled[K]
    : H[K] extends (req: infer Q, ctx: never) => infer R | Promise<infer R>
      ? (...args: ClientParameters<Q>) => Promise<R>
      : never;
};
