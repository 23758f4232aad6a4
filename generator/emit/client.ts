/** client.ts: `createClient(nc, prefix)`, one typed method per operation, over NATS. */
import type { ApiModel, OperationModel, ParamIn } from "../model.js";
import { docComment, stringLiteral } from "../names.js";

const FIELDS: [ParamIn, string][] = [
  ["path", "path"],
  ["query", "query"],
  ["header", "headers"],
  ["cookie", "cookies"],
];

function inputType(op: OperationModel): { type: string; optional: boolean } {
  const fields: string[] = [];
  let anyRequired = false;
  for (const [location, field] of FIELDS) {
    if (!op.parameters.some((p) => p.in === location)) continue;
    const required = op.parameters.some((p) => p.in === location && p.required);
    anyRequired ||= required;
    fields.push(`${field}${required ? "" : "?"}: ${op.typeName}Request[${stringLiteral(field)}]`);
  }
  if (op.requestBody && op.requestBody.content.length > 0) {
    const required = op.requestBody.required;
    anyRequired ||= required;
    fields.push(`body${required ? "" : "?"}: Exclude<${op.typeName}Request["body"], undefined>`);
    if (op.requestBody.content.length > 1) fields.push(`contentType?: ${op.requestBody.content.map((m) => stringLiteral(m.contentType)).join(" | ")}`);
  }
  return { type: fields.length ? `{ ${fields.join("; ")} }` : "Record<string, never>", optional: !anyRequired };
}

function clientInterface(name: string, intro: string, operations: OperationModel[]): string {
  const methods = operations.map((op) => {
    const input = inputType(op);
    const doc = docComment([op.summary, `${op.method} ${op.path} → endpoint ${op.endpoint}`, op.deprecated ? "@deprecated" : undefined], "  ");
    return `${doc}  ${op.handlerName}(req${input.optional ? "?" : ""}: ${input.type}, options?: rt.CallOptions): Promise<${op.typeName}Response>;`;
  });
  return docComment([intro]) + `export interface ${name} {\n${methods.join("\n")}\n}\n`;
}

export function emitClient(model: ApiModel, runtimeImport: string): string {
  const all = [...model.operations, ...model.webhooks];
  const imports = all.flatMap((op) => [`${op.typeName}Request`, `${op.typeName}Response`]);
  const hooks = model.webhooks.length > 0;
  return [
    `import * as rt from ${stringLiteral(runtimeImport)};`,
    imports.length ? `import type { ${imports.join(", ")} } from "./handlers.js";` : "",
    `import { operationTable${hooks ? ", webhookTable" : ""} } from "./operations.js";`,
    "",
    clientInterface("Client", `Typed client for ${model.title}: each method sends the operation's envelope to its endpoint and returns the typed response.`, model.operations),
    docComment([
      "A client for the extension with this prefix, over any NATS connection (`ext.conn()`, `connect(...)`).",
      "Transport failures throw `ConnectionFailed` (no instance answering) or `Timeout`; HTTP-level errors are responses.",
    ]) + "export function createClient(nc: rt.Requester, prefix: string, options?: rt.CallOptions): Client {",
    "  return rt.createApiClient<Client>(nc, prefix, operationTable, options);",
    "}",
    "",
    ...(hooks
      ? [
          clientInterface("WebhookClient", `Sends ${model.title}'s webhooks and callbacks to a receiver registered with \`registerWebhooks\`.`, model.webhooks),
          "export function createWebhookClient(nc: rt.Requester, prefix: string, options?: rt.CallOptions): WebhookClient {",
          "  return rt.createApiClient<WebhookClient>(nc, `${prefix}.webhooks`, webhookTable, options);",
          "}",
          "",
        ]
      : []),
  ].join("\n");
}
