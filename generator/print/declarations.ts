/**
 * The statements of the emitters whose output is mostly types (handlers.ts, client.ts), printed
 * in prettier 3's layout (parser typescript, printWidth 100) without prettier: interfaces with
 * property and method signatures, aliases of a union of type literals, `export const X = f<T>();`
 * and imports, with their JSDoc and `//` comments. Each builds the doc prettier's estree printer
 * builds for that form (types through ./types-printer.ts) and prints it with ./doc.ts.
 *
 * A statement outside those forms throws `UnsupportedNode` and `render` hands its source to
 * prettier instead (generator/format.ts): never different text, only slower.
 */
import ts from "../typescript.cjs";
import { formattedStatement } from "../format.js";
import { group, hardline, ifBreak, indent, join, line, printDoc, type Doc } from "./doc.js";
import { printString } from "./literals.js";
import { stringWidth } from "./width.js";
import { jsDocValue } from "./nodes.js";
import {
  aliasUnion,
  annotation,
  blockComment,
  exportKeyword,
  identifier,
  identifierName,
  leadingComments,
  PRINT_WIDTH,
  printTypes,
  statement,
  UnsupportedNode,
} from "./types-printer.js";

/** A top-level statement: its source (what prettier formats) and, when the form is known, its doc. */
export interface Statement {
  source(): string;
  /** Throws `UnsupportedNode` for a form this module does not print. */
  doc(): Doc;
  /** The printed text, where it is printed other than from one doc (an interface: a member at a time). */
  print?(): string;
  /** A blank line follows. */
  spaced?: boolean;
}

/**
 * The statements' text for `joinStatements`: printed here where possible (`print`), else their
 * source. A string is source already (`""`: a blank line).
 */
export function render(statements: readonly (Statement | string)[], print = true): string[] {
  return statements.map((s) => {
    if (typeof s === "string") return s;
    if (!print) return s.source();
    try {
      return formattedStatement((s.print ? s.print() : printDoc(s.doc(), PRINT_WIDTH, stringWidth)) + (s.spaced ? "\n" : ""));
    } catch (error) {
      if (!(error instanceof UnsupportedNode)) throw error;
      return s.source();
    }
  });
}

/** A statement followed by a blank line. */
export function spaced(s: Statement): Statement {
  return { source: () => `${s.source()}\n`, doc: () => s.doc(), print: s.print, spaced: true };
}

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
const sourceFile = ts.createSourceFile("statement.ts", "", ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);

/**
 * An interface or type alias built with `ts.factory` (types as in ./types.ts: string literals as
 * JSON identifiers), built by `node` when printed and dropped after: the statements of 12,000
 * operations are not all held at once.
 */
export function declaration(node: () => ts.InterfaceDeclaration | ts.TypeAliasDeclaration): Statement {
  return {
    source: () => printer.printNode(ts.EmitHint.Unspecified, node(), sourceFile),
    doc: () => {
      const built = node();
      return ts.isTypeAliasDeclaration(built) ? typeAlias(built) : statement(built, stringWidth);
    },
    print: () => {
      const built = node();
      return ts.isTypeAliasDeclaration(built) ? printDoc(typeAlias(built), PRINT_WIDTH, stringWidth) : printTypes([built], stringWidth).replace(/\n$/, "");
    },
  };
}

/** prettier's assignment layouts for `type X = …` where the value is a union of type literals, one type literal, or a type that cannot break. */
function typeAlias(node: ts.TypeAliasDeclaration): Doc {
  if (node.typeParameters) throw new UnsupportedNode("generic type alias");
  const value = ts.isUnionTypeNode(node.type) && node.type.types.length === 1 ? node.type.types[0]! : node.type;
  const head = [exportKeyword(node), "type ", identifier(node.name), " ="];
  if (ts.isUnionTypeNode(value)) return [leadingComments(node), group([head, group(indent([line, aliasUnion(value)]))]), ";"];
  if (ts.isTypeReferenceNode(value) && value.typeArguments?.length === 1 && ts.isIndexedAccessTypeNode(value.typeArguments[0]!))
    return [leadingComments(node), referenceOfIndexed(head.join(""), value)];
  if (ts.isTypeLiteralNode(value)) {
    // "fluid": the literal stays after `=` while `… = {` fits, else goes to the next line; there it breaks on its own.
    const next = stringWidth(`${head.join("")} {`) > PRINT_WIDTH;
    return [leadingComments(node), head, next ? indent([hardline, annotation(value)]) : [" ", annotation(value)], ";"];
  }
  const text = annotation(value);
  if (typeof text !== "string") throw new UnsupportedNode("type alias value");
  // "fluid" with a value that cannot break: on the line of `=` when it fits there, else on the next.
  const flat = `${head.join("")} ${text};`;
  return [leadingComments(node), stringWidth(flat) <= PRINT_WIDTH ? flat : [head, indent([hardline, text]), ";"]];
}

/**
 * `type X = F<I>;` whose one type argument is an indexed access (which prettier never breaks), in
 * prettier's "fluid" assignment layout: on one line when it fits; else after `=` while `… = F<`
 * fits there, the argument on a line of its own; else on the next line, broken the same way if
 * it does not fit there either.
 */
function referenceOfIndexed(head: string, value: ts.TypeReferenceNode): Doc {
  const text = printDoc(annotation(value), Number.POSITIVE_INFINITY, stringWidth);
  if (text.includes("\n")) throw new UnsupportedNode("type argument on several lines");
  const open = text.indexOf("<") + 1;
  const broken: Doc = [text.slice(0, open), indent([hardline, text.slice(open, -1)]), hardline, ">;"];
  if (stringWidth(`${head} ${text};`) <= PRINT_WIDTH) return `${head} ${text};`;
  if (stringWidth(`${head} ${text.slice(0, open)}`) <= PRINT_WIDTH) return [head, " ", broken];
  return [head, indent([hardline, stringWidth(`  ${text};`) <= PRINT_WIDTH ? `${text};` : broken])];
}

function jsDocDoc(comment: string): Doc {
  return comment ? [blockComment(jsDocValue(comment)), hardline] : "";
}

/** `import [type] { a, b } from "source";` (`source` as `stringLiteral`, names.ts, writes it). */
export function importNames(names: readonly string[], source: string, typeOnly: boolean): Statement {
  const keyword = typeOnly ? "import type " : "import ";
  return {
    source: () => `${keyword}{ ${names.join(", ")} } from ${source};`,
    doc: () => {
      if (names.length === 0) throw new UnsupportedNode("import without names");
      names.forEach(identifierName);
      // prettier may break a list of two names or more, never a lone one.
      const list = names.length === 1 ? `{ ${names[0]} }` : group(["{", indent([line, join([",", line], [...names])]), ifBreak(","), line, "}"]);
      return [keyword, list, " from ", printString(source), ";"];
    },
  };
}

/** `import * as name from "source";`: never broken. */
export function importNamespace(name: string, source: string): Statement {
  return { source: () => `import * as ${name} from ${source};`, doc: () => `import * as ${identifierName(name)} from ${printString(source)};` };
}

/**
 * Code the emitter writes in prettier's layout already (fixed text within the print width), after a
 * JSDoc block: printed as it is. `code` holds no text from the document.
 */
export function verbatim(comment: string, code: string): Statement {
  return {
    source: () => comment + code,
    doc: () => {
      const lines = code.split("\n");
      if (lines.some((l) => stringWidth(l) > PRINT_WIDTH)) throw new UnsupportedNode("fixed code wider than a line");
      return [jsDocDoc(comment), join(hardline, lines)];
    },
  };
}

/**
 * `export const name = { key: "value", … } as const;` written with one property a line, as
 * prettier keeps an object whose source breaks after `{`. A value that does not fit after its key
 * goes to the next line unless the key is shorter than tabWidth + 3 (prettier's assignment layout).
 */
export function constStrings(comment: string, name: string, entries: readonly [key: string, value: string][]): Statement {
  return {
    source: () => `${comment}export const ${name} = {\n${entries.map(([k, v]) => `  ${k}: ${v},\n`).join("")}} as const;`,
    doc: () => {
      const properties = entries.map(([key, value]) => {
        const text = printString(value);
        if (stringWidth(key) < 5) return [identifierName(key), ": ", text, ","];
        return group([identifierName(key), ":", group(indent([line, text])), ","]);
      });
      return [jsDocDoc(comment), "export const ", identifierName(name), " = {", indent([hardline, join(hardline, properties)]), hardline, "} as const;"];
    },
  };
}

/**
 * `export const name = callee<typeArgument>();` after a JSDoc block: prettier's break-after-operator
 * layout (a call with one simple type argument and none else is a "poorly breakable" chain).
 */
export function constCall(comment: string, name: string, callee: string, typeArgument: string): Statement {
  return {
    source: () => `${comment}export const ${name} = ${callee}<${typeArgument}>();`,
    doc: () => {
      callee.split(".").forEach(identifierName);
      const call = `${callee}<${identifierName(typeArgument)}>()`;
      return [jsDocDoc(comment), "export ", group(["const ", identifierName(name), " =", group(indent([line, call])), ";"])];
    },
  };
}
