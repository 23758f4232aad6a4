/**
 * Model: the small intermediate form every emitter reads. Built once from the
 * bundled document; `$ref`s to parameters, bodies, responses, headers and path
 * items are resolved here, schema `$ref`s are kept for the schema emitter.
 */
import { displayPath, mappingRef, SpecError, pointerOf, referenceTokens, type Diagnostic } from "./diagnostics.js";
import { locatePointers } from "./load/positions.js";
import { hoistInternalTargets } from "./hoist.js";
import type { LoadedSpec, OpenApiDocument } from "./load.js";
import { camelCase, NameScope, safeTypeName } from "./names.js";
import { findObject, SUBSCHEMA_LISTS, SUBSCHEMA_ONE } from "./walk.js";
import { endpointNames, pathWords, semverVersion, serviceName, type EndpointClaim } from "@symphony-codegen/runtime/internal/sdk/names.js";

export type JsonSchema = Record<string, unknown> | boolean;
export type ParamIn = "path" | "query" | "header" | "cookie";

export interface ParameterModel {
  name: string;
  in: ParamIn;
  required: boolean;
  style: string;
  explode: boolean;
  schema: JsonSchema;
  /** Set when the parameter is declared with `content` instead of `schema`. */
  contentType?: string;
  description?: string;
  deprecated: boolean;
}

export interface MediaModel {
  contentType: string;
  schema?: JsonSchema;
  /**
   * Its examples in declaration order: `example` (named "example"), then each of `examples` with an
   * inline or `$ref`erenced `value` (an `externalValue` is not fetched). Read by `mock` (generator/mock/).
   */
  examples?: { name: string; value: unknown }[];
}

export interface HeaderModel {
  name: string;
  required: boolean;
  schema?: JsonSchema;
}

export interface ResponseModel {
  /** As written in the spec: "200", "2XX", "default". */
  key: string;
  description?: string;
  content: MediaModel[];
  headers: HeaderModel[];
}

export interface OperationModel {
  /** An API operation (served as an endpoint), a 3.1 webhook, or a callback of an operation. */
  kind: "operation" | "webhook" | "callback";
  operationId?: string;
  /** Method name on `Handlers` (camelCase). */
  handlerName: string;
  /** Prefix of the generated types and builder (PascalCase). */
  typeName: string;
  /** NATS endpoint name. */
  endpoint: string;
  /** Upper case HTTP method. */
  method: string;
  /** Path template; a webhook's name; a callback's expression. */
  path: string;
  /** Where its types live in the types module: `paths[typeKey]` or `webhooks[typeKey]`. */
  typeRoot: "paths" | "webhooks";
  typeKey: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  /** `x-symphony-idempotent: true`: clients may retry it although its method is not idempotent (runtime/core/retry.ts). */
  idempotent?: boolean;
  parameters: ParameterModel[];
  /** Declared Accept/Content-Type/Authorization header parameters, left out of `parameters` (types.ts still has them). */
  transportHeaders?: true;
  requestBody?: { required: boolean; description?: string; content: MediaModel[] };
  responses: ResponseModel[];
  /** Where the operation is declared, for messages. */
  pointer: string;
}

export interface ApiModel {
  title: string;
  /** `info.title` sanitised to NATS service-name rules. */
  serviceName: string;
  /** `info.version` as written. */
  version: string;
  /** `info.version` normalised to semver. */
  serviceVersion: string;
  description: string;
  openapiVersion: string;
  operations: OperationModel[];
  /** 3.1 webhooks and operations' callbacks: requests the API sends. */
  webhooks: OperationModel[];
  /** Callback path items by type key (typed as extra `webhooks` entries). */
  callbackItems: Record<string, unknown>;
  /** `components.schemas`, by name. */
  schemas: Record<string, JsonSchema>;
  /** The bundled document, opaque to emitters except the types emitter and the spec embedder. */
  document: OpenApiDocument;
  sourceFile: string;
  warnings: Diagnostic[];
}

/** Names chosen by the user instead of the ones derived from the document. */
export interface NamingOptions {
  /**
   * Operation → name, keyed by operationId (or `"GET /pets/{id}"` for an operation without one).
   * The handler method (camelCase) and the type and builder prefix (PascalCase) derive from
   * the name; the NATS endpoint name (the wire contract) does not change.
   */
  operations?: Record<string, string>;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Follows local `$ref`s (`#/...`) until a non-reference object. */
export function resolveRef<T = Obj>(doc: unknown, value: unknown, seen = new Set<string>()): T | undefined {
  if (!isObj(value) || typeof value.$ref !== "string") return value as T | undefined;
  const ref = value.$ref;
  if (!ref.startsWith("#") || seen.has(ref)) return undefined;
  seen.add(ref);
  return resolveRef<T>(doc, getPointer(doc, ref), seen);
}

export function getPointer(doc: unknown, ref: string): unknown {
  let node: unknown = doc;
  for (const token of referenceTokens(ref)) {
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    node = (node as Obj)[token];
  }
  return node;
}

function defaultStyle(location: ParamIn): string {
  return location === "query" || location === "cookie" ? "form" : "simple";
}

function parameterModel(doc: OpenApiDocument, raw: unknown, at: string, errors: Diagnostic[]): ParameterModel | undefined {
  const p = resolveRef(doc, raw);
  if (!isObj(p) || typeof p.name !== "string" || !["path", "query", "header", "cookie"].includes(p.in as string)) {
    errors.push({ severity: "error", file: "", pointer: at, message: "Parameter must have a name and `in` of path, query, header or cookie" });
    return undefined;
  }
  const location = p.in as ParamIn;
  const style = typeof p.style === "string" ? p.style : defaultStyle(location);
  const content = isObj(p.content) ? Object.entries(p.content)[0] : undefined;
  const model: ParameterModel = {
    name: p.name,
    in: location,
    required: location === "path" ? true : p.required === true,
    style,
    explode: typeof p.explode === "boolean" ? p.explode : style === "form",
    schema: ((content ? (content[1] as Obj)?.schema : p.schema) as JsonSchema) ?? {},
    deprecated: p.deprecated === true,
  };
  if (content) model.contentType = content[0];
  if (typeof p.description === "string") model.description = p.description;
  return model;
}

function mediaModels(doc: OpenApiDocument, content: unknown): MediaModel[] {
  if (!isObj(content)) return [];
  return Object.entries(content).map(([contentType, media]) => {
    const m: MediaModel = { contentType };
    if (isObj(media) && media.schema !== undefined) m.schema = media.schema as JsonSchema;
    const examples = isObj(media) ? mediaExamples(doc, media) : [];
    if (examples.length > 0) m.examples = examples;
    return m;
  });
}

function mediaExamples(doc: OpenApiDocument, media: Obj): { name: string; value: unknown }[] {
  const found: { name: string; value: unknown }[] = [];
  if (media.example !== undefined) found.push({ name: "example", value: media.example });
  if (isObj(media.examples)) {
    for (const [name, raw] of Object.entries(media.examples)) {
      const example = resolveRef(doc, raw);
      if (isObj(example) && Object.hasOwn(example, "value")) found.push({ name, value: example.value });
    }
  }
  return found;
}

function responseModels(doc: OpenApiDocument, responses: unknown): ResponseModel[] {
  if (!isObj(responses)) return [];
  return Object.entries(responses)
    .filter(([key]) => /^[1-5](?:\d\d|XX)$/i.test(key) || key === "default")
    .map(([key, raw]) => {
      const r = resolveRef(doc, raw) ?? {};
      const headers: HeaderModel[] = isObj(r.headers)
        ? Object.entries(r.headers).map(([name, h]) => {
            const header = resolveRef(doc, h) ?? {};
            const content = isObj(header.content) ? (Object.values(header.content)[0] as Obj | undefined) : undefined;
            const model: HeaderModel = { name, required: header.required === true };
            const schema = (header.schema ?? content?.schema) as JsonSchema | undefined;
            if (schema !== undefined) model.schema = schema;
            return model;
          })
        : [];
      const model: ResponseModel = { key: key === "default" ? key : key.toUpperCase(), content: mediaModels(doc, r.content), headers };
      if (typeof r.description === "string") model.description = r.description;
      return model;
    });
}

function methodCount(item: Record<string, unknown>): number {
  return METHODS.filter((m) => isObj(item[m])).length;
}

/** Name scopes of one group of operations served together (the API, or its webhooks and callbacks). */
class OperationGroup {
  readonly operations: OperationModel[] = [];
  readonly handlerNames = new Map<string, string>();
  readonly handlerScope = new NameScope();
  /** What each operation's endpoint name is made from, named once the whole group is known (`endpointNames`). */
  readonly claims: (EndpointClaim & { label: string })[] = [];
}

interface OperationSource {
  kind: OperationModel["kind"];
  /** `paths` or `webhooks` of the types module. */
  typeRoot: OperationModel["typeRoot"];
  /** Key under typeRoot: the path, the webhook name, or the hoisted callback key. */
  typeKey: string;
  /** Path template (paths), webhook name, or callback expression. */
  path: string;
  item: Record<string, unknown>;
  /** Pointer of the path item, as tokens. */
  at: (string | number)[];
  /** Words for a name when an operation has no operationId. */
  words: (method: string) => string[];
}

class ModelBuilder {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  readonly typeNames = new NameScope();
  readonly api = new OperationGroup();
  readonly hooks = new OperationGroup();
  /** Callback path items, hoisted into the types module's `webhooks` under their type keys. */
  readonly callbackItems: Record<string, unknown> = {};

  /** Operation name overrides not yet matched by an operation. */
  readonly unusedNames: Set<string>;

  constructor(
    private readonly doc: OpenApiDocument,
    private readonly file: string,
    private readonly names: Record<string, string> = {},
  ) {
    this.unusedNames = new Set(Object.keys(names));
  }

  /** The user's name for an operation, by operationId first, then by `METHOD path`. */
  nameOverride(operationId: string | undefined, method: string, path: string): string | undefined {
    for (const key of [operationId, `${method.toUpperCase()} ${path}`]) {
      if (key !== undefined && Object.hasOwn(this.names, key)) {
        this.unusedNames.delete(key);
        return this.names[key];
      }
    }
    return undefined;
  }

  addPathItem(group: OperationGroup, source: OperationSource): void {
    const { doc } = this;
    const item = source.item;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const pointer = pointerOf(...source.at, method);
      const operationId = typeof op.operationId === "string" && op.operationId.trim() ? op.operationId : undefined;
      const chosenName = this.nameOverride(operationId, method, source.path);
      const nameSource = chosenName ?? operationId ?? source.words(method).join(" ");
      const label = `${method.toUpperCase()} ${source.path}${operationId ? ` (operationId ${JSON.stringify(operationId)})` : ""}`;
      const override = op["x-symphony-endpoint"];
      const chosen = typeof override === "string" ? override : operationId;
      const key = chosen ?? `${method.toUpperCase()} ${source.typeKey}`;
      group.claims.push({ ...(chosen === undefined ? {} : { chosen }), derived: source.words(method).join("_"), key, label });
      // Handler names only need to be unique within their interface: a clash (e.g. `get-pet` and `get_pet`,
      // whose endpoints differ) gets a numeric suffix instead of failing.
      const baseHandlerName = camelCase(nameSource);
      const handlerName = group.handlerScope.claim(baseHandlerName);
      if (handlerName !== baseHandlerName) {
        this.warnings.push({
          severity: "warning",
          file: this.file,
          pointer,
          message: `Handler name "${baseHandlerName}" of ${label} is also used by ${group.handlerNames.get(baseHandlerName)}; using "${handlerName}"`,
        });
      }
      group.handlerNames.set(handlerName, label);
      if (!operationId && chosenName === undefined && source.kind === "operation") {
        this.warnings.push({
          severity: "warning",
          file: this.file,
          pointer,
          message: `Operation has no operationId; using the generated name "${handlerName}"`,
        });
      }

      const byKey = new Map<string, ParameterModel>();
      const declared = [
        ...shared.map((p, i) => [p, pointerOf(...source.at, "parameters", i)] as const),
        ...(Array.isArray(op.parameters) ? op.parameters : []).map((p, i) => [p, pointerOf(...source.at, method, "parameters", i)] as const),
      ];
      for (const [raw, at] of declared) {
        const param = parameterModel(doc, raw, at, this.errors);
        if (param) byKey.set(`${param.in}:${param.in === "header" ? param.name.toLowerCase() : param.name}`, param);
      }
      // Header names the transport owns are not parameters (OpenAPI: Accept, Content-Type, Authorization are ignored).
      const parameters = [...byKey.values()].filter((p) => !(p.in === "header" && /^(accept|content-type|authorization)$/i.test(p.name)));

      const body = resolveRef(doc, op.requestBody);
      const model: OperationModel = {
        kind: source.kind,
        handlerName,
        typeName: this.typeNames.claim(safeTypeName(nameSource)),
        endpoint: "", // named with the whole group (nameEndpoints)
        method: method.toUpperCase(),
        path: source.path,
        typeRoot: source.typeRoot,
        typeKey: source.typeKey,
        deprecated: op.deprecated === true,
        parameters,
        responses: responseModels(doc, op.responses),
        pointer,
      };
      if (operationId) model.operationId = operationId;
      if (parameters.length < byKey.size) model.transportHeaders = true;
      if (op["x-symphony-idempotent"] === true) model.idempotent = true;
      if (typeof op.summary === "string") model.summary = op.summary;
      if (typeof op.description === "string") model.description = op.description;
      if (isObj(body)) {
        model.requestBody = { required: body.required === true, content: mediaModels(doc, body.content) };
        if (typeof body.description === "string") model.requestBody.description = body.description;
      }
      group.operations.push(model);
      if (source.kind === "operation" && isObj(op.callbacks)) this.addCallbacks(model, op.callbacks, [...source.at, method]);
    }
  }

  /** Endpoint names of a group, once all of it is known: a name never depends on declaration order (`endpointNames`). */
  nameEndpoints(group: OperationGroup): void {
    const { names, suffixed, duplicates } = endpointNames(group.claims);
    group.operations.forEach((op, i) => (op.endpoint = names[i]!));
    const diagnostic = (severity: Diagnostic["severity"], index: number, message: string) =>
      (severity === "error" ? this.errors : this.warnings).push({ severity, file: this.file, pointer: group.operations[index]!.pointer, message });
    for (const [first, second] of duplicates) {
      const { chosen, label } = group.claims[second]!;
      const name = JSON.stringify(chosen ?? group.operations[second]!.endpoint);
      diagnostic(
        "error",
        second,
        `Endpoint name ${name} of ${label} is also used by ${group.claims[first]!.label}; endpoint names must be unique (set a distinct operationId or x-symphony-endpoint)`,
      );
    }
    for (const { index, base, rivals } of suffixed) {
      const others = rivals.map((j) => group.claims[j]!.label).join(", ");
      diagnostic(
        "warning",
        index,
        `Endpoint name "${base}" of ${group.claims[index]!.label} is also wanted by ${others}; using "${group.operations[index]!.endpoint}" (x-symphony-endpoint chooses another)`,
      );
    }
  }

  /** Each callback expression is a path item of requests the API sends; typed like webhooks. */
  addCallbacks(parent: OperationModel, callbacks: Record<string, unknown>, at: (string | number)[]): void {
    for (const [name, rawCallback] of Object.entries(callbacks)) {
      const callback = resolveRef(this.doc, rawCallback);
      if (!isObj(callback)) continue;
      for (const [expression, rawItem] of Object.entries(callback)) {
        const item = resolveRef(this.doc, rawItem);
        if (!isObj(item)) continue;
        const typeKey = `${parent.handlerName}.${name}.${expression}`;
        this.callbackItems[typeKey] = item;
        this.addPathItem(this.hooks, {
          kind: "callback",
          typeRoot: "webhooks",
          typeKey,
          path: expression,
          item,
          at: [...at, "callbacks", name, expression],
          words: (method) => (methodCount(item) === 1 ? [parent.handlerName, name] : [parent.handlerName, name, method]),
        });
      }
    }
  }
}

export function buildModel(loaded: LoadedSpec, options: { naming?: NamingOptions } = {}): ApiModel {
  const doc = loaded.document;
  hoistInternalTargets(doc);
  const builder = new ModelBuilder(doc, loaded.file, options.naming?.operations);
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = resolveRef(doc, rawItem);
    if (!isObj(item)) continue;
    builder.addPathItem(builder.api, {
      kind: "operation",
      typeRoot: "paths",
      typeKey: path,
      path,
      item,
      at: ["paths", path],
      words: (method) => pathWords(method, path),
    });
  }
  const webhooks = isObj(doc.webhooks) ? doc.webhooks : {};
  for (const [name, rawItem] of Object.entries(webhooks)) {
    const item = resolveRef(doc, rawItem);
    if (!isObj(item)) continue;
    builder.addPathItem(builder.hooks, {
      kind: "webhook",
      typeRoot: "webhooks",
      typeKey: name,
      path: name,
      item,
      at: ["webhooks", name],
      words: (method) => (methodCount(item) === 1 ? [name] : [name, method]),
    });
  }
  builder.nameEndpoints(builder.api);
  builder.nameEndpoints(builder.hooks);
  const { errors } = builder;
  const unmatched = [...builder.unusedNames].map((key): Diagnostic => ({
    severity: "warning",
    message: `naming.operations: ${JSON.stringify(key)} matches no operation (by operationId, or as "METHOD /path"); the override is unused`,
  }));
  const warnings = [...loaded.warnings, ...builder.warnings, ...unmatched];
  const found = [...errors, ...builder.warnings];
  for (const d of found) d.file ||= loaded.file;
  const unplaced = found.filter((d) => d.line === undefined && d.file === loaded.file && d.pointer);
  locatePointers(
    loaded.file,
    unplaced.map((d) => d.pointer!),
  ).forEach((position, i) => Object.assign(unplaced[i]!, position ?? {}));
  for (const d of found) d.file = displayPath(d.file!);
  if (errors.length > 0) throw new SpecError(errors);

  const info = doc.info ?? { title: "", version: "" };
  return {
    title: info.title,
    serviceName: serviceName(info.title ?? ""),
    version: String(info.version ?? ""),
    serviceVersion: semverVersion(String(info.version ?? "")),
    description: typeof info.description === "string" ? info.description : (info.title ?? ""),
    openapiVersion: loaded.openapiVersion,
    operations: builder.api.operations,
    webhooks: builder.hooks.operations,
    callbackItems: builder.callbackItems,
    schemas: (doc.components?.schemas ?? {}) as Record<string, JsonSchema>,
    document: doc,
    sourceFile: loaded.file,
    warnings,
  };
}

export type Visibility = "readOnly" | "writeOnly";

/** Keywords whose value is a map of subschemas (one or a list of them: SUBSCHEMA_ONE, SUBSCHEMA_LISTS in ./walk.ts). */
const SUBSCHEMA_MAPS = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs"];

/** What the index finds under a schema: the visibility keywords, and `mistyped` (see `mistyped()`) anywhere. */
type Trait = Visibility | "mistyped";

interface LocalVisibility {
  readOnly: boolean;
  writeOnly: boolean;
  mistyped: boolean;
  refs: string[];
}

/**
 * Schema nodes whose openapi-typescript type does not hold every value the zod emitter's schema
 * accepts (both are fixed by their own rules; checked against openapi-typescript 7):
 * a binary string (`Uint8Array`, checked as a string), a tuple (`prefixItems` or an `items` list:
 * a fixed-length tuple, checked with optional items and a rest), a `$ref` with `nullable` beside
 * it (the type ignores it, 3.0 decoding allows null), `patternProperties` (an index signature over
 * every key, checked only on matching keys), `$defs` (typed as a property), and an object without
 * properties, additional or pattern properties or composition (`Record<string, never>`, while any
 * property is accepted; unless `additionalProperties: false`).
 */
function mistypedNode(node: Obj): boolean {
  if (node.type === "string" && node.format === "binary") return true;
  if (Array.isArray(node.prefixItems) || Array.isArray(node.items)) return true;
  if (typeof node.$ref === "string" && node.nullable === true) return true;
  if (isObj(node.patternProperties) || node.$defs !== undefined) return true;
  const isObjectType = node.type === "object" || (Array.isArray(node.type) && node.type.includes("object"));
  if (!isObjectType || node.additionalProperties === false) return false;
  const hasProperties = isObj(node.properties) && Object.keys(node.properties).length > 0;
  const composed = ["allOf", "anyOf", "oneOf"].some((k) => Array.isArray(node[k]) && (node[k] as unknown[]).length > 0);
  return !hasProperties && !node.additionalProperties && !composed && !Array.isArray(node.enum);
}

/**
 * Which schemas hold readOnly / writeOnly properties somewhere (through `$ref`s, cycles included).
 * A property counts when its own schema carries the keyword (not both), as openapi-typescript
 * decides where `$Read<T>` / `$Write<T>` go: the types and the decoders agree on one rule.
 */
export class VisibilityIndex {
  #local = new WeakMap<object, LocalVisibility>();
  #settled = { readOnly: new Map<string, boolean>(), writeOnly: new Map<string, boolean>(), mistyped: new Map<string, boolean>() };

  constructor(private readonly document: unknown) {}

  /** Whether the schema or anything it references declares a property with the keyword. */
  has(schema: unknown, keyword: Visibility): boolean {
    return this.#has(schema, keyword);
  }

  /**
   * Whether the schema or anything it references has a node whose types.ts type (openapi-typescript's)
   * misses values the schema accepts (`mistypedNode`): a parse of it cannot be typed honestly.
   */
  mistyped(schema: unknown): boolean {
    return this.#has(schema, "mistyped");
  }

  #has(schema: unknown, trait: Trait): boolean {
    if (!isObj(schema)) return false;
    const local = this.#scan(schema);
    return local[trait] || this.#reaches(local.refs, trait);
  }

  /** Either keyword: the type then needs `Readable`/`Writable` to drop or unwrap markers. */
  marked(schema: unknown): boolean {
    return this.has(schema, "readOnly") || this.has(schema, "writeOnly");
  }

  /** Whether the schema itself marks this property (as openapi-typescript does). */
  static property(schema: unknown, keyword: Visibility): boolean {
    const other = keyword === "readOnly" ? "writeOnly" : "readOnly";
    return isObj(schema) && schema[keyword] === true && schema[other] !== true;
  }

  /** Depth-first over the references; a search that finds nothing settles every ref it visited. */
  #reaches(start: string[], keyword: Trait): boolean {
    const settled = this.#settled[keyword];
    const visited = new Set<string>();
    const stack = [...start];
    while (stack.length > 0) {
      const ref = stack.pop()!;
      if (visited.has(ref)) continue;
      const known = settled.get(ref);
      if (known === true) return true;
      if (known === false) continue;
      visited.add(ref);
      const target = ref.startsWith("#") ? getPointer(this.document, ref) : undefined;
      if (!isObj(target)) continue;
      const local = this.#scan(target);
      if (local[keyword]) {
        settled.set(ref, true);
        return true;
      }
      stack.push(...local.refs);
    }
    for (const ref of visited) settled.set(ref, false);
    return false;
  }

  /** The schema's own subtree, up to `$ref`s (and discriminator mappings, which the decoders follow). */
  #scan(schema: Obj): LocalVisibility {
    let local = this.#local.get(schema);
    if (local) return local;
    local = { readOnly: false, writeOnly: false, mistyped: false, refs: [] };
    this.#local.set(schema, local);
    const found = local;
    const visit = (node: unknown, isProperty: boolean): void => {
      if (!isObj(node)) return;
      if (isProperty) {
        found.readOnly ||= VisibilityIndex.property(node, "readOnly");
        found.writeOnly ||= VisibilityIndex.property(node, "writeOnly");
      }
      found.mistyped ||= mistypedNode(node);
      if (typeof node.$ref === "string") found.refs.push(node.$ref);
      const d = node.discriminator;
      if (isObj(d) && isObj(d.mapping)) {
        for (const target of Object.values(d.mapping)) {
          if (typeof target === "string") found.refs.push(mappingRef(target));
        }
      }
      for (const key of SUBSCHEMA_ONE) visit(node[key], false);
      for (const key of SUBSCHEMA_LISTS) if (Array.isArray(node[key])) for (const item of node[key] as unknown[]) visit(item, false);
      for (const key of SUBSCHEMA_MAPS)
        if (isObj(node[key])) for (const item of Object.values(node[key] as Obj)) visit(item, key === "properties" || key === "$defs");
    };
    visit(schema, false);
    return local;
  }
}

const indexes = new WeakMap<object, VisibilityIndex>();

/** One index per document, shared by the emitters. */
export function visibilityIndex(document: object): VisibilityIndex {
  let index = indexes.get(document);
  if (!index) indexes.set(document, (index = new VisibilityIndex(document)));
  return index;
}

/** Whether any schema of the document marks a property readOnly or writeOnly (types then carry markers). */
export function usesVisibility(document: unknown): boolean {
  return findObject(document, (node) => {
    const props = (node as Obj).properties;
    return isObj(props) && Object.values(props).some((p) => VisibilityIndex.property(p, "readOnly") || VisibilityIndex.property(p, "writeOnly"));
  });
}
