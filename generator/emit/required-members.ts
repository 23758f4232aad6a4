/**
 * `allOf` members as openapi-typescript should type them. First, `required` names that an `allOf`
 * member (or the schema holding the `allOf`) lists without declaring them in its own
 * `properties`: `allOf: [{$ref: Todo}, {required: [done]}]`.
 * openapi-typescript types such a member as `unknown` (`done` stays optional) or, with
 * `type: object`, as `Record<string, never>`, whose intersection makes every property `never`.
 * For the types only, each such name gets a `properties` entry: the schema a sibling declares
 * for it (through `$ref`s and nested `allOf`s), else `{}`. The decoders need no rewrite: their
 * `z.object` already requires the key and the sibling checks its value. Second, a `type: object`
 * member with no property keywords is open (`additionalProperties: true`), not an empty object.
 * A name that is the `discriminator.propertyName` of a `$ref`'d member is left alone: openapi-typescript
 * already declares it (as the mapped literal), and a second declaration is a duplicate identifier
 * (Azure's `required: [instanceType]` children of a discriminated parent).
 */
import { findObject } from "../walk.js";
import { resolveRef } from "../model.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const OBJECT_SHAPE = ["properties", "additionalProperties", "patternProperties", "unevaluatedProperties"];

/** Rewrites `document` in place (the caller's copy). */
export function declareRequiredMembers(document: Obj): void {
  findObject(document, (node) => {
    if (!isObj(node) || !Array.isArray(node.allOf)) return;
    const members = node.allOf.filter(isObj);
    declareMissing(document, node, members);
    for (const member of members) {
      if (typeof member.$ref === "string") continue;
      declareMissing(document, member, [node, ...members.filter((m) => m !== member)]);
      // A member that only says `type: object` restricts no property: typed `Record<string, never>`, it would make all of them `never`.
      if (member.type === "object" && !OBJECT_SHAPE.some((k) => k in member)) member.additionalProperties = true;
    }
  });
}

function declareMissing(document: Obj, schema: Obj, siblings: Obj[]): void {
  if (!Array.isArray(schema.required)) return;
  const own = isObj(schema.properties) ? schema.properties : undefined;
  const typed = discriminatorNames(document, siblings);
  const missing = schema.required.filter((name): name is string => typeof name === "string" && !(own && Object.hasOwn(own, name)) && !typed.has(name));
  if (missing.length === 0) return;
  const properties: Obj = { ...own };
  for (const name of missing) {
    const declared = siblings.map((s) => declaredProperty(document, s, name, new Set())).find((p) => p !== undefined);
    properties[name] = declared === undefined ? {} : structuredClone(declared);
  }
  schema.properties = properties;
}

/** Discriminator property names of the `$ref`'d schemas among `members` (openapi-typescript types those itself). */
function discriminatorNames(document: Obj, members: Obj[]): Set<string> {
  const names = new Set<string>();
  for (const member of members) {
    if (typeof member.$ref !== "string") continue;
    const target = resolveRef(document, member);
    if (isObj(target) && isObj(target.discriminator) && typeof target.discriminator.propertyName === "string") names.add(target.discriminator.propertyName);
  }
  return names;
}

/** The schema `schema` declares for property `name`, looking through `$ref`s and `allOf` members. */
function declaredProperty(document: Obj, schema: Obj, name: string, seen: Set<Obj>): unknown {
  const target = resolveRef(document, schema);
  if (!isObj(target) || seen.has(target)) return undefined;
  seen.add(target);
  if (isObj(target.properties) && Object.hasOwn(target.properties, name)) return target.properties[name];
  if (!Array.isArray(target.allOf)) return undefined;
  for (const member of target.allOf) {
    const found = isObj(member) ? declaredProperty(document, member, name, seen) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}
