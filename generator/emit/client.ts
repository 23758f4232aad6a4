/**
 * client.ts: `createClient(nc, prefix)`, one typed method per operation, over NATS. The imports
 * and interfaces are printed in prettier's layout (../print/declarations.ts).
 */
import ts from "../typescript.cjs";
import { joinStatements } from "../format.js";
import type { ApiModel, OperationModel } from "../model.js";
import { docComment, stringLiteral } from "../names.js";
import { declaration, importNames, importNamespace, render, spaced, verbatim, type Statement } from "../print/declarations.js";
import * as t from "../print/nodes.js";
import { LOCATIONS } from "./handlers.js";

function inputType(op: OperationModel): { type: ts.TypeNode; optional: boolean } {
  const fields: ts.TypeElement[] = [];
  const request = () => t.ref(`${op.typeName}Request`);
  let anyRequired = false;
  for (const [location, field] of LOCATIONS) {
    if (!op.parameters.some((p) => p.in === location)) continue;
    const required = op.parameters.some((p) => p.in === location && p.required);
    anyRequired ||= required;
    fields.push(t.property(field, !required, t.indexed(request(), [stringLiteral(field)])));
  }
  if (op.requestBody && op.requestBody.content.length > 0) {
    const required = op.requestBody.required;
    anyRequired ||= required;
    // A required body's type holds no `undefined` to exclude (handlers.ts adds it only to optional ones).
    const body = t.indexed(request(), [stringLiteral("body")]);
    fields.push(t.property("body", !required, required ? body : t.ref("Exclude", [body, t.keyword(ts.SyntaxKind.UndefinedKeyword)])));
    if (op.requestBody.content.length > 1)
      fields.push(t.property("contentType", true, t.union(op.requestBody.content.map((m) => t.str(stringLiteral(m.contentType))))));
  }
  const type = fields.length ? t.inlineObject(fields) : t.emptyRecord();
  return { type, optional: !anyRequired };
}

function clientInterface(name: string, intro: string, operations: OperationModel[]): Statement {
  const methods = () =>
    operations.map((op) => {
      const input = inputType(op);
      const signature = t.method(
        op.handlerName,
        [t.parameter("req", input.optional, input.type), t.parameter("options", true, t.ref("rt.CallOptions"))],
        t.ref("Promise", [t.ref(`${op.typeName}Response`)]),
      );
      return t.jsDoc(signature, docComment([op.summary, `${op.method} ${op.path} → endpoint ${op.endpoint}`, op.deprecated ? "@deprecated" : undefined]));
    });
  return spaced(declaration(() => t.jsDoc(t.exportedInterface(name, methods()), docComment([intro]))));
}

/** client.ts's statements; `print: false` leaves all of them to prettier (what test/handlers-printer.test.ts compares against). */
export function emitClient(model: ApiModel, runtimeImport: string, print = true): string {
  const all = [...model.operations, ...model.webhooks];
  const imports = all.flatMap((op) => [`${op.typeName}Request`, `${op.typeName}Response`]);
  const hooks = model.webhooks.length > 0;
  const out: (Statement | string)[] = [
    importNamespace("rt", stringLiteral(runtimeImport)),
    importNames(["Handlers", ...imports], stringLiteral("./handlers.js"), true),
    importNames(hooks ? ["operationTable", "webhookTable"] : ["operationTable"], stringLiteral("./operations.js"), false),
    "",
    clientInterface(
      "Client",
      `Typed client for ${model.title}: each method sends the operation's envelope to its endpoint and returns the typed response.`,
      model.operations,
    ),
    spaced(
      verbatim(
        docComment([
          "A client for the extension with this prefix, over any NATS connection (`ext.conn()`, `connect(...)`).",
          "Transport failures throw `ConnectionFailed` (no instance answering) or `Timeout`; HTTP-level errors are responses.",
        ]),
        "export function createClient(nc: rt.Requester, prefix: string, options?: rt.CallOptions): Client {\n" +
          "  return rt.createApiClient<Client>(nc, prefix, operationTable, options);\n}",
      ),
    ),
    spaced(
      verbatim(
        docComment([
          "The same typed client, served by these handlers in this process through the full decode → handler → encode path, without NATS: for unit tests.",
          "Response bodies are checked against the spec unless `validateResponses: false`.",
        ]),
        [
          "export function createLocalClient(handlers: Handlers, options?: rt.LocalOptions): Client {",
          "  return createClient(",
          "    rt.localRequester({ operations: operationTable }, handlers, options),",
          '    "local",',
          "  );",
          "}",
        ].join("\n"),
      ),
    ),
  ];
  if (hooks) {
    out.push(
      clientInterface("WebhookClient", `Sends ${model.title}'s webhooks and callbacks to a receiver registered with \`registerWebhooks\`.`, model.webhooks),
      spaced(
        verbatim(
          "",
          [
            "export function createWebhookClient(",
            "  nc: rt.Requester,",
            "  prefix: string,",
            "  options?: rt.CallOptions,",
            "): WebhookClient {",
            "  return rt.createApiClient<WebhookClient>(nc, `${prefix}.webhooks`, webhookTable, options);",
            "}",
          ].join("\n"),
        ),
      ),
    );
  }
  return joinStatements(render(out, print));
}
