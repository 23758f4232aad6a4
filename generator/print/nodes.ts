/**
 * Builders for the TypeScript nodes ./declarations.ts prints (what `ts.factory` makes, in the forms
 * ./types-printer.ts knows): string literal types as the JSON identifiers openapi-typescript uses,
 * type literals written on one line, JSDoc and `//` comments as synthetic comments.
 */
import ts from "../typescript.cjs";
import { singleLine } from "./types-printer.js";

const f = ts.factory;

const entity = (name: string): ts.EntityName => name.split(".").reduce<ts.EntityName | undefined>((left, part) => (left ? f.createQualifiedName(left, part) : f.createIdentifier(part)), undefined)!;

/** `Name` or `Name<A, B>`; a dotted name is qualified (`rt.Status2XX`). */
export const ref = (name: string, args?: ts.TypeNode[]): ts.TypeNode => f.createTypeReferenceNode(entity(name), args);

/** A string literal type as `stringLiteral` (names.ts) writes it: its JSON text, as openapi-typescript does. */
export const str = (literal: string): ts.TypeNode => f.createIdentifier(literal) as unknown as ts.TypeNode;

/** `object[key1][key2]…`, each key a string literal (written by `stringLiteral`). */
export const indexed = (object: ts.TypeNode, keys: string[]): ts.TypeNode => keys.reduce((o, k) => f.createIndexedAccessTypeNode(o, str(k)), object);

export const keyword = (kind: ts.KeywordTypeSyntaxKind): ts.TypeNode => f.createKeywordTypeNode(kind);

/** `text` as written in a type position (a numeric literal, `number`, a name). */
export const literal = (text: string): ts.TypeNode =>
  /^(?:0|[1-9]\d*)$/.test(text) ? f.createLiteralTypeNode(f.createNumericLiteral(text)) : (f.createIdentifier(text) as unknown as ts.TypeNode);

/** `Record<string, never>`: no such fields. */
export const emptyRecord = (): ts.TypeNode => ref("Record", [keyword(ts.SyntaxKind.StringKeyword), keyword(ts.SyntaxKind.NeverKeyword)]);

export const union = (types: ts.TypeNode[]): ts.TypeNode => (types.length === 1 ? types[0]! : f.createUnionTypeNode(types));

export const property = (name: string, optional: boolean, type: ts.TypeNode): ts.PropertySignature =>
  f.createPropertySignature(undefined, name, optional ? f.createToken(ts.SyntaxKind.QuestionToken) : undefined, type);

/** `{ a: A; b?: B }` written on one line (prettier breaks it only when it does not fit). */
export const inlineObject = (members: ts.TypeElement[]): ts.TypeNode => singleLine(f.createTypeLiteralNode(members));

export const parameter = (name: string, optional: boolean, type: ts.TypeNode): ts.ParameterDeclaration =>
  f.createParameterDeclaration(undefined, undefined, name, optional ? f.createToken(ts.SyntaxKind.QuestionToken) : undefined, type);

export const method = (name: string, parameters: ts.ParameterDeclaration[], returns: ts.TypeNode): ts.MethodSignature =>
  f.createMethodSignature(undefined, name, undefined, undefined, parameters, returns);

const exported = [f.createModifier(ts.SyntaxKind.ExportKeyword)];

export const exportedInterface = (name: string, members: ts.TypeElement[]): ts.InterfaceDeclaration => f.createInterfaceDeclaration(exported, name, undefined, undefined, members);

export const exportedAlias = (name: string, type: ts.TypeNode): ts.TypeAliasDeclaration => f.createTypeAliasDeclaration(exported, name, undefined, type);

/** The text between the delimiters of a JSDoc block from `docComment` (names.ts). */
export const jsDocValue = (comment: string) => comment.trim().slice(2, -2);

/** A JSDoc block from `docComment` (names.ts) before a node. */
export function jsDoc<T extends ts.Node>(node: T, comment: string): T {
  if (comment) ts.addSyntheticLeadingComment(node, ts.SyntaxKind.MultiLineCommentTrivia, jsDocValue(comment), true);
  return node;
}

/** A `// text` line before a node (`text` holds no line break). */
export function lineComment<T extends ts.Node>(node: T, text: string): T {
  ts.addSyntheticLeadingComment(node, ts.SyntaxKind.SingleLineCommentTrivia, ` ${text}`, true);
  return node;
}
