/**
 * A stand-in for Open-Meteo's geocoding and forecast APIs (the parts the extension reads), for
 * the README and the tests (there is no internet there). Knows a few cities; `down`, `slowMs`
 * and `malformed` make it fail the ways a real API does. `calls` counts the requests it served
 * and `keys` the `apikey` values it was sent.
 *
 *   npx tsx examples/weather/src/fake-open-meteo.ts [--port 18081]
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

interface City {
  name: string;
  country: string;
  latitude: number;
  longitude: number;
  timezone: string;
  temperature: number;
  code: number;
}

export const CITIES: City[] = [
  { name: "Paris", country: "France", latitude: 48.85341, longitude: 2.3488, timezone: "Europe/Paris", temperature: 21.5, code: 2 },
  { name: "São Paulo", country: "Brazil", latitude: -23.5475, longitude: -46.63611, timezone: "America/Sao_Paulo", temperature: 28.25, code: 95 },
  { name: "Reykjavík", country: "Iceland", latitude: 64.13548, longitude: -21.89541, timezone: "Atlantic/Reykjavik", temperature: -3.5, code: 73 },
];

export class FakeOpenMeteo {
  down = false;
  slowMs = 0;
  malformed = false;
  calls = 0;
  keys: string[] = [];
  #server?: Server;

  async listen(port = 0): Promise<string> {
    this.#server = createServer((req, res) => void this.#answer(req.url ?? "/", res));
    await new Promise<void>((resolve, reject) => this.#server!.once("error", reject).listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #answer(raw: string, res: ServerResponse): Promise<unknown> {
    this.calls++;
    const url = new URL(raw, "http://fake");
    const key = url.searchParams.get("apikey");
    if (key) this.keys.push(key);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
    if (this.slowMs) await new Promise((r) => setTimeout(r, this.slowMs));
    if (this.down) return send(503, { error: true, reason: "maintenance" });
    if (url.pathname === "/v1/search") {
      const name = (url.searchParams.get("name") ?? "").toLowerCase();
      const found = CITIES.filter((c) => c.name.toLowerCase() === name).map(({ temperature: _t, code: _c, ...place }) => place);
      return send(200, found.length ? { results: found, generationtime_ms: 0.4 } : { generationtime_ms: 0.3 });
    }
    if (url.pathname === "/v1/forecast") {
      const lat = Number(url.searchParams.get("latitude"));
      const city = CITIES.find((c) => Math.abs(c.latitude - lat) < 1e-6);
      if (!city) return send(400, { error: true, reason: "unknown coordinates" });
      if (this.malformed) return send(200, { current: { time: "2026-12-07T10:00", temperature_2m: "warm" } });
      const days = Number(url.searchParams.get("forecast_days") ?? 7);
      const dates = Array.from({ length: days }, (_, i) => new Date(Date.UTC(2026, 11, 7 + i)).toISOString().slice(0, 10));
      return send(200, {
        latitude: city.latitude,
        longitude: city.longitude,
        timezone: city.timezone,
        current: { time: "2026-12-07T10:00", interval: 900, temperature_2m: city.temperature, wind_speed_10m: 14.2, weather_code: city.code },
        daily: {
          time: dates,
          weather_code: dates.map(() => city.code),
          temperature_2m_max: dates.map((_, i) => city.temperature + 2 + i),
          temperature_2m_min: dates.map((_, i) => city.temperature - 6 + i),
        },
      });
    }
    send(404, { error: true, reason: `no endpoint ${url.pathname}` });
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "18081" } } });
  const url = await new FakeOpenMeteo().listen(Number(values.port));
  process.stdout.write(`${JSON.stringify({ level: "info", message: "fake Open-Meteo listening", url })}\n`);
}
