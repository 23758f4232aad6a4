/**
 * client.ts: `createClient(nc, prefix)`, one typed method per operation, over NATS. The Client
 * type is `rt.ClientOf<Handlers>` (runtime/serve/operation-types.ts), derived from the handlers'
 * signatures: tsc resolves a method's types only where users call it, while spelled-out methods
 * are parsed and bound for every operation. Operations it cannot derive exactly are spelled out.
 * The imports and interfaces are printed in prettier's layout (../print/declarations.ts).
 */
import ts from "../typescript.cjs";
import { joinStatements } from "../format.js";
import { resolveRef, type ApiModel, type JsonSchema, type OperationModel } from "../model.js";
import { docComment, stringLiteral } from "../names.js";
import { declaration, importNames, importNamespace, render, spaced, verbatim, type Statement } from "../print/declarations.js";
import * as t from "../print/nodes.js";
import { LOCATIONS } from "./handlers.js";

function inputType(op: OperationModel): {
  type: ts.TypeNode;
  optional: boolean;
} {
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

/**
 * Whether openapi-typescript may type this schema `unknown` (or `any`): no type-giving keyword,
 * following $refs; a union with such a member. Then a required body's type holds `undefined`.
 */
function mayBeUnknown(doc: unknown, schema: JsonSchema | undefined, seen = new Set<unknown>()): boolean {
  const resolved = resolveRef<JsonSchema>(doc, schema);
  if (typeof resolved !== "object" || resolved === null) return true;
  if (seen.has(resolved)) return false;
  seen.add(resolved);
  const members = (key: string) => (Array.isArray(resolved[key]) ? (resolved[key] as JsonSchema[]) : []);
  if (["type", "properties", "items", "enum", "const", "additionalProperties"].some((k) => k in resolved)) return false;
  if (members("oneOf").length + members("anyOf").length > 0) return [...members("oneOf"), ...members("anyOf")].some((m) => mayBeUnknown(doc, m, seen));
  if (members("allOf").length > 0) return members("allOf").every((m) => mayBeUnknown(doc, m, seen));
  return true;
}

/**
 * Whether `rt.ClientOf` gives exactly inputType's method. It sees only the handler's request, so
 * not: several request media types (the client's `contentType`), header parameters the model leaves
 * out (they are in the handler's `headers`, not the client's), or a required body whose type may
 * hold `undefined` (`unknown`: it reads as optional).
 */
function derivable(model: ApiModel, op: OperationModel): boolean {
  const content = op.requestBody?.content ?? [];
  return !op.transportHeaders && content.length <= 1 && !(op.requestBody?.required && content.some((m) => mayBeUnknown(model.document, m.schema)));
}

/**
 * `export type Client = rt.ClientOf<Handlers>`; when some operations are spelled out, also an
 * interface of their methods (`ClientMethods`), which `rt.ClientOf`'s second argument takes them from.
 */
function clientType(model: ApiModel, name: string, handlers: string, intro: string, operations: OperationModel[], derive: boolean): Statement[] {
  const explicit = operations.filter((op) => !derive || !derivable(model, op));
  const doc = docComment([intro]);
  if (!derive) return [spaced(declaration(() => t.jsDoc(t.exportedInterface(name, methods(explicit)), doc)))];
  // Fixed text (the names are this module's), so printed as it is.
  if (explicit.length === 0) return [spaced(verbatim(doc, `export type ${name} = rt.ClientOf<${handlers}>;`))];
  const spelled = `${name}Methods`;
  const why = `${name}'s methods that rt.ClientOf cannot derive exactly from ${handlers}, spelled out (several request media types, transport header parameters, or a required body typed \`unknown\`).`;
  return [
    spaced(verbatim(doc, `export type ${name} = rt.ClientOf<${handlers}, ${spelled}>;`)),
    spaced(declaration(() => t.jsDoc(t.exportedInterface(spelled, methods(explicit)), docComment([why])))),
  ];
}

function methods(operations: OperationModel[]): ts.TypeElement[] {
  return operations.map((op) => {
    const input = inputType(op);
    const signature = t.method(
      op.handlerName,
      [t.parameter("req", input.optional, input.type), t.parameter("options", true, t.ref("rt.CallOptions"))],
      t.ref("Promise", [t.ref(`${op.typeName}Response`)]),
    );
    return t.jsDoc(signature, docComment([op.summary, `${op.method} ${op.path} → endpoint ${op.endpoint}`, op.deprecated ? "@deprecated" : undefined]));
  });
}

/**
 * client.ts's statements; `print: false` leaves all of them to prettier (what test/handlers-printer.test.ts compares against);
 * `derive: false` spells out every method (test/helpers/derived.ts checks the derived ones against them).
 */
export function emitClient(model: ApiModel, runtimeImport: string, print = true, derive = true): string {
  const all = [...model.operations, ...model.webhooks];
  const imports = all.filter((op) => !derive || !derivable(model, op)).flatMap((op) => [`${op.typeName}Request`, `${op.typeName}Response`]);
  const hooks = model.webhooks.length > 0;
  const out: (Statement | string)[] = [
    importNamespace("rt", stringLiteral(runtimeImport)),
    importNames(hooks ? ["Handlers", "WebhookHandlers", ...imports] : ["Handlers", ...imports], stringLiteral("./handlers.js"), true),
    importNames(hooks ? ["operationTable", "webhookTable"] : ["operationTable"], stringLiteral("./operations.js"), false),
    "",
    ...clientType(
      model,
      "Client",
      "Handlers",
      `Typed client for ${model.title}: each method sends the operation's envelope to its endpoint and returns the typed response.`,
      model.operations,
      derive,
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
      ...clientType(
        model,
        "WebhookClient",
        "WebhookHandlers",
        `Sends ${model.title}'s webhooks and callbacks to a receiver registered with \`registerWebhooks\`.`,
        model.webhooks,
        derive,
      ),
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
