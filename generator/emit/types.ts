/** types.ts: the spec's TypeScript types, from openapi-typescript. */
import openapiTS, { astToString } from "openapi-typescript";
import type { ApiModel } from "../model.js";

export async function emitTypes(model: ApiModel): Promise<string> {
  const ast = await openapiTS(structuredClone(model.document) as never, { silent: true });
  return astToString(ast);
}
