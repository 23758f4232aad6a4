/**
 * hello3: hello2 plus a microservice endpoint. examples/hello/openapi.yaml
 * describes `GET /hello?name=`; `node scripts/codegen-examples.js` turns it into
 * src/generated (typed request, response builders, `register`). The handler
 * below only implements the typed `Handlers` interface: decoding the REST
 * envelope, validating `name`, and wrapping the reply are generated.
 *
 *   SYMPHONY_TOKEN=<token> npx tsx examples/hello/src/hello3.ts
 *   curl 'http://127.0.0.1:8080/api/hello/hello?name=Ada'
 */
import type { Extension } from "@symphony-codegen/runtime";
import { register, SayHello, type Handlers } from "./generated/index.js";
import { createExtension as hello2 } from "./hello2.js";
import { isMain, runMain } from "./run.js";

export const createExtension = hello2;

/** Greets and counts in memory (each instance counts its own greetings). */
export function createHandlers(): Handlers {
  let count = 0;
  return {
    sayHello({ query }) {
      count += 1;
      return SayHello.ok({ message: `Hello, ${query.name ?? "World"}!`, count });
    },
  };
}

export async function setup(ext: Extension): Promise<void> {
  await register(ext, createHandlers());
}

if (isMain(import.meta.url)) await runMain(createExtension(), setup);
