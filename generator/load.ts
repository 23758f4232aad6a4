/**
 * Load: read YAML or JSON, bundle relative `$ref`s across files into one document,
 * validate it against the OpenAPI structure, and report problems with locations.
 *
 * Uses @redocly/openapi-core (already the engine inside openapi-typescript, so no
 * second parser): it keeps the YAML source of every file, which gives line and
 * column for any JSON pointer, and its bundler turns external refs into components.
 */
import path from "node:path";
import {
  BaseResolver,
  bundleDocument,
  createConfig,
  getLineColLocation,
  lintDocument,
  makeDocumentFromString,
  type Document,
} from "@redocly/openapi-core";
import { displayPath, locate, SpecError, type Diagnostic } from "./diagnostics.js";
import converter from "swagger2openapi";

export interface LoadOptions {
  /** Treat every structural problem as an error (default: only those generation cannot work around). */
  strict?: boolean;
  /** Follow `http(s)://` references (off by default: generation must not depend on the network). */
  allowRemoteRefs?: boolean;
}

export interface LoadedSpec {
  /** Absolute path of the root document. */
  file: string;
  /** The bundled document: a single tree whose `$ref`s are all local (`#/...`). */
  document: OpenApiDocument;
  openapiVersion: string;
  warnings: Diagnostic[];
  /** Every file the bundle was built from. */
  files: string[];
}

/** The parts of an OpenAPI document the generator reads; the rest is passed through. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string; [k: string]: unknown };
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

class LocalResolver extends BaseResolver {
  constructor(
    config: ConstructorParameters<typeof BaseResolver>[0],
    private readonly allowRemote: boolean,
  ) {
    super(config);
  }
  override async loadExternalRef(absoluteRef: string) {
    if (!this.allowRemote && /^https?:\/\//i.test(absoluteRef)) {
      throw new Error(`remote reference ${absoluteRef} is not followed (pass --allow-remote-refs to allow network access)`);
    }
    return super.loadExternalRef(absoluteRef);
  }
}


function problemToDiagnostic(problem: Awaited<ReturnType<typeof lintDocument>>[number]): Diagnostic {
  const location = problem.location[0];
  const diagnostic: Diagnostic = {
    severity: problem.severity === "error" ? "error" : "warning",
    message: problem.message,
  };
  if (location) {
    diagnostic.file = displayPath(location.source.absoluteRef);
    diagnostic.pointer = location.pointer ?? "#/";
    try {
      const { start } = getLineColLocation(location);
      if (start) {
        diagnostic.line = start.line;
        diagnostic.column = start.col;
      }
    } catch {
      // No source position (e.g. a synthetic node): file and pointer still locate it.
    }
  }
  return diagnostic;
}

export async function loadSpec(specPath: string, options: LoadOptions = {}): Promise<LoadedSpec> {
  const file = path.resolve(specPath);
  const config = await createConfig({
    extends: [],
    rules: { struct: "error", "no-unresolved-refs": "error" },
  } as never);
  const resolver = new LocalResolver(config.resolve, options.allowRemoteRefs ?? false);

  let document: Document;
  try {
    const resolved = await resolver.resolveDocument(null, file, true);
    if (resolved instanceof Error) throw resolved;
    document = resolved as Document;
  } catch (err) {
    throw new SpecError([readErrorToDiagnostic(err, file)]);
  }
  const parsed = document.parsed as Record<string, unknown> | null;
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new SpecError([{ severity: "error", file: displayPath(file), pointer: "#", message: "The document is not an object; expected an OpenAPI document" }]);
  }
  const notes: Diagnostic[] = [];
  let converted = false;
  if (typeof parsed.swagger === "string") {
    document = await convertSwagger(parsed, file);
    converted = true;
    notes.push({
      severity: "warning",
      file: displayPath(file),
      pointer: "#/swagger",
      message: `Swagger ${parsed.swagger} document converted to OpenAPI 3.0 (swagger2openapi); other locations refer to the converted document`,
    });
  }
  const version = (document.parsed as { openapi?: unknown }).openapi;
  if (typeof version !== "string" || !/^3\.[012](?:\.|$)/.test(version)) {
    throw new SpecError([
      {
        severity: "error",
        file: displayPath(file),
        pointer: "#/openapi",
        ...(locate(file, "#/openapi") ?? {}),
        message: `Expected "openapi: 3.0.x", "3.1.x" or "3.2.x", found ${JSON.stringify(version ?? null)}`,
      },
    ]);
  }
  // The validator knows 3.0 and 3.1; 3.2 is checked and bundled by 3.1 rules, its version restored afterwards.
  if (version.startsWith("3.2")) (document.parsed as { openapi: string }).openapi = "3.1.1";

  const problems = await lintDocument({ document, externalRefResolver: resolver, config: config.styleguide });
  const diagnostics = problems.map((problem) => {
    const d = problemToDiagnostic(problem);
    if (converted) delete d.line, delete d.column; // positions in the converted text would mislead
    // Real-world documents break many structural rules harmlessly (GitHub's has `nullable` without `type`);
    // unless strict, only unresolvable references and root-level problems (no `info`) stop generation.
    const fatal = problem.ruleId === "no-unresolved-refs" || d.pointer === "#/";
    if (!options.strict && !fatal) d.severity = "warning";
    return d;
  });
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new SpecError(errors);

  const bundled = await bundleDocument({
    document,
    externalRefResolver: resolver,
    config: config.styleguide,
    dereference: false,
  });
  const bundleErrors = bundled.problems.map(problemToDiagnostic).filter((d) => d.severity === "error");
  if (bundleErrors.length > 0) throw new SpecError(bundleErrors);
  const output = bundled.bundle.parsed as OpenApiDocument;
  output.openapi = version;

  return {
    file,
    document: output,
    openapiVersion: version,
    warnings: [...notes, ...diagnostics.filter((d) => d.severity === "warning")],
    files: [...bundled.fileDependencies].sort(),
  };
}

function readErrorToDiagnostic(err: unknown, file: string): Diagnostic {
  const e = err as { message?: string; source?: { absoluteRef?: string }; originalError?: { message?: string; mark?: { line: number; column: number } }; mark?: { line: number; column: number } };
  const mark = e.mark ?? e.originalError?.mark;
  const source = e.source?.absoluteRef ?? file;
  const diagnostic: Diagnostic = {
    severity: "error",
    file: displayPath(source),
    pointer: "#",
    message: (e.originalError?.message ?? e.message ?? String(err)).replace(/^ENOENT: /, "File not found: "),
  };
  if (mark) {
    diagnostic.line = mark.line + 1;
    diagnostic.column = mark.column + 1;
  }
  return diagnostic;
}

/** Swagger 2.0 → OpenAPI 3.0 with swagger2openapi (patching small errors); the result replaces the document. */
async function convertSwagger(parsed: Record<string, unknown>, file: string): Promise<Document> {
  try {
    const { openapi } = (await converter.convertObj(structuredClone(parsed), { patch: true, warnOnly: true, source: file, resolve: false })) as { openapi: unknown };
    return makeDocumentFromString(JSON.stringify(openapi, null, 1), file);
  } catch (err) {
    throw new SpecError([
      { severity: "error", file: displayPath(file), pointer: "#/swagger", message: `Swagger document could not be converted to OpenAPI 3: ${(err as Error).message}` },
    ]);
  }
}
