/**
 * One mock handler per operation, from the model: the status a `Prefer` header asks for (else the
 * lowest declared 2xx, else `default`), the body from the response's examples (the first that
 * validates, or the one `Prefer: example=<name>` names) or else generated from its schema
 * (./values.ts), and a value for each required response header. An answer is built once per
 * status and example, so the same request always gets the same bytes.
 */
import {
  checkResponse,
  isJsonMediaType,
  isTextMediaType,
  responseKey,
  type AnyResponse,
  type HandlerContext,
  type OperationSpec,
} from "@symphony-codegen/runtime";
import type { ApiModel, HeaderModel, MediaModel, OperationModel, ResponseModel } from "../model.js";
import { parsePrefer, preferError } from "./prefer.js";
import type { MockValues } from "./values.js";

export type MockHandler = (request: unknown, ctx: HandlerContext) => AnyResponse;

/** Handlers by handler name (no prototype: an operation may be called `toString`). */
export function mockHandlers(model: ApiModel, table: readonly OperationSpec[], values: MockValues): Record<string, MockHandler> {
  const specs = new Map(table.map((spec) => [spec.handler, spec]));
  const handlers: Record<string, MockHandler> = Object.create(null);
  for (const op of model.operations) {
    const spec = specs.get(op.handlerName);
    if (spec) handlers[op.handlerName] = new OperationMock(op, spec, values).handle;
  }
  return handlers;
}

/** Statuses in the order a key is matched to one: successes first, then errors, redirects, informational. */
const CANDIDATES = [200, 400, 300, 100].flatMap((base) => Array.from({ length: 100 }, (_, i) => base + i));

class OperationMock {
  readonly #responses: Record<string, ResponseModel> = Object.create(null);
  readonly #answers = new Map<string, AnyResponse>();

  constructor(
    private readonly op: OperationModel,
    private readonly spec: OperationSpec,
    private readonly values: MockValues,
  ) {
    for (const response of op.responses) this.#responses[response.key] = response;
  }

  readonly handle: MockHandler = (_request, ctx) => {
    const preference = parsePrefer(ctx.request.headers["prefer"]);
    const status = preference.code ?? (preference.example === undefined ? this.#defaultStatus() : this.#statusWithExample(preference.example));
    // An operation declaring no response at all (invalid, but seen): nothing to say.
    if (status === undefined) return { status: 204 };
    const key = responseKey(this.#responses, status);
    if (key === undefined) throw preferError(`Prefer: code=${status}: ${this.#label()} declares no such response; it declares ${this.#declared()}`);
    const id = `${status}\0${preference.example ?? ""}`;
    let answer = this.#answers.get(id);
    if (!answer) this.#answers.set(id, (answer = this.#answer(status, this.#responses[key]!, preference.example)));
    return answer;
  };

  /** The lowest declared 2xx, else a 2XX range, else `default`, else the first declared response. */
  #defaultStatus(): number | undefined {
    const exact = Object.keys(this.#responses)
      .filter((k) => /^2\d\d$/.test(k))
      .map(Number)
      .sort((a, b) => a - b);
    if (exact.length > 0) return exact[0];
    const key = ["2XX", "default"].find((k) => Object.hasOwn(this.#responses, k)) ?? this.op.responses[0]?.key;
    return key === undefined ? undefined : this.#statusFor(key);
  }

  /** The status of the response holding the named example: the default response's first, then in declaration order. */
  #statusWithExample(name: string): number {
    const first = this.#defaultStatus();
    const preferred = first === undefined ? undefined : responseKey(this.#responses, first);
    const ordered = [...this.op.responses].sort((a, b) => Number(b.key === preferred) - Number(a.key === preferred));
    const holder = ordered.find((r) => r.content.some((m) => m.examples?.some((e) => e.name === name)));
    if (!holder) throw preferError(`Prefer: example=${name}: no response of ${this.#label()} has an example of that name; ${this.#exampleNames()}`);
    return this.#statusFor(holder.key);
  }

  /** The first status the runtime would answer with this response key ("404", "4XX", "default"). */
  #statusFor(key: string): number {
    return CANDIDATES.find((s) => responseKey(this.#responses, s) === key) ?? 200;
  }

  #answer(status: number, response: ResponseModel, exampleName: string | undefined): AnyResponse {
    const answer: AnyResponse = { status };
    const media = exampleName === undefined ? preferredMedia(response.content) : response.content.find((m) => m.examples?.some((e) => e.name === exampleName));
    if (exampleName !== undefined && !media) {
      throw preferError(
        `Prefer: example=${exampleName}: the ${response.key} response of ${this.#label()} has no example of that name; ${this.#exampleNames()}`,
      );
    }
    if (media) {
      answer.contentType = concreteMediaType(media.contentType);
      answer.body = this.#body(status, media, answer.contentType, exampleName);
    }
    const headers = this.#headers(status, response.headers);
    if (headers) answer.headers = headers;
    return answer;
  }

  #body(status: number, media: MediaModel, contentType: string, exampleName: string | undefined): unknown {
    if (!isJsonMediaType(contentType))
      return asText(
        contentType,
        this.#value(status, media, contentType, exampleName, () => true),
      );
    const accept = (body: unknown) => (checkResponse(this.spec, { body, statuscode: status, contenttype: contentType }) ?? []).length === 0;
    return this.#value(status, media, contentType, exampleName, accept);
  }

  /** The named example (as written: response validation judges it), else the first example that validates, else a generated value. */
  #value(status: number, media: MediaModel, contentType: string, exampleName: string | undefined, accept: (v: unknown) => boolean): unknown {
    if (exampleName !== undefined) return media.examples!.find((e) => e.name === exampleName)!.value;
    const example = media.examples?.find((e) => accept(e.value));
    if (example) return example.value;
    if (media.schema === undefined) return null;
    const generated = this.values.sample(media.schema, `${this.op.endpoint}\0${status}\0${contentType}`, accept);
    if (!generated) throw new Error(`no value generated for the ${status} ${contentType} body of ${this.#label()} matches its schema`);
    return generated.value;
  }

  /** A value for each required header (printable, as HTTP carries it); a header no value was found for is left out. */
  #headers(status: number, headers: HeaderModel[]): Record<string, unknown> | undefined {
    let values: Record<string, unknown> | undefined;
    for (const header of headers) {
      if (!header.required || /^content-type$/i.test(header.name)) continue;
      const found = this.values.sample(header.schema ?? { type: "string" }, `${this.op.endpoint}\0${status}\0header\0${header.name}`, isHeaderValue);
      if (found) (values ??= Object.create(null) as Record<string, unknown>)[header.name] = found.value;
    }
    return values;
  }

  #label(): string {
    return `${this.op.method} ${this.op.path} (${this.op.handlerName})`;
  }

  #declared(): string {
    return this.op.responses.map((r) => r.key).join(", ");
  }

  #exampleNames(): string {
    const names = [...new Set(this.op.responses.flatMap((r) => r.content.flatMap((m) => m.examples?.map((e) => e.name) ?? [])))];
    return names.length === 0 ? "it has no named examples" : `its examples are ${names.join(", ")}`;
  }
}

/** JSON first (what UIs expect), else the first declared. */
function preferredMedia(content: MediaModel[]): MediaModel | undefined {
  return content.find((m) => isJsonMediaType(concreteMediaType(m.contentType))) ?? content[0];
}

/** A content type to answer with for a declared range (`*\/*`, `text/*`). */
function concreteMediaType(declared: string): string {
  if (!declared.includes("*")) return declared;
  const [type] = declared.split("/");
  return type === "*" || type === "application" ? "application/json" : type === "text" ? "text/plain" : `${type}/octet-stream`;
}

/** A non-JSON body: text as is (a structured value as JSON text), bytes for binary media types. */
function asText(contentType: string, value: unknown): unknown {
  const text = typeof value === "string" ? value : value === null || value === undefined ? "" : JSON.stringify(value);
  return isTextMediaType(contentType) ? text : new TextEncoder().encode(text);
}

const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const isHeaderScalar = (v: unknown) => (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean" || (typeof v === "string" && PRINTABLE.test(v));
const isHeaderValue = (v: unknown) => isHeaderScalar(v) || (Array.isArray(v) && v.length > 0 && v.every((x) => isHeaderScalar(x) && !String(x).includes(",")));
