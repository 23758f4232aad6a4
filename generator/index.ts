export { generate, emitFiles, DEFAULT_RUNTIME_IMPORT, type GenerateOptions, type GenerateResult } from "./generate.js";
export { loadSpec, type LoadedSpec, type LoadOptions, type OpenApiDocument } from "./load.js";
export { buildModel, type ApiModel, type OperationModel, type ParameterModel, type ResponseModel, type MediaModel } from "./model.js";
export { SpecError, formatDiagnostic, type Diagnostic } from "./diagnostics.js";
export { defineConfig, type SymphonyConfig, type SpecConfig, type SharedConfig } from "./config.js";
export type { EmitOptions } from "./generate.js";
export type { NamingOptions } from "./model.js";
