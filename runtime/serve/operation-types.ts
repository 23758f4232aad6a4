/**
 * An operation's request and response types derived at the type level from openapi-typescript's
 * type of the operation (`operations["id"]` or `paths["/p"]["get"]`), so that generated handlers.ts
 * names them in one line each instead of spelling out every field: tsc instantiates a generic alias
 * only where it is used, while spelled-out types are parsed, bound and checked for every operation.
 * The generator derives only where the result is exactly its spelled-out type (no response headers,
 * at most one media type per response, no readOnly/writeOnly markers) and spells out the others.
 */
import type { ResponseHeaders } from "./response.js";
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
