// First: holds V8's young generation at its size while the generated tables load (core/young-generation.ts).
import "./core/young-generation.js";
export * from "./core/errors.js";
export * from "./core/log.js";
export * from "./serve/envelope.js";
export * from "./serve/parameters.js";
export * from "./serve/schema.js";
export * from "./serve/response.js";
export * from "./serve/operation.js";
export * from "./serve/request.js";
export { matchMediaType } from "./serve/body.js";
export * from "./serve/serve.js";
export * from "./sdk/extension.js";
export * from "./sdk/names.js";
export type * from "./serve/status-ranges.js";
export type * from "./serve/operation-types.js";
export * from "./sdk/metadata.js";
export * from "./sdk/platform.js";
export * from "./sdk/token.js";
export * from "./client/serialize.js";
export * from "./client/client.js";
export * from "./core/retry.js";
export * from "./sdk/storage.js";
export * from "./sdk/partitioner.js";
export * from "./sdk/symphony-client.js";
export * from "./sdk/observability.js";
export * from "./serve/media.js";
export * from "./sdk/credentials.js";
export * from "./serve/visibility.js";
export {
  cleanTracestate,
  newSpanId,
  newTraceId,
  parentFromHeaders,
  RecordingSpan,
  RequestTrace,
  traceHeaders,
  type FinishedSpan,
  type SpanExporter,
} from "./core/trace-context.js";
