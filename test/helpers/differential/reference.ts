/** The reference validator lives with the `test` command that judges responses with it (generator/conformance/reference.ts). */
export * from "../../../generator/conformance/reference.js";
