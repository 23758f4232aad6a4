/**
 * Redocly's bundler on a single-file document, without its second walk of the whole document:
 * the steps load/structure.ts recorded in walk order, applied as the bundler applies them
 * (its `replaceRef` and discriminator-mapping rewrite). When a step needs the bundler's own
 * naming of new components, nothing is changed and the caller runs the bundler instead.
 */
import { isRef } from "@redocly/openapi-core/lib/ref-utils.js";
import { isMappingRef } from "../diagnostics.js";
import type { Source } from "@redocly/openapi-core/lib/resolve.js";
import { isPlainObject, type BundleStep, type Place } from "./structure.js";

type Resolve = (value: unknown, from: Source) => { node: unknown; place?: Place };

/** Applies the steps to `root`; false (and `root` untouched) when only the bundler can. */
export function bundleInPlace(root: Record<string, unknown>, steps: BundleStep[], resolve: Resolve): boolean {
  const schemas = isPlainObject(root.components) ? root.components.schemas : undefined;
  const rewrites = new Map<BundleStep, [name: string, ref: string][]>();
  for (const step of steps) {
    if (step.kind !== "mapping") continue;
    if (!isPlainObject(step.mapping)) return false;
    const entries: [string, string][] = [];
    for (const name of Object.keys(step.mapping)) {
      const value = step.mapping[name];
      // A schema name (`Dog`, not a reference) names `components.schemas.Dog` as it is: nothing to rewrite.
      if (typeof value === "string" && !isMappingRef(value)) continue;
      const target = resolve({ $ref: value }, step.place.source);
      if (!target.place || target.node === undefined) return false; // the bundler reports it
      const component = existingComponent(schemas, target.place.pointer, target.node);
      if (component === undefined) return false;
      entries.push([name, `#/components/schemas/${component}`]);
    }
    rewrites.set(step, entries);
  }
  root.components = root.components || {};
  for (const step of steps) {
    if (step.kind === "inline") {
      if (isRef(step.ref)) replaceRef(step);
    } else {
      for (const [name, ref] of rewrites.get(step)!) (step.mapping as Record<string, unknown>)[name] = ref;
    }
  }
  return true;
}

/**
 * The name the bundler gives a mapping's target when it is already `components.schemas[name]`
 * (the last pointer segment, the same node); undefined when the bundler would add a component.
 */
function existingComponent(schemas: unknown, pointer: string, node: unknown): string | undefined {
  const name = pointer.slice(2).split("/").filter(Boolean).pop();
  if (name === undefined || !isPlainObject(schemas) || !schemas[name]) return undefined;
  return schemas[name] === node ? name : undefined;
}

/** Redocly's `replaceRef`: a non-object target replaces the reference, an object one is merged under it. */
function replaceRef({ parent, key, ref, target }: Extract<BundleStep, { kind: "inline" }>): void {
  if (!isPlainObject(target)) {
    parent[key] = target;
    return;
  }
  delete ref.$ref;
  Object.assign(ref, Object.assign({}, target, ref));
}
