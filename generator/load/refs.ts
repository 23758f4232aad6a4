/**
 * References of a self-contained document, resolved without Redocly's typed walk of the whole
 * document (`resolveDocument`), into the same map it builds.
 *
 * Only for documents whose every `$ref` is a JSON pointer into the document itself (`#/...`) and
 * that name no `externalValue`; each reference is followed exactly as Redocly follows it. Anything
 * else (another file, an anchor, a reference that fails to follow) returns undefined, and the caller
 * uses `resolveDocument`, which reproduces Redocly's behaviour in full.
 */
import { isRef, unescapePointer } from "@redocly/openapi-core/lib/ref-utils.js";
import type { Document } from "@redocly/openapi-core/lib/resolve.js";
import { findObject } from "../walk.js";
import { escapeSegment, joinPointer } from "./pointer.js";

interface ResolvedRef {
  resolved: boolean;
  isRemote: boolean;
  document: Document;
  node: unknown;
  nodePointer: string;
}

interface RefStack {
  prev: RefStack | null;
  node: unknown;
}

export function resolveLocalRefs(document: Document): Map<string, ResolvedRef> | undefined {
  const refs = collectRefs(document.parsed);
  if (!refs) return undefined;
  const map = new Map<string, ResolvedRef>();
  const prefix = document.source.absoluteRef + "::";
  const follow = (ref: { $ref: string }, stack: RefStack): ResolvedRef => {
    for (let at = stack.prev; at; at = at.prev) if (at.node === ref) throw new Error("Self-referencing circular pointer");
    let resolved: ResolvedRef = { resolved: true, isRemote: false, document, node: document.parsed, nodePointer: "#/" };
    let target: unknown = document.parsed;
    for (const segment of localPointer(ref.$ref)) {
      if (typeof target !== "object") {
        target = undefined;
        break;
      } else if ((target as Record<string, unknown>)[segment] !== undefined) {
        target = (target as Record<string, unknown>)[segment];
        resolved.nodePointer = joinPointer(resolved.nodePointer, escapeSegment(segment));
      } else if (isRef(target)) {
        resolved = follow(target, { prev: stack, node: target });
        if (typeof resolved.node !== "object") {
          target = undefined;
          break;
        }
        target = (resolved.node as Record<string, unknown>)[segment];
        resolved.nodePointer = joinPointer(resolved.nodePointer, escapeSegment(segment));
      } else {
        target = undefined;
        break;
      }
    }
    resolved.node = target;
    resolved.document = document;
    if (isRef(target)) resolved = follow(target, { prev: stack, node: target });
    map.set(prefix + ref.$ref, resolved);
    return { ...resolved };
  };
  try {
    // Following one `$ref` string gives the same entry (or the same circularity error) from any of its objects.
    for (const ref of refs.values()) if (!map.has(prefix + ref.$ref)) follow(ref, { prev: null, node: ref });
  } catch {
    return undefined; // Redocly's own resolution reports (or throws) it
  }
  return map;
}

/** A `$ref` object for each `$ref` string in the tree, or undefined when one is not a local pointer or an `externalValue` is named. */
function collectRefs(root: unknown): Map<string, { $ref: string }> | undefined {
  const refs = new Map<string, { $ref: string }>();
  const refused = findObject(root, (node) => {
    const object = node as Record<string, unknown>;
    if (typeof object.$ref === "string" && !refs.has(object.$ref)) {
      if (!isLocal(object.$ref)) return true;
      refs.set(object.$ref, object as { $ref: string });
    }
    return typeof object.externalValue === "string";
  });
  return refused ? undefined : refs;
}

/** Redocly's `parseRef`: the part after `#/` when the URI part is empty, and not an anchor (`#name`). */
function isLocal(ref: string): boolean {
  const uri = ref.split("#/")[0]!;
  return (uri.endsWith("#") ? uri.slice(0, -1) : uri) === "" && !/^#[A-Za-z][A-Za-z0-9\-_:.]*$/.test(ref);
}

function localPointer(ref: string): string[] {
  const pointer = ref.split("#/")[1] ?? "";
  return pointer.split("/").map(unescapePointer).filter(Boolean);
}
