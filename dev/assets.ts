/**
 * Swagger UI's files for the API reference. A build copies them into dist/dev/assets
 * (scripts/postbuild.js), so the published package needs no swagger-ui-dist at run time; from
 * the TypeScript sources (tests) they come from the swagger-ui-dist devDependency.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** File → content type. */
export const SWAGGER_UI_FILES = new Map([
  ["swagger-ui.css", "text/css"],
  ["swagger-ui-bundle.js", "text/javascript"],
]);

export function swaggerUiDir(): string {
  const built = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");
  if (existsSync(path.join(built, "swagger-ui-bundle.js"))) return built;
  return path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
}
