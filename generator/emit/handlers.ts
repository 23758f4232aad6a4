/**
 * handlers.ts: typed requests, per-status response unions, the Handlers
 * interface and response builders. Types index the openapi-typescript output
 * (`paths[...]`) instead of inferring from zod, which keeps `tsc` cheap.
 * Types whose schema holds readOnly/writeOnly properties go through `rt.Writable` (requests) or
 * `rt.Readable` (responses); the others are left as they are, so that tsc has nothing to map.
 */
import { visibilityIndex, type ApiModel, type JsonSchema, type OperationModel, type ParamIn, type ResponseModel } from "../model.js";
import { joinStatements } from "../format.js";
import { docComment, stringLiteral } from "../names.js";

const LOCATIONS: [ParamIn, string][] = [
  ["path", "path"],
  ["query", "query"],
  ["header", "headers"],
  ["cookie", "cookies"],
];

const opType = (op: OperationModel) => `${op.typeRoot}[${stringLiteral(op.typeKey)}][${stringLiteral(op.method.toLowerCase())}]`;

/** `type` as one side sees it, when its schemas carry readOnly/writeOnly markers. */
function visible(model: ApiModel, type: string, schemas: (JsonSchema | undefined)[], side: "Writable" | "Readable"): string {
  const index = visibilityIndex(model.document);
  return schemas.some((s) => index.marked(s)) ? `rt.${side}<${type}>` : type;
}

function requestType(model: ApiModel, op: OperationModel): string {
  const base = opType(op);
  const fields = LOCATIONS.map(([location, field]) => {
    const params = op.parameters.filter((p) => p.in === location);
    const type = `NonNullable<${base}["parameters"][${stringLiteral(location)}]>`;
    return `${field}: ${params.length > 0 ? visible(model, type, params.map((p) => p.schema), "Writable") : "Record<string, never>"};`;
  });
  let body = "undefined";
  if (op.requestBody && op.requestBody.content.length > 0) {
    const content = `NonNullable<${base}["requestBody"]>["content"]`;
    body = op.requestBody.content.map((m) => visible(model, `${content}[${stringLiteral(m.contentType)}]`, [m.schema], "Writable")).join(" | ");
    if (!op.requestBody.required) body += " | undefined";
  }
  fields.push(`body: ${body};`);
  return `export interface ${op.typeName}Request {\n${fields.join("\n")}\n}\n`;
}

function statusType(key: string): string {
  if (key === "default") return "number";
  if (/^[1-5]XX$/.test(key)) return `rt.Status${key}`;
  return key;
}

function responseMembers(model: ApiModel, op: OperationModel, r: ResponseModel): string[] {
  const base = `${opType(op)}["responses"][${stringLiteral(r.key)}]`;
  const headers = r.headers.length > 0 ? `headers${r.headers.some((h) => h.required) ? "" : "?"}: ${base}["headers"]` : "headers?: Readonly<Record<string, string | number | boolean>>";
  const status = `status: ${statusType(r.key)}`;
  if (r.content.length === 0) return [`{ ${status}; body?: undefined; ${headers}; contentType?: string }`];
  return r.content.map((m, i) => {
    const contentType = `contentType${i === 0 ? "?" : ""}: ${stringLiteral(m.contentType)}`;
    const body = visible(model, `${base}["content"][${stringLiteral(m.contentType)}]`, [m.schema], "Readable");
    return `{ ${status}; body: ${body}; ${headers}; ${contentType} }`;
  });
}

function responseType(model: ApiModel, op: OperationModel): string {
  const members = op.responses.flatMap((r) => responseMembers(model, op, r));
  // No declared responses: any status, any body.
  if (members.length === 0) members.push("rt.AnyResponse");
  return `export type ${op.typeName}Response =\n${members.map((m) => `| ${m}`).join("\n")};\n`;
}

function handlerInterface(name: string, intro: string, operations: OperationModel[]): string {
  const methods = operations.map((op) => {
    const doc = docComment([op.summary, op.description, `${op.method} ${op.path}`, op.deprecated ? "@deprecated" : undefined], "  ");
    return `${doc}  ${op.handlerName}(req: ${op.typeName}Request, ctx: rt.HandlerContext): ${op.typeName}Response | Promise<${op.typeName}Response>;`;
  });
  return docComment([intro]) + `export interface ${name} {\n${methods.join("\n")}\n}\n`;
}

export function emitHandlers(model: ApiModel, runtimeImport: string): string {
  const roots = [...new Set([...model.operations, ...model.webhooks].map((op) => op.typeRoot))].sort();
  const out: string[] = [
    roots.length > 0 ? `import type { ${roots.join(", ")} } from "./types.js";` : "",
    `import * as rt from ${stringLiteral(runtimeImport)};`,
    "",
  ];
  for (const op of [...model.operations, ...model.webhooks]) {
    // The comment travels with its statement: the formatter may split between statements.
    const comment = `// ${op.method} ${op.path.replace(/[\r\n\u2028\u2029]/g, " ")}`.replace(/\*\//g, "*\\/");
    out.push(`${comment}\n${requestType(model, op)}`, responseType(model, op));
    out.push(
      docComment([`Response builders for ${op.handlerName}: \`${op.typeName}.status(code, body)\` and one per named status.`]) +
        `export const ${op.typeName} = rt.responseBuilders<${op.typeName}Response>();\n`,
    );
  }
  out.push(handlerInterface("Handlers", `One method per operation of ${model.title}. Return a response built with the operation's builders.`, model.operations));
  if (model.webhooks.length > 0) {
    out.push(
      handlerInterface(
        "WebhookHandlers",
        `One method per webhook and callback of ${model.title}: what a receiver of the requests this API sends implements.`,
        model.webhooks,
      ),
    );
  }
  return joinStatements(out);
}
