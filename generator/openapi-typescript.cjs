"use strict";
/**
 * openapi-typescript's CommonJS build, loaded with require(): its ES module build imports
 * TypeScript as an ES module, which costs a scan of TypeScript's source (see ./typescript.cjs,
 * required first so that openapi-typescript finds TypeScript loaded from the code cache).
 */
require("./typescript.cjs");
// Through a name: `module.exports = require(…)` would have Node scan the package for its exports after all.
const loaded = require("openapi-typescript");
// A copy without `__esModule`: loaders that honour it (tsx, bundlers) would look for a default export on it.
module.exports = loaded.__esModule ? { ...loaded } : loaded;
