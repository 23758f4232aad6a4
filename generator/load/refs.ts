/**
 * The references of a document, single- or multi-file, resolved into the map Redocly's
 * `resolveDocument` builds (keyed `<file>::<reference as written>`), which the structural check
 * and Redocly's bundler read.
 *
 * One walk (load/references.ts) finds every reference-bearing keyword, where Redocly's resolver
 * only follows `$ref`s and some mapping values: a mapping entry naming a schema that nothing else
 * references was reported unresolvable. Each reference is followed as Redocly follows a `$ref`
 * (intermediate `$ref`s, other files through `resolver`, anchors); the root document is walked
 * whole, another file only under the places referenced in it. Bare schema names in mappings are
 * rewritten in place as references (`#/components/schemas/Name`), the one form later steps read.
 */
import path from "node:path";
import { isAbsoluteUrl, isAnchor, isRef, parseRef, unescapePointer } from "@redocly/openapi-core/lib/ref-utils.js";
import type { BaseResolver, Document } from "@redocly/openapi-core/lib/resolve.js";
import { escapeSegment, joinPointer } from "./pointer.js";
import { mappingRef } from "../diagnostics.js";
import { forEachReference, type Reference } from "./references.js";

export interface ResolvedRef {
  resolved: boolean;
  isRemote: boolean;
  document?: Document;
  node?: unknown;
  nodePointer?: string;
  error?: Error;
}

interface RefStack {
  prev: RefStack | null;
  node: unknown;
}

export async function resolveRefs(root: Document, resolver: BaseResolver): Promise<Map<string, ResolvedRef>> {
  const map = new Map<string, ResolvedRef>();
  const seen = new Set<object>();
  const anchors = new Map<Document, Map<string, object>>();
  let pending: [Document, string][] = [];

  const walk = (document: Document, node: unknown) => {
    let own = anchors.get(document);
    if (!own) anchors.set(document, (own = new Map()));
    const found = (reference: Reference) => {
      const ref = written(document, root, reference);
      if (ref !== undefined) pending.push([document, ref]);
    };
    forEachReference(node, found, (name, target) => void (own.has(name) || own.set(name, target)), seen);
  };

  const follow = async (document: Document, ref: { $ref: string }, stack: RefStack): Promise<ResolvedRef> => {
    for (let at = stack.prev; at; at = at.prev) if (at.node === ref) throw new Error("Self-referencing circular pointer");
    const id = document.source.absoluteRef + "::" + ref.$ref;
    if (isAnchor(ref.$ref)) {
      const resolved = { resolved: true, isRemote: false, node: anchors.get(document)?.get(ref.$ref), document, nodePointer: ref.$ref };
      map.set(id, resolved);
      return resolved;
    }
    const { uri, pointer } = parseReference(ref.$ref);
    const isRemote = uri !== null;
    let targetDoc: Document;
    try {
      targetDoc = isRemote ? ((await resolver.resolveDocument(document.source.absoluteRef, uri, false)) as Document) : document;
    } catch (error) {
      const resolved = { resolved: false, isRemote, document: undefined, error: error as Error };
      map.set(id, resolved);
      return resolved;
    }
    let resolved: ResolvedRef = { resolved: true, document: targetDoc, isRemote, node: document.parsed, nodePointer: "#/" };
    let target: unknown = targetDoc.parsed;
    for (const segment of pointer) {
      if (typeof target !== "object") {
        target = undefined;
        break;
      } else if ((target as Record<string, unknown>)[segment] !== undefined) {
        target = (target as Record<string, unknown>)[segment];
        resolved.nodePointer = joinPointer(resolved.nodePointer!, escapeSegment(segment));
      } else if (isRef(target)) {
        resolved = await follow(targetDoc, target, { prev: stack, node: target });
        targetDoc = resolved.document || targetDoc;
        if (typeof resolved.node !== "object") {
          target = undefined;
          break;
        }
        target = (resolved.node as Record<string, unknown>)[segment];
        resolved.nodePointer = joinPointer(resolved.nodePointer!, escapeSegment(segment));
      } else {
        target = undefined;
        break;
      }
    }
    resolved.node = target;
    resolved.document = targetDoc;
    if (isRef(target)) resolved = await follow(targetDoc, target, { prev: stack, node: target });
    map.set(id, resolved);
    return { ...resolved };
  };

  walk(root, root.parsed);
  while (pending.length > 0) {
    const batch = pending;
    pending = [];
    for (const [document, ref] of batch) {
      // Following one reference string gives the same entry (or the same circularity error) wherever it is written.
      if (map.has(document.source.absoluteRef + "::" + ref)) continue;
      const resolved = await follow(document, { $ref: ref }, { prev: null, node: undefined });
      // Another file's references are those under the places referenced in it (as Redocly's resolver walks).
      if (resolved.resolved && resolved.document && typeof resolved.node === "object") walk(resolved.document, resolved.node);
    }
  }
  return map;
}

/** The reference to follow for one found in `document`: mapping names rewritten in place; links to other servers not followed. */
function written(document: Document, root: Document, reference: Reference): string | undefined {
  if (reference.kind === "operationRef" && isAbsoluteUrl(reference.written)) return undefined; // documentation, maybe of another API
  if (reference.kind !== "mapping") return reference.written;
  const from = document.source.absoluteRef;
  const toRoot = document === root ? "" : path.relative(path.dirname(from), root.source.absoluteRef).split(path.sep).join("/");
  const ref = mappingRef(reference.written, toRoot);
  reference.holder[reference.key] = ref;
  return ref;
}

/** Redocly's `parseRef`, except that an empty segment is a key ("" is a valid property name), not dropped: `#/a//b` is a → "" → b. */
function parseReference(ref: string): { uri: string | null; pointer: string[] } {
  const { uri } = parseRef(ref);
  const [, text = ""] = ref.split("#/");
  return { uri, pointer: text === "" ? [] : text.split("/").map(unescapePointer) };
}
