/**
 * A deliberately broken extension for test/conformance.e2e.test.ts: hand-written endpoints (no
 * generated code, as examples/hello/src/hello5.ts writes one) serving fixtures/conformance/broken.yaml
 * under prefix "broken", each seeding one defect class:
 * - deleteItem answers 200 where the spec declares 204/404 (wrong status);
 * - listItems returns an item whose `qty` is a string (a body the schema refuses);
 * - getReport throws (a crash: 500);
 * - createItem never checks its body (missing validation: 201 for an invalid body).
 * getItem is correct. Run as a program: `NATS_URL=… node --import tsx test/helpers/broken-extension.ts`.
 */
import { readFileSync } from "node:fs";
import type { Msg } from "nats";
import {
  Extension,
  parseRestRequest,
  restError,
  restResponse,
  runMain,
  RestRequestError,
  type RestRequest,
  type WrappedResponse,
} from "@symphony-codegen/runtime";

const SPEC = readFileSync(new URL("../../fixtures/conformance/broken.yaml", import.meta.url), "utf8");

interface Item {
  id: number;
  name: string;
  qty: number;
}
const items = new Map<number, Item>();
let nextId = 1;

/** The path parameter `id` as a positive integer, or the 400 naming it. */
function idOf(request: RestRequest): number | WrappedResponse {
  const text = request.path_params.id ?? "";
  const id = /^[1-9]\d{0,14}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(id) ? id : restError(400, "Invalid id", [{ in: "path", name: "id", message: "expected an integer of at least 1" }]);
}

const handlers: Record<string, { method: string; path: string; handle: (request: RestRequest) => WrappedResponse }> = {
  listItems: {
    method: "GET",
    path: "/items",
    handle(request) {
      const limit = request.query_params.limit;
      if (limit !== undefined && (typeof limit !== "string" || !/^(?:[1-9]|10)$/.test(limit)))
        return restError(400, "Invalid limit", [{ in: "query", name: "limit", message: "expected an integer from 1 to 10" }]);
      // Defect: qty is a string.
      return restResponse(200, [{ id: 1, name: "sample", qty: "many" }, ...[...items.values()].slice(0, Number(limit ?? 10))]);
    },
  },
  createItem: {
    method: "POST",
    path: "/items",
    handle(request) {
      // Defect: the body is not validated.
      const body = (request.body ?? {}) as Record<string, unknown>;
      const item = { id: nextId++, name: String(body.name), qty: Number(body.qty ?? 0) };
      items.set(item.id, item);
      return restResponse(201, item);
    },
  },
  getItem: {
    method: "GET",
    path: "/items/{id}",
    handle(request) {
      const id = idOf(request);
      if (typeof id !== "number") return id;
      const item = items.get(id);
      return item ? restResponse(200, item) : restError(404, `No item ${id}`);
    },
  },
  deleteItem: {
    method: "DELETE",
    path: "/items/{id}",
    handle(request) {
      const id = idOf(request);
      if (typeof id !== "number") return id;
      if (!items.delete(id)) return restError(404, `No item ${id}`);
      // Defect: 200 with a body; the spec says 204.
      return restResponse(200, { deleted: id });
    },
  },
  getReport: {
    method: "GET",
    path: "/report",
    handle() {
      // Defect: a crash.
      throw new Error("report generator is broken");
    },
  },
};

const ext = new Extension("Broken Store", "broken");

await runMain(
  () =>
    ext.runWithSetup(async () => {
      const service = await ext.addEndpoints("Broken_Store", "1.0.0", "Seeded defects for symphony-codegen test", { openapi: SPEC });
      const group = service.addGroup("cirata.extensions.broken");
      for (const [name, { method, path, handle }] of Object.entries(handlers)) {
        group.addEndpoint(name, {
          metadata: { method, path },
          handler: (err: Error | null, msg: Msg) => {
            if (err) return;
            let reply: WrappedResponse;
            try {
              reply = handle(parseRestRequest(msg.data));
            } catch (e) {
              if (e instanceof RestRequestError) reply = restError(400, `Invalid request: ${e.message}`, e.errors);
              else {
                ext.log.error("handler failed", { operation: name, error: (e as Error).message });
                reply = restError(500, "Internal error");
              }
            }
            msg.respond(JSON.stringify(reply));
          },
        });
      }
    }),
  ext.log,
);
