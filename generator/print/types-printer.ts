/**
 * Prints openapi-typescript's AST straight to the text prettier 3 (parser typescript, printWidth
 * 100) makes of `astToString(ast)`, without printing, re-parsing and re-printing 6 MB of types.
 *
 * It builds the docs prettier's estree printer builds for the same constructs (object and
 * interface bodies, property and index signatures, unions with their hug and indent rules,
 * intersections, type arguments, arrays, tuples, indexed access, literals, JSDoc comments) and
 * prints them with prettier's algorithm (./doc.ts). Anything outside that subset throws
 * `UnsupportedNode`, and the caller formats that document the slow way: never wrong, only slower.
 */
import ts from "../typescript.cjs";
import { align, breaks, group, hardline, ifBreak, indent, join, line, printDoc, softline, type Doc } from "./doc.js";
import { KNOWN_DECLARATIONS } from "./known-declarations.js";
import { printNumber, printString, typeScriptStringLiteral } from "./literals.js";

export const PRINT_WIDTH = 100;

export class UnsupportedNode extends Error {
  constructor(what: string) {
    super(`types printer: unsupported ${what}`);
  }
}

const unsupported = (what: string, node?: ts.Node): never => {
  throw new UnsupportedNode(node ? `${what} (${ts.SyntaxKind[node.kind]})` : what);
};

/** Where a type sits: decides prettier's parentheses and union indentation. */
const enum At {
  Annotation,
  Union,
  Intersection,
  ArrayElement,
  IndexObject,
  IndexIndex,
  TypeArgument,
  OnlyTupleElement,
  TupleElement,
  Rest,
  TypeOperand,
}

const KEYWORDS = new Map<ts.SyntaxKind, string>([
  [ts.SyntaxKind.AnyKeyword, "any"],
  [ts.SyntaxKind.BigIntKeyword, "bigint"],
  [ts.SyntaxKind.BooleanKeyword, "boolean"],
  [ts.SyntaxKind.NeverKeyword, "never"],
  [ts.SyntaxKind.NumberKeyword, "number"],
  [ts.SyntaxKind.ObjectKeyword, "object"],
  [ts.SyntaxKind.StringKeyword, "string"],
  [ts.SyntaxKind.SymbolKeyword, "symbol"],
  [ts.SyntaxKind.UndefinedKeyword, "undefined"],
  [ts.SyntaxKind.UnknownKeyword, "unknown"],
  [ts.SyntaxKind.VoidKeyword, "void"],
]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/**
 * Line breaks other than LF: TypeScript's printer splits (and re-indents) a comment at them,
 * prettier only at LF, so comments holding one are left to the slow path.
 */
const LINE_BREAK = /[\r\u2028\u2029]/;

/**
 * The final text of `statements`, as prettier would format `astToString(statements)`.
 *
 * Printed a member at a time: the members of an interface, and of a broken type literal that is a
 * member's type, each break onto lines of their own whatever their width, so each member's doc is
 * built, printed at its indentation and dropped. (One doc for Microsoft Graph's 21 MB of types
 * held ~700 MB at once.)
 */
export function printTypes(statements: readonly ts.Node[], stringWidth: (text: string) => number): string {
  if (statements.length === 0) return "";
  const out: string[] = [];
  for (const node of statements) {
    if (out.length > 0) out.push("\n");
    if (node.pos < 0 && ts.isInterfaceDeclaration(node) && !node.typeParameters && !node.heritageClauses && node.members.length > 0) {
      out.push(printDoc([leadingComments(node), exportKeyword(node), "interface ", identifier(node.name), " {"], PRINT_WIDTH, stringWidth));
      for (const m of node.members) printMember(m, 2, stringWidth, out);
      out.push("\n}");
    } else out.push(printDoc(statement(node, stringWidth), PRINT_WIDTH, stringWidth));
  }
  out.push("\n");
  return out.join("");
}

/** A member of a broken body on a line of its own at indentation `ind`, its own members likewise when its type is a broken literal. */
function printMember(node: ts.TypeElement, ind: number, stringWidth: (text: string) => number, out: string[]): void {
  const literal = ts.isPropertySignature(node) && node.type && ts.isTypeLiteralNode(node.type) ? node.type : undefined;
  const at = (doc: Doc) => {
    let indented: Doc = [hardline, doc];
    for (let i = 0; i < ind; i += 2) indented = indent(indented);
    return printDoc(indented, PRINT_WIDTH, stringWidth);
  };
  if (!literal || literal.pos >= 0 || SINGLE_LINE.has(literal) || literal.members.length === 0) {
    out.push(at(member(node, ";")));
    return;
  }
  noComments(literal);
  const signature = node as ts.PropertySignature;
  out.push(at([leadingComments(node), readonlyModifier(node), propertyKey(signature.name), signature.questionToken ? "?" : "", ": {"]));
  for (const m of literal.members) printMember(m, ind + 2, stringWidth, out);
  out.push(`\n${" ".repeat(ind)}};`);
}

/** The doc of one top-level interface or one-line type alias, as prettier builds it. */
export function statement(node: ts.Node, stringWidth: (text: string) => number): Doc {
  // Parsed from a string by openapi-typescript (its helper declarations): known text, known format.
  if (node.pos >= 0) return knownDeclaration(node);
  const comments = leadingComments(node);
  if (ts.isInterfaceDeclaration(node)) {
    if (node.typeParameters || node.heritageClauses) unsupported("generic or extending interface");
    return [comments, exportKeyword(node), "interface ", identifier(node.name), " ", body(node.members, true, false)];
  }
  if (ts.isTypeAliasDeclaration(node)) {
    if (node.typeParameters) unsupported("generic type alias");
    const alias = [exportKeyword(node), "type ", identifier(node.name), " = ", type(node.type, At.Annotation), ";"];
    // prettier's assignment layouts differ only once the line is too long: keep to one-liners.
    const flat = printDoc(alias, PRINT_WIDTH, stringWidth);
    if (breaks(alias) || flat.includes("\n") || stringWidth(flat) > PRINT_WIDTH) unsupported("type alias longer than a line");
    return [comments, flat];
  }
  return unsupported("statement", node);
}

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
const sourceFile = ts.createSourceFile("openapi-ts.ts", "", ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);

function knownDeclaration(node: ts.Node): Doc {
  const text = printer.printNode(ts.EmitHint.Unspecified, node, sourceFile);
  const formatted = KNOWN_DECLARATIONS[text];
  if (formatted === undefined) unsupported(`parsed declaration ${JSON.stringify(text.slice(0, 60))}`);
  return join(hardline, formatted!.split("\n"));
}

export function exportKeyword(node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration): string {
  const modifiers = node.modifiers ?? [];
  if (modifiers.some((m) => m.kind !== ts.SyntaxKind.ExportKeyword) || modifiers.length > 1) unsupported("declaration modifier");
  return modifiers.length === 1 ? "export " : "";
}

export function identifier(name: ts.Node): string {
  if (!ts.isIdentifier(name) || name.pos >= 0) return unsupported("name", name);
  return identifierName(ts.idText(name));
}

/** `text`, if an identifier prettier prints as it is. */
export function identifierName(text: string): string {
  if (!IDENTIFIER.test(text)) unsupported(`identifier ${JSON.stringify(text)}`);
  return text;
}

/** Comments on their own lines before the node (JSDoc blocks, `//` lines): each printed on its own line. */
export function leadingComments(node: ts.Node): Doc {
  if (ts.getSyntheticTrailingComments(node)?.length) unsupported("trailing comment");
  const comments = ts.getSyntheticLeadingComments(node);
  if (!comments?.length) return "";
  return comments.map((c) => {
    if (!c.hasTrailingNewLine) unsupported("comment kind");
    if (LINE_BREAK.test(c.text)) unsupported("comment with a CR or Unicode line separator");
    if (c.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
      if (c.text.includes("\n")) unsupported("line comment with a line break");
      // prettier prints a line comment's source text without trailing blanks.
      return [`//${c.text}`.trimEnd(), hardline];
    }
    return [blockComment(c.text), hardline];
  });
}

function noComments(node: ts.Node): void {
  if (ts.getSyntheticLeadingComments(node)?.length || ts.getSyntheticTrailingComments(node)?.length) unsupported("comment on a type", node);
}

/** prettier's `printComment` for a block: re-indented when every line starts with `*`, else verbatim. */
export function blockComment(value: string): Doc {
  const lines = value.split("\n");
  if (lines.length === 1) return `/*${value}*/`;
  // TypeScript re-indents the lines of a comment that prettier would print verbatim.
  if (!`*${value}*`.split("\n").every((l) => l.trimStart()[0] === "*")) unsupported("multi-line comment without leading stars");
  const last = lines.length - 1;
  return [
    "/*",
    join(
      hardline,
      lines.map((l, i) => (i === 0 ? l.trimEnd() : " " + (i < last ? l.trim() : l.trimStart()))),
    ),
    "*/",
  ];
}

const SINGLE_LINE = new WeakSet<ts.Node>();

/** Marks a type literal astToString (TypeScript's printer) writes on one line. */
export function singleLine<T extends ts.TypeLiteralNode>(node: T): T {
  SINGLE_LINE.add(node);
  return ts.setEmitFlags(node, ts.EmitFlags.SingleLine);
}

/**
 * An interface body (always broken) or a type literal: broken where astToString puts members on
 * their own lines, which it does unless the literal is marked `singleLine`.
 */
function body(members: ts.NodeArray<ts.TypeElement>, isInterface: boolean, singleLine: boolean): Doc {
  if (members.length === 0) return "{}";
  const last = members.length - 1;
  if (isInterface)
    return [
      "{",
      indent([
        hardline,
        join(
          hardline,
          members.map((m) => member(m, ";")),
        ),
      ]),
      hardline,
      "}",
    ];
  return group(
    [
      "{",
      indent([
        line,
        join(
          line,
          members.map((m, i) => member(m, i === last ? ifBreak(";") : ";")),
        ),
      ]),
      line,
      "}",
    ],
    !singleLine,
  );
}

function member(node: ts.TypeElement, separator: Doc): Doc {
  const comments = leadingComments(node);
  const readonly = readonlyModifier(node);
  if (ts.isPropertySignature(node)) {
    const annotation = node.type ? [": ", type(node.type, At.Annotation)] : "";
    return [comments, group([readonly, propertyKey(node.name), node.questionToken ? "?" : "", annotation]), separator];
  }
  if (ts.isMethodSignature(node)) return [comments, method(node), separator];
  if (ts.isIndexSignatureDeclaration(node) && node.parameters.length === 1) {
    const params = group([indent([softline, node.parameters.map(parameter)]), softline]);
    return [comments, group([readonly, "[", params, "]", ": ", type(node.type, At.Annotation)]), separator];
  }
  return unsupported("member", node);
}

/** prettier's TSMethodSignature for two parameters or more (a lone parameter may be hugged: not supported). */
function method(node: ts.MethodSignature): Doc {
  if (node.typeParameters || node.questionToken || node.parameters.length < 2 || !node.type) unsupported("method signature");
  const params = node.parameters.map((p) => {
    if (p.dotDotDotToken || p.initializer || !p.type || p.modifiers?.length || ts.isUnionTypeNode(unwrap(p.type))) unsupported("method parameter");
    return [identifier(p.name), p.questionToken ? "?" : "", ": ", type(p.type!, At.Annotation)];
  });
  return group([
    propertyKey(node.name),
    "(",
    indent([softline, join([",", line], params)]),
    ifBreak(","),
    softline,
    ")",
    group([": ", type(node.type!, At.Annotation)]),
  ]);
}

function readonlyModifier(node: ts.TypeElement): string {
  const modifiers = (ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined) ?? [];
  if (modifiers.some((m) => m.kind !== ts.SyntaxKind.ReadonlyKeyword) || modifiers.length > 1) unsupported("member modifier");
  return modifiers.length === 1 ? "readonly " : "";
}

function parameter(node: ts.ParameterDeclaration): Doc {
  if (node.dotDotDotToken || node.questionToken || node.initializer || !node.type || node.modifiers?.length) unsupported("index parameter");
  return [identifier(node.name), ": ", type(node.type!, At.Annotation)];
}

/** prettier's `printPropertyKey` with `quoteProps: "as-needed"`. */
function propertyKey(name: ts.PropertyName): string {
  noComments(name);
  if (ts.isIdentifier(name)) return identifier(name);
  if (ts.isNumericLiteral(name)) return printNumber(name.text);
  if (ts.isStringLiteral(name)) {
    const printed = printString(stringLiteralText(name));
    return printed.slice(1, -1) === name.text && IDENTIFIER.test(name.text) ? name.text : printed;
  }
  return unsupported("property name", name);
}

function stringLiteralText(node: ts.StringLiteral): string {
  const text = node.pos < 0 && !(node as { singleQuote?: boolean }).singleQuote ? typeScriptStringLiteral(node.text) : undefined;
  return text ?? unsupported("string literal", node);
}

/** Parentheses and single-member unions are what prettier's parser sees through. */
function unwrap(node: ts.TypeNode): ts.TypeNode {
  for (;;) {
    if (ts.isParenthesizedTypeNode(node)) node = node.type;
    else if ((ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) && node.types.length === 1) node = node.types[0]!;
    else return node;
  }
}

/** A type in annotation position (`name: T`). */
export const annotation = (node: ts.TypeNode): Doc => type(node, At.Annotation);

function type(raw: ts.TypeNode, at: At): Doc {
  noComments(raw);
  const node = unwrap(raw);
  if (node !== raw) noComments(node);
  if (node.pos >= 0) unsupported("parsed type", node);
  const keyword = KEYWORDS.get(node.kind);
  if (keyword) return keyword;
  switch (node.kind) {
    case ts.SyntaxKind.LiteralType:
      return literal((node as ts.LiteralTypeNode).literal);
    case ts.SyntaxKind.Identifier:
      return identifierType(node as unknown as ts.Identifier);
    case ts.SyntaxKind.TypeReference:
      return typeReference(node as ts.TypeReferenceNode);
    case ts.SyntaxKind.IndexedAccessType: {
      const { objectType, indexType } = node as ts.IndexedAccessTypeNode;
      return [type(objectType, At.IndexObject), "[", type(indexType, At.IndexIndex), "]"];
    }
    case ts.SyntaxKind.ArrayType:
      return [type((node as ts.ArrayTypeNode).elementType, At.ArrayElement), "[]"];
    case ts.SyntaxKind.TupleType:
      return tuple((node as ts.TupleTypeNode).elements);
    case ts.SyntaxKind.RestType:
      return ["...", type((node as ts.RestTypeNode).type, At.Rest)];
    case ts.SyntaxKind.TypeLiteral:
      return body((node as ts.TypeLiteralNode).members, false, SINGLE_LINE.has(node));
    case ts.SyntaxKind.UnionType:
      return union((node as ts.UnionTypeNode).types.map(unwrap), at);
    case ts.SyntaxKind.IntersectionType: {
      const doc = intersection((node as ts.IntersectionTypeNode).types.map(unwrap));
      return operandNeedsParens(at) ? ["(", doc, ")"] : doc;
    }
    case ts.SyntaxKind.TypeOperator: {
      const { operator, type: operand } = node as ts.TypeOperatorNode;
      const doc = [ts.tokenToString(operator)!, " ", type(operand, At.TypeOperand)];
      return at === At.ArrayElement || at === At.IndexObject || at === At.Rest || at === At.TypeOperand ? ["(", doc, ")"] : doc;
    }
  }
  return unsupported("type", node);
}

/** prettier's needs-parens for unions and intersections. */
const operandNeedsParens = (at: At) =>
  at === At.Union || at === At.Intersection || at === At.ArrayElement || at === At.IndexObject || at === At.Rest || at === At.TypeOperand;

function literal(node: ts.LiteralTypeNode["literal"]): string {
  switch (node.kind) {
    case ts.SyntaxKind.NullKeyword:
      return "null";
    case ts.SyntaxKind.TrueKeyword:
      return "true";
    case ts.SyntaxKind.FalseKeyword:
      return "false";
    case ts.SyntaxKind.NumericLiteral:
      return printNumber((node as ts.NumericLiteral).text);
  }
  if (ts.isStringLiteral(node)) return printString(stringLiteralText(node));
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) {
    return `-${printNumber(node.operand.text)}`;
  }
  return unsupported("literal", node);
}

/** openapi-typescript writes string literal types as identifiers holding `JSON.stringify(value)`. */
function identifierType(node: ts.Identifier): string {
  const text = ts.idText(node);
  if (IDENTIFIER.test(text)) return text;
  if (/^"(?:[^"\\\n\r]|\\.)*"$/s.test(text)) return printString(text);
  return unsupported(`identifier type ${JSON.stringify(text.slice(0, 60))}`);
}

function typeReference(node: ts.TypeReferenceNode): Doc {
  const name = entityName(node.typeName);
  const args = node.typeArguments;
  if (!args) return name;
  if (args.length === 0) unsupported("empty type arguments");
  const printed = args.map((a) => type(a, At.TypeArgument));
  if (args.length === 1 && shouldHugType(unwrap(args[0]!))) return [name, "<", printed[0]!, ">"];
  return [name, group(["<", indent([softline, join([",", line], printed)]), softline, ">"])];
}

function entityName(name: ts.EntityName): string {
  return ts.isIdentifier(name) ? identifier(name) : `${entityName(name.left)}.${identifier(name.right)}`;
}

function tuple(elements: ts.NodeArray<ts.TypeNode>): Doc {
  if (elements.length === 0) return "[]";
  const at = elements.length > 1 ? At.TupleElement : At.OnlyTupleElement;
  const items = join(
    [",", line],
    elements.map((e) => group(type(e, at))),
  );
  return group(["[", indent([softline, items, ifBreak(",")]), softline, "]"]);
}

/** prettier's `printUnionType`. */
function union(types: ts.TypeNode[], at: At): Doc {
  if (types.length === 0) unsupported("empty union");
  if (shouldHugUnion(types)) {
    const hugged = join(
      " | ",
      types.map((t) => type(t, At.Union)),
    );
    return operandNeedsParens(at) ? ["(", hugged, ")"] : hugged;
  }
  const members = unionMembers(types);
  if (operandNeedsParens(at)) return ["(", group([indent([softline, members]), softline]), ")"];
  if (at === At.TupleElement) return group([indent([ifBreak(["(", softline]), members]), softline, ifBreak(")")]);
  if (at === At.TypeArgument || at === At.OnlyTupleElement) return members;
  return group(indent([softline, members]));
}

/** A union's members, one per line when broken: what a caller indents or parenthesizes. */
function unionMembers(types: ts.TypeNode[]): Doc {
  return group(types.map((t, i) => [i === 0 ? ifBreak("| ") : [line, "| "], align(2, type(t, At.Union))]));
}

/**
 * A type alias's union value in prettier's break-after-operator layout (`type X =` then the
 * members, indented): the members, for unions of two type literals or more, and for a generic
 * type's instance `| never` (handlers.ts's derived responses).
 */
export function aliasUnion(node: ts.TypeNode): Doc {
  const types = ts.isUnionTypeNode(node) ? node.types.map(unwrap) : [];
  const orNever = types.length === 2 && ts.isTypeReferenceNode(types[0]!) && types[1]!.kind === ts.SyntaxKind.NeverKeyword;
  if (!orNever && (types.length < 2 || !types.every(ts.isTypeLiteralNode))) unsupported("alias union", node);
  noComments(node);
  return unionMembers(types);
}

/** prettier's `printIntersectionType`. */
function intersection(types: ts.TypeNode[]): Doc {
  if (types.length === 0) unsupported("empty intersection");
  let wasIndented = false;
  return group(
    types.map((t, i) => {
      const doc = type(t, At.Intersection);
      if (i === 0) return doc;
      const isObject = ts.isTypeLiteralNode(t);
      const previousIsObject = ts.isTypeLiteralNode(types[i - 1]!);
      if (previousIsObject && isObject) return [" & ", wasIndented ? indent(doc) : doc];
      if (!previousIsObject && !isObject) return indent([" &", line, doc]);
      if (i > 1) wasIndented = true;
      return [" & ", i > 1 ? indent(doc) : doc];
    }),
  );
}

function isSimpleType(node: ts.TypeNode): boolean {
  return KEYWORDS.has(node.kind) || ts.isLiteralTypeNode(node) || ts.isIdentifier(node as ts.Node) || (ts.isTypeReferenceNode(node) && !node.typeArguments);
}

const isObjectLike = (node: ts.TypeNode) =>
  ts.isTypeLiteralNode(node) ||
  ts.isTypeReferenceNode(node) ||
  (ts.isIdentifier(node as ts.Node) && IDENTIFIER.test(ts.idText(node as unknown as ts.Identifier)));
const isVoid = (node: ts.TypeNode) =>
  node.kind === ts.SyntaxKind.VoidKeyword || (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword);

/** `{ … } | null` and `Foo | null` stay inline. */
function shouldHugUnion(types: ts.TypeNode[]): boolean {
  const object = types.find(isObjectLike);
  return object !== undefined && types.every((t) => t === object || isVoid(t));
}

function shouldHugType(node: ts.TypeNode): boolean {
  return isSimpleType(node) || ts.isTypeLiteralNode(node) || (ts.isUnionTypeNode(node) && shouldHugUnion(node.types.map(unwrap)));
}
