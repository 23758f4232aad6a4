/**
 * The inverse of params.ts: typed parameter values → the strings of a REST
 * envelope, per OpenAPI style/explode. Used by the typed client.
 */
import type { ParamSpec } from "../serve/parameters.js";

type Value = unknown;

const scalar = (v: Value): string => (typeof v === "string" ? v : v === null ? "null" : typeof v === "object" ? JSON.stringify(v) : String(v));

const isRecord = (v: Value): v is Record<string, Value> => typeof v === "object" && v !== null && !Array.isArray(v);

function entries(v: Record<string, Value>): [string, string][] {
  return Object.entries(v)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => [k, scalar(x)]);
}

/** simple/label/matrix/header/cookie serialisation of one value (without the `name=` of form). */
function joined(value: Value, explode: boolean, separator: string): string {
  if (Array.isArray(value)) return value.map(scalar).join(explode ? separator : ",");
  if (isRecord(value)) {
    const pairs = entries(value);
    return explode ? pairs.map(([k, v]) => `${k}=${v}`).join(separator) : pairs.flat().join(",");
  }
  return scalar(value);
}

export interface SerializedParams {
  pathParams: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  cookies: string[];
}

export function serializeParam(spec: ParamSpec, value: Value, out: SerializedParams): void {
  if (value === undefined) return;
  if (spec.json) {
    const text = JSON.stringify(value);
    if (spec.in === "path") out.pathParams[spec.name] = text;
    else if (spec.in === "query") out.query[spec.name] = text;
    else if (spec.in === "header") out.headers[spec.name.toLowerCase()] = text;
    else out.cookies.push(`${spec.name}=${encodeURIComponent(text)}`);
    return;
  }
  switch (spec.in) {
    case "path": {
      const explode = spec.explode ?? false;
      const style = spec.style ?? "simple";
      if (style === "label") out.pathParams[spec.name] = "." + joined(value, explode, ".");
      else if (style === "matrix") {
        if (Array.isArray(value) && explode) out.pathParams[spec.name] = value.map((v) => `;${spec.name}=${scalar(v)}`).join("");
        else if (isRecord(value) && explode) out.pathParams[spec.name] = entries(value).map(([k, v]) => `;${k}=${v}`).join("");
        else out.pathParams[spec.name] = `;${spec.name}=${joined(value, false, ",")}`;
      } else out.pathParams[spec.name] = joined(value, explode, ",");
      return;
    }
    case "header":
      out.headers[spec.name.toLowerCase()] = joined(value, spec.explode ?? false, ",");
      return;
    case "cookie":
      out.cookies.push(`${spec.name}=${encodeURIComponent(joined(value, false, ","))}`);
      return;
    case "query": {
      const style = spec.style ?? "form";
      const explode = spec.explode ?? style === "form";
      if (style === "deepObject" && isRecord(value)) {
        for (const [k, v] of entries(value)) out.query[`${spec.name}[${k}]`] = v;
      } else if (Array.isArray(value)) {
        const delimiter = style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ",";
        out.query[spec.name] = explode ? value.map(scalar) : value.map(scalar).join(delimiter);
      } else if (isRecord(value)) {
        if (explode) for (const [k, v] of entries(value)) out.query[k] = v;
        else out.query[spec.name] = entries(value).flat().join(",");
      } else out.query[spec.name] = scalar(value);
      return;
    }
  }
}

/** `/pets/{id}` with path params filled in, percent-encoded. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? encodeURIComponent(params[name]!).replace(/%(2C|3B|3D|2E)/gi, (m) => decodeURIComponent(m)) : whole,
  );
}

export function queryString(query: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const item of Array.isArray(v) ? v : [v]) search.append(k, item);
  const text = search.toString();
  return text ? "?" + text : "";
}
