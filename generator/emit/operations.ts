/** operations.ts: the table the runtime dispatcher reads, one row per operation (rt.OperationRow). */
import type { ApiModel, OperationModel } from "../model.js";
import { formattedStatement, joinStatements } from "../format.js";
import { ExprPrinter, Unsupported } from "../print/expr-printer.js";
import { importNames, importNamespace, render, type Statement } from "../print/declarations.js";
import { referencedNames } from "../print/references.js";
import { propertyKey, stringLiteral, valueLiteral } from "../names.js";
import { SharedPieces } from "./shared-pieces.js";
import { valueShape } from "./shape.js";
import type { NamedSchema, ZodEmitter } from "./zod.js";

function isJsonMedia(contentType: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json$|\+json$/i.test(contentType.split(";")[0]!.trim());
}

function operationEntry(model: ApiModel, op: OperationModel, zod: ZodEmitter, shared: SharedPieces): string {
  const schema = (code: string) => shared.ref("schema", "rt.SchemaThunk", `() => ${code}`);
  const shape = (value: unknown) => shared.ref("shape", "rt.ValueShape", valueLiteral(value));
  const params = op.parameters.map((p) => {
    // rt.ParamRow: name, in, style, explode, shape, schema, required, json.
    const fields = [
      stringLiteral(p.name),
      stringLiteral(p.in),
      stringLiteral(p.style),
      String(p.explode),
      shape(valueShape(model.document, p.schema)),
      schema(`${zod.inline(p.schema, "schemas.", "request")}${p.required ? "" : ".optional()"}`),
      p.required ? "true" : "undefined",
      p.contentType && isJsonMedia(p.contentType) ? "true" : "undefined",
    ];
    while (fields.at(-1) === "undefined") fields.pop();
    return shared.ref("param", "rt.ParamRow", `[${fields.join(", ")}]`);
  });
  // rt.OperationRow: handler, endpoint, method, path, params, responses, responseBodies, body, idempotent.
  const row = [
    stringLiteral(op.handlerName),
    stringLiteral(op.endpoint),
    stringLiteral(op.method),
    stringLiteral(op.path),
    shared.ref("params", "readonly rt.ParamRow[]", `[${params.join(", ")}]`),
  ];
  let body: string | undefined;
  if (op.requestBody) {
    const content = op.requestBody.content.map(
      (m) => `${stringLiteral(m.contentType)}: ${m.schema === undefined ? "null" : schema(zod.inline(m.schema, "schemas.", "request"))}`,
    );
    // Form and multipart fields arrive as strings: the runtime coerces them by shape.
    const shapes = op.requestBody.content
      .filter((m) => /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(m.contentType))
      .map((m) => `${stringLiteral(m.contentType)}: ${shape(valueShape(model.document, m.schema))}`);
    const shapeField = shapes.length > 0 ? `, shapes: { ${shapes.join(", ")} }` : "";
    body = shared.ref("body", "rt.BodySpec", `{ required: ${op.requestBody.required}, content: { ${content.join(", ")} }${shapeField} }`);
  }
  const responses = op.responses.map((r) => `${propertyKey(r.key)}: ${r.content[0] ? stringLiteral(r.content[0].contentType) : "null"}`);
  row.push(shared.ref("responses", 'rt.OperationSpec["responses"]', `{ ${responses.join(", ")} }`));
  // Response body schemas for optional response validation: JSON media types only; like every
  // schema in the table a thunk, so nothing is built unless validation is on.
  const responseBodies = op.responses.flatMap((r) => {
    const media = r.content.filter((m) => m.schema !== undefined && isJsonMedia(m.contentType));
    if (media.length === 0) return [];
    const entries = media.map((m) => `${stringLiteral(m.contentType)}: ${schema(zod.inline(m.schema, "schemas.", "response"))}`);
    return [`${propertyKey(r.key)}: { ${entries.join(", ")} }`];
  });
  row.push(
    responseBodies.length > 0
      ? shared.ref("responseBodies", 'NonNullable<rt.OperationSpec["responseBodies"]>', `{ ${responseBodies.join(", ")} }`)
      : "undefined",
    body ?? "undefined",
    op.idempotent ? "true" : "undefined",
  );
  while (row.at(-1) === "undefined") row.pop();
  return `[${row.join(", ")}]`;
}

/**
 * Import lines for the runtime and the schemas module, each only when a statement refers to it: by
 * its syntax tree, never its printed text (`z\n  .string()` holds no `z.`). `used` has the names
 * of the expressions the printer parsed; the declarations and the expressions it refused are
 * parsed here, by TypeScript.
 */
function imports(statements: Printed[], runtimeImport: string, withSchemas: boolean, used: Set<string>): Statement[] {
  const rest = statements.map((s) => (s.parsed ? `${s.left} = 0;` : `${s.left} = ${s.code};`));
  for (const name of referencedNames(rest.join("\n"))) used.add(name);
  const lines: Statement[] = [];
  if (used.has("z")) lines.push(importNames(["z"], stringLiteral(runtimeImport), false));
  if (used.has("rt")) lines.push(importNamespace("rt", stringLiteral(runtimeImport)));
  if (withSchemas && used.has("schemas")) lines.push(importNamespace("schemas", stringLiteral("./schemas.js")));
  return lines;
}

export interface TableStatement {
  comment?: string;
  left: string;
  code: string;
}

/**
 * The operations module's statements (`left = code;` after a comment line, if any): the pieces the
 * entries share (./shared-pieces.ts), then the table, and the webhooks' when there are any.
 */
export function operationTables(model: ApiModel, zod: ZodEmitter): TableStatement[] {
  const shared = new SharedPieces();
  const table = (comment: string, name: string, ops: OperationModel[]): TableStatement => ({
    comment,
    left: `export const ${name}: readonly rt.OperationSpec[]`,
    code: `rt.operationRows([${ops.map((op) => operationEntry(model, op, zod, shared)).join(",\n")}])`,
  });
  const tables = [
    table("/** What the runtime needs to decode, dispatch and encode each operation: one rt.OperationRow each. */", "operationTable", model.operations),
  ];
  if (model.webhooks.length > 0) tables.push(table("/** The same for the webhooks and callbacks this API sends. */", "webhookTable", model.webhooks));
  const { constants, expand } = shared.resolve(tables.map((t) => t.code));
  return [...constants, ...tables.map((t) => ({ ...t, code: expand(t.code) }))];
}

/** `printer: null` leaves every statement to prettier (benchmarks compare the two). */
export function emitOperations(model: ApiModel, zod: ZodEmitter, runtimeImport: string, printer: ExprPrinter | null = new ExprPrinter()): string {
  const used = new Set<string>();
  const statements = operationTables(model, zod).map((t) => constStatement(printer, t, used));
  return joinStatements([...render(imports(statements, runtimeImport, true, used), printer !== null), "", ...statements.map((s) => s.text)]);
}

interface Printed {
  left: string;
  code: string;
  /** Printed here (its names are in the `used` set passed along), not left to prettier. */
  parsed: boolean;
  text: string;
}

/**
 * `<left> = <code>;` (after a comment line, if any) followed by a blank line: printed in
 * prettier's layout here when the expression printer knows its shape, else left to prettier.
 */
function constStatement(printer: ExprPrinter | null, { left, code, comment }: { left: string; code: string; comment?: string }, used: Set<string>): Printed {
  const head = comment === undefined ? "" : comment + "\n";
  try {
    if (printer) return { left, code, parsed: true, text: formattedStatement(head + printer.statement(left, code, used) + "\n") };
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
  }
  return { left, code, parsed: false, text: `${head}${left} = ${code};\n` };
}

/** A component constant's declaration, typed with what its parse returns (`z.ZodType` when unknown). */
export function schemaConstantLeft(c: NamedSchema): string {
  return `export const ${c.name}: z.ZodType${c.type === undefined ? "" : `<${c.type}>`}`;
}

const SHARED_COMMENT = "/** Pieces the schemas below share: each built once, on first use (a zod schema is immutable). */";

export function emitSchemas(zod: ZodEmitter, runtimeImport: string, printer: ExprPrinter | null = new ExprPrinter()): string {
  const used = new Set<string>();
  const resolved = zod.resolved();
  const pieces = resolved.pieces.map((p, i) => (i === 0 ? { ...p, comment: SHARED_COMMENT } : p));
  const declared = [...pieces, ...resolved.constants.map((c) => ({ left: schemaConstantLeft(c), code: c.code }))].map((s) => constStatement(printer, s, used));
  // One statement per constant: the formatter may split the file between them.
  const constants = declared.map((s) => s.text);
  if (constants.length === 0) constants.push(printer ? formattedStatement("export {};\n") : "export {};\n");
  const typed = resolved.constants.some((c) => c.type !== undefined);
  const heads = [...imports(declared, runtimeImport, false, used), ...(typed ? [importNames(["components"], stringLiteral("./types.js"), true)] : [])];
  return joinStatements([...render(heads, printer !== null), "", ...constants]);
}
