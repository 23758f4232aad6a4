/**
 * The property over documents (test/property/), at a size `npm test` affords: random valid OpenAPI
 * 3.0 and 3.1 documents from a fixed seed must generate in process, compile under `tsc --strict`
 * with `@ts-nocheck` stripped (batched: one tsc program per 50 documents), and decode a valid request
 * per operation into what was sent, defaults added. `npm run property` runs thousands.
 * A failing document is shrunk by fast-check and printed as YAML in the failure message.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { difference, drawCases, runCases, shrinkClasses, type Failure, type Figures } from "./property/check.js";
import type { PropertyCase } from "./property/documents.js";
import { ROOT } from "./helpers/specs.js";

const COUNT = 200;
const SEED = 1414;
const DIR = path.join(ROOT, "test/.tmp/property-test");

let cases: PropertyCase[];
let figures: Omit<Figures, "seconds">;
let failures: Failure[];

beforeAll(async () => {
  cases = drawCases(COUNT, SEED);
  ({ figures, failures } = await runCases(cases, { dir: DIR, chunk: 50 }));
}, 900_000);

/** Every JSON object of a document, with the key it sits under. */
function* objects(node: unknown, key = ""): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(node)) for (const item of node) yield* objects(item, key);
  else if (node && typeof node === "object") {
    yield [key, node as Record<string, unknown>];
    for (const [k, v] of Object.entries(node)) yield* objects(v, k);
  }
}

describe(`${COUNT} random documents (seed ${SEED})`, () => {
  it("cover what the arbitraries promise: both versions, composition, discriminators, refs, odd names, every parameter style, every body kind, defaults", () => {
    const seen = new Set<string>();
    for (const c of cases) {
      const doc = c.built.document as {
        openapi: string;
        components?: { schemas?: Record<string, unknown> };
      };
      seen.add(doc.openapi);
      for (const name of Object.keys(doc.components?.schemas ?? {})) if (["constructor", "__proto__", "toString"].includes(name)) seen.add(`component ${name}`);
      for (const [key, o] of objects(doc)) {
        if (Array.isArray(o.allOf) && o.allOf.some((m) => Object.keys(m as object).join() === "required")) seen.add("allOf required in a later member");
        if (Array.isArray(o.oneOf) && !o.discriminator) seen.add("oneOf");
        if (Array.isArray(o.anyOf)) seen.add("anyOf");
        if (o.discriminator) seen.add((o.discriminator as { mapping?: object }).mapping ? "discriminator with mapping" : "discriminator without mapping");
        if (key === "properties")
          for (const name of Object.keys(o))
            if (["constructor", "__proto__", "toString", "ümlaut", "名前", ""].includes(name)) seen.add(`property ${JSON.stringify(name)}`);
        if (typeof o.in === "string") seen.add(o.content ? `${o.in} content` : `${o.in} ${String(o.style)} explode=${String(o.explode)}`);
        if (key === "content") for (const media of Object.keys(o)) seen.add(media);
        if ("default" in o && key !== "responses") seen.add("default");
        if ("const" in o) seen.add("const");
        if (o.nullable === true || (Array.isArray(o.type) && o.type.includes("null"))) seen.add("nullable");
      }
      // A circular reference: a component whose own schema refers to itself (directly or through others).
      const schemas = doc.components?.schemas ?? {};
      const refsOf = (name: string) => new Set([...objects(schemas[name])].flatMap(([, o]) => (typeof o.$ref === "string" ? [o.$ref.split("/").pop()!] : [])));
      for (const name of Object.keys(schemas)) {
        const reach = new Set<string>();
        const queue = [...refsOf(name)];
        while (queue.length > 0) {
          const next = queue.pop()!;
          if (reach.has(next)) continue;
          reach.add(next);
          queue.push(...refsOf(next));
        }
        if (reach.has(name)) seen.add("circular $ref");
      }
    }
    const expected = [
      "3.0.3",
      "3.1.0",
      "component constructor",
      "component __proto__",
      "component toString",
      'property "constructor"',
      'property "__proto__"',
      'property "ümlaut"',
      "allOf required in a later member",
      "oneOf",
      "anyOf",
      "discriminator with mapping",
      "discriminator without mapping",
      "circular $ref",
      "default",
      "const",
      "nullable",
      "application/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      ...["simple", "label", "matrix"].flatMap((s) => [`path ${s} explode=true`, `path ${s} explode=false`]),
      ...["form explode=true", "form explode=false", "spaceDelimited explode=false", "pipeDelimited explode=false", "deepObject explode=true", "content"].map(
        (s) => `query ${s}`,
      ),
      "header simple explode=true",
      "header simple explode=false",
      "header content",
      "cookie form explode=false",
    ];
    expect(expected.filter((feature) => !seen.has(feature))).toEqual([]);
  });

  it("every document generates, compiles without @ts-nocheck and decodes a valid request per operation to what was sent", async () => {
    let report = "";
    if (failures.length > 0) {
      const shrunk = await shrinkClasses(failures, SEED, path.join(DIR, "shrink"), undefined, 3, 60_000);
      report = [
        ...new Set(failures.map((f) => `${f.kind} (run ${f.index})`)),
        ...shrunk.map((s) => `\n## ${s.failure.kind}: smallest document\n${s.message}\n\n${s.yaml}`),
      ].join("\n");
    }
    expect(report).toBe("");
    expect(figures).toEqual({
      documents: COUNT,
      operations: figures.operations,
      generated: COUNT,
      compiled: COUNT,
      roundTripped: COUNT,
      failures: 0,
    });
    expect(figures.operations).toBeGreaterThan(COUNT);
  }, 600_000);
});

describe("the round trip's comparison", () => {
  it("compares own keys (a `__proto__` member too), element by element, and bytes by content", () => {
    const own = (entries: [string, unknown][]) =>
      Object.defineProperties({}, Object.fromEntries(entries.map(([k, value]) => [k, { value, enumerable: true }])));
    expect(difference(own([["__proto__", 1]]), own([["__proto__", 1]]), "body")).toBeUndefined();
    expect(difference(own([["__proto__", 1]]), {}, "body")).toMatch(/^body: expected keys \["__proto__"\], got \[\]/);
    expect(difference({ a: [1, 2] }, { a: [1, 3] }, "body")).toBe("body.a[1]: expected 2, got 3");
    expect(difference(Buffer.from([1, 2]), new Uint8Array([1, 2]), "body")).toBeUndefined();
    expect(difference(Buffer.from([1, 2]), new Uint8Array([1]), "body")).toMatch(/^body: expected/);
    expect(difference(1, "1", "query.a")).toBe('query.a: expected 1, got "1"');
    expect(difference({ a: undefined }, {}, "x")).toMatch(/expected keys/);
  });
});
