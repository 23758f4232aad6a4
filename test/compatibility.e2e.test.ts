/**
 * Proof that real specs work end to end: every OpenAPI 3.x document the compile test treats
 * as valid (fixtures/corpus, test/helpers/specs.ts), GitHub's REST description
 * (`@octokit/openapi`) and examples/features (the only spec with non-default parameter styles) is generated, served with `serveApi` on ONE nats-server + dev platform,
 * and called once per operation over HTTP through the dev gateway.
 *
 * - Each operation's handler answers its first declared 2XX response (else `default`, else the
 *   first) with a schema-valid example: the spec's `example`/`examples` when one matches the
 *   generated schema, else one synthesised from the schema (test/helpers/examples.ts).
 *   Services run with `validateResponses: true`, so a synthesised body the generated schema
 *   rejects comes back as a 500 and fails the test.
 * - Each request satisfies the operation's required parameters and body (values synthesised
 *   from their schemas, serialised per style with the runtime's `buildEnvelope`).
 * - Every operation must answer with the status its handler returned and the same body.
 *   Failures are collected per spec and listed in the assertion message.
 * - GitHub's output is type-checked here (`tsc --strict --noEmit`, one run, timed); the shared
 *   specs' outputs are type-checked by test/compile.test.ts.
 * - The published corpus (fixtures/corpus/published.json: AWS, Azure, Google, Twilio, Adyen, …)
 *   is generated here too, and its outputs are type-checked with `@ts-nocheck` stripped, as ONE
 *   program (tsgo, the native TypeScript compiler: same diagnostics, a fraction of tsc's time),
 *   while the services are called. SERVED names the published documents that are also served;
 *   AWAITING_FIX (test/helpers/specs.ts) those failing on a defect being fixed elsewhere.
 * - Time: ~90 s alone on 2 cores (GitHub: ~25 s to generate, ~60 s of tsc running alongside the
 *   HTTP phase); the hook allows more for machines busy with other suites.
 * - Results go to test/.tmp/compat/results.json; scripts/compat-table.js renders them as
 *   docs/compatibility.md, and the test fails when the committed file differs from the
 *   rendering (stale docs). Regenerate it with
 *   `COMPAT_UPDATE=1 npx vitest run test/compatibility.e2e.test.ts`.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildEnvelope,
  buildSchema,
  checkResponse,
  Extension,
  isJsonMediaType,
  serveApi,
  type OperationSpec,
  type WrappedResponse,
} from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { generate, type GenerateResult, type MediaModel, type OperationModel } from "../generator/index.js";
import { deref, Synthesiser } from "./helpers/examples.js";
import { shutDown } from "./helpers/extension.js";
import { detectFeatures, type Feature } from "./helpers/features.js";
import { AWAITING_FIX, discoverSpecs, publishedSpecs, ROOT, type PublishedSpec } from "./helpers/specs.js";
import { checkProgram, STRICT_OPTIONS, stripUnchecked, type ProgramRun } from "./helpers/tsc.js";

process.env.SYMPHONY_LOG_LEVEL ??= "warn"; // ~60 services: keep their info lines out of the test output

const OUT = path.join(ROOT, "test/.tmp/compat");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const GITHUB = path.join(ROOT, "node_modules/@octokit/openapi/generated/api.github.com.json");
const DOCS = path.join(ROOT, "docs/compatibility.md");
const CONCURRENCY = 8;
/** Synthesised variants tried per value (GitHub's event payload is a `oneOf` of 16 objects, only one of which `{}` matches alone). */
const VARIANTS = 20;

/**
 * Operations known to fail, by output name and handler, with their root cause. The test asserts
 * that exactly these fail: once fixed, an entry shows up as "unexpectedly passing" and must go.
 * (The `oneOf` options that differ only in `required` — GitHub's projectsAddItemForOrg,
 * DigitalOcean's loadBalancersCreate, … — failed with 400 until generator/emit/zod.ts enforced
 * `required` names without a `properties` entry.) Now only AWS Lambda's operations whose path key
 * holds a fragment: documents that cannot be served as written, not defects.
 */
const FRAGMENT = "the path key ends in a `#…` fragment (APIs.guru's way to tell AWS operations apart), which no HTTP request carries";
const KNOWN_FAILURES: Record<string, Record<string, string>> = {
  "published/aws_lambda": {
    untagResource: `405: ${FRAGMENT}; the request reaches \`/2017-03-31/tags/{ARN}\` (GET, POST only)`,
    listProvisionedConcurrencyConfigs: `404: ${FRAGMENT}`,
    deleteProvisionedConcurrencyConfig: `404: ${FRAGMENT}`,
    getProvisionedConcurrencyConfig: `404: ${FRAGMENT}`,
    putProvisionedConcurrencyConfig: `404: ${FRAGMENT}`,
  },
};

interface Target {
  name: string;
  /** Where the document comes from, for messages and the table. */
  rel: string;
  abs: string;
  prefix: string;
  /** Generated only (and type-checked, when published), not served. */
  generateOnly?: boolean;
  published?: PublishedSpec;
}

/** Published documents served (every operation) besides being generated and type-checked: one or more of each style. */
const SERVED = new Set([
  "aws/lambda.json", // AWS REST-JSON (query-protocol ones, e.g. SQS, tell operations apart by a `#Action=` fragment no HTTP request carries)
  "azure/servicefabric.json", // Azure: converted Swagger 2.0, discriminators over `allOf` inheritance
  "azure/datamigration.json",
  "google/pubsub.json", // Google discovery style, `{+name}` paths
  "twilio/twilio_studio_v2.json", // form-encoded bodies
  "adyen/LegalEntityService.json", // OpenAPI 3.1
  "adyen/ManagementNotificationService-v1.json", // webhooks only
  "apideck/webhook.json",
  "microcks/microcks.json", // discriminator with a mapping
  "bethmardutho/sedra.json", // non-ASCII enum values
  "netlify/swagger.json", // Swagger 2.0, converted at generation
  "readme-oas-examples/v3.0-polymorphism.json",
  "readme-oas-examples/v3.1-parameters-style.json", // every parameter style
  "scalar-galaxy/galaxy.json",
  "rclone/openapi.json",
  "traccar/traccar.json",
]);

const { valid } = discoverSpecs();
const published = publishedSpecs();
const targets: Target[] = [
  ...valid.map((s, i) => ({ name: s.name, rel: s.rel, abs: s.abs, prefix: `c${i}_${s.name.replace(/[^A-Za-z0-9]+/g, "_").slice(-40)}` })),
  // Our own example of every parameter style and schema feature (no shared spec uses non-default styles).
  { name: "examples_features", rel: "examples/features/openapi.yaml", abs: path.join(ROOT, "examples/features/openapi.yaml"), prefix: "features" },
  { name: "github", rel: "@octokit/openapi/generated/api.github.com.json", abs: GITHUB, prefix: "github" },
  ...published.map((s, i) => ({
    name: `published/${s.name}`,
    rel: s.rel,
    abs: s.abs,
    prefix: `p${i}_${s.name.replace(/[^A-Za-z0-9]+/g, "_").slice(-40)}`,
    published: s,
    ...(SERVED.has(s.rel) ? {} : { generateOnly: true }),
  })),
];
const GITHUB_TARGET = targets.find((t) => t.name === "github")!;

interface Failure {
  operation: string;
  method: string;
  path: string;
  expected: number;
  got: number | string;
  detail: string;
  /** Root cause, when the failure is a known one (KNOWN_FAILURES). */
  known?: string;
}

interface SpecResult {
  name: string;
  rel: string;
  openapi: string;
  operations: number;
  served: number;
  failures: Failure[];
  features: Feature[];
  specBytes: number;
  metadata: "verbatim" | "gzip+base64" | "object store" | "";
  examples: { spec: number; synthesised: number; none: number; invalid: number };
  generateMs: number;
  error?: string;
  /** Not served: generated (and type-checked) only. */
  generateOnly?: boolean;
  /** Published documents: source, size on disk, webhooks, honest type-check result. */
  published?: { licence: string; package: string; bytes: number; webhooks: number; compileErrors: number; compileFirst?: string; awaiting?: string };
}

interface Planned {
  target: Target;
  model: OperationModel;
  op: OperationSpec;
  reply: WrappedResponse;
  /** Why no schema-valid example could be built, when none could. */
  exampleProblem?: string;
  request: { url: string; method: string; headers: Record<string, string>; body?: string };
  requestProblem?: string;
}

const results = new Map<string, SpecResult>();
const generated = new Map<string, GenerateResult>();
const running: Extension[] = [];
let dev: DevPlatform | undefined;
let githubGenerateMs = 0;
let tscRun: Promise<{ code: number; output: string; ms: number }>;
let publishedRun: Promise<ProgramRun>;

function runTsc(project: string): Promise<{ code: number; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, "-p", project, "--pretty", "false"], { cwd: OUT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr, ms: Math.round(performance.now() - started) }),
    );
  });
}

/** The response a generic handler answers with: first 2XX, else `default`, else the first declared. */
function chosenResponse(op: OperationModel) {
  const response = op.responses.find((r) => r.key.startsWith("2")) ?? op.responses.find((r) => r.key === "default") ?? op.responses[0];
  if (!response) return { status: 200, response: undefined };
  const status = response.key === "default" ? 200 : /XX$/.test(response.key) ? Number(response.key[0]) * 100 : Number(response.key);
  return { status, response };
}

/** `example`, then each of `examples` (Example objects, `$ref`s followed). */
function specExamples(doc: unknown, media: unknown): unknown[] {
  const m = deref(doc, media) as { example?: unknown; examples?: unknown } | undefined;
  if (!m || typeof m !== "object") return [];
  const out: unknown[] = [];
  if (m.example !== undefined) out.push(m.example);
  if (m.examples && typeof m.examples === "object") {
    for (const ex of Object.values(m.examples)) {
      const e = deref(doc, ex) as { value?: unknown } | undefined;
      if (e && typeof e === "object" && e.value !== undefined) out.push(e.value);
    }
  }
  return out;
}

function rawMedia(doc: unknown, op: OperationModel, where: "response" | "body", key: string, contentType: string): unknown {
  const paths = (doc as { paths?: Record<string, unknown> }).paths ?? {};
  const item = deref(doc, paths[op.path]) as Record<string, unknown> | undefined;
  const operation = item?.[op.method.toLowerCase()] as Record<string, unknown> | undefined;
  if (!operation) return undefined;
  if (where === "body") {
    const body = deref(doc, operation.requestBody) as { content?: Record<string, unknown> } | undefined;
    return body?.content?.[contentType];
  }
  const responses = (operation.responses ?? {}) as Record<string, unknown>;
  const raw = responses[key] ?? responses[key.toLowerCase()];
  const response = deref(doc, raw) as { content?: Record<string, unknown> } | undefined;
  return response?.content?.[contentType];
}

/** A concrete content type for a declared one (`*\/*` → `application/octet-stream`, `image/*` → `image/png`). */
function concrete(contentType: string): string {
  if (contentType.startsWith("*/*")) return "application/octet-stream";
  return contentType.replace(/^([\w.+-]+)\/\*/, (_, type: string) => `${type}/${type === "image" ? "png" : type === "text" ? "plain" : "octet-stream"}`);
}

/** The spec's examples, then synthesised values (each `oneOf`/`anyOf` option in turn), lazily. */
function* candidates(
  synth: Synthesiser,
  doc: unknown,
  schema: unknown,
  media: unknown,
  direction: "request" | "response",
): Generator<{ value: unknown; fromSpec: boolean }> {
  for (const value of specExamples(doc, media)) yield { value, fromSpec: true };
  for (let variant = 0; variant < VARIANTS; variant++) {
    yield { value: synth.example(schema, { variant, direction }), fromSpec: false };
    yield { value: synth.example(schema, { variant, optional: true, direction }), fromSpec: false };
  }
}

/** A form body's text: scalars as text, arrays as repeated fields, objects as JSON (`multipart/form-data` with a fixed boundary). */
function formBody(value: unknown, contentType: string): { body: string; contentType: string } {
  const fields = Object.entries(value && typeof value === "object" ? value : {}).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((item) => [k, typeof item === "object" && item !== null ? JSON.stringify(item) : String(item)] as const),
  );
  if (contentType.startsWith("application/x-www-form-urlencoded")) return { body: new URLSearchParams(fields.map(([k, v]): [string, string] => [k, v])).toString(), contentType };
  const boundary = "compat-boundary";
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("");
  return { body: `${parts}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

function planReply(target: Target, model: OperationModel, op: OperationSpec, synth: Synthesiser, doc: unknown, counts: SpecResult["examples"]): { reply: WrappedResponse; problem?: string } {
  const { status, response } = chosenResponse(model);
  const media: MediaModel | undefined = response?.content.find((m) => m.schema !== undefined && isJsonMediaType(m.contentType)) ?? response?.content[0];
  if (!response || !media) {
    counts.none++;
    return { reply: { body: null, statuscode: status } };
  }
  const contentType = concrete(media.contentType);
  const raw = rawMedia(doc, model, "response", response.key, media.contentType);
  if (!isJsonMediaType(contentType)) {
    const text = specExamples(doc, raw).find((e): e is string => typeof e === "string");
    text !== undefined ? counts.spec++ : counts.synthesised++;
    return { reply: { body: text ?? "sample", statuscode: status, contenttype: contentType } };
  }
  let first: WrappedResponse | undefined;
  for (const c of candidates(synth, doc, media.schema, raw, "response")) {
    const reply: WrappedResponse = { body: c.value ?? null, statuscode: status, contenttype: contentType };
    first ??= reply;
    const issues = checkResponse(op, reply);
    if (!issues || issues.length === 0) {
      c.fromSpec ? counts.spec++ : counts.synthesised++;
      return { reply };
    }
  }
  counts.invalid++;
  const issues = checkResponse(op, first!) ?? [];
  return { reply: first!, problem: `no schema-valid example (synthesised body fails at ${issues.map((i) => `${i.pointer || "(root)"}: ${i.message}`).slice(0, 3).join("; ")})` };
}

function planRequest(target: Target, model: OperationModel, op: OperationSpec, synth: Synthesiser, doc: unknown): { request: Planned["request"]; problem?: string } {
  const input: { path: Record<string, unknown>; query: Record<string, unknown>; headers: Record<string, unknown>; cookies: Record<string, unknown>; body?: unknown; contentType?: string } = {
    path: {},
    query: {},
    headers: {},
    cookies: {},
  };
  const problems: string[] = [];
  const bag = { path: input.path, query: input.query, header: input.headers, cookie: input.cookies } as const;
  for (const param of model.parameters) {
    if (!param.required) continue;
    const spec = op.params.find((p) => p.name === param.name && p.in === param.in);
    const options = [false, true].flatMap((optional) => Array.from({ length: 4 }, (_, variant) => synth.example(param.schema, { variant, optional })));
    const schema = spec && buildSchema(spec.schema);
    // An empty object serialises to nothing: no path segment, no query field.
    const empty = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
    const valid = (v: unknown) => !schema || schema.safeParse(v).success;
    // A free-form object (only `additionalProperties`) is synthesised empty: give it one entry.
    const value = [...options, { key1: "sample" }].find((v) => valid(v) && !empty(v)) ?? options.find(valid) ?? options[0];
    if (schema && !schema.safeParse(value).success) problems.push(`no valid value for ${param.in} parameter ${param.name}`);
    bag[param.in][param.name] = value;
  }
  let body: string | undefined;
  if (model.requestBody?.required && op.body) {
    const declared = model.requestBody.content;
    const media = declared.find((m) => isJsonMediaType(m.contentType)) ?? declared[0];
    if (media) {
      const contentType = concrete(media.contentType);
      const thunk = op.body.content[media.contentType];
      const schema = thunk && buildSchema(thunk);
      input.contentType = contentType;
      if (isJsonMediaType(contentType)) {
        const raw = rawMedia(doc, model, "body", "", media.contentType);
        let value: unknown;
        let first: unknown;
        let found = false;
        for (const c of candidates(synth, doc, media.schema, raw, "request")) {
          if (first === undefined) first = c.value;
          if (!schema || schema.safeParse(c.value).success) {
            ((value = c.value), (found = true));
            break;
          }
        }
        if (!found) {
          problems.push(`no ${media.contentType} body the generated schema accepts`);
          value = first;
        }
        body = JSON.stringify(value);
      } else if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(contentType)) {
        const options = [...candidates(synth, doc, media.schema, undefined, "request")].map((c) => c.value);
        const value = options.find((v) => !schema || schema.safeParse(v).success);
        if (value === undefined) problems.push(`no ${media.contentType} body the generated schema accepts`);
        ({ body, contentType: input.contentType } = formBody(value ?? options[0], contentType));
      } else {
        // Text as is; a string schema may want a format (`format: byte` → base64), so synthesised strings come next.
        const options = [
          "sample",
          ...[...candidates(synth, doc, media.schema, undefined, "request")].map((c) => c.value).filter((v): v is string => typeof v === "string"),
        ];
        body = options.find((v) => !schema || schema.safeParse(v).success) ?? "sample";
        if (schema && !schema.safeParse(body).success) problems.push(`a ${media.contentType} body is validated against a schema no string matches`);
      }
    }
  }
  const envelope = buildEnvelope(op, { path: input.path, query: input.query, headers: input.headers, cookies: input.cookies });
  const headers: Record<string, string> = { ...envelope.headers };
  if (body !== undefined) headers["content-type"] = input.contentType ?? "application/json";
  const request: Planned["request"] = { url: `/api/${target.prefix}${envelope.url}`, method: model.method, headers };
  if (body !== undefined) request.body = body;
  return problems.length > 0 ? { request, problem: problems.join("; ") } : { request };
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function sameBody(reply: WrappedResponse, status: number, method: string, contentType: string | null, text: string): string | undefined {
  if (method === "HEAD" || status === 204 || status === 304) return undefined;
  if (reply.body === null || reply.body === undefined) return undefined;
  if (reply.contenttype && isJsonMediaType(reply.contenttype)) {
    let got: unknown;
    try {
      got = JSON.parse(text);
    } catch {
      return `body is not JSON: ${text.slice(0, 200)}`;
    }
    return JSON.stringify(got) === JSON.stringify(reply.body) ? undefined : `body differs: ${text.slice(0, 200)}`;
  }
  if (contentType !== null && reply.contenttype && !contentType.startsWith(reply.contenttype.split(";")[0]!)) return `content type ${contentType}, expected ${reply.contenttype}`;
  return text === reply.body ? undefined : `body differs: ${text.slice(0, 200)}`;
}

const started = performance.now();

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, "runtime/dist/index.d.ts"))) throw new Error("runtime/dist is missing: run `npm run build` first");
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });

  // Generate: GitHub first, timed on its own; then the shared specs, then the published ones.
  for (const target of [GITHUB_TARGET, ...targets.filter((t) => t !== GITHUB_TARGET)]) {
    const t0 = performance.now();
    try {
      const result = await generate(target.abs, { out: path.join(OUT, target.name) });
      generated.set(target.name, result);
      const ms = Math.round(performance.now() - t0);
      if (target.name === "github") githubGenerateMs = ms;
      results.set(target.name, {
        name: target.name,
        rel: target.rel,
        openapi: result.model.openapiVersion,
        operations: result.model.operations.length,
        served: 0,
        failures: [],
        features: detectFeatures(result.model, target.abs, result.specBytes),
        specBytes: result.specBytes,
        metadata: "",
        examples: { spec: 0, synthesised: 0, none: 0, invalid: 0 },
        generateMs: ms,
        ...(target.generateOnly ? { generateOnly: true } : {}),
      });
    } catch (err) {
      results.set(target.name, {
        name: target.name,
        rel: target.rel,
        openapi: "",
        operations: 0,
        served: 0,
        failures: [],
        features: [],
        specBytes: 0,
        metadata: "",
        examples: { spec: 0, synthesised: 0, none: 0, invalid: 0 },
        generateMs: 0,
        error: `generation failed: ${(err as Error).message.slice(0, 500)}`,
        ...(target.generateOnly ? { generateOnly: true } : {}),
      });
    }
  }

  // Type-check GitHub's output (one tsc run) while the services are started and called.
  const tsconfig = {
    compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023"], types: [], skipLibCheck: true },
    include: ["github/*.ts"],
  };
  await writeFile(path.join(OUT, "tsconfig.github.json"), JSON.stringify(tsconfig, null, 2));
  tscRun = runTsc("tsconfig.github.json");
  // And the published corpus's outputs, every line checked (as test/compile.test.ts does for the shared specs).
  const publishedOut = targets.filter((t) => t.published && generated.has(t.name));
  for (const t of publishedOut)
    await stripUnchecked(
      path.join(OUT, t.name),
      generated.get(t.name)!.files.map((f) => f.name),
    );
  const program = { compilerOptions: STRICT_OPTIONS, include: publishedOut.map((t) => `${t.name}/*.ts`) };
  await writeFile(path.join(OUT, "tsconfig.published.json"), JSON.stringify(program, null, 2));
  publishedRun = checkProgram("tsconfig.published.json", OUT, "tsgo");

  dev = await startDev({ port: 0, discoverIntervalMs: 60_000 });
  const plans: Planned[] = [];
  for (const target of targets) {
    const result = generated.get(target.name);
    const record = results.get(target.name)!;
    if (!result || target.generateOnly) continue;
    try {
      const dir = path.join(OUT, target.name);
      const { operationTable } = (await import(pathToFileURL(path.join(dir, "operations.ts")).href)) as { operationTable: readonly OperationSpec[] };
      const { openapiSpec } = (await import(pathToFileURL(path.join(dir, "spec.ts")).href)) as { openapiSpec: string };
      const { service } = (await import(pathToFileURL(path.join(dir, "register.ts")).href)) as { service: { name: string; version: string; description: string } };
      const doc = result.model.document;
      const synth = new Synthesiser(doc);
      const handlers: Record<string, () => unknown> = {};
      for (const model of result.model.operations) {
        const op = operationTable.find((o) => o.handler === model.handlerName);
        if (!op) throw new Error(`operation table has no ${model.handlerName}`);
        const { reply, problem } = planReply(target, model, op, synth, doc, record.examples);
        const { request, problem: requestProblem } = planRequest(target, model, op, synth, doc);
        handlers[op.handler] = () => ({ status: reply.statuscode ?? 200, body: reply.body ?? undefined, ...(reply.contenttype ? { contentType: reply.contenttype } : {}) });
        const plan: Planned = { target, model, op, reply, request };
        if (problem) plan.exampleProblem = problem;
        if (requestProblem) plan.requestProblem = requestProblem;
        plans.push(plan);
      }
      const ext = new Extension(service.name, target.prefix).withNatsUrl(dev.natsUrl);
      running.push(ext);
      await ext.connect();
      const served = await serveApi(ext, { ...service, openapi: openapiSpec, operations: operationTable }, handlers, { validateResponses: true });
      const metadata = served.info().metadata ?? {};
      record.metadata = metadata["openapi.ref"] ? "object store" : metadata["openapi.encoding"] === "gzip+base64" ? "gzip+base64" : "verbatim";
    } catch (err) {
      record.error = `serving failed: ${(err as Error).message.slice(0, 500)}`;
    }
  }

  await dev.gateway.discover();
  const httpUrl = dev.httpUrl;
  await mapLimit(plans, CONCURRENCY, async (plan) => {
    const record = results.get(plan.target.name)!;
    const expected = plan.reply.statuscode ?? 200;
    const known = KNOWN_FAILURES[plan.target.name]?.[plan.op.handler];
    const fail = (got: number | string, detail: string) =>
      record.failures.push({ operation: plan.op.handler, method: plan.model.method, path: plan.model.path, expected, got, detail, ...(known ? { known } : {}) });
    try {
      const init: RequestInit = { method: plan.request.method, headers: plan.request.headers, redirect: "manual" };
      if (plan.request.body !== undefined) init.body = plan.request.body;
      const res = await fetch(httpUrl + plan.request.url, init);
      const text = await res.text();
      const notes = [plan.exampleProblem, plan.requestProblem].filter(Boolean).join("; ");
      if (res.status !== expected) return fail(res.status, `${text.slice(0, 300)}${notes ? ` [${notes}]` : ""}`);
      const differs = sameBody(plan.reply, expected, plan.model.method, res.headers.get("content-type"), text);
      if (differs) return fail(res.status, differs);
      record.served++;
    } catch (err) {
      fail("error", String((err as Error).cause ?? err));
    }
  });

  const ordered = targets.map((t) => results.get(t.name)!);
  for (const r of ordered) r.failures.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
  const tsc = await tscRun;
  const honest = await publishedRun;
  for (const t of targets) {
    if (!t.published) continue;
    const errors = (honest.errors.get(t.name) ?? []).filter((line) => /\): error /.test(line));
    const awaiting = AWAITING_FIX[t.rel]?.item;
    results.get(t.name)!.published = {
      licence: t.published.licence,
      package: t.published.package,
      bytes: statSync(t.abs).size,
      webhooks: generated.get(t.name)?.model.webhooks?.length ?? 0,
      compileErrors: errors.length,
      ...(errors[0] ? { compileFirst: errors[0].replace(/^[^(]*\(\d+,\d+\): /, "").slice(0, 160) } : {}),
      ...(awaiting ? { awaiting } : {}),
    };
  }
  const summary = {
    specs: ordered,
    github: { operations: results.get("github")?.operations ?? 0, generateMs: githubGenerateMs, tscMs: tsc.ms, tscExit: tsc.code },
    published: { documents: published.length, tsgoMs: honest.ms, tsgoExit: honest.code },
    totalMs: Math.round(performance.now() - started),
  };
  await writeFile(path.join(OUT, "results.json"), JSON.stringify(summary, null, 2) + "\n");
  const servedSpecs = ordered.filter((r) => !r.generateOnly);
  process.stdout.write(
    `compatibility: ${servedSpecs.reduce((n, r) => n + r.served, 0)}/${servedSpecs.reduce((n, r) => n + r.operations, 0)} operations served over ${servedSpecs.length} specs; ` +
      `GitHub: ${summary.github.operations} operations, generated in ${githubGenerateMs} ms, tsc --strict ${tsc.ms} ms (exit ${tsc.code}); ` +
      `published corpus: ${published.length} documents, tsgo (no @ts-nocheck) ${honest.ms} ms (exit ${honest.code}); total ${summary.totalMs} ms\n`,
  );
}, 900_000);

afterAll(() => shutDown(running, dev));

function renderTable(check: boolean): Promise<{ code: number; output: string }> {
  const args = ["scripts/compat-table.js", "--results", path.join(OUT, "results.json"), "--out", DOCS, ...(check ? ["--check"] : [])];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }));
  });
}

describe("compatibility with real specs", () => {
  it("covers every valid shared spec and GitHub's description (1,000+ operations, object-store metadata)", () => {
    expect(targets.length).toBeGreaterThan(20);
    const github = results.get("github")!;
    expect(github.error).toBeUndefined();
    expect(github.operations).toBeGreaterThan(1000);
    expect(github.metadata).toBe("object store");
    expect(results.get("digitalocean_DigitalOcean-public.v2")?.operations).toBeGreaterThan(300);
  });

  it("GitHub's output compiles under tsc --strict", async () => {
    const tsc = await tscRun;
    expect(tsc.output.slice(0, 4000)).toBe("");
    expect(tsc.code).toBe(0);
  });

  it.each(targets.filter((t) => !t.generateOnly).map((t) => [t.rel, t] as const))(
    "%s: every operation answers through the gateway with its handler's status and body",
    (_rel, target) => {
      const r = results.get(target.name)!;
      const awaiting = AWAITING_FIX[target.rel];
      if (awaiting?.stage === "serve") {
        expect(r.failures.map((f) => `${f.got} ${f.detail}`).join("\n"), `${target.rel} passes: remove it from AWAITING_FIX (${awaiting.item})`).toMatch(
          awaiting.error,
        );
        return;
      }
      expect(r.error).toBeUndefined();
      // A document may hold only webhooks (oai/v3.1-webhook-example.yaml): nothing to serve then.
      expect(r.operations > 0 || r.features.includes("webhooks"), "no operations").toBe(true);
      const known = KNOWN_FAILURES[target.name] ?? {};
      const unexpected = r.failures.filter((f) => !f.known);
      const listing = unexpected.map((f) => `  ${f.method} ${f.path} (${f.operation}): expected ${f.expected}, got ${f.got}: ${f.detail}`).join("\n");
      expect(unexpected.length, `${unexpected.length} of ${r.operations} operations of ${target.rel} failed:\n${listing}`).toBe(0);
      const fixed = Object.keys(known).filter((handler) => !r.failures.some((f) => f.operation === handler));
      expect(fixed, `known failures of ${target.rel} that now pass: remove them from KNOWN_FAILURES`).toEqual([]);
      // A cause may start with the status it explains (`404: …`); otherwise it is a request refused (400).
    for (const f of r.failures) expect(f.got, `${f.operation} fails differently than its known cause says`).toBe(Number(/^(\d{3}):/.exec(f.known ?? "")?.[1] ?? 400));
      expect(r.served + r.failures.length).toBe(r.operations);
    },
  );

  it(`the published corpus: ${published.length} documents of every style, ${SERVED.size} of them served`, () => {
    expect(published.length).toBeGreaterThanOrEqual(45);
    expect(published.map((p) => p.rel)).toEqual(expect.arrayContaining([...SERVED]));
    expect(
      [...SERVED].filter(
        (rel) => published.some((p) => p.rel === rel) && results.get(`published/${published.find((p) => p.rel === rel)!.name}`)!.operations > 0,
      ).length,
    ).toBeGreaterThanOrEqual(10);
    const records = targets.filter((t) => t.published).map((t) => results.get(t.name)!);
    for (const feature of ["openapi-3.0", "openapi-3.1", "swagger-2.0", "discriminator-mapping", "webhooks-only", "non-ascii-names", "large-spec"] as const) {
      expect(records.filter((r) => r.features.includes(feature)).length, feature).toBeGreaterThan(0);
    }
    // Licences recorded, each folder keeping its licence's text.
    for (const p of published) {
      expect(p.licence).toMatch(/^(MIT|Apache-2\.0|CC-BY-3\.0)$/);
      expect(existsSync(path.join(path.dirname(p.abs), "LICENSE")), `${p.rel}: no LICENSE beside it`).toBe(true);
    }
  });

  it("the published corpus's outputs form one program with nothing outside them failing", async () => {
    const run = await publishedRun;
    expect((run.errors.get("") ?? []).join("\n")).toBe("");
    for (const t of targets.filter((t) => t.published && generated.has(t.name))) {
      for (const file of generated.get(t.name)!.files)
        expect(run.files.has(path.join(OUT, t.name, file.name)), `${t.name}/${file.name} is not in the program`).toBe(true);
    }
  });

  it.each(targets.filter((t) => t.published).map((t) => [t.rel, t] as const))("%s generates and compiles with @ts-nocheck stripped", async (rel, target) => {
    const r = results.get(target.name)!;
    const errors = ((await publishedRun).errors.get(target.name) ?? []).join("\n");
    const awaiting = AWAITING_FIX[rel];
    if (awaiting && awaiting.stage !== "serve") {
      const failure = awaiting.stage === "generate" ? (r.error ?? "") : errors;
      expect(failure, `${rel} passes: remove it from AWAITING_FIX (${awaiting.item})`).toMatch(awaiting.error);
      return;
    }
    expect(r.error).toBeUndefined();
    expect(r.operations + r.published!.webhooks, "neither operations nor webhooks").toBeGreaterThan(0);
    expect(errors.slice(0, 4000), `tsc errors in the output for ${rel}`).toBe("");
  });

  it("docs/compatibility.md is what scripts/compat-table.js renders from these results", async () => {
    if (process.env.COMPAT_UPDATE === "1") {
      const written = await renderTable(false);
      expect(written.code, written.output).toBe(0);
    }
    const checked = await renderTable(true);
    expect(checked.code, `docs/compatibility.md is stale (COMPAT_UPDATE=1 npx vitest run test/compatibility.e2e.test.ts rewrites it):\n${checked.output}`).toBe(0);
    expect(readFileSync(DOCS, "utf8")).toContain("| GitHub");
  });
});
