/**
 * Visits every object (arrays included) reachable from `root` once, depth first: a parsed
 * document may share objects, a bundled one may even be cyclic. Stops at the first `visit`
 * that returns true, and returns whether one did.
 */
export function findObject(root: unknown, visit: (node: object) => boolean | void): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (visit(node) === true) return true;
    for (const value of Array.isArray(node) ? node : Object.values(node)) if (typeof value === "object" && value !== null) stack.push(value);
  }
  return false;
}

/** JSON Schema keywords whose value is one subschema (`items` may also be a list: see SUBSCHEMA_LISTS). */
export const SUBSCHEMA_ONE = [
  "additionalProperties",
  "additionalItems",
  "items",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "unevaluatedProperties",
  "unevaluatedItems",
];
/** Keywords whose value is a list of subschemas. */
export const SUBSCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];
