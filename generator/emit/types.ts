/** types.ts: the spec's TypeScript types, from openapi-typescript. */
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import type { ApiModel } from "../model.js";

const BYTES = ts.factory.createTypeReferenceNode("Uint8Array");

export async function emitTypes(model: ApiModel): Promise<string> {
  const document = structuredClone(model.document);
  // Callbacks have no types of their own in openapi-typescript: type them as extra webhooks.
  if (Object.keys(model.callbackItems).length > 0) {
    document.webhooks = { ...(document.webhooks as object | undefined), ...structuredClone(model.callbackItems) };
  }
  const ast = await openapiTS(document as never, {
    silent: true,
    // Binary strings (files, octet-stream bodies) reach handlers as bytes.
    transform(schema) {
      return schema.type === "string" && schema.format === "binary" ? BYTES : undefined;
    },
  });
  return astToString(ast);
}
