/**
 * The typed, validating form of `parseRestRequest`: envelope → { path, query, headers, cookies, body },
 * every parameter split, coerced and validated, every failure named. Read in order:
 *   1. envelope.ts   the NATS payload as a `RestRequest` (serve.ts calls it)
 *   2. parameters.ts path, query, header and cookie parameters
 *   3. body.ts       the body, by media type
 * then serve.ts runs the handler and response.ts encodes its reply.
 */
import { decodeParameters, parseCookies, prepareParameters, type PreparedParam } from "./parameters.js";
import { decodeBody, prepareBody, type PreparedBody } from "./body.js";
import { ownMap } from "../core/own.js";
import { RestRequestError, type FieldError, type RestRequest } from "./envelope.js";
import type { DecodedRequest, OperationSpec } from "./operation.js";

/** Compiled once per operation: each parameter's reader, and how to read each body media type. */
export interface PreparedOperation extends OperationSpec {
  hasCookies: boolean;
  readers: readonly PreparedParam[];
  preparedBody?: PreparedBody;
}

export function prepareOperation(op: OperationSpec): PreparedOperation {
  return {
    ...op,
    hasCookies: op.params.some((p) => p.in === "cookie"),
    readers: prepareParameters(op.params),
    preparedBody: op.body && prepareBody(op.body),
  };
}

const NO_COOKIES: Readonly<Record<string, string>> = Object.freeze({});

export function decodeRequest(op: PreparedOperation, request: RestRequest): DecodedRequest {
  // The envelope names the operation it is for: another method sent to this endpoint is not this operation.
  if (request.method !== op.method) {
    const sent = JSON.stringify(request.method.length > 20 ? `${request.method.slice(0, 20)}…` : request.method);
    throw new RestRequestError(`method ${sent} is not allowed: this endpoint serves ${op.method} ${op.path}`, 405, [], { Allow: op.method });
  }
  const errors: FieldError[] = [];
  // The handler's maps hold exactly the parameters sent: an absent `constructor` is undefined, not inherited.
  const decoded: DecodedRequest = { path: ownMap(), query: ownMap(), headers: ownMap(), cookies: ownMap(), body: undefined };
  const cookies = op.hasCookies ? parseCookies(request.headers["cookie"]) : NO_COOKIES;

  decodeParameters(op.readers, request, cookies, decoded, errors);
  if (op.preparedBody) decodeBody(op.preparedBody, request, decoded, errors);
  if (errors.length > 0) {
    const [first] = errors;
    throw new RestRequestError(`${fieldLocation(first!)}: ${first!.message}` + (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""), 400, errors);
  }
  return decoded;
}

/**
 * How a problem's `detail` names a field, from the same parts as its `errors` entry:
 * `path parameter "id"` (`in`, `name`), `body field /title` (`in`, `pointer`), `body` for the whole body.
 */
export function fieldLocation(error: FieldError): string {
  if (error.in === "body") return error.pointer ? `body field ${error.pointer}` : "body";
  if (error.in === "envelope") return error.pointer ? `envelope field ${error.pointer}` : "envelope";
  return `${error.in} parameter ${JSON.stringify(error.name ?? "")}`;
}
