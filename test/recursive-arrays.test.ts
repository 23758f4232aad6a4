/**
 * Schemas that reach themselves with no object type between (fixtures/recursive-arrays.yaml, found
 * by the property test over documents): openapi-typescript types them inside their own annotation
 * (TS2502); generator/emit/recursive-aliases.ts moves each into a recursive type alias. types.ts
 * compiles with every line checked, the aliases mean what the schemas mean, and the decoder agrees.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../generator/index.js";
import { decodeRequest, prepareOperation } from "../runtime/serve/request.js";
import type { OperationSpec } from "../runtime/serve/operation.js";
import { RestRequestError } from "../runtime/serve/envelope.js";
import { ROOT } from "./helpers/specs.js";
import { checkEveryLine, typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/recursive-arrays");
const GENERATED = path.join(OUT, "generated");

/** Each @ts-expect-error must meet an error: the aliases are as strict as the schemas. */
const USAGE = `import type { components } from "./generated/types.js";
type S = components["schemas"];
const tree: S["Tree"] = ["a", ["b", ["c"]], []];
// @ts-expect-error: a tree's leaves are strings
const badTree: S["Tree"] = ["a", [1]];
const nest: S["Nest"] = [[], [[]]];
// @ts-expect-error: nests hold only nests
const badNest: S["Nest"] = [["x"]];
const ping: S["Ping"] = [1, [2, [3]]];
// @ts-expect-error: pongs are integers or pings
const badPing: S["Ping"] = ["x"];
const node: S["Node"] = { children: [{ children: [] }] };
export const used = [tree, badTree, nest, badNest, ping, badPing, node];
`;

let operations: OperationSpec[];

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await generate(path.join(ROOT, "fixtures/recursive-arrays.yaml"), { out: GENERATED });
  ({ operationTable: operations } = await import(pathToFileURL(path.join(GENERATED, "operations.ts")).href));
}, 120_000);

describe("schemas that reach themselves through arrays only", () => {
  it("are typed through recursive aliases; an object in between needs none", () => {
    const types = readFileSync(path.join(GENERATED, "types.ts"), "utf8");
    expect(types).toContain("Tree: RecursiveSchema_Tree;");
    expect(types).toMatch(/export type RecursiveSchema_Nest = RecursiveSchema_Nest\[\];/);
    expect(types).toContain("Ping: RecursiveSchema_Ping;");
    expect(types).toContain("Pong: RecursiveSchema_Pong;");
    expect(types).not.toContain("RecursiveSchema_Node");
  });

  it("compile under tsc --strict with every line checked", async () => {
    await checkEveryLine(GENERATED);
    writeFileSync(path.join(OUT, "usage.ts"), USAGE);
    expect(await typeCheck(OUT, ["generated/*.ts", "usage.ts"])).toBe("");
  }, 120_000);

  it("decode a nested tree, and refuse a number deep inside", () => {
    const op = prepareOperation(operations[0]!);
    const request = (body: unknown) => ({
      method: "POST",
      url: "/trees",
      path: "/trees",
      headers: { "content-type": "application/json" },
      path_params: {},
      query_params: {},
      body,
    });
    expect(decodeRequest(op, request(["a", ["b", ["c"]]])).body).toEqual(["a", ["b", ["c"]]]);
    expect(() => decodeRequest(op, request(["a", ["b", [7]]]))).toThrow(RestRequestError);
  });
});
