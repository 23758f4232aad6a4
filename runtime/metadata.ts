/**
 * Reading the `openapi` service metadata. One function, so the gateway and the
 * typed client read every form a service may announce its spec in.
 */
export async function decodeOpenApiMetadata(metadata: Readonly<Record<string, string>>): Promise<string | undefined> {
  return metadata.openapi;
}
