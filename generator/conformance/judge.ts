/**
 * Judging one answer against the spec. Valid requests: no 5xx, a declared status (exact, `4XX`,
 * `default`), a declared content type, a body valid against the declared schema, the declared
 * required headers. Invalid requests: a 4xx problem+json (runtime/serve/issues.ts) whose `errors`
 * name the broken parameter (`in` + `name`) or body field (`pointer`, or one under it).
 */
import { baseMediaType, coerceScalar, matchMediaType } from "@symphony-codegen/runtime";
import { valueShape } from "../emit/shape.js";
import type { ResponseModel } from "../model.js";
import type { ConformanceApi, ConformanceOp } from "./api.js";
import type { Field } from "./plan.js";
import type { Answer } from "./send.js";

/** What a failure is about: the JUnit report has one testcase per operation and check. */
export const CHECKS = ["answer", "server-error", "status", "content-type", "body-schema", "headers", "validation", "links"] as const;
export type Check = (typeof CHECKS)[number];

export interface Failure {
  check: Check;
  reason: string;
}

const PROBLEM_JSON = "application/problem+json";
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The response the spec declares for a status: exact, then `4XX`, then `default`. */
export function declaredResponse(op: ConformanceOp, status: number): ResponseModel | undefined {
  const r = op.model.responses;
  return r.find((x) => x.key === String(status)) ?? r.find((x) => x.key === `${String(status)[0]}XX`) ?? r.find((x) => x.key === "default");
}

const short = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 160 ? text.slice(0, 160) + "…" : text;
};

/** Where the answer departs from the spec, for a request that was valid. */
export function judgeValid(api: ConformanceApi, op: ConformanceOp, a: Answer): Failure[] {
  const declared = op.model.responses.map((r) => r.key).join(", ") || "none";
  if (a.status >= 500) return [{ check: "server-error", reason: `${a.status} ${problemDetail(a.body)}` }];
  const response = declaredResponse(op, a.status);
  if (!response)
    return [{ check: "status", reason: `status ${a.status} is not declared (declared: ${declared})${a.status >= 400 ? `: ${problemDetail(a.body)}` : ""}` }];
  const failures: Failure[] = [];
  const empty = a.body === undefined || a.body === null || a.body === "";
  if (response.content.length === 0) {
    if (!empty) failures.push({ check: "content-type", reason: `${a.status} declares no content, got ${a.contentType ?? "a body"}: ${short(a.body)}` });
  } else if (!empty || a.contentType) {
    const matched = matchMediaType(
      response.content.map((m) => m.contentType),
      a.contentType ?? "",
    );
    const media =
      matched && baseMediaType(matched) === baseMediaType(a.contentType ?? "")
        ? response.content.find((m) => m.contentType === matched)
        : wildcard(response, a.contentType);
    if (!media)
      failures.push({
        check: "content-type",
        reason: `${a.status} ${a.contentType ?? "(no content type)"} is not declared (declared: ${response.content.map((m) => m.contentType).join(", ")})`,
      });
    // JSON bodies, and text ones (against a string schema), are checked; bytes are not.
    else if (media.schema !== undefined && (/json/i.test(media.contentType) || (/^text\//i.test(media.contentType) && typeof a.body === "string"))) {
      const validate = api.reference.validator(media.schema);
      if (!validate(a.body)) {
        const e = validate.errors?.[0];
        failures.push({
          check: "body-schema",
          reason: `${a.status} body ${e ? `at "${e.instancePath}" ${e.message}` : "does not match the schema"}: ${short(a.body)}`,
        });
      }
    }
  }
  for (const h of response.headers) {
    const value = a.headers[h.name.toLowerCase()];
    if (value === undefined) {
      if (h.required) failures.push({ check: "headers", reason: `${a.status} lacks the required header ${h.name}` });
      continue;
    }
    // Scalar headers are read as the runtime reads a header parameter: coerced by the schema's types.
    const shape = h.schema === undefined ? undefined : valueShape(api.model.document, h.schema);
    if (!shape || h.name.toLowerCase() === "content-type" || shape.types?.some((t) => t === "array" || t === "object")) continue;
    if (!api.reference.validator(h.schema)(coerceScalar(value, shape)))
      failures.push({ check: "headers", reason: `${a.status} header ${h.name}: ${JSON.stringify(value)} does not match its schema` });
  }
  return failures;
}

/** A declared `*` or `type/*` media type matching the answer's, if any. */
function wildcard(response: ResponseModel, contentType: string | undefined) {
  const base = baseMediaType(contentType ?? "");
  return response.content.find((m) => m.contentType === "*/*" || (m.contentType.endsWith("/*") && base.startsWith(m.contentType.slice(0, -1))));
}

function problemDetail(body: unknown): string {
  if (isObj(body)) return typeof body.detail === "string" ? body.detail : typeof body.title === "string" ? body.title : short(body);
  return short(body);
}

/** Whether a problem's error entry names the field. */
function names(e: unknown, field: Field): boolean {
  if (!isObj(e) || e.in !== field.in) return false;
  if (field.in === "body") {
    const pointer = typeof e.pointer === "string" ? e.pointer : "";
    return field.pointer === "" || pointer === field.pointer || pointer.startsWith(field.pointer + "/");
  }
  const name = typeof e.name === "string" ? e.name : "";
  const same = (a: string, b: string) => (field.in === "header" ? a.toLowerCase() === b.toLowerCase() : a === b);
  return same(name, field.name) || name.startsWith(field.name + ".") || name.startsWith(field.name + "[");
}

const fieldText = (f: Field) => (f.in === "body" ? `body field ${f.pointer === "" ? "(the body)" : f.pointer}` : `${f.in} parameter ${f.name}`);

/** Where the answer to an invalid request falls short: it must be a 4xx problem naming the field. */
export function judgeInvalid(op: ConformanceOp, a: Answer, field: Field): Failure[] {
  if (a.status >= 500) return [{ check: "server-error", reason: `${a.status} for an invalid ${fieldText(field)}: ${problemDetail(a.body)}` }];
  if (a.status < 400) return [{ check: "validation", reason: `accepted an invalid ${fieldText(field)} with ${a.status}` }];
  if (baseMediaType(a.contentType ?? "") !== PROBLEM_JSON) {
    // A handler's own 4xx in a media type the spec declares for it (petstore's Error) is its answer to give.
    const declared = declaredResponse(op, a.status)?.content.some((m) => baseMediaType(m.contentType) === baseMediaType(a.contentType ?? ""));
    return declared
      ? []
      : [{ check: "validation", reason: `${a.status} for an invalid ${fieldText(field)} is ${a.contentType ?? "untyped"}, not ${PROBLEM_JSON}` }];
  }
  const errors = isObj(a.body) && Array.isArray(a.body.errors) ? a.body.errors : [];
  if (!errors.some((e) => names(e, field)))
    return [{ check: "validation", reason: `${a.status} problem does not name the invalid ${fieldText(field)} (errors: ${short(errors)})` }];
  return [];
}
