/**
 * types.ts: the spec's TypeScript types, from openapi-typescript's AST, printed straight to
 * prettier-formatted text (../print/types-printer.ts). A document with a construct that printer
 * does not know is formatted the old way, `astToString` + prettier: same text, only slower.
 */
import type { GlobalContext, OpenAPI3, OpenAPITSOptions } from "openapi-typescript";
import openapiTypescript from "../openapi-typescript.cjs";
import ts from "../typescript.cjs";
import { formatTypeScript } from "../format.js";
import { usesVisibility, type ApiModel } from "../model.js";
import { printTypes, UnsupportedNode } from "../print/types-printer.js";
import { stringWidth } from "../print/width.js";
import { declareRequiredMembers } from "./required-members.js";
import { hoistRecursiveSchemas } from "./recursive-aliases.js";

const BYTES = ts.factory.createTypeReferenceNode("Uint8Array");

/** The document openapi-typescript types: the model's, callbacks included. */
export function typesDocument(model: ApiModel): OpenAPI3 {
  const document = structuredClone(model.document);
  // Callbacks have no types of their own in openapi-typescript: type them as extra webhooks.
  if (Object.keys(model.callbackItems).length > 0) {
    document.webhooks = { ...(document.webhooks as object | undefined), ...structuredClone(model.callbackItems) };
  }
  declareRequiredMembers(document);
  return document as OpenAPI3;
}

export function typesOptions(model: ApiModel) {
  return {
    silent: true,
    // readOnly / writeOnly properties as `$Read<T>` / `$Write<T>`: handlers.ts reads them through rt.Writable / rt.Readable.
    readWriteMarkers: usesVisibility(model.document),
    // Binary strings (files, octet-stream bodies) reach handlers as bytes.
    transform(schema) {
      return schema.type === "string" && schema.format === "binary" ? BYTES : undefined;
    },
  } satisfies OpenAPITSOptions;
}

/**
 * The `injectFooter` list for openapi-typescript. It adds each operation to its `operations`
 * interface by copying every member so far (`members = createNodeArray([...members, next])`):
 * quadratic, a quarter of the time at 20,000 operations. Here the interface it creates shows an
 * empty member list to copy, keeps what it adds, and `withOperations` puts them all back.
 */
class InjectFooter extends Array<ts.Node> {
  readonly #collected = new Map<ts.Node, ts.TypeElement[]>();

  override push(...nodes: ts.Node[]): number {
    for (const node of nodes) {
      if (!ts.isInterfaceDeclaration(node) || node.name.text !== "operations") continue;
      const members: ts.TypeElement[] = [];
      this.#collected.set(node, members);
      Object.defineProperty(node, "members", {
        configurable: true,
        get: () => EMPTY_MEMBERS,
        set: (next: readonly ts.TypeElement[]) => members.push(...next),
      });
    }
    return super.push(...nodes);
  }

  /** The AST with each collected `operations` interface holding its members again. */
  withOperations(ast: ts.Node[]): ts.Node[] {
    return ast.map((node) => {
      const members = this.#collected.get(node);
      if (!members) return node;
      const decl = node as ts.InterfaceDeclaration;
      return ts.factory.createInterfaceDeclaration(decl.modifiers, decl.name, decl.typeParameters, decl.heritageClauses, members);
    });
  }
}
const EMPTY_MEMBERS = ts.factory.createNodeArray<ts.TypeElement>([]);

/**
 * openapi-typescript's AST for the model's document: what `openapiTS(typesDocument(model),
 * typesOptions(model))` returns (test/types-printer.test.ts compares them), without its Redocly
 * lint and bundle passes, which the loader has already done (three quarters of its time on
 * GitHub's description). The context is openapiTS's own, with its defaults.
 */
export function typesAst(model: ApiModel): ts.Node[] {
  const schema = typesDocument(model);
  const options = typesOptions(model);
  const injectFooter = new InjectFooter();
  const ctx: GlobalContext = {
    additionalProperties: false,
    alphabetize: false,
    arrayLength: false,
    defaultNonNullable: true,
    discriminators: openapiTypescript.scanDiscriminators(schema, options),
    emptyObjectsUnknown: false,
    enum: false,
    enumValues: false,
    conditionalEnums: false,
    dedupeEnums: false,
    excludeDeprecated: false,
    exportType: false,
    immutable: false,
    rootTypes: false,
    rootTypesNoSchemaPrefix: false,
    rootTypesKeepCasing: false,
    injectFooter,
    pathParamsAsTypes: false,
    postTransform: undefined,
    propertiesRequiredByDefault: false,
    // Read only by the lint and bundle passes skipped here.
    redoc: undefined as never,
    silent: options.silent,
    inject: undefined,
    transform: options.transform,
    transformProperty: undefined,
    makePathsEnum: false,
    generatePathParams: false,
    readWriteMarkers: options.readWriteMarkers,
    resolve: ($ref) => openapiTypescript.resolveRef(schema, $ref, { silent: options.silent }),
  };
  return hoistRecursiveSchemas(injectFooter.withOperations(openapiTypescript.transformSchema(schema, ctx)));
}

export interface FormattedTypes {
  text: string;
  /** Why the direct printer was not used (the text then came from `astToString` + prettier). */
  fallback?: string;
}

/** The final, prettier-formatted text of an AST from `typesAst`. */
export async function formatTypes(ast: ts.Node[]): Promise<FormattedTypes> {
  try {
    return { text: printTypes(ast, stringWidth) };
  } catch (error) {
    if (!(error instanceof UnsupportedNode)) throw error;
    return { text: await formatTypeScript(openapiTypescript.astToString(ast)), fallback: error.message };
  }
}

export async function emitTypes(model: ApiModel): Promise<string> {
  return (await formatTypes(typesAst(model))).text;
}
