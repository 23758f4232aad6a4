/** rt.operationRows expands generated operations.ts's positional rows into OperationSpecs; parameter rows become ParamEntry objects, shared as the rows were. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { operationRows, type ParamRow } from "../runtime/serve/operation.js";

describe("operationRows", () => {
  it("expands parameter rows (holes left out) and shares the entries of shared rows", () => {
    const schema = () => z.number();
    const top: ParamRow = ["$top", "query", "form", false, { types: ["integer"] }, schema];
    const id: ParamRow = ["id", "path", "simple", false, { types: ["integer"] }, schema, true];
    const filter: ParamRow = ["filter", "query", "form", true, {}, schema, undefined, true];
    const [list, get] = operationRows([
      ["list", "list", "GET", "/items", [top, filter], { "200": "application/json" }],
      ["get", "get", "GET", "/items/{id}", [id, top], { "200": "application/json" }, undefined, undefined, true],
    ]);
    expect(list!.params).toEqual([
      { name: "$top", in: "query", style: "form", explode: false, shape: { types: ["integer"] }, schema },
      { name: "filter", in: "query", style: "form", explode: true, shape: {}, schema, json: true },
    ]);
    expect(get!.params[0]).toEqual({ name: "id", in: "path", style: "simple", explode: false, shape: { types: ["integer"] }, schema, required: true });
    expect(get!.params[1]).toBe(list!.params[0]);
    expect(get!.idempotent).toBe(true);
    expect(list).not.toHaveProperty("idempotent");
  });
});
