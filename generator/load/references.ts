/**
 * Every reference a document makes, found by one walk that knows each keyword that names another
 * place: `$ref`, `$dynamicRef`, discriminator mapping values, links' `operationRef` and examples'
 * `externalValue`, plus the anchors (`$anchor`, `$dynamicAnchor`) that `#name` references name.
 *
 * load/refs.ts follows what this finds, for single- and multi-file documents alike, so that
 * every later step (the structural check, bundling, the model) finds each target resolved.
 */
export type ReferenceKind = "$ref" | "$dynamicRef" | "mapping" | "operationRef" | "externalValue";

export interface Reference {
  kind: ReferenceKind;
  /** The object holding the reference (for a mapping entry, the mapping; for `externalValue`, the example). */
  holder: Record<string, unknown>;
  /** Its key in `holder`. */
  key: string;
  /** The value as written. */
  written: string;
}

type Frame = [node: unknown, key: string, parentKey: string];

/**
 * Calls `visit` for each reference under `root`, and `anchor` for each anchor, visiting each object
 * once (`seen` is shared by walks of one resolution: a parsed document may share objects).
 */
export function forEachReference(
  root: unknown,
  visit: (reference: Reference) => void,
  anchor: (name: string, node: object) => void = () => {},
  seen: Set<object> = new Set(),
): void {
  const stack: Frame[] = [[root, "", ""]];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const [node, key, parentKey] = frame;
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) if (typeof node[i] === "object" && node[i] !== null) stack.push([node[i], String(i), key]);
      continue;
    }
    const object = node as Record<string, unknown>;
    const found = (kind: ReferenceKind, name: string) => {
      const written = object[name];
      if (typeof written === "string") visit({ kind, holder: object, key: name, written });
    };
    found("$ref", "$ref");
    found("$dynamicRef", "$dynamicRef");
    found("externalValue", "externalValue");
    if (parentKey === "links") found("operationRef", "operationRef");
    if (key === "mapping" && parentKey === "discriminator") for (const name of Object.keys(object)) found("mapping", name);
    for (const name of ["$anchor", "$dynamicAnchor"]) if (typeof object[name] === "string") anchor("#" + object[name], object);
    for (const name of Object.keys(object)) {
      const value = object[name];
      if (typeof value === "object" && value !== null) stack.push([value, name, key]);
    }
  }
}
