/**
 * OpenAPI `links`: a response's links name a follow-up operation and where its parameters (and
 * body) come from, as runtime expressions (`$response.body#/id`, `$request.path.id`, a constant).
 * After a 2xx whose response declares links, the test runs each follow-up with those values (the
 * rest drawn valid): create → get → delete, where the spec says so.
 */
import type { ClientInput } from "@symphony-codegen/runtime";
import { getPointer, resolveRef } from "../model.js";
import type { ConformanceApi, ConformanceOp } from "./api.js";
import { declaredResponse } from "./judge.js";
import type { Answer } from "./send.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const BAG = { path: "path", query: "query", header: "headers", cookie: "cookies" } as const;

export interface Link {
  name: string;
  target: ConformanceOp;
  parameters: Record<string, unknown>;
  requestBody?: unknown;
}

/** The links the response for `status` declares, each with the operation it names (unknown ones are warned about). */
export function linksOf(api: ConformanceApi, op: ConformanceOp, status: number, warn: (m: string) => void): Link[] {
  const response = declaredResponse(op, status);
  if (!response) return [];
  const doc = api.model.document;
  const raw = resolveRef<Obj>(doc, getPointer(doc, `${op.model.pointer}/responses/${response.key === "default" ? "default" : rawKey(api, op, response.key)}`));
  if (!isObj(raw) || !isObj(raw.links)) return [];
  const out: Link[] = [];
  for (const [name, value] of Object.entries(raw.links)) {
    const link = resolveRef<Obj>(doc, value);
    if (!isObj(link)) continue;
    const target = api.ops.find((o) => o.model.operationId === link.operationId);
    if (!target) {
      warn(
        `${op.id}: link ${name} names ${JSON.stringify(link.operationId ?? link.operationRef)}, which is not an operation of this spec (operationRef is not followed)`,
      );
      continue;
    }
    out.push({ name, target, parameters: isObj(link.parameters) ? link.parameters : {}, ...("requestBody" in link ? { requestBody: link.requestBody } : {}) });
  }
  return out;
}

/** The response key as the document spells it (the model upper-cases `2xx`). */
function rawKey(api: ConformanceApi, op: ConformanceOp, key: string): string {
  const responses = getPointer(api.model.document, `${op.model.pointer}/responses`);
  return (isObj(responses) ? Object.keys(responses).find((k) => k.toUpperCase() === key) : undefined) ?? key;
}

/** A runtime expression's value given the request sent and the answer received; constants are themselves. */
export function evaluate(expression: unknown, request: ClientInput, answer: Answer): unknown {
  if (typeof expression !== "string" || !expression.startsWith("$")) return expression;
  const body = /^\$(request|response)\.body(?:#(.*))?$/.exec(expression);
  if (body) {
    const value = body[1] === "request" ? request.body : answer.body;
    return body[2] ? getPointer(value, `#${body[2]}`) : value;
  }
  const param = /^\$request\.(path|query|header)\.(.+)$/.exec(expression);
  if (param) return (request[BAG[param[1] as "path" | "query" | "header"]] as Obj | undefined)?.[param[2]!];
  const header = /^\$response\.header\.(.+)$/.exec(expression);
  if (header) return answer.headers[header[1]!.toLowerCase()];
  if (expression === "$statusCode") return answer.status;
  return undefined;
}

/** The follow-up's input: drawn valid, then the link's parameters (`name` or `in.name`) and body set. */
export function followUpInput(link: Link, drawn: ClientInput, request: ClientInput, answer: Answer): ClientInput {
  const input: ClientInput = {
    path: { ...drawn.path },
    query: { ...drawn.query },
    headers: { ...drawn.headers },
    cookies: { ...drawn.cookies },
    body: drawn.body,
  };
  for (const [key, expression] of Object.entries(link.parameters)) {
    const qualified = /^(path|query|header|cookie)\.(.+)$/.exec(key);
    const p = link.target.model.parameters.find((x) => (qualified ? x.in === qualified[1] && x.name === qualified[2] : x.name === key));
    if (p) (input[BAG[p.in]] as Obj)[p.name] = evaluate(expression, request, answer);
  }
  if ("requestBody" in link) input.body = evaluate(link.requestBody, request, answer);
  return input;
}
