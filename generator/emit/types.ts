/** types.ts: the spec's TypeScript types, from openapi-typescript. */
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import type { ApiModel } from "../model.js";

const BYTES = ts.factory.createTypeReferenceNode("Uint8Array");

export async function emitTypes(model: ApiModel): Promise<string> {
  const ast = await openapiTS(structuredClone(model.document) as never, {
    silent: true,
    // Binary strings (files, octet-stream bodies) reach handlers as bytes.
    transform(schema) {
      return schema.type === "string" && schema.format === "binary" ? BYTES : undefined;
    },
  });
  return astToString(ast);
}
