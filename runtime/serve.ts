/**
 * The one generic dispatcher: envelope → decode → handler → encode → wrapped reply.
 * Generated code passes it tables (operations, schemas) and the user's handlers.
 */
import type { Msg, Service } from "nats";
import { decodeRequest, prepareOperation, type OperationSpec, type PreparedOperation } from "./decode.js";
import { InvalidConfiguration } from "./errors.js";
import type { Extension } from "./extension.js";
import type { Logger } from "./log.js";
import { encodeResponse, InvalidResponse } from "./responses.js";
import { parseRestRequest, restError, RestRequestError, type RestRequest, type WrappedResponse } from "./rest.js";

/** Everything the generator knows about an API, as plain data. */
export interface ApiDefinition {
  /** Service name (already sanitised to NATS rules). */
  name: string;
  /** Semver. */
  version: string;
  description: string;
  /** The bundled OpenAPI document, embedded as service metadata `openapi`. */
  openapi: string;
  operations: readonly OperationSpec[];
}

export interface HandlerContext {
  /** Operation's handler name. */
  operation: string;
  /** The raw envelope, for anything the typed request does not carry (e.g. undeclared headers). */
  request: RestRequest;
  /** NATS subject the request arrived on. */
  subject: string;
  log: Logger;
}

export interface RegisterOptions {
  /** Extra service metadata (the `openapi` key is always the spec). */
  metadata?: Record<string, string>;
  /** Queue group; NATS micro's default ("q") lets instances share load. */
  queue?: string;
}

type AnyHandler = (req: unknown, ctx: HandlerContext) => unknown;

const encoder = new TextEncoder();

/** Handles one request; never throws, always produces exactly one reply. */
export async function handleRequest(
  op: PreparedOperation,
  handler: AnyHandler,
  payload: Uint8Array,
  subject: string,
  log: Logger,
): Promise<WrappedResponse> {
  let request: RestRequest;
  try {
    request = parseRestRequest(payload);
    const decoded = decodeRequest(op, request);
    const response = await handler(decoded, { operation: op.handler, request, subject, log });
    return encodeResponse(op.responses, response);
  } catch (err) {
    if (err instanceof RestRequestError) {
      log.info("request rejected", { operation: op.handler, status: err.status, errors: err.errors });
      return restError(err.status, err.message, err.errors);
    }
    const reason = err instanceof InvalidResponse ? "handler returned an invalid response" : "handler failed";
    log.error(reason, { operation: op.handler, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    return restError(500, "The request could not be completed");
  }
}

/** Registers one micro service for the API: one endpoint per operation under `cirata.extensions.<prefix>`. */
export async function serveApi(
  ext: Extension,
  api: ApiDefinition,
  handlers: object,
  options: RegisterOptions = {},
): Promise<Service> {
  const table = handlers as Record<string, unknown>;
  const missing = api.operations.filter((op) => typeof table[op.handler] !== "function").map((op) => op.handler);
  if (missing.length > 0) throw new InvalidConfiguration(`Handlers missing for: ${missing.join(", ")}`);

  const service = await ext.addEndpoints(api.name, api.version, api.description, { ...options.metadata, openapi: api.openapi });
  const group = service.addGroup(`cirata.extensions.${ext.prefix}`, options.queue);
  const log = ext.log.child({ service: api.name });
  for (const spec of api.operations) {
    const op = prepareOperation(spec);
    const handler = (table[op.handler] as AnyHandler).bind(handlers);
    group.addEndpoint(op.endpoint, {
      metadata: { method: op.method, path: op.path },
      handler: (err: Error | null, msg: Msg) => {
        if (err) {
          log.error("endpoint subscription failed", { endpoint: op.endpoint, error: err.message });
          return;
        }
        void ext.track(
          handleRequest(op, handler, msg.data, msg.subject, log).then((reply) => {
            msg.respond(encoder.encode(JSON.stringify(reply)));
          }),
        ).catch((e: unknown) => log.error("reply failed", { endpoint: op.endpoint, error: String(e) }));
      },
    });
  }
  try {
    ext.assertDescribable(service);
  } catch (err) {
    await service.stop();
    throw err;
  }
  // The server has the endpoint subscriptions once this round trip completes: callers may send right away.
  await ext.conn()?.flush();
  log.info("service registered", { version: api.version, endpoints: api.operations.length, group: `cirata.extensions.${ext.prefix}` });
  return service;
}
