/**
 * The fuzz oracle: what every answer must be, whatever the request was (docs/reliability.md).
 * - exactly one answer, in time (else: lost);
 * - over NATS a wrapped reply (`body`, `statuscode` 100–599, nothing else unknown), since generated
 *   endpoints always wrap;
 * - no 5xx, except the statuses an operation returns by design (FuzzTarget.designed5xx) and the
 *   documented 502 for a reply over NATS max_payload;
 * - a 4xx is problem+json with its status, and a 400's `errors` name each field (`name` for a
 *   parameter, `pointer` for the body).
 */
import { REPLY_TOO_LARGE } from "@symphony-codegen/runtime/internal/serve/serve.js";
import type { FuzzCase } from "./cases.js";

export const OUTCOMES = ["2xx", "3xx", "4xx", "5xx-designed", "5xx", "lost", "bad-reply", "bad-4xx", "unsent"] as const;
export type OutcomeClass = (typeof OUTCOMES)[number];

export interface Outcome {
  cls: OutcomeClass;
  status?: number;
  /** Why the class is a failure (what a finding is grouped by), or a short description of the answer. */
  detail: string;
}

/** Outcome classes that fail a run. */
export const FAILURES: ReadonlySet<OutcomeClass> = new Set(["5xx", "lost", "bad-reply", "bad-4xx", "unsent"]);

const PROBLEM_JSON = "application/problem+json";
const WRAPPED_KEYS = new Set(["body", "statuscode", "contenttype", "headers", "bodyencoding"]);
const LOCATIONS = new Set(["envelope", "path", "query", "header", "cookie", "body"]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What is wrong with a 4xx answer's problem body, if anything. */
function problemIssue(status: number, contentType: string | undefined, body: unknown): string | undefined {
  if ((contentType ?? "").split(";")[0]!.trim().toLowerCase() !== PROBLEM_JSON)
    return `content type ${JSON.stringify(contentType ?? null)}, not ${PROBLEM_JSON}`;
  if (!isObj(body)) return "problem body is not an object";
  if (body.status !== status) return `problem status ${JSON.stringify(body.status)} on a ${status}`;
  if (typeof body.title !== "string" || typeof body.detail !== "string") return "problem without title or detail";
  if (status !== 400) return undefined;
  if (!Array.isArray(body.errors) || body.errors.length === 0) return "400 problem names no field (errors empty)";
  for (const e of body.errors) {
    if (!isObj(e) || !LOCATIONS.has(e.in as string)) return `error entry without a known "in": ${JSON.stringify(e).slice(0, 120)}`;
    if (["path", "query", "header", "cookie"].includes(e.in as string) && typeof e.name !== "string") return `${e.in} error without a name`;
    if (e.in === "body" && typeof e.pointer !== "string") return "body error without a pointer";
  }
  return undefined;
}

/**
 * A 4xx in a media type the operation declares for that status (exact, `4XX`, `default`) that is not
 * problem+json: the handler's own answer (petstore's 404 `Error`), whose shape the spec decides.
 */
function declaredByHandler(c: FuzzCase, status: number, contentType: string | undefined): boolean {
  const base = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (base === PROBLEM_JSON) return false;
  const key =
    c.op.model.responses.find((r) => r.key === String(status)) ??
    c.op.model.responses.find((r) => r.key === `${String(status)[0]}XX`) ??
    c.op.model.responses.find((r) => r.key === "default");
  return key?.content.some((m) => m.contentType.toLowerCase() === base) ?? false;
}

function byStatus(c: FuzzCase, status: number, contentType: string | undefined, body: unknown): Outcome {
  if (status >= 500) {
    // A reply over NATS max_payload is a documented limit (docs/protocol.md): a 502 problem naming the sizes.
    const tooLarge = status === 502 && isObj(body) && body.type === REPLY_TOO_LARGE;
    const designed = tooLarge || (c.op.target.designed5xx?.[c.op.model.handlerName]?.includes(status) && !(contentType ?? "").startsWith(PROBLEM_JSON));
    const detail = isObj(body) && typeof body.detail === "string" ? body.detail : (JSON.stringify(body)?.slice(0, 160) ?? "");
    return {
      cls: designed ? "5xx-designed" : "5xx",
      status,
      detail: `${status} ${detail}`,
    };
  }
  if (status >= 400) {
    if (declaredByHandler(c, status, contentType)) return { cls: "4xx", status, detail: String(status) };
    const issue = problemIssue(status, contentType, body);
    return issue ? { cls: "bad-4xx", status, detail: `${status}: ${issue}` } : { cls: "4xx", status, detail: String(status) };
  }
  return { cls: status >= 300 ? "3xx" : "2xx", status, detail: String(status) };
}

/** A NATS reply from a generated endpoint. */
export function judgeNatsReply(c: FuzzCase, data: Uint8Array): Outcome {
  let reply: unknown;
  try {
    reply = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch {
    return {
      cls: "bad-reply",
      detail: `reply is not JSON (${data.length} bytes)`,
    };
  }
  if (!isObj(reply) || !("body" in reply) || !Object.keys(reply).every((k) => WRAPPED_KEYS.has(k)))
    return { cls: "bad-reply", detail: "reply is not a wrapped reply" };
  const status = reply.statuscode ?? 200;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599)
    return { cls: "bad-reply", detail: `statuscode ${JSON.stringify(status)}` };
  return byStatus(c, status, typeof reply.contenttype === "string" ? reply.contenttype : "application/json", reply.body);
}

/** An HTTP response from the gateway. */
export function judgeHttpResponse(c: FuzzCase, method: string, status: number, contentType: string | undefined, text: string): Outcome {
  // 504: the gateway waited for the service in vain, so the request was lost on the way.
  if (status === 504)
    return {
      cls: "lost",
      status,
      detail: "504 from the gateway (the service did not answer)",
    };
  // Node's HTTP parser refuses some requests (431, 400) before any of our code: an answer without a body.
  if (status >= 400 && status < 500 && (method === "HEAD" || (text === "" && contentType === undefined))) return { cls: "4xx", status, detail: String(status) };
  let body: unknown = text;
  if (method === "HEAD") body = undefined;
  else if (contentType && /json/i.test(contentType)) {
    try {
      body = JSON.parse(text);
    } catch {
      if (status >= 400)
        return {
          cls: status >= 500 ? "5xx" : "bad-4xx",
          status,
          detail: `${status} with a body that is not JSON`,
        };
    }
  }
  return byStatus(c, status, contentType, body);
}
