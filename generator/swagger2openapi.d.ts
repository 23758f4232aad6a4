declare module "swagger2openapi" {
  const converter: {
    convertObj(swagger: unknown, options: Record<string, unknown>): Promise<{ openapi: unknown }>;
  };
  export default converter;
}
