/**
 * Component schemas that reach themselves with no object type between (`Tree: string | Tree[]`,
 * `Nest: Nest[]`, or A → B[] → A): openapi-typescript types each as
 * `components["schemas"]["Tree"]` inside its own annotation, which TypeScript refuses (TS2502:
 * referenced directly or indirectly in its own type annotation). An object type breaks the cycle
 * (its members are resolved lazily), so only these cycles need it: each such schema's type moves
 * into an exported type alias, which may be recursive, and its component member names that alias.
 */
import ts from "../typescript.cjs";

const f = ts.factory;

/** The component a `components["schemas"]["X"]` type names, else undefined. */
function componentName(node: ts.Node): string | undefined {
  if (!ts.isIndexedAccessTypeNode(node) || !ts.isLiteralTypeNode(node.indexType) || !ts.isStringLiteral(node.indexType.literal)) return undefined;
  const inner = node.objectType;
  if (!ts.isIndexedAccessTypeNode(inner) || !ts.isLiteralTypeNode(inner.indexType) || !ts.isStringLiteral(inner.indexType.literal)) return undefined;
  if (inner.indexType.literal.text !== "schemas" || !ts.isTypeReferenceNode(inner.objectType)) return undefined;
  return ts.isIdentifier(inner.objectType.typeName) && inner.objectType.typeName.text === "components" ? node.indexType.literal.text : undefined;
}

/** Components a type reaches without passing through an object type's members. */
function directReferences(type: ts.Node, out = new Set<string>()): Set<string> {
  const name = componentName(type);
  if (name !== undefined) out.add(name);
  else if (!ts.isTypeLiteralNode(type) && !ts.isMappedTypeNode(type)) ts.forEachChild(type, (child) => void directReferences(child, out));
  return out;
}

/** Members of a strongly connected component with a cycle (Tarjan), in declaration order. */
function cyclic(graph: Map<string, Set<string>>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result = new Set<string>();
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      members.push(w);
    } while (w !== v);
    if (members.length > 1 || graph.get(v)!.has(v)) for (const m of members) result.add(m);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return result;
}

/** The AST with every self-reaching component schema typed through a recursive alias; unchanged when there is none. */
export function hoistRecursiveSchemas(ast: ts.Node[]): ts.Node[] {
  const at = ast.findIndex((n) => ts.isInterfaceDeclaration(n) && n.name.text === "components");
  if (at < 0) return ast;
  const components = ast[at] as ts.InterfaceDeclaration;
  const schemasMember = components.members.find((m) => ts.isPropertySignature(m) && m.name && ts.isIdentifier(m.name) && m.name.text === "schemas") as
    ts.PropertySignature | undefined;
  if (!schemasMember?.type || !ts.isTypeLiteralNode(schemasMember.type)) return ast;
  const members = schemasMember.type.members.filter(ts.isPropertySignature);
  const keyOf = (m: ts.PropertySignature) => (m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : undefined);
  const graph = new Map<string, Set<string>>();
  for (const m of members) {
    const key = keyOf(m);
    if (key !== undefined && m.type) graph.set(key, directReferences(m.type));
  }
  const hoisted = cyclic(graph);
  if (hoisted.size === 0) return ast;

  // Alias names: identifiers from the component name, unique among the file's top-level names.
  const taken = new Set(ast.flatMap((n) => ((ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) && n.name ? [n.name.text] : [])));
  const alias = new Map<string, string>();
  for (const key of hoisted) {
    const base = `RecursiveSchema_${key.replace(/[^A-Za-z0-9_$]/g, "_")}`;
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    alias.set(key, name);
  }
  const toAlias = <T extends ts.Node>(node: T): T =>
    ts.visitEachChild(
      node,
      function visit(child): ts.Node {
        const name = componentName(child);
        if (name !== undefined && alias.has(name)) return f.createTypeReferenceNode(alias.get(name)!);
        return ts.visitEachChild(child, visit, undefined);
      },
      undefined,
    );
  const declarations: ts.TypeAliasDeclaration[] = [];
  const newMembers = schemasMember.type.members.map((m) => {
    const key = ts.isPropertySignature(m) ? keyOf(m) : undefined;
    if (key === undefined || !alias.has(key) || !ts.isPropertySignature(m) || !m.type) return m;
    const type = componentName(m.type) !== undefined ? f.createTypeReferenceNode(alias.get(componentName(m.type)!)!) : toAlias(m.type);
    declarations.push(f.createTypeAliasDeclaration([f.createModifier(ts.SyntaxKind.ExportKeyword)], alias.get(key)!, undefined, type));
    return f.updatePropertySignature(m, m.modifiers, m.name, m.questionToken, f.createTypeReferenceNode(alias.get(key)!));
  });
  const schemas = f.updatePropertySignature(
    schemasMember,
    schemasMember.modifiers,
    schemasMember.name,
    schemasMember.questionToken,
    f.updateTypeLiteralNode(schemasMember.type, f.createNodeArray(newMembers)),
  );
  const updated = f.updateInterfaceDeclaration(
    components,
    components.modifiers,
    components.name,
    components.typeParameters,
    components.heritageClauses,
    components.members.map((m) => (m === schemasMember ? schemas : m)),
  );
  return [...ast.slice(0, at), updated, ...declarations, ...ast.slice(at + 1)];
}
