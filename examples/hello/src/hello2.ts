/**
 * hello2: hello1 plus a user interface: a JSX page and a markdown help page
 * (kept as files beside the code and read at start-up, like Rust's include_str!),
 * routes to them, and menu entries.
 *
 *   SYMPHONY_TOKEN=<token> npx tsx examples/hello/src/hello2.ts
 */
import { readFileSync } from "node:fs";
import { Extension, MimeType } from "@symphony-codegen/runtime";
import { createExtension as hello1 } from "./hello1.js";
import { isMain, runMain } from "./run.js";

export const HOME_URI = "ui://hello/home";
export const HELP_URI = "ui://hello/help";

const page = (name: string) => readFileSync(new URL(`./pages/${name}`, import.meta.url), "utf8");

export function createExtension(): Extension {
  return hello1()
    .addResource(HOME_URI, MimeType.TextSlashSymphonyJsx, page("home.jsx"))
    .addResource(HELP_URI, MimeType.TextSlashMarkdown, page("help.md"))
    .addRoute("/hello", HOME_URI)
    .addRoute("/hello/help", HELP_URI)
    .addMenu("main", "Hello", "/hello", "fa-hand-wave")
    .addMenu("main", "Hello help", "/hello/help", "fa-circle-question");
}

if (isMain(import.meta.url)) await runMain(createExtension());
