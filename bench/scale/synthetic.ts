/**
 * A synthetic OpenAPI 3.0 description of any size with Microsoft Graph's shape (issue 16, target 1),
 * so generation can be measured from 100 to 12,000 operations on documents that differ only in size:
 * - entity types in `allOf` inheritance chains up to 5 deep (entity → directoryObject → …), each
 *   chain's base carrying a `discriminator` on `@odata.type` whose `mapping` lists every descendant,
 *   some of them referenced nowhere else;
 * - as many complex (non-entity) types, used as properties, in collections and as nullable members;
 * - per entity type, Graph's operation set: list/create on the set, get/update/delete on an item,
 *   a navigation collection, an item in it and its `$count`, with long templated paths;
 * - shared components: `$top`/`$skip`/`$search`/`$filter`/`$count` parameters, `$select`/`$expand`
 *   arrays of enums, collection responses, one error response.
 * Deterministic: the same size gives the same bytes.
 */

/** Operations per entity type (see `entityOperations`). */
const OPERATIONS_PER_ENTITY = 8;
/** Deepest inheritance chain, counting the root entity. */
const MAX_DEPTH = 5;

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const schemaName = (kind: "entity" | "complex", i: number) => (i === 0 && kind === "entity" ? "microsoft.graph.entity" : `microsoft.graph.${kind}${i}`);
const setName = (i: number) => `entitySet${i}`;

/** A small deterministic PRNG (mulberry32): the document's variety without Math.random. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticStats {
  operations: number;
  schemas: number;
  entityTypes: number;
  mappings: number;
}

export function syntheticDocument(operations: number): { document: Json; stats: SyntheticStats } {
  const random = prng(operations);
  const pick = (n: number) => Math.floor(random() * n);
  const entities = Math.max(1, Math.ceil(operations / OPERATIONS_PER_ENTITY));
  const complexes = entities;
  const schemas: Json = {};

  // Inheritance: entity i's parent is an earlier entity that is not yet at MAX_DEPTH.
  const depth: number[] = [1];
  const parent: (number | undefined)[] = [undefined];
  for (let i = 1; i < entities; i++) {
    let p = i <= 4 ? 0 : pick(i);
    while (depth[p]! >= MAX_DEPTH) p = parent[p] ?? 0;
    parent.push(p);
    depth.push(depth[p]! + 1);
  }
  const children = new Map<number, number[]>();
  parent.forEach((p, i) => p !== undefined && children.set(p, [...(children.get(p) ?? []), i]));
  const descendants = (i: number): number[] => (children.get(i) ?? []).flatMap((c) => [c, ...descendants(c)]);

  const properties = (i: number, count: number): Json => {
    const props: Json = {};
    for (let k = 0; k < count; k++) {
      const name = `property${k}Of${i}`;
      const r = pick(10);
      props[name] =
        r < 3
          ? { type: "string", nullable: true, description: `Property ${k} of type ${i}.` }
          : r < 4
            ? { type: "integer", format: "int32", nullable: true }
            : r < 5
              ? { type: "string", format: "date-time", nullable: true }
              : r < 6
                ? { type: "boolean", nullable: true }
                : r < 7
                  ? { anyOf: [ref(schemaName("complex", pick(complexes))), { type: "object", nullable: true }] }
                  : r < 8
                    ? { type: "array", items: ref(schemaName("complex", pick(complexes))) }
                    : r < 9
                      ? { type: "string", enum: ["value0", "value1", "value2", "unknownFutureValue"], nullable: true }
                      : { type: "array", items: { type: "string", nullable: true } };
    }
    return props;
  };

  let mappings = 0;
  for (let i = 0; i < entities; i++) {
    const own: Json = { title: schemaName("entity", i), type: "object", properties: properties(i, 4 + pick(8)) };
    const below = descendants(i);
    if (below.length > 0) {
      own.properties = { ...(own.properties as Json), "@odata.type": { type: "string" } };
      own.required = ["@odata.type"];
      own.discriminator = {
        propertyName: "@odata.type",
        mapping: Object.fromEntries(below.map((d) => [`#${schemaName("entity", d)}`, `#/components/schemas/${schemaName("entity", d)}`])),
      };
      mappings++;
    }
    const p = parent[i];
    schemas[schemaName("entity", i)] =
      p === undefined ? { ...own, properties: { id: { type: "string" }, ...(own.properties as Json) } } : { allOf: [ref(schemaName("entity", p)), own] };
    schemas[`${schemaName("entity", i)}CollectionResponse`] = {
      title: `Collection of ${schemaName("entity", i)}`,
      type: "object",
      properties: { value: { type: "array", items: ref(schemaName("entity", i)) }, "@odata.nextLink": { type: "string", nullable: true } },
    };
  }
  for (let i = 0; i < complexes; i++)
    schemas[schemaName("complex", i)] = { title: schemaName("complex", i), type: "object", properties: properties(entities + i, 2 + pick(4)) };
  schemas["microsoft.graph.ODataErrors.ODataError"] = {
    type: "object",
    required: ["error"],
    properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" } } } },
  };

  const paths: Json = {};
  let count = 0;
  const error = { "4XX": { $ref: "#/components/responses/error" }, "5XX": { $ref: "#/components/responses/error" } };
  const listParameters = ["top", "skip", "search", "filter", "count"].map((p) => ({ $ref: `#/components/parameters/${p}` }));
  const selectExpand = (i: number) =>
    ["$select", "$expand"].map((name) => ({
      name,
      in: "query",
      style: "form",
      explode: false,
      schema: { uniqueItems: true, type: "array", items: { type: "string", enum: ["id", "*", ...Object.keys(properties(i, 3))] } },
    }));
  const collection = (i: number) => ({
    description: "Retrieved collection",
    content: { "application/json": { schema: ref(`${schemaName("entity", i)}CollectionResponse`) } },
  });
  const entity = (i: number, description: string) => ({ description, content: { "application/json": { schema: ref(schemaName("entity", i)) } } });
  const body = (i: number) => ({ required: true, content: { "application/json": { schema: ref(schemaName("entity", i)) } } });
  const add = (path: string, method: string, operation: Json) => {
    if (count >= operations) return;
    count++;
    ((paths[path] ??= {}) as Json)[method] = { tags: [path.split("/")[1]], ...operation };
  };
  for (let i = 0; i < entities && count < operations; i++) {
    const set = `/${setName(i)}`;
    const item = `${set}/{${setName(i)}-id}`;
    const idParam = { name: `${setName(i)}-id`, in: "path", required: true, schema: { type: "string" }, "x-ms-docs-key-type": schemaName("entity", i) };
    const nav = (i + 1 + pick(entities)) % entities;
    const navPath = `${item}/navigation${nav}`;
    const navItem = `${navPath}/{${setName(nav)}-id}`;
    const navId = { name: `${setName(nav)}-id`, in: "path", required: true, schema: { type: "string" } };
    const id = (suffix: string) => `${setName(i)}.${suffix}`;
    add(set, "get", { operationId: id("List"), parameters: [...listParameters, ...selectExpand(i)], responses: { "200": collection(i), ...error } });
    add(set, "post", { operationId: id("Create"), requestBody: body(i), responses: { "201": entity(i, "Created entity"), ...error } });
    add(item, "get", { operationId: id("Get"), parameters: [idParam, ...selectExpand(i)], responses: { "200": entity(i, "Retrieved entity"), ...error } });
    add(item, "patch", { operationId: id("Update"), parameters: [idParam], requestBody: body(i), responses: { "204": { description: "Success" }, ...error } });
    add(item, "delete", {
      operationId: id("Delete"),
      parameters: [idParam, { name: "If-Match", in: "header", description: "ETag", schema: { type: "string" } }],
      responses: { "204": { description: "Success" }, ...error },
    });
    add(navPath, "get", { operationId: id(`ListNavigation${nav}`), parameters: [idParam, ...listParameters], responses: { "200": collection(nav), ...error } });
    add(navItem, "get", {
      operationId: id(`GetNavigation${nav}`),
      parameters: [idParam, navId],
      responses: { "200": entity(nav, "Retrieved navigation property"), ...error },
    });
    add(`${navPath}/$count`, "get", {
      operationId: id(`CountNavigation${nav}`),
      parameters: [idParam, { $ref: "#/components/parameters/search" }, { $ref: "#/components/parameters/filter" }],
      responses: { "200": { description: "The count of the resource", content: { "text/plain": { schema: { type: "integer", format: "int32" } } } }, ...error },
    });
  }

  const document = {
    openapi: "3.0.4",
    info: { title: `Synthetic Graph-shaped API, ${operations} operations`, version: "v1.0" },
    servers: [{ url: "https://graph.example/v1.0" }],
    paths,
    components: {
      schemas,
      responses: {
        error: { description: "error", content: { "application/json": { schema: ref("microsoft.graph.ODataErrors.ODataError") } } },
      },
      parameters: {
        top: { name: "$top", in: "query", description: "Show only the first n items", style: "form", explode: false, schema: { minimum: 0, type: "integer" } },
        skip: { name: "$skip", in: "query", description: "Skip the first n items", style: "form", explode: false, schema: { minimum: 0, type: "integer" } },
        search: { name: "$search", in: "query", description: "Search items by search phrases", style: "form", explode: false, schema: { type: "string" } },
        filter: { name: "$filter", in: "query", description: "Filter items by property values", style: "form", explode: false, schema: { type: "string" } },
        count: { name: "$count", in: "query", description: "Include count of items", style: "form", explode: false, schema: { type: "boolean" } },
      },
    },
  };
  return { document, stats: { operations: count, schemas: Object.keys(schemas).length, entityTypes: entities, mappings } };
}
