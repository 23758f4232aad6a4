/**
 * The tables the generator emits for the runtime: one `OperationSpec` per operation (its
 * parameters, body and responses, each with a schema built on first use), and what a handler
 * receives once a request has been decoded against it (`DecodedRequest`).
 */
import type { z } from "zod";
import type { ParamLocation, ParamSpec, ValueShape } from "./parameters.js";

/**
 * A table's schema, as a thunk: built on first use (`buildSchema`), so an extension serving
 * GitHub's 1,223 operations holds only the schemas its traffic has needed.
 */
export type SchemaThunk = () => z.ZodType;

const builtSchemas = new WeakMap<SchemaThunk, z.ZodType>();

/** The schema a thunk builds, built once. */
export function buildSchema(thunk: SchemaThunk): z.ZodType {
  let schema = builtSchemas.get(thunk);
  if (!schema) builtSchemas.set(thunk, (schema = thunk()));
  return schema;
}

export interface ParamEntry extends ParamSpec {
  schema: SchemaThunk;
}

export interface BodySpec {
  required: boolean;
  /** Media type (as declared, may contain wildcards) → schema; null when the body is not validated. */
  content: Readonly<Record<string, SchemaThunk | null>>;
  /** For form and multipart media types: how to coerce each field's strings. */
  shapes?: Readonly<Record<string, ValueShape>>;
}

/** One operation as the generator describes it to the runtime. */
export interface OperationSpec {
  /** Method name on the generated Handlers interface. */
  handler: string;
  /** NATS endpoint name. */
  endpoint: string;
  method: string;
  path: string;
  /** `x-symphony-idempotent: true`: may be retried although its method is not idempotent (runtime/core/retry.ts). */
  idempotent?: boolean;
  params: readonly ParamEntry[];
  body?: BodySpec;
  /** Response key ("200", "2XX", "default") → default content type, null for no content. */
  responses: Readonly<Record<string, string | null>>;
  /**
   * Response key → JSON media type (as declared) → the body's schema, for optional response
   * validation (`register(..., { validateResponses: true })`). Thunks: built on first use only.
   */
  responseBodies?: Readonly<Record<string, Readonly<Record<string, SchemaThunk>>>>;
}

/** What a handler receives. Its objects, at any depth, have no prototype: a member it was not sent reads as undefined, whatever its name. */
export interface DecodedRequest {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  cookies: Record<string, unknown>;
  body: unknown;
  /** The media type the body was read as. */
  contentType?: string;
}

/**
 * One operation as generated operations.ts writes it: positionally, `undefined` where an
 * OperationSpec has no such member. An object per operation would be three times the syntax
 * nodes for tsc to parse and bind in every build of an extension with thousands of operations.
 */
export type OperationRow = readonly [
  handler: string,
  endpoint: string,
  method: string,
  path: string,
  params: readonly ParamRow[],
  responses: OperationSpec["responses"],
  responseBodies?: OperationSpec["responseBodies"],
  body?: BodySpec,
  idempotent?: true,
];

/**
 * One parameter as generated operations.ts writes it, positionally (half the syntax nodes of a
 * ParamEntry object; a 12,000-operation document has thousands): `undefined` for a hole.
 */
export type ParamRow = readonly [
  name: string,
  location: ParamLocation,
  style: string,
  explode: boolean,
  shape: ValueShape,
  schema: SchemaThunk,
  required?: true,
  json?: true,
];

/** Each row's entry, once: operations share parameter rows, and keep sharing their entries. */
const paramEntries = new WeakMap<ParamRow, ParamEntry>();

function paramEntry(row: ParamRow): ParamEntry {
  let entry = paramEntries.get(row);
  if (!entry) {
    const [name, location, style, explode, shape, schema, required, json] = row;
    entry = { name, in: location, style, explode, shape, schema };
    if (required) entry.required = true;
    if (json) entry.json = true;
    paramEntries.set(row, entry);
  }
  return entry;
}

/** The OperationSpecs of generated operations.ts's rows. */
export function operationRows(rows: readonly OperationRow[]): OperationSpec[] {
  const lists = new Map<readonly ParamRow[], ParamEntry[]>();
  return rows.map(([handler, endpoint, method, path, paramRows, responses, responseBodies, body, idempotent]) => {
    let params = lists.get(paramRows);
    if (!params) lists.set(paramRows, (params = paramRows.map(paramEntry)));
    const spec: OperationSpec = { handler, endpoint, method, path, params, responses };
    if (idempotent) spec.idempotent = true;
    if (body) spec.body = body;
    if (responseBodies) spec.responseBodies = responseBodies;
    return spec;
  });
}
