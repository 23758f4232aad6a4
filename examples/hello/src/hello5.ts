/**
 * hello5: hello4 plus an endpoint written by hand, the reference SDK's handler pattern with no
 * generated code: a NATS micro endpoint that parses the REST envelope with `parseRestRequest`,
 * checks the body itself and answers with `restResponse` or `restError`. Its OpenAPI document
 * (examples/hello/greeter.yaml) is its service's metadata, and the endpoint lives in the same group
 * as the generated one (`cirata.extensions.hello`), so the gateway serves both under /api/hello.
 *
 *   SYMPHONY_TOKEN=<token> npx tsx examples/hello/src/hello5.ts
 *   curl -X POST 'http://127.0.0.1:8080/api/hello/greetings' -H 'content-type: application/json' -d '{"names":["Ada","Grace"]}'
 */
import { readFileSync } from "node:fs";
import type { Msg } from "nats";
import { parseRestRequest, restError, restResponse, RestRequestError, type Extension, type FieldError, type WrappedResponse } from "@symphony-codegen/runtime";
import { createExtension as hello4, setup as setupHello4, type Hello4Options } from "./hello4.js";
import { isMain, runMain } from "./run.js";

export const createExtension = hello4;

const GREETER_SPEC = readFileSync(new URL("../greeter.yaml", import.meta.url), "utf8");
const MAX_NAMES = 10;
const MAX_NAME_LENGTH = 100;

/** `POST /greetings`: one greeting per name. Every outcome, a bad envelope included, is a wrapped reply. */
export function greet(payload: Uint8Array): WrappedResponse {
  let body: unknown;
  try {
    body = parseRestRequest(payload).body;
  } catch (err) {
    if (err instanceof RestRequestError) return restError(400, `Invalid request: ${err.message}`, err.errors);
    throw err;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return restError(400, "The body must be a JSON object", [field("", "expected an object")]);
  const { names, excited } = body as { names?: unknown; excited?: unknown };
  if (!Array.isArray(names) || names.length === 0 || names.length > MAX_NAMES)
    return restError(400, "names must list 1 to 10 names", [field("/names", `expected an array of 1 to ${MAX_NAMES} names`)]);
  const errors = names.flatMap((name, i) =>
    typeof name === "string" && name.length >= 1 && name.length <= MAX_NAME_LENGTH
      ? []
      : [field(`/names/${i}`, `expected a string of 1 to ${MAX_NAME_LENGTH} characters`)],
  );
  if (excited !== undefined && typeof excited !== "boolean") errors.push(field("/excited", "expected a boolean"));
  if (errors.length > 0) return restError(400, "Some fields are invalid", errors);
  const end = excited ? "!" : ".";
  return restResponse(200, { greetings: (names as string[]).map((name) => `Hello, ${name}${end}`) });
}

const field = (pointer: string, message: string): FieldError => ({ in: "body", pointer, message });

/** hello4's generated service, and the greeter service beside it with its one hand-written endpoint. */
export async function setup(ext: Extension, options: Hello4Options = {}): Promise<void> {
  await setupHello4(ext, options);
  const service = await ext.addEndpoints("greeter", "1.0.0", "Greets everyone named in the body", { openapi: GREETER_SPEC });
  service.addGroup(`cirata.extensions.${ext.prefix}`).addEndpoint("greet", {
    metadata: { method: "POST", path: "/greetings" },
    handler: (err: Error | null, msg: Msg) => {
      if (err) {
        ext.log.error("greet subscription failed", { error: err.message });
        return;
      }
      let reply: WrappedResponse;
      try {
        reply = greet(msg.data);
      } catch (e) {
        ext.log.error("greet failed", { error: (e as Error).message });
        reply = restError(500, "Internal error");
      }
      msg.respond(JSON.stringify(reply));
    },
  });
}

if (isMain(import.meta.url)) await runMain(createExtension(), (ext) => setup(ext));
