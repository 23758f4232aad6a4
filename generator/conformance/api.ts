/**
 * The API under test, as the `test` command sees it: the generator's model of the spec (the one every
 * emitter reads), each operation with what the runtime's client serialiser needs (OperationSpec,
 * shapes from the parameter emitter), the JSON Schema arbitraries and the reference validator.
 */
import type { OperationSpec, ValueShape } from "@symphony-codegen/runtime";
import { buildModel, type ApiModel, type OperationModel, type ParameterModel } from "../model.js";
import { loadSpec } from "../load.js";
import { Generator } from "../arbitraries.js";
import { valueShape } from "../emit/shape.js";
import { Reference } from "./reference.js";

export interface ConformanceOp {
  model: OperationModel;
  /** operationId, else the handler name: what `--operation` and the report use. */
  id: string;
  spec: OperationSpec;
  shapes: Record<string, ValueShape>;
}

export interface ConformanceApi {
  model: ApiModel;
  ops: ConformanceOp[];
  gen: Generator;
  reference: Reference;
}

/**
 * The runtime's OperationSpec of an operation, as far as its client serialiser reads it: parameter
 * rows with the shape `shapeOf` gives each, the body's media types; no schemas (never built).
 */
export function clientOperationSpec(op: OperationModel, shapeOf: (p: ParameterModel) => ValueShape): OperationSpec {
  const params = op.parameters.map((p) => ({
    name: p.name,
    in: p.in,
    required: p.required,
    style: p.style,
    explode: p.explode,
    json: p.contentType !== undefined,
    shape: shapeOf(p),
    schema: () => undefined as never,
  }));
  const spec: OperationSpec = { handler: op.handlerName, endpoint: op.endpoint, method: op.method, path: op.path, params, responses: {} };
  if (op.requestBody) spec.body = { required: op.requestBody.required, content: Object.fromEntries(op.requestBody.content.map((m) => [m.contentType, null])) };
  return spec;
}

function operationSpec(document: unknown, op: OperationModel): { spec: OperationSpec; shapes: Record<string, ValueShape> } {
  const shapes: Record<string, ValueShape> = {};
  const spec = clientOperationSpec(op, (p) => (shapes[`${p.in} ${p.name}`] = valueShape(document, p.schema)));
  return { spec, shapes };
}

export async function loadApi(file: string): Promise<ConformanceApi> {
  const model = buildModel(await loadSpec(file));
  const is30 = model.openapiVersion.startsWith("3.0");
  const ops = model.operations.map((op) => ({ model: op, id: op.operationId ?? op.handlerName, ...operationSpec(model.document, op) }));
  return { model, ops, gen: new Generator({ document: model.document, is30 }), reference: new Reference(model.document, model.openapiVersion) };
}
