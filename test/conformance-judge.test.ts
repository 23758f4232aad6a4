/**
 * The `test` command's planning, judging and reporting without processes (the whole command runs in
 * test/conformance.e2e.test.ts): which cases an operation gets, what each answer is judged, and that
 * the JUnit XML stays well-formed whatever a reason says.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadApi, type ConformanceApi } from "../generator/conformance/api.js";
import { judgeInvalid, judgeValid } from "../generator/conformance/judge.js";
import { isValidInput, planOperation } from "../generator/conformance/plan.js";
import { junitReport } from "../generator/conformance/report.js";
import type { Answer } from "../generator/conformance/send.js";
import { ROOT } from "./helpers/specs.js";

let broken: ConformanceApi;
let features: ConformanceApi;
beforeAll(async () => {
  broken = await loadApi(path.join(ROOT, "fixtures/conformance/broken.yaml"));
  features = await loadApi(path.join(ROOT, "examples/features/openapi.yaml"));
});

const op = (api: ConformanceApi, id: string) => api.ops.find((o) => o.id === id)!;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({ status, contentType: "application/json", headers, body });
const problem = (status: number, errors: unknown[]): Answer => ({
  status,
  contentType: "application/problem+json",
  headers: {},
  body: { status, title: "Bad Request", detail: "invalid", errors },
});
const options = { seed: 5, runs: 8, warn: () => {} };

describe("planning", () => {
  it("gives examples first, then valid draws, then one invalid case per parameter and body field", () => {
    const cases = planOperation(broken, op(broken, "createItem"), options);
    expect(cases.map((c) => c.kind)).toEqual(["example", ...Array(8).fill("valid"), "invalid", "invalid", "invalid"]);
    expect(cases[0]!.input.body).toEqual({ name: "widget", qty: 3 });
    expect(cases.filter((c) => c.invalid).map((c) => c.invalid!.pointer)).toEqual(["/name", "/qty", ""]);
    expect(cases.map((c) => c.index)).toEqual(cases.map((_, i) => i));
  });

  it("draws only inputs the service reads as valid, and invalid ones it reads as invalid", () => {
    for (const [api, o] of [features, broken].flatMap((a) => a.ops.map((x) => [a, x] as const))) {
      const cases = planOperation(api, o, options);
      for (const c of cases.filter((x) => x.kind === "valid")) expect(isValidInput(api, o, c.input), `${o.id} #${c.index}`).toBe(true);
      for (const c of cases.filter((x) => x.kind === "invalid")) expect(isValidInput(api, o, c.input), `${o.id} #${c.index}`).toBe(false);
    }
  });

  it("is the same for the same seed and different for another", () => {
    const inputs = (seed: number) => planOperation(features, op(features, "createWidget"), { ...options, seed }).map((c) => JSON.stringify(c.input));
    expect(inputs(5)).toEqual(inputs(5));
    expect(inputs(6)).not.toEqual(inputs(5));
  });
});

describe("judging a valid request's answer", () => {
  const item = { id: 1, name: "a", qty: 2 };

  it("passes a declared status with a body its schema accepts", () => {
    expect(judgeValid(broken, op(broken, "getItem"), json(200, item))).toEqual([]);
    expect(judgeValid(broken, op(broken, "deleteItem"), { status: 204, headers: {}, body: undefined })).toEqual([]);
  });

  it("names each kind of departure", () => {
    const checks = (api: ConformanceApi, id: string, a: Answer) => judgeValid(api, op(api, id), a).map((f) => `${f.check}: ${f.reason}`);
    expect(checks(broken, "deleteItem", json(200, {}))).toEqual([expect.stringMatching(/^status: status 200 is not declared \(declared: 204, 400, 404\)/)]);
    expect(checks(broken, "getItem", json(500, { detail: "boom" }))).toEqual(["server-error: 500 boom"]);
    expect(checks(broken, "getItem", { ...json(200, item), contentType: "text/html" })).toEqual([
      expect.stringMatching(/^content-type: 200 text\/html is not declared/),
    ]);
    expect(checks(broken, "getItem", json(200, { ...item, qty: "x" }))).toEqual([expect.stringMatching(/^body-schema: 200 body at "\/qty" must be integer/)]);
    expect(checks(broken, "deleteItem", json(204, { deleted: 1 }))).toEqual([expect.stringMatching(/^content-type: 204 declares no content/)]);
    const widget = { name: "abc", kind: "gadget", price: 1 };
    expect(checks(features, "createWidget", json(201, widget))).toEqual(["headers: 201 lacks the required header Location"]);
    expect(checks(features, "createWidget", json(201, widget, { location: "/widgets/1" }))).toEqual([]);
  });
});

describe("judging an invalid request's answer", () => {
  const name = { in: "body", name: "name", pointer: "/name" } as const;
  const id = { in: "path", name: "id" } as const;

  it("wants a 4xx problem naming the field", () => {
    expect(judgeInvalid(op(broken, "createItem"), problem(400, [{ in: "body", pointer: "/name", message: "too short" }]), name)).toEqual([]);
    expect(judgeInvalid(op(broken, "getItem"), problem(400, [{ in: "path", name: "id", message: "not an integer" }]), id)).toEqual([]);
    const reasons = (a: Answer, f: typeof name | typeof id, opId = "createItem") => judgeInvalid(op(broken, opId), a, f).map((x) => `${x.check}: ${x.reason}`);
    expect(reasons(json(201, {}), name)).toEqual(["validation: accepted an invalid body field /name with 201"]);
    expect(reasons(problem(400, [{ in: "body", pointer: "/qty", message: "x" }]), name)).toEqual([
      expect.stringMatching(/^validation: 400 problem does not name the invalid body field \/name/),
    ]);
    expect(reasons(problem(400, [{ in: "query", name: "id", message: "x" }]), id, "getItem")).toEqual([
      expect.stringMatching(/does not name the invalid path parameter id/),
    ]);
    expect(reasons(json(500, {}), name)).toEqual([expect.stringMatching(/^server-error: 500 for an invalid body field \/name/)]);
  });
});

describe("JUnit XML", () => {
  it("escapes what a reason or request carries", () => {
    const o = op(broken, "getItem");
    const xml = junitReport(
      [{ op: o, index: 0, kind: "valid", note: "n", failures: [{ check: "status", reason: `<a href="x">&\u0001` }], request: "curl 'x'" }],
      { api: broken, replay: "symphony-codegen test x" },
    );
    expect(xml).toContain(`message="&lt;a href=&quot;x&quot;&gt;&amp;\ufffd"`);
    expect(xml).toMatch(/<testsuites name="symphony-codegen test" tests="6" failures="1">/);
    expect(xml.match(/<testcase /g)).toHaveLength(6);
  });
});
