#!/usr/bin/env node
// `npm run example [name]`: regenerate an example and serve it on a local Symphony
// (`symphony-codegen dev --run`: nats-server, platform services, REST gateway on
// http://127.0.0.1:8080, web page) until Ctrl+C. Extra arguments go to `dev` (e.g. --port 0).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../dist/generator/cli.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const [name = "petstore", ...devArgs] = process.argv.slice(2);
const dir = path.join(root, "examples", name);

const code = await main(["generate", path.join(dir, "openapi.yaml"), "--out", path.join(dir, "src", "generated")]);
if (code !== 0) process.exit(code);

const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
const command = [process.execPath, tsx, path.join(dir, "src", "main.ts")].map((a) => JSON.stringify(a)).join(" ");
process.exitCode = await main(["dev", "--run", command, ...devArgs]);
