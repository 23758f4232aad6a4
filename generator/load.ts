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
  type Document,
} from "@redocly/openapi-core";
import { SpecError, type Diagnostic } from "./diagnostics.js";

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

function relative(file: string): string {
  if (/^https?:/.test(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") && rel.split(path.sep).length > 4 ? file : rel || file;
}

function problemToDiagnostic(problem: Awaited<ReturnType<typeof lintDocument>>[number]): Diagnostic {
  const location = problem.location[0];
  const diagnostic: Diagnostic = {
    severity: problem.severity === "error" ? "error" : "warning",
    message: problem.message,
  };
  if (location) {
    diagnostic.file = relative(location.source.absoluteRef);
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
    throw new SpecError([{ severity: "error", file: relative(file), pointer: "#", message: "The document is not an object; expected an OpenAPI document" }]);
  }
  if (typeof parsed.swagger === "string") {
    throw new SpecError([
      {
        severity: "error",
        file: relative(file),
        pointer: "#/swagger",
        line: 1,
        message: `Swagger ${parsed.swagger} documents are not supported yet; convert it to OpenAPI 3 first (e.g. with swagger2openapi)`,
      },
    ]);
  }
  if (typeof parsed.openapi !== "string" || !/^3\.[01](?:\.|$)/.test(parsed.openapi)) {
    throw new SpecError([
      {
        severity: "error",
        file: relative(file),
        pointer: "#/openapi",
        message: `Expected "openapi: 3.0.x" or "3.1.x", found ${JSON.stringify(parsed.openapi ?? null)}`,
      },
    ]);
  }

  const problems = await lintDocument({ document, externalRefResolver: resolver, config: config.styleguide });
  const diagnostics = problems.map((problem) => {
    const d = problemToDiagnostic(problem);
    // Real-world documents break many structural rules harmlessly (GitHub's has `nullable` without `type`);
    // unless strict, only unresolvable references and a missing or broken `info` stop generation.
    const fatal = problem.ruleId === "no-unresolved-refs" || d.pointer === "#/" || d.pointer?.startsWith("#/info");
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

  return {
    file,
    document: bundled.bundle.parsed as OpenApiDocument,
    openapiVersion: parsed.openapi,
    warnings: diagnostics.filter((d) => d.severity === "warning"),
    files: [...bundled.fileDependencies].sort(),
  };
}

function readErrorToDiagnostic(err: unknown, file: string): Diagnostic {
  const e = err as { message?: string; source?: { absoluteRef?: string }; originalError?: { message?: string; mark?: { line: number; column: number } }; mark?: { line: number; column: number } };
  const mark = e.mark ?? e.originalError?.mark;
  const source = e.source?.absoluteRef ?? file;
  const diagnostic: Diagnostic = {
    severity: "error",
    file: relative(source),
    pointer: "#",
    message: (e.originalError?.message ?? e.message ?? String(err)).replace(/^ENOENT: /, "File not found: "),
  };
  if (mark) {
    diagnostic.line = mark.line + 1;
    diagnostic.column = mark.column + 1;
  }
  return diagnostic;
}
