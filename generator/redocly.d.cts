import redocly = require("@redocly/openapi-core");
export = redocly;
