import openapiTypescript = require("openapi-typescript");
export = openapiTypescript;
