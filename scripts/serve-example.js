#!/usr/bin/env node
// `npm run example [name]`: regenerate an example, start a local nats-server (unless NATS_URL is set)
// and serve the example on it until Ctrl+C.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../dist/generator/cli.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2] ?? "petstore";
const dir = path.join(root, "examples", name);

const code = await main(["generate", path.join(dir, "openapi.yaml"), "--out", path.join(dir, "src", "generated")]);
if (code !== 0) process.exit(code);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let natsUrl = process.env.NATS_URL;
let nats;
let store;
if (!natsUrl) {
  const port = await freePort();
  store = mkdtempSync(path.join(tmpdir(), "symphony-nats-"));
  nats = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store], { stdio: "ignore" });
  nats.on("error", () => {
    console.error("nats-server not found: install it (Debian/Ubuntu: apt-get install -y nats-server) or set NATS_URL");
    process.exit(1);
  });
  natsUrl = `nats://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 300));
  console.log(JSON.stringify({ timestamp: new Date().toISOString(), level: "info", message: "started nats-server", url: natsUrl }));
}

const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
const child = spawn(process.execPath, [tsx, path.join(dir, "src", "main.ts")], {
  stdio: "inherit",
  env: { ...process.env, NATS_URL: natsUrl },
});
const forward = (signal) => child.kill(signal);
process.on("SIGINT", forward);
process.on("SIGTERM", forward);
child.on("exit", (status) => {
  nats?.kill();
  if (store) rmSync(store, { recursive: true, force: true });
  process.exit(status ?? 0);
});
