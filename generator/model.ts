/**
 * Model: the small intermediate form every emitter reads. Built once from the
 * bundled document; `$ref`s to parameters, bodies, responses, headers and path
 * items are resolved here, schema `$ref`s are kept for the schema emitter.
 */
import { displayPath, locate, SpecError, pointerOf, type Diagnostic } from "./diagnostics.js";
import type { LoadedSpec, OpenApiDocument } from "./load.js";
import { camelCase, NameScope, safeTypeName } from "./names.js";
import { endpointName, semverVersion, serviceName } from "../runtime/names.js";

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
  operationId?: string;
  /** Method name on `Handlers` (camelCase). */
  handlerName: string;
  /** Prefix of the generated types and builder (PascalCase). */
  typeName: string;
  /** NATS endpoint name. */
  endpoint: string;
  /** Upper case HTTP method. */
  method: string;
  path: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  parameters: ParameterModel[];
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
  /** `components.schemas`, by name. */
  schemas: Record<string, JsonSchema>;
  /** The bundled document, opaque to emitters except the types emitter and the spec embedder. */
  document: OpenApiDocument;
  sourceFile: string;
  warnings: Diagnostic[];
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
  const tokens = ref.replace(/^#\/?/, "");
  if (tokens === "") return doc;
  let node: unknown = doc;
  for (const raw of tokens.split("/")) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
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
    schema: (content ? (content[1] as Obj)?.schema : p.schema) as JsonSchema ?? {},
    deprecated: p.deprecated === true,
  };
  if (content) model.contentType = content[0];
  if (typeof p.description === "string") model.description = p.description;
  return model;
}

function mediaModels(content: unknown): MediaModel[] {
  if (!isObj(content)) return [];
  return Object.entries(content).map(([contentType, media]) => {
    const m: MediaModel = { contentType };
    if (isObj(media) && media.schema !== undefined) m.schema = media.schema as JsonSchema;
    return m;
  });
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
      const model: ResponseModel = { key: key === "default" ? key : key.toUpperCase(), content: mediaModels(r.content), headers };
      if (typeof r.description === "string") model.description = r.description;
      return model;
    });
}

/** `GET /pets/{id}` → ["get", "pets", "by", "id"]: a deterministic name when operationId is missing. */
function syntheticWords(method: string, path: string): string[] {
  const out = [method];
  for (const segment of path.split("/").filter(Boolean)) {
    const param = /^\{(.+)\}$/.exec(segment);
    if (param) out.push("by", param[1]!);
    else out.push(segment);
  }
  return out;
}

export function buildModel(loaded: LoadedSpec): ApiModel {
  const doc = loaded.document;
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [...loaded.warnings];
  const operations: OperationModel[] = [];
  const handlerNames = new Map<string, string>();
  const handlerScope = new NameScope();
  const endpoints = new Map<string, string>();
  const typeNames = new NameScope();

  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = resolveRef(doc, rawItem);
    if (!isObj(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const pointer = pointerOf("paths", path, method);
      const operationId = typeof op.operationId === "string" && op.operationId.trim() ? op.operationId : undefined;
      const nameSource = operationId ?? syntheticWords(method, path).join(" ");
      const label = `${method.toUpperCase()} ${path}${operationId ? ` (operationId ${JSON.stringify(operationId)})` : ""}`;
      const override = op["x-symphony-endpoint"];
      const endpoint = typeof override === "string" ? endpointName(override) : endpointName(operationId ?? syntheticWords(method, path).join("_"));
      const otherEndpoint = endpoints.get(endpoint);
      if (otherEndpoint) {
        errors.push({
          severity: "error",
          file: loaded.file,
          pointer,
          message: `Endpoint name "${endpoint}" of ${label} is also used by ${otherEndpoint}; endpoint names must be unique (set a distinct operationId or x-symphony-endpoint)`,
        });
      } else endpoints.set(endpoint, label);
      // Handler names only need to be unique within `Handlers`: a clash (e.g. `get-pet` and `get_pet`,
      // whose endpoints differ) gets a numeric suffix instead of failing.
      const baseHandlerName = camelCase(nameSource);
      const handlerName = handlerScope.claim(baseHandlerName);
      if (handlerName !== baseHandlerName) {
        warnings.push({
          severity: "warning",
          file: loaded.file,
          pointer,
          message: `Handler name "${baseHandlerName}" of ${label} is also used by ${handlerNames.get(baseHandlerName)}; using "${handlerName}"`,
        });
      }
      handlerNames.set(handlerName, label);
      if (!operationId) {
        warnings.push({ severity: "warning", file: loaded.file, pointer, message: `Operation has no operationId; using the generated name "${handlerName}"` });
      }

      const byKey = new Map<string, ParameterModel>();
      const declared = [...shared.map((p, i) => [p, pointerOf("paths", path, "parameters", i)] as const), ...(Array.isArray(op.parameters) ? op.parameters : []).map((p, i) => [p, pointerOf("paths", path, method, "parameters", i)] as const)];
      for (const [raw, at] of declared) {
        const param = parameterModel(doc, raw, at, errors);
        if (param) byKey.set(`${param.in}:${param.in === "header" ? param.name.toLowerCase() : param.name}`, param);
      }
      // Header names the transport owns are not parameters (OpenAPI: Accept, Content-Type, Authorization are ignored).
      const parameters = [...byKey.values()].filter((p) => !(p.in === "header" && /^(accept|content-type|authorization)$/i.test(p.name)));

      const body = resolveRef(doc, op.requestBody);
      const model: OperationModel = {
        handlerName,
        typeName: typeNames.claim(safeTypeName(nameSource)),
        endpoint,
        method: method.toUpperCase(),
        path,
        deprecated: op.deprecated === true,
        parameters,
        responses: responseModels(doc, op.responses),
        pointer,
      };
      if (operationId) model.operationId = operationId;
      if (typeof op.summary === "string") model.summary = op.summary;
      if (typeof op.description === "string") model.description = op.description;
      if (isObj(body)) {
        model.requestBody = { required: body.required === true, content: mediaModels(body.content) };
        if (typeof body.description === "string") model.requestBody.description = body.description;
      }
      operations.push(model);
    }
  }
  for (const d of [...errors, ...warnings.slice(loaded.warnings.length)]) {
    d.file ||= loaded.file;
    if (d.line === undefined && d.file === loaded.file && d.pointer) Object.assign(d, locate(loaded.file, d.pointer) ?? {});
    d.file = displayPath(d.file);
  }
  if (errors.length > 0) throw new SpecError(errors);

  const info = doc.info ?? { title: "", version: "" };
  return {
    title: info.title,
    serviceName: serviceName(info.title ?? ""),
    version: String(info.version ?? ""),
    serviceVersion: semverVersion(String(info.version ?? "")),
    description: typeof info.description === "string" ? info.description : info.title ?? "",
    openapiVersion: loaded.openapiVersion,
    operations,
    schemas: (doc.components?.schemas ?? {}) as Record<string, JsonSchema>,
    document: doc,
    sourceFile: loaded.file,
    warnings,
  };
}
