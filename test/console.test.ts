/**
 * The dev console's request log and Swagger UI deep links (dev/console.ts), without a browser:
 * bounds, what an entry keeps, and the operation ids Swagger UI 5 derives.
 */
import { describe, expect, it } from "vitest";
import { operationAnchor, RequestLog, summarizeProblem } from "../dev/console.js";

const record = (status: number, extra: Record<string, unknown> = {}) => ({ method: "GET", path: "/api/p/x", status, ms: 1.5, prefix: "p", ...extra });

describe("RequestLog", () => {
  it("keeps the latest requests and, apart, the latest failed ones", () => {
    const log = new RequestLog(3, 2);
    for (let i = 0; i < 5; i++) log.add(record(i % 2 ? 500 : 200), { title: "Internal Server Error" });
    expect(log.requests().map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(log.problems().map((r) => r.seq)).toEqual([2, 4]);
    // A success carries no problem even when a body was seen.
    expect(log.requests()[0]!.problem).toBeUndefined();
    expect(log.problems()[0]!.problem).toEqual({ title: "Internal Server Error" });
  });

  it("keeps only the record's known fields; a trace id only when it is 32 hex", () => {
    const log = new RequestLog();
    const seen: unknown[] = [];
    const stop = log.subscribe((e) => seen.push(e));
    const traced = log.add(record(200, { traceId: "0af7651916cd43dd8448eb211c80319c", endpoint: "e", instance: "i", authorization: "Bearer x" }));
    const odd = log.add(record(200, { traceId: "<script>" }));
    stop();
    log.add(record(200));
    expect(seen).toEqual([traced, odd]);
    expect(Object.keys(traced).sort()).toEqual(["endpoint", "instance", "method", "ms", "path", "prefix", "seq", "status", "time", "traceId"]);
    expect(odd.traceId).toBeUndefined();
  });
});

describe("summarizeProblem", () => {
  it("bounds every text and the number of field errors", () => {
    const errors = Array.from({ length: 25 }, (_, i) => ({ in: "body", pointer: `/items/${i}`, message: "m".repeat(5000), extra: "dropped" }));
    const summary = summarizeProblem({ title: "Bad Request", detail: "d".repeat(5000), status: 400, errors, secret: "no" })!;
    expect(summary.detail).toHaveLength(1000);
    expect(summary.errors).toHaveLength(20);
    expect(summary.errors![0]).toEqual({ in: "body", pointer: "/items/0", message: "m".repeat(1000) });
    expect(summary.moreErrors).toBe(5);
    expect(summary).not.toHaveProperty("secret");
    expect(summarizeProblem("plain text")).toBeUndefined();
    // An extension's own error schema is kept as bounded JSON text.
    expect(summarizeProblem({ code: 404, message: "no pet" })).toEqual({ body: '{"code":404,"message":"no pet"}' });
    expect(summarizeProblem({ errors: [{ in: "path", name: "id", message: "expected integer" }] })).toEqual({
      errors: [{ in: "path", name: "id", message: "expected integer" }],
    });
  });
});

describe("operationAnchor", () => {
  const spec = {
    paths: {
      "/pets/{id}": { get: { operationId: "findPetById" }, delete: { operationId: "pets.delete one", tags: ["Pet store"] } },
      "/pets": { post: {} },
    },
  };
  it("is Swagger UI's #/<tag>/<operation id>", () => {
    expect(operationAnchor(spec, "GET", "/pets/{id}")).toBe("#/default/findPetById");
    // Non-word characters of an operationId become _; a tag is URI-encoded.
    expect(operationAnchor(spec, "DELETE", "/pets/{id}")).toBe("#/Pet%20store/pets_delete_one");
    // No operationId: method + path.
    expect(operationAnchor(spec, "POST", "/pets")).toBe("#/default/post_pets");
  });
  it("is undefined for an operation the spec does not have", () => {
    expect(operationAnchor(spec, "PUT", "/pets")).toBeUndefined();
    expect(operationAnchor(undefined, "GET", "/pets")).toBeUndefined();
    expect(operationAnchor(spec, undefined, "/pets")).toBeUndefined();
  });
});
