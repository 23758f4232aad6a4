/**
 * Endpoint names are injective (fixtures/endpoint-names.yaml, issue 14 item 2): names that
 * sanitising alone would merge stay distinct, whatever the declaration order; only the same name
 * chosen twice is refused (test/generate.test.ts, fixtures/invalid/duplicate-operation-ids.yaml).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { readFileSync } from "node:fs";
import { buildModel, loadSpec } from "../generator/index.js";
import { endpointNames } from "@symphony-codegen/runtime/internal/sdk/names.js";
import { ROOT } from "./helpers/specs.js";

const FIXTURE = path.join(ROOT, "fixtures/endpoint-names.yaml");
const OUT = path.join(ROOT, "test/.tmp/endpoint-names");

async function endpoints(file: string) {
  const model = buildModel(await loadSpec(file));
  return {
    model,
    byPath: Object.fromEntries(model.operations.map((op) => [op.path, op.endpoint])),
  };
}

describe("endpoint names", () => {
  it("stay distinct when only sanitising would tell them apart; verbatim names are kept", async () => {
    const { byPath } = await endpoints(FIXTURE);
    expect(byPath).toMatchObject({
      "/users": "get_users",
      "/dash": "get-user",
      "/underscore": "get_user",
      "/plain": "a_b",
      "/wild": "list",
    });
    expect(byPath["/users/~"]).toMatch(/^get_users_[0-9a-f]{6}$/);
    expect(byPath["/dot"]).toMatch(/^a_b_[0-9a-f]{6}$/);
    expect(byPath["/space"]).toMatch(/^a_b_[0-9a-f]{6}$/);
    const names = Object.values(byPath);
    expect(new Set(names).size).toBe(names.length);
    // One subject token each: no space, `.`, `*` or `>`.
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("warn where a suffix was added, located, naming who else wanted the name", async () => {
    const { model } = await endpoints(FIXTURE);
    const suffixed = model.warnings.filter((w) => w.message.startsWith("Endpoint name"));
    // Each at the first line of its operation object.
    expect(suffixed.map((w) => [w.pointer, w.line])).toEqual([
      ["#/paths/~1users~1~0/get", 10],
      ["#/paths/~1dot/get", 45],
      ["#/paths/~1space/get", 63],
    ]);
    expect(suffixed[0]!.message).toMatch(/^Endpoint name "get_users" of GET \/users\/~ is also wanted by GET \/users; using "get_users_[0-9a-f]{6}"/);
  });

  it("do not depend on declaration order, and are the same on every run", async () => {
    const doc = parseYaml(readFileSync(FIXTURE, "utf8")) as {
      paths: Record<string, unknown>;
    };
    doc.paths = Object.fromEntries(Object.entries(doc.paths).reverse());
    await mkdir(OUT, { recursive: true });
    const reversed = path.join(OUT, "reversed.yaml");
    await writeFile(reversed, stringify(doc));
    const first = (await endpoints(FIXTURE)).byPath;
    expect((await endpoints(reversed)).byPath).toEqual(first);
    expect((await endpoints(FIXTURE)).byPath).toEqual(first);
  });

  it("endpointNames: a name chosen twice is a duplicate; two derived names sharing one both get a suffix", () => {
    const twice = endpointNames([
      { chosen: "a.b", derived: "get_x", key: "a.b" },
      { chosen: "a.b", derived: "get_y", key: "a.b" },
    ]);
    expect(twice.duplicates).toEqual([[0, 1]]);
    const derived = endpointNames([
      { derived: "get_a_b", key: "GET /a/b" },
      { derived: "get_a_b", key: "GET /a_b" },
      { chosen: "x", derived: "get_x", key: "x" },
    ]);
    expect(derived.duplicates).toEqual([]);
    expect(derived.names[0]).toMatch(/^get_a_b_[0-9a-f]{6}$/);
    expect(derived.names[1]).toMatch(/^get_a_b_[0-9a-f]{6}$/);
    expect(derived.names[0]).not.toBe(derived.names[1]);
    expect(derived.names[2]).toBe("x");
    // A chosen name as written beats a derived one.
    expect(
      endpointNames([
        { derived: "get_pets", key: "GET /pets" },
        { chosen: "get_pets", derived: "post_pets", key: "get_pets" },
      ]).names,
    ).toEqual([expect.stringMatching(/^get_pets_[0-9a-f]{6}$/), "get_pets"]);
  });
});
