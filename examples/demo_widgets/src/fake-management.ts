/**
 * A stand-in for the management service (the two resources the widgets read), for the README and
 * the tests: migrations progress on every read of `/migrations`; `down` answers 503 and `broken`
 * answers malformed JSON, as a real service may.
 *
 *   npx tsx examples/demo_widgets/src/fake-management.ts [--port 18080]
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

interface FakeMigration {
  migrationId: string;
  path: string;
  state: string;
  stats: { bytesMigrated: number; filesMigrated: number };
}

export class FakeManagement {
  migrations: FakeMigration[] = [
    { migrationId: "warehouse", path: "/data/warehouse", state: "RUNNING", stats: { bytesMigrated: 0, filesMigrated: 0 } },
    { migrationId: "logs", path: "/data/logs", state: "LIVE", stats: { bytesMigrated: 5 * 1024 ** 3, filesMigrated: 120_000 } },
    { migrationId: "archive", path: "/data/archive", state: "PAUSED", stats: { bytesMigrated: 1024 ** 2, filesMigrated: 10 } },
  ];
  throughput = { bytesPerSecond: 50 * 1024 ** 2, filesPerSecond: 120 };
  /** Answer 503 to everything. */
  down = false;
  /** Answer `{` (malformed JSON) with 200. */
  broken = false;
  requests = 0;
  #server?: Server;

  /** Listens on 127.0.0.1 (`port` 0: any free port); resolves to the base URL. */
  async listen(port = 0): Promise<string> {
    this.#server = createServer((req, res) => {
      this.requests++;
      const send = (status: number, body: string) => res.writeHead(status, { "content-type": "application/json" }).end(body);
      if (this.down) return send(503, JSON.stringify({ error: "maintenance" }));
      if (this.broken) return send(200, "{");
      if (req.method !== "GET") return send(405, JSON.stringify({ error: "method not allowed" }));
      if (req.url === "/migrations") {
        for (const m of this.migrations)
          if (m.state === "RUNNING") {
            m.stats.bytesMigrated += 256 * 1024 ** 2;
            m.stats.filesMigrated += 1000;
          }
        return send(200, JSON.stringify(this.migrations));
      }
      if (req.url === "/stats/throughput") return send(200, JSON.stringify(this.throughput));
      send(404, JSON.stringify({ error: `no resource ${req.url}` }));
    });
    await new Promise<void>((resolve, reject) => this.#server!.once("error", reject).listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "18080" } } });
  const url = await new FakeManagement().listen(Number(values.port));
  process.stdout.write(`${JSON.stringify({ level: "info", message: "fake management service listening", url })}\n`);
}
