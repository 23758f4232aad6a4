/**
 * Differential test: the zod schemas the generator emits must accept exactly the
 * instances a reference validator (ajv 8 + ajv-formats "full") accepts.
 *
 * For every OpenAPI 3.x document in fixtures/corpus, examples/ and fixtures/: generate
 * the code into test/.tmp/differential/<name>/, import its `operationTable`, and for each
 * parameter schema and JSON request-body schema sample seeded instances from the JSON
 * Schema (fast-check: 20 valid-ish, 20 near misses), then compare the two verdicts.
 * Disagreements are printed and written to test/.tmp/differential/report.md.
 * Intentional differences (docs/compatibility-decoders.md) are applied to the reference
 * and listed in INTENTIONAL (test/helpers/differential/reference.ts). Parameters and request
 * bodies are compared as requests (a readOnly property is not required), components as written.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { ZodEmitter } from "../generator/emit/zod.js";
import { buildModel, emitFiles, loadSpec, type ApiModel } from "../generator/index.js";
import type { OperationSpec } from "../runtime/serve/operation.js";
import { withoutPrototypes } from "../runtime/core/own.js";
import { Generator, stableJson } from "../generator/arbitraries.js";
import { INTENTIONAL, Reference, type Direction } from "./helpers/differential/reference.js";
import { differentialSpecs } from "./helpers/differential/specs.js";

const OUT = path.resolve(import.meta.dirname, ".tmp/differential");
const VALID_PER_SCHEMA = 20;
const MUTANTS_PER_SCHEMA = 20;
/** The keyword fixtures (test/helpers/differential/specs/) are small and dense: sample them more. */
const KEYWORD_FIXTURE_FACTOR = 15;
/** DIFFERENTIAL_STRICT=1: compare against the unadjusted reference, to count what the intentional differences hide. */
const STRICT = process.env.DIFFERENTIAL_STRICT === "1";
/** Documents in the spec folders that are not complete OpenAPI documents (no `info`): nothing to generate. */
const NOT_DOCUMENTS = new Set(["ots-jsonschema-defs"]);

interface Disagreement {
  spec: string;
  pointer: string;
  instance: string;
  ajv: boolean;
  zod: boolean | "threw";
  ajvMessage: string;
  zodMessage: string;
  category: string;
}

interface Target {
  pointer: string;
  schema: unknown;
  zod: z.ZodType;
  direction?: Direction;
}

function isJsonMedia(contentType: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json$|\+json$/i.test(contentType.split(";")[0]!.trim());
}

function seedOf(text: string): number {
  return createHash("sha256").update(text).digest().readInt32LE(0);
}

function targets(model: ApiModel, table: readonly OperationSpec[], schemas: Record<string, z.ZodType>): Target[] {
  const out: Target[] = [];
  // Component schemas too (response and nested schemas widen the keyword coverage); names as the emitter gives them.
  const names = new ZodEmitter(model.document, model.openapiVersion);
  names.emitComponents(model.schemas);
  for (const [name, schema] of Object.entries(model.schemas)) {
    const ref = `#/components/schemas/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    const zod = schemas[names.constName(ref)];
    if (zod) out.push({ pointer: ref, schema: { $ref: ref }, zod });
    else expect.fail(`no constant for ${ref}`);
    void schema;
  }
  model.operations.forEach((op, i) => {
    const entry = table[i]!;
    expect(entry.handler).toBe(op.handlerName);
    op.parameters.forEach((p, j) => {
      out.push({ pointer: `${op.pointer} parameter ${p.in}:${p.name}`, schema: p.schema, zod: entry.params[j]!.schema(), direction: "request" });
    });
    for (const media of op.requestBody?.content ?? []) {
      const zod = entry.body?.content[media.contentType]?.();
      if (media.schema === undefined || !zod || !isJsonMedia(media.contentType)) continue;
      out.push({ pointer: `${op.pointer}/requestBody/content/${media.contentType}/schema`, schema: media.schema, zod, direction: "request" });
    }
  });
  return out;
}

function short(value: unknown, max = 160): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

function zodVerdict(schema: z.ZodType, instance: unknown): { ok: boolean | "threw"; message: string } {
  try {
    // As the decoders validate (runtime/serve/request.ts): objects without prototypes, so only own members count.
    const result = schema.safeParse(withoutPrototypes(instance));
    if (result.success) return { ok: true, message: "" };
    return { ok: false, message: result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
  } catch (err) {
    return { ok: "threw", message: (err as Error).message };
  }
}

function category(ajvOk: boolean, ajvErrors: { keyword: string; params: Record<string, unknown> }[] | null | undefined, zodMessage: string, zodOk: boolean | "threw"): string {
  if (zodOk === "threw") return "zod threw";
  if (!ajvOk) {
    const e = ajvErrors?.[0];
    const detail = e?.keyword === "format" ? `(${String(e.params.format)})` : "";
    return `zod accepts, ajv rejects: ${e?.keyword ?? "?"}${detail}`;
  }
  // The first zod issue, without its path, numbers and quoted values.
  const first = zodMessage.split("; ")[0]!.replace(/^[^:]*: /, "");
  return `zod rejects, ajv accepts: ${first.replace(/\(first: .*$/, "").replace(/"[^"]*"/g, "…").replace(/\d+/g, "N").trim().slice(0, 60)}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

describe("decoders agree with a reference validator (ajv)", () => {
  it("documents every intentional difference in docs/compatibility-decoders.md", () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, "../docs/compatibility-decoders.md"), "utf8");
    for (const { id } of INTENTIONAL) expect(doc, id).toContain(`| \`${id}\` |`);
  });

  it("the reference reads requests as OpenAPI says: a required readOnly property may be missing", () => {
    const doc = { components: { schemas: { A: { type: "object", required: ["id", "name"], properties: { id: { type: "integer", readOnly: true }, name: { type: "string" } } } } } };
    const reference = new Reference(doc, "3.1.0");
    const schema = { allOf: [{ $ref: "#/components/schemas/A" }] };
    expect(reference.validator(schema, "request")({ name: "a" })).toBe(true);
    expect(reference.validator(schema, "request")({ id: "x", name: "a" })).toBe(false);
    expect(reference.validator(schema)({ name: "a" })).toBe(false);
  });

  it("accepts exactly what ajv accepts for every parameter and JSON request body schema", { timeout: 600_000 }, async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const disagreements: Disagreement[] = [];
    const problems: string[] = [];
    const skipped: string[] = [];
    const seenDocuments = new Set<string>();
    let schemaCount = 0;
    let instanceCount = 0;
    const verdicts = { validAccepted: 0, validRejected: 0, mutantAccepted: 0, mutantRejected: 0 };
    const started = Date.now();

    for (const spec of differentialSpecs()) {
      let model: ApiModel;
      try {
        model = buildModel(await loadSpec(spec.file));
      } catch (err) {
        skipped.push(spec.name);
        if (!NOT_DOCUMENTS.has(spec.name)) problems.push(`${spec.name}: cannot load: ${(err as Error).message.split("\n")[0]}`);
        continue;
      }
      const hash = createHash("sha256").update(JSON.stringify(model.document)).digest("hex");
      if (seenDocuments.has(hash)) continue;
      seenDocuments.add(hash);

      const dir = path.join(OUT, spec.name);
      mkdirSync(dir, { recursive: true });
      const { files } = await emitFiles(model);
      for (const file of files) writeFileSync(path.join(dir, file.name), file.content);
      const { operationTable } = (await import(pathToFileURL(path.join(dir, "operations.ts")).href)) as { operationTable: readonly OperationSpec[] };
      const schemas = (await import(pathToFileURL(path.join(dir, "schemas.ts")).href)) as Record<string, z.ZodType>;

      const reference = new Reference(model.document, model.openapiVersion, !STRICT);
      const generator = new Generator({ document: model.document, is30: reference.is30 });
      const done = new Set<string>();
      for (const target of targets(model, operationTable, schemas)) {
        const key = `${target.direction ?? ""} ${stableJson(target.schema)}`;
        if (done.has(key)) continue;
        done.add(key);
        schemaCount += 1;
        let validate;
        try {
          validate = reference.validator(target.schema, target.direction);
        } catch (err) {
          problems.push(`${spec.name} ${target.pointer}: ajv cannot compile: ${(err as Error).message}`);
          continue;
        }
        const seed = seedOf(`${spec.name} ${stableJson(target.schema)}`);
        const factor = spec.name.startsWith("differential-") ? KEYWORD_FIXTURE_FACTOR : 1;
        const validCount = VALID_PER_SCHEMA * factor;
        let instances: unknown[];
        try {
          instances = [
            ...fc.sample(generator.valid(target.schema), { seed, numRuns: validCount }),
            ...fc.sample(generator.mutant(target.schema), { seed: seed ^ 0x5bd1e995, numRuns: MUTANTS_PER_SCHEMA * factor }),
          ];
        } catch (err) {
          problems.push(`${spec.name} ${target.pointer}: cannot sample instances: ${(err as Error).message.split("\n")[0]}`);
          continue;
        }
        const seenInstances = new Set<string>();
        for (const [index, raw] of instances.entries()) {
          const text = JSON.stringify(raw);
          if (text === undefined || seenInstances.has(text)) continue;
          seenInstances.add(text);
          const instance = JSON.parse(text) as unknown;
          instanceCount += 1;
          const ajvOk = validate(instance) as boolean;
          const zod = zodVerdict(target.zod, instance);
          const kind = index < validCount ? "valid" : "mutant";
          verdicts[`${kind}${ajvOk ? "Accepted" : "Rejected"}`] += 1;
          if (ajvOk === zod.ok) continue;
          disagreements.push({
            spec: spec.name,
            pointer: target.pointer,
            instance: short(instance),
            ajv: ajvOk,
            zod: zod.ok,
            ajvMessage: ajvOk ? "" : reference.ajv.errorsText(validate.errors),
            zodMessage: zod.message,
            category: category(ajvOk, validate.errors as never, zod.message, zod.ok),
          });
        }
      }
    }

    const counts = new Map<string, number>();
    for (const d of disagreements) counts.set(d.category, (counts.get(d.category) ?? 0) + 1);
    const lines = [
      "# Differential report: generated zod schemas vs ajv",
      "",
      `${schemaCount} schemas, ${instanceCount} instances, ${disagreements.length} disagreements, ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      `Reference verdicts: valid-ish ${verdicts.validAccepted} accepted / ${verdicts.validRejected} rejected; near misses ${verdicts.mutantAccepted} accepted / ${verdicts.mutantRejected} rejected.`,
      "",
      `Skipped (not complete documents): ${skipped.join(", ") || "none"}`,
      "",
      "Intentional differences applied to the reference (docs/compatibility-decoders.md):",
      ...INTENTIONAL.map((i) => `- \`${i.id}\`: ${i.rule}`),
      "",
      "## Problems",
      "",
      ...(problems.length ? problems.map((p) => `- ${p}`) : ["none"]),
      "",
      "## Disagreements by category",
      "",
      "| count | category |",
      "|---:|---|",
      ...[...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `| ${n} | ${escapeCell(c)} |`),
      "",
      "## Disagreements",
      "",
      "| spec | schema | instance | ajv | zod | ajv message | zod message |",
      "|---|---|---|---|---|---|---|",
      ...disagreements.map((d) =>
        [d.spec, d.pointer, "`" + d.instance + "`", d.ajv ? "accept" : "reject", d.zod === true ? "accept" : d.zod === false ? "reject" : "threw", d.ajvMessage, d.zodMessage]
          .map((c) => escapeCell(String(c)))
          .join(" | ")
          .replace(/^/, "| ")
          .replace(/$/, " |"),
      ),
      "",
    ];
    const report = lines.join("\n");
    writeFileSync(path.join(OUT, "report.md"), report);
    console.log(report.length > 20_000 ? report.slice(0, 20_000) + "\n… (truncated; see test/.tmp/differential/report.md)" : report);

    expect(problems).toEqual([]);
    expect(skipped.filter((s) => !NOT_DOCUMENTS.has(s))).toEqual([]);
    expect(schemaCount).toBeGreaterThan(100);
    expect(disagreements.length).toBe(0);
  });
});
