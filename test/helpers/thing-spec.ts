/** The small document the CLI tests generate: one operation whose response schema is `ref`. */
export function thingSpec(title: string, ref = "./schemas.yaml#/Thing"): string {
  return `openapi: 3.0.3
info: { title: ${title}, version: 1.0.0 }
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - { name: id, in: path, required: true, schema: { type: integer } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "${ref}" }
`;
}

/** The file `thingSpec`'s default `$ref` points into. */
export const THING_SCHEMAS = `Thing:
  type: object
  required: [id]
  properties:
    id: { type: integer }
`;
