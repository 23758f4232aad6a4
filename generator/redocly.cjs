"use strict";
/**
 * @redocly/openapi-core, loaded with require(): imported as an ES module, Node would scan each of
 * its CommonJS files for export names first (see ./typescript.cjs).
 */
// Through a name: `module.exports = require(…)` would have Node scan the package for its exports after all.
const loaded = require("@redocly/openapi-core");
// A copy without `__esModule`: loaders that honour it (tsx, bundlers) would look for a default export on it.
module.exports = loaded.__esModule ? { ...loaded } : loaded;
