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
