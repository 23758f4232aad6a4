/**
 * Load: read YAML or JSON, bundle relative `$ref`s across files into one document,
 * validate it against the OpenAPI structure, and report problems with locations.
 *
 * Uses @redocly/openapi-core (already the engine inside openapi-typescript, so no
 * second parser) to read files, for its OpenAPI type tree and for its bundler, which turns
 * external refs into components. References are resolved by one walk of our own
 * (load/references.ts, load/refs.ts), which knows every keyword that names another place. Its structural rules run as one fast walk
 * (load/structure.ts), and positions are computed only for problems (load/positions.ts).
 */
import { lstatSync, readFileSync } from "node:fs";
import path from "node:path";
// Redocly's modules one by one: its index loads every rule, its config schema and ajv (~0.3 s),
// which only multi-file documents need (for the bundler, imported then).
import { detectSpec, getTypes } from "@redocly/openapi-core/lib/oas-types.js";
import { BaseResolver, makeDocumentFromString, ResolveError, Source, type Document } from "@redocly/openapi-core/lib/resolve.js";
import { normalizeTypes, type NormalizedNodeType } from "@redocly/openapi-core/lib/types/index.js";
import { displayPath, locate, nameUnresolvedRef, readFailure, SpecError, type Diagnostic } from "./diagnostics.js";
import { bundleInPlace } from "./load/inline.js";
import { parseJsonSource } from "./load/json.js";
import { locateAll, locatePointers } from "./load/positions.js";
import { resolveRefs } from "./load/refs.js";
import { checkStructure, type StructureProblem } from "./load/structure.js";
import { dropInvalidDefaults } from "./load/defaults.js";

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
  constructor(private readonly allowRemote: boolean) {
    super(); // Redocly's default configuration: no HTTP headers
  }
  override async loadExternalRef(absoluteRef: string) {
    if (/^https?:\/\//i.test(absoluteRef)) {
      if (!this.allowRemote) {
        throw new Error(`remote reference ${absoluteRef} is not followed (pass --allow-remote-refs to allow network access)`);
      }
      return super.loadExternalRef(absoluteRef);
    }
    // Read synchronously: thousands of small files (DigitalOcean's) load faster than through fs.promises.
    try {
      if (lstatSync(absoluteRef).isDirectory()) throw new Error(`Expected a file but received a folder at ${absoluteRef}.`);
      return new Source(absoluteRef, readFileSync(absoluteRef, "utf8").replace(/\r\n/g, "\n"));
    } catch (error) {
      (error as Error).message = (error as Error).message.replace(", lstat", "");
      throw new ResolveError(error as Error);
    }
  }
  override parseDocument(source: Source, isRoot = false): Document {
    // Whatever JSON.parse cannot read as the YAML parser would goes to the YAML parser, whose errors locate.
    const parsed = /\.json$/i.test(source.absoluteRef) ? parseJsonSource(source) : undefined;
    return parsed === undefined ? super.parseDocument(source, isRoot) : { source, parsed };
  }
}

/** A problem as Redocly reports it: a message at a pointer in a source (or at a line, for parse errors). */
interface Located {
  message: string;
  severity: Diagnostic["severity"];
  source?: Source;
  pointer?: string;
  reportOnKey?: boolean;
  line?: number;
  column?: number;
  /** An unresolvable `$ref` as written: the message then names it. */
  ref?: string;
}

function toDiagnostics(problems: Located[], withPositions: boolean): Diagnostic[] {
  const pointed = withPositions ? problems.filter((p) => p.source && p.pointer !== undefined) : [];
  const positions = locateAll(pointed.map((p) => ({ source: p.source!, pointer: p.pointer!, reportOnKey: p.reportOnKey ?? false })));
  const positionOf = new Map(pointed.map((p, i) => [p, positions[i]]));
  return problems.map((p) => {
    const diagnostic: Diagnostic = { severity: p.severity, message: p.ref === undefined ? p.message : nameUnresolvedRef(p.message, p.ref) };
    if (!p.source) return diagnostic;
    diagnostic.file = displayPath(p.source.absoluteRef);
    diagnostic.pointer = p.pointer ?? "#/";
    const at = withPositions ? (positionOf.get(p) ?? (p.line !== undefined ? { line: p.line, column: p.column } : undefined)) : undefined;
    if (at) {
      diagnostic.line = at.line;
      diagnostic.column = at.column;
    }
    return diagnostic;
  });
}

export async function loadSpec(specPath: string, options: LoadOptions = {}): Promise<LoadedSpec> {
  const file = path.resolve(specPath);
  const resolver = new LocalResolver(options.allowRemoteRefs ?? false);

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

  // Redocly's type tree for the version, as its lint builds it (no plugins, examples resolved).
  const types = withoutInheritedProperties(normalizeTypes(getTypes(detectSpec(document.parsed)), { doNotResolveExamples: false }));
  const rootType = types.Root as NormalizedNodeType;
  const resolvedRefs = await resolveRefs(document, resolver);
  const structure = checkStructure(document, rootType as never, resolvedRefs as never, types.SpecExtension as never);
  // Real-world documents break many structural rules harmlessly (GitHub's has `nullable` without `type`);
  // unless strict, only unresolvable references and root-level problems (no `info`) stop generation.
  const isFatal = (p: StructureProblem) => options.strict || p.ruleId === "no-unresolved-refs" || (p.pointer ?? "#/") === "#/";
  // Positions in the converted text would mislead.
  const diagnostics = toDiagnostics(
    structure.problems.map((p) => ({ ...p, severity: isFatal(p) ? "error" : "warning" })),
    !converted,
  );
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new SpecError(errors);

  // A single-file document is bundled in place from what the check recorded; others by Redocly's bundler.
  const root = document.parsed as OpenApiDocument;
  const bundledInPlace = !structure.external && bundleInPlace(root, structure.steps, structure.resolve);
  const output = bundledInPlace ? root : await bundle(document, resolver);
  output.openapi = version;
  const dropped = dropInvalidDefaults(output, version);
  const positions = converted
    ? []
    : locatePointers(
        file,
        dropped.map((d) => d.pointer),
      );
  const defaults = dropped.map((d, i): Diagnostic => ({
    severity: "warning",
    file: displayPath(file),
    pointer: d.pointer,
    ...(positions[i] ?? {}),
    message: `default ${preview(d.value)} does not match its schema (${d.reason}); it is left out`,
  }));

  return {
    file,
    document: output,
    openapiVersion: version,
    warnings: [...notes, ...diagnostics, ...defaults],
    files: [...resolver.getFiles()].sort(),
  };
}

/** A value as shown in a message: JSON, cut short. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/**
 * Redocly's walkers look a key up in a type's `properties` map and call what they find: a schema
 * property named `toLocaleString` found Object.prototype's, and resolving crashed. Maps that
 * inherit nothing make such names ordinary keys.
 */
function withoutInheritedProperties<T extends Record<string, unknown>>(types: T): T {
  for (const type of Object.values(types)) {
    const properties = (type as { properties?: object } | undefined)?.properties;
    if (properties && Object.getPrototypeOf(properties) !== null) Object.setPrototypeOf(properties, null);
  }
  return types;
}

async function bundle(document: Document, resolver: BaseResolver): Promise<OpenApiDocument> {
  const { bundleDocument, createConfig } = (await import("./redocly.cjs")).default;
  const config = await createConfig({ extends: [], rules: { struct: "error", "no-unresolved-refs": "error" } } as never);
  let bundled: Awaited<ReturnType<typeof bundleDocument>>;
  try {
    bundled = await bundleDocument({ document, externalRefResolver: resolver, config: config.styleguide, dereference: false });
  } catch (err) {
    // Redocly's bundler builds its own type tree, where a key named like an Object.prototype member still crashes it.
    const member = /Object\.prototype\.(\w+) called/.exec(String((err as Error).message))?.[1];
    if (!member) throw err;
    const message = `Cannot bundle this multi-file document: Redocly's bundler fails on a key named "${member}" (an Object.prototype member). Move the schemas that use it into the root file, or bundle the document into one file first`;
    throw new SpecError([{ severity: "error", file: displayPath(document.source.absoluteRef), pointer: "#", message }]);
  }
  const errors = bundled.problems.filter((p) => p.severity === "error");
  if (errors.length > 0) {
    throw new SpecError(
      toDiagnostics(
        errors.map((p) => {
          const at = p.location[0] as { source: Source; pointer?: string; reportOnKey?: boolean; start?: { line: number; col: number } } | undefined;
          return {
            message: p.message,
            severity: "error",
            source: at?.source,
            pointer: at?.pointer,
            reportOnKey: at?.reportOnKey,
            line: at?.start?.line,
            column: at?.start?.col,
          };
        }),
        true,
      ),
    );
  }
  return bundled.bundle.parsed as OpenApiDocument;
}

function readErrorToDiagnostic(err: unknown, file: string): Diagnostic {
  const e = err as {
    message?: string;
    source?: { absoluteRef?: string };
    originalError?: { message?: string; mark?: { line: number; column: number } };
    mark?: { line: number; column: number };
  };
  const mark = e.mark ?? e.originalError?.mark;
  const source = e.source?.absoluteRef ?? file;
  // The document itself cannot be read: no place in it to point at.
  const unreadable = mark ? undefined : readFailure(source, e.originalError?.message ?? e.message ?? "");
  if (unreadable) return { severity: "error", message: unreadable };
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
    const { default: converter } = await import("swagger2openapi");
    const { openapi } = (await converter.convertObj(structuredClone(parsed), { patch: true, warnOnly: true, source: file, resolve: false })) as {
      openapi: unknown;
    };
    return makeDocumentFromString(JSON.stringify(openapi, null, 1), file);
  } catch (err) {
    throw new SpecError([
      {
        severity: "error",
        file: displayPath(file),
        pointer: "#/swagger",
        message: `Swagger document could not be converted to OpenAPI 3: ${(err as Error).message}`,
      },
    ]);
  }
}
