/**
 * handlers.ts: typed requests, per-status response unions, the Handlers
 * interface and response builders. Types index the openapi-typescript output
 * (`components["schemas"][...]`, `operations[...]`, `paths[...]`) instead of inferring from zod,
 * which keeps `tsc` cheap; each by the shortest route, since tsc resolves every step of each.
 * Types whose schema holds readOnly/writeOnly properties go through `rt.Writable` (requests) or
 * `rt.Readable` (responses); the others are left as they are, so that tsc has nothing to map.
 * Statements are built as TypeScript nodes and printed in prettier's layout (../print/declarations.ts).
 */
import ts from "../typescript.cjs";
import { visibilityIndex, type ApiModel, type JsonSchema, type MediaModel, type OperationModel, type ParamIn, type ResponseModel } from "../model.js";
import { joinStatements } from "../format.js";
import { docComment, stringLiteral } from "../names.js";
import { constCall, declaration, importNames, importNamespace, render, spaced, verbatim, type Statement } from "../print/declarations.js";
import * as t from "../print/nodes.js";

/** Where parameters are, and the request field holding each kind (client.ts names its inputs alike). */
export const LOCATIONS: [ParamIn, string][] = [
  ["path", "path"],
  ["query", "query"],
  ["header", "headers"],
  ["cookie", "cookies"],
];

const K = ts.SyntaxKind;
const s = stringLiteral;

/** Where an operation's types are in types.ts: a type root and the keys below it. */
interface TypesPath {
  root: "operations" | OperationModel["typeRoot"];
  keys: string[];
}

/** An operationId as openapi-typescript keys it in `operations` (its path-item transform: `#` becomes `/`). */
const operationsKey = (operationId: string) => operationId.replace(/#/g, "/");

const typesPaths = new WeakMap<ApiModel, Map<OperationModel, TypesPath>>();

/**
 * `operations["id"]` when openapi-typescript declared the operation there (an operationId no other
 * operation shares), else `paths["/p"]["get"]` (or `webhooks[...]`). The short form spares tsc
 * resolving the path item's members for each type that indexes it.
 */
function typesPath(model: ApiModel, op: OperationModel): TypesPath {
  let paths = typesPaths.get(model);
  if (!paths) {
    const all = [...model.operations, ...model.webhooks];
    const counts = new Map<string, number>();
    for (const { operationId } of all) if (operationId !== undefined) counts.set(operationsKey(operationId), (counts.get(operationsKey(operationId)) ?? 0) + 1);
    paths = new Map(
      all.map((o) => [
        o,
        o.operationId !== undefined && counts.get(operationsKey(o.operationId)) === 1
          ? { root: "operations", keys: [operationsKey(o.operationId)] }
          : { root: o.typeRoot, keys: [o.typeKey, o.method.toLowerCase()] },
      ]),
    );
    typesPaths.set(model, paths);
  }
  return paths.get(op)!;
}

/**
 * The component a media type's schema only references (`{ $ref: "#/components/schemas/X" }`):
 * openapi-typescript types that media type as `components["schemas"]["X"]`, which is cheaper for
 * tsc to name directly than through the operation. Names needing pointer escapes take the long way.
 */
function componentOf(schema: JsonSchema | undefined): string | undefined {
  if (typeof schema !== "object" || Object.keys(schema).length !== 1 || typeof schema.$ref !== "string") return undefined;
  return /^#\/components\/schemas\/([^/~%]+)$/.exec(schema.$ref)?.[1];
}

/** A media type's type: its component's, else through the operation (`…["content"]["type"]`). */
function mediaType(media: MediaModel, viaOperation: () => ts.TypeNode): ts.TypeNode {
  const component = componentOf(media.schema);
  return component === undefined ? t.indexed(viaOperation(), [s(media.contentType)]) : t.indexed(t.ref("components"), [s("schemas"), s(component)]);
}

const opType = (model: ApiModel, op: OperationModel) => {
  const { root, keys } = typesPath(model, op);
  return t.indexed(t.ref(root), keys.map(s));
};

/** `type` as one side sees it, when its schemas carry readOnly/writeOnly markers. */
function visible(model: ApiModel, type: ts.TypeNode, schemas: (JsonSchema | undefined)[], side: "Writable" | "Readable"): ts.TypeNode {
  const index = visibilityIndex(model.document);
  return schemas.some((schema) => index.marked(schema)) ? t.ref(`rt.${side}`, [type]) : type;
}

/**
 * Whether `rt.RequestOf` / `rt.ResponseOf` (runtime/serve/operation-types.ts) give exactly the
 * types requestType and responseType spell out: they cannot see response headers, the order of
 * several media types (the first one's `contentType` is optional), readOnly/writeOnly markers, a
 * body without media types, the header parameters the model leaves out, or "no responses".
 */
function derivable(model: ApiModel, op: OperationModel): boolean {
  const index = visibilityIndex(model.document);
  const media = [...(op.requestBody?.content ?? []), ...op.responses.flatMap((r) => r.content)];
  return (
    op.responses.length > 0 &&
    op.responses.every((r) => r.headers.length === 0 && r.content.length <= 1) &&
    (op.requestBody === undefined || op.requestBody.content.length > 0) &&
    !op.transportHeaders &&
    op.parameters.every((p) => p.required || p.in !== "path") &&
    ![...op.parameters.map((p) => p.schema), ...media.map((m) => m.schema)].some((schema) => index.marked(schema))
  );
}

function requestType(model: ApiModel, op: OperationModel): ts.InterfaceDeclaration {
  const fields = LOCATIONS.map(([location, field]) => {
    const params = op.parameters.filter((p) => p.in === location);
    const member = t.indexed(opType(model, op), [s("parameters"), s(location)]);
    // openapi-typescript makes a location optional when none of its parameters is required (path parameters always are).
    const type = location === "path" || params.some((p) => p.required) ? member : t.ref("NonNullable", [member]);
    return t.property(
      field,
      false,
      params.length > 0
        ? visible(
            model,
            type,
            params.map((p) => p.schema),
            "Writable",
          )
        : t.emptyRecord(),
    );
  });
  let body = t.keyword(K.UndefinedKeyword);
  if (op.requestBody && op.requestBody.content.length > 0) {
    // Optional in openapi-typescript's output unless the body is required.
    const member = () => t.indexed(opType(model, op), [s("requestBody")]);
    const content = () => t.indexed(op.requestBody!.required ? member() : t.ref("NonNullable", [member()]), [s("content")]);
    const types = op.requestBody.content.map((m) => visible(model, mediaType(m, content), [m.schema], "Writable"));
    body = t.union(op.requestBody.required ? types : [...types, t.keyword(K.UndefinedKeyword)]);
  }
  fields.push(t.property("body", false, body));
  return t.exportedInterface(`${op.typeName}Request`, fields);
}

function statusType(key: string): ts.TypeNode {
  if (key === "default") return t.keyword(K.NumberKeyword);
  if (/^[1-5]XX$/.test(key)) return t.ref(`rt.Status${key}`);
  return t.literal(key);
}

function responseMembers(model: ApiModel, op: OperationModel, r: ResponseModel): ts.TypeNode[] {
  const base = () => t.indexed(opType(model, op), [s("responses"), s(r.key)]);
  const headers = () =>
    r.headers.length > 0
      ? t.property("headers", !r.headers.some((h) => h.required), t.indexed(base(), [s("headers")]))
      : t.property("headers", true, t.ref("rt.ResponseHeaders"));
  const status = () => t.property("status", false, statusType(r.key));
  if (r.content.length === 0) {
    return [
      t.inlineObject([
        status(),
        t.property("body", true, t.keyword(K.UndefinedKeyword)),
        headers(),
        t.property("contentType", true, t.keyword(K.StringKeyword)),
      ]),
    ];
  }
  return r.content.map((m, i) => {
    const body = visible(
      model,
      mediaType(m, () => t.indexed(base(), [s("content")])),
      [m.schema],
      "Readable",
    );
    return t.inlineObject([status(), t.property("body", false, body), headers(), t.property("contentType", i === 0, t.str(s(m.contentType)))]);
  });
}

function responseType(model: ApiModel, op: OperationModel): ts.TypeAliasDeclaration {
  const members = op.responses.flatMap((r) => responseMembers(model, op, r));
  // No declared responses: any status, any body.
  return t.exportedAlias(`${op.typeName}Response`, members.length > 0 ? ts.factory.createUnionTypeNode(members) : t.ref("rt.AnyResponse"));
}

/**
 * The runtime's types that handlers.ts names once or more per operation (runtime/serve/operation-types.ts),
 * imported by name: a bare identifier each time rather than `rt.…`'s qualified name (12,000 operations:
 * 72k syntax nodes fewer for tsc to parse and bind). names.ts keeps operations from taking these names.
 */
const HANDLER_TYPE = "OperationHandler";
const REQUEST_OF = "RequestOf";
const RESPONSE_OF = "ResponseOf";

function handlerInterface(name: string, intro: string, operations: OperationModel[]): ts.InterfaceDeclaration {
  const methods = operations.map((op) => {
    const signature = t.property(op.handlerName, false, t.ref(HANDLER_TYPE, [t.ref(`${op.typeName}Request`), t.ref(`${op.typeName}Response`)]));
    return t.jsDoc(signature, docComment([op.summary, op.description, `${op.method} ${op.path}`, op.deprecated ? "@deprecated" : undefined]));
  });
  return t.jsDoc(t.exportedInterface(name, methods), docComment([intro]));
}

/**
 * Each operation's builders come from a function declared in handlers.ts, not from `rt.…` itself:
 * TypeScript's control-flow analysis walks back over every earlier top-level statement for each
 * reference to an import, so 12,000 `rt.responseBuilders<…>()` constants cost it ~0.8 ms each
 * (quadratic); a function declaration is never narrowed.
 */
const BUILDERS_WHY =
  "An operation's response builders. Each constant calls this function rather than `rt.responseBuilders` itself: TypeScript checks a top-level reference to an import in time that grows with the statements before it.";
const BUILDERS_FUNCTION = ["function builders<R>(): rt.ResponseBuilders<R> {", "  return rt.responseBuilders<R>();", "}"].join("\n");

/**
 * handlers.ts's statements; `print: false` leaves all of them to prettier (what test/handlers-printer.test.ts compares against);
 * `derive: false` spells out every operation's types (test/generate.test.ts checks the derived ones against them).
 */
export function emitHandlers(model: ApiModel, runtimeImport: string, print = true, derive = true): string {
  const all = [...model.operations, ...model.webhooks];
  const derived = new Set(derive ? all.filter((op) => derivable(model, op)) : []);
  const roots = new Set<string>(all.map((op) => typesPath(model, op).root));
  const media = all.filter((op) => !derived.has(op)).flatMap((op) => [...(op.requestBody?.content ?? []), ...op.responses.flatMap((r) => r.content)]);
  if (media.some((m) => componentOf(m.schema) !== undefined)) roots.add("components");
  const out: (Statement | string)[] = [
    roots.size > 0 ? importNames([...roots].sort(), s("./types.js"), true) : "",
    importNamespace("rt", s(runtimeImport)),
    all.length > 0 ? importNames(derived.size > 0 ? [HANDLER_TYPE, REQUEST_OF, RESPONSE_OF] : [HANDLER_TYPE], s(runtimeImport), true) : "",
    "",
  ];
  if (all.length > 0) out.push(spaced(verbatim(docComment([BUILDERS_WHY]), BUILDERS_FUNCTION)));
  for (const op of all) {
    // The comment travels with its statement: the formatter may split between statements.
    const comment = `${op.method} ${op.path.replace(/[\r\n\u2028\u2029]/g, " ")}`.replace(/\*\//g, "*\\/");
    if (derived.has(op))
      out.push(
        spaced(declaration(() => t.lineComment(t.exportedAlias(`${op.typeName}Request`, t.ref(REQUEST_OF, [opType(model, op)])), comment))),
        // `| never`: a union written here is named after this alias in tsc's messages ("… is not assignable to
        // type 'FindPetResponse | Promise<FindPetResponse>'"); ResponseOf's union alone would be spelled out.
        spaced(declaration(() => t.exportedAlias(`${op.typeName}Response`, t.union([t.ref(RESPONSE_OF, [opType(model, op)]), t.keyword(K.NeverKeyword)])))),
      );
    else out.push(spaced(declaration(() => t.lineComment(requestType(model, op), comment))), spaced(declaration(() => responseType(model, op))));
    out.push(
      spaced(
        constCall(
          docComment([`Response builders for ${op.handlerName}: \`${op.typeName}.status(code, body)\` and one per named status.`]),
          op.typeName,
          "builders",
          `${op.typeName}Response`,
        ),
      ),
    );
  }
  out.push(
    spaced(
      declaration(() =>
        handlerInterface("Handlers", `One method per operation of ${model.title}. Return a response built with the operation's builders.`, model.operations),
      ),
    ),
  );
  if (model.webhooks.length > 0) {
    const intro = `One method per webhook and callback of ${model.title}: what a receiver of the requests this API sends implements.`;
    out.push(spaced(declaration(() => handlerInterface("WebhookHandlers", intro, model.webhooks))));
  }
  return joinStatements(render(out, print));
}
