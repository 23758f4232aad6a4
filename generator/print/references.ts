/**
 * The names a generated statement refers to, from its syntax tree (TypeScript's parser): what
 * decides a module's imports. Never read from printed text, whose layout the printer chooses
 * (`z\n  .string()` has no `z.` in it).
 */
import ts from "../typescript.cjs";

/** Whether an identifier names something in scope, not a property, member or the declaration itself. */
function isReference(id: ts.Identifier, parent: ts.Node): boolean {
  if ((ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent)) && parent.name === id) return false;
  if (ts.isQualifiedName(parent) && parent.right === id) return false;
  return !(ts.isVariableDeclaration(parent) && parent.name === id);
}

/** Identifiers `source` (statements) refers to, in value or type position. */
export function referencedNames(source: string): Set<string> {
  const file = ts.createSourceFile("statement.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const visit = (node: ts.Node, parent: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      if (isReference(node, parent)) names.add(node.text);
      return;
    }
    ts.forEachChild(node, (child) => visit(child, node));
  };
  visit(file, file);
  return names;
}
