/** register.ts: the service description and `register(ext, handlers)`, every statement printed in prettier's layout (../print/declarations.ts). */
import { gzipSync, strToU8 } from "fflate";
import { joinStatements } from "../format.js";
import { COMPRESS_SPEC_ABOVE } from "./spec-size.js";
import type { ApiModel } from "../model.js";
import { docComment, stringLiteral } from "../names.js";
import { constStrings, importNames, importNamespace, render, spaced, verbatim, type Statement } from "../print/declarations.js";

/** `print: false` leaves every statement to prettier (what test/handlers-printer.test.ts compares against). */
export function emitRegister(model: ApiModel, runtimeImport: string, print = true): string {
  const hooks = model.webhooks.length > 0;
  const out: (Statement | string)[] = [
    importNamespace("rt", stringLiteral(runtimeImport)),
    importNames(hooks ? ["Handlers", "WebhookHandlers"] : ["Handlers"], stringLiteral("./handlers.js"), true),
    importNames(hooks ? ["operationTable", "webhookTable"] : ["operationTable"], stringLiteral("./operations.js"), false),
    importNames(["openapiSpec"], stringLiteral("./spec.js"), false),
    "",
    spaced(
      constStrings("/** The micro service this API is served as. */\n", "service", [
        ["name", stringLiteral(model.serviceName)],
        ["version", stringLiteral(model.serviceVersion)],
        ["description", stringLiteral(model.description)],
      ]),
    ),
    spaced(
      verbatim(
        docComment([
          `Serves ${model.title} on NATS: one micro service whose metadata \`openapi\` carries the spec, one endpoint per operation under \`cirata.extensions.<prefix>\`. Call it inside \`ext.runWithSetup(...)\`.`,
        ]),
        [
          "export function register(ext: rt.Extension, handlers: Handlers, options?: rt.RegisterOptions) {",
          "  return rt.serveApi(",
          "    ext,",
          "    { ...service, openapi: openapiSpec, operations: operationTable },",
          "    handlers,",
          "    options,",
          "  );",
          "}",
        ].join("\n"),
      ),
    ),
  ];
  if (hooks) {
    out.push(
      spaced(
        verbatim(
          docComment([
            `Receives ${model.title}'s webhooks and callbacks over NATS: a second micro service (\`${model.serviceName}_webhooks\`) with one endpoint per webhook under \`cirata.extensions.<prefix>.webhooks\`. Senders use \`createWebhookClient\`.`,
          ]),
          [
            "export function registerWebhooks(",
            "  ext: rt.Extension,",
            "  handlers: WebhookHandlers,",
            "  options?: rt.RegisterOptions,",
            ") {",
            "  return rt.serveApi(",
            "    ext,",
            "    {",
            "      ...service,",
            "      name: `${service.name}_webhooks`,",
            '      subgroup: "webhooks",',
            "      operations: webhookTable,",
            "    },",
            "    handlers,",
            "    options,",
            "  );",
            "}",
          ].join("\n"),
        ),
      ),
    );
  }
  return joinStatements(render(out, print));
}

/**
 * spec.ts, written already formatted: a single long string needs no formatter pass. fflate's
 * gzip, not node:zlib's, so the bytes do not depend on the Node version or CPU that generated them.
 */
export function emitSpec(specJson: string, runtimeImport: string): string {
  const bytes = Buffer.byteLength(specJson);
  if (bytes <= COMPRESS_SPEC_ABOVE) {
    return `/** The bundled OpenAPI document, embedded as service metadata \`openapi\`. */\nexport const openapiSpec: string =\n  ${prettierQuoted(specJson)};\n`;
  }
  const data = Buffer.from(gzipSync(strToU8(specJson), { level: 9, mtime: 0 })).toString("base64");
  return [
    `import type { CompressedSpec } from ${stringLiteral(runtimeImport)};`,
    "",
    "/**",
    ` * The bundled OpenAPI document (${bytes} bytes), embedded gzip-compressed; announced as service`,
    " * metadata `openapi` in the first form that fits max_payload. `specText(openapiSpec)`: the text.",
    " */",
    "export const openapiSpec: CompressedSpec = {",
    `  encoding: "gzip+base64",`,
    `  bytes: ${bytes},`,
    `  data: "${data}",`,
    "};",
    "",
  ].join("\n");
}

/**
 * `stringLiteral`, but in the quotes prettier would print (double, unless the text has more
 * double quotes than single ones, as JSON does), so spec.ts is exactly what prettier would write.
 */
function prettierQuoted(value: string): string {
  const literal = stringLiteral(value);
  const doubles = value.split('"').length - 1;
  const singles = value.split("'").length - 1;
  if (doubles <= singles) return literal;
  // Same escapes in single quotes: `\"` needs none, `'` needs one.
  return `'${literal.slice(1, -1).replace(/\\([\s\S])|'/g, (match, escaped?: string) => (escaped === undefined ? "\\'" : escaped === '"' ? '"' : match))}'`;
}

/**
 * The runtime types the unchecked files (`// @ts-nocheck`: schemas.ts, operations.ts, handlers.ts,
 * client.ts; see write.ts) name. In those files a runtime lacking one would make it `any` without a
 * word; index.ts names them all where users' builds check, so a mismatched runtime is an error.
 */
export const UNCHECKED_RUNTIME_TYPES = [
  "CallOptions",
  "ClientOf<never>",
  "HandlerContext",
  "LocalOptions",
  "OperationRow",
  "OperationSpec",
  "ParamRow",
  "Requester",
  "RequestOf<never>",
  "ResponseBuilders<never>",
  "ResponseHeaders",
  "ResponseOf<never>",
  "SchemaThunk",
  "Status1XX",
  "Status2XX",
  "Status3XX",
  "Status4XX",
  "Status5XX",
  "ValueShape",
];

export function emitIndex(files: string[], runtimeImport: string): string {
  const reexports = files.map((f) => `export * from "./${f}.js";`).join("\n");
  return `${reexports}
import type * as rt from ${stringLiteral(runtimeImport)};

/** The runtime types the files not type-checked in your build (\`// @ts-nocheck\`) name: a runtime without one is an error here. */
export type RuntimeTypesUsed = [
${UNCHECKED_RUNTIME_TYPES.map((t) => `  rt.${t},`).join("\n")}
];
`;
}
