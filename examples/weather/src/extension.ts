/**
 * Weather: current conditions and a daily forecast for a city from an external API (Open-Meteo:
 * geocoding, then forecast), with a React page (`ui/WeatherPage.tsx`, built into a
 * `text/symphony-jsx` resource by `npm run build`) that calls the endpoint. Answers are cached
 * for CACHE_TTL_MS and concurrent identical requests share one upstream call; an upstream that
 * fails is a 502 (504 when it is slow) naming what failed, never a crash.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Extension, InvalidConfiguration, MimeType, problem } from "@symphony-codegen/runtime";
import { GetWeather, register, type components, type Handlers } from "./generated/index.js";
import { describeWeather, findPlace, forecastAt, type UpstreamOptions } from "./open-meteo.js";
import { UpstreamError } from "../../common/fetch-json.js";
import { httpUrlSetting, msSetting } from "../../common/settings.js";

export const PREFIX = "weather";
export const PAGE_URI = "ui://weather/home";
/** Where `npm run build` writes the page (scripts/build-ui.js). */
export const BUILT_PAGE = new URL("../dist-ui/WeatherPage.jsx", import.meta.url);

type Weather = components["schemas"]["Weather"];

export interface WeatherOptions extends UpstreamOptions {
  /** How long an answer is served from the cache (ms; 0: never cached). */
  cacheTtlMs: number;
}

/** From GEOCODING_API_URL, WEATHER_API_URL, WEATHER_API_KEY, UPSTREAM_TIMEOUT_MS and CACHE_TTL_MS; a malformed one is named. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): WeatherOptions {
  return {
    geocodingUrl: httpUrlSetting(env, "GEOCODING_API_URL", "https://geocoding-api.open-meteo.com"),
    forecastUrl: httpUrlSetting(env, "WEATHER_API_URL", "https://api.open-meteo.com"),
    ...(env.WEATHER_API_KEY ? { apiKey: env.WEATHER_API_KEY } : {}),
    timeoutMs: msSetting(env, "UPSTREAM_TIMEOUT_MS", 5000, 10, 86_400_000),
    cacheTtlMs: msSetting(env, "CACHE_TTL_MS", 600_000, 0, 86_400_000),
  };
}

/** The React page as `npm run build` left it; a clear error when it has not run. */
export function builtPage(): string {
  if (!existsSync(BUILT_PAGE)) throw new InvalidConfiguration(`${fileURLToPath(BUILT_PAGE)} is missing: run "npm run build" to build the weather page`);
  return readFileSync(BUILT_PAGE, "utf8");
}

export function createExtension(page: string = builtPage()): Extension {
  return new Extension("Weather", PREFIX)
    .withDescription("Current weather and forecasts from an external weather API, with a React page")
    .addCapability("sub", `extensions.${PREFIX}`, "Weather")
    .addResourceFull(PAGE_URI, MimeType.TextSlashSymphonyJsx, page, "Weather", "Current weather and a forecast for any city")
    .addRoute(`/${PREFIX}`, PAGE_URI)
    .addMenu("main", "Weather", `/${PREFIX}`, "fa-cloud-sun");
}

/** Most answers kept: the oldest goes first. */
const CACHE_ENTRIES = 500;

/** Answers by (city, days): cached for the TTL, concurrent misses sharing one upstream call. */
export class WeatherService {
  readonly #cache = new Map<string, { at: number; weather: Weather }>();
  readonly #inFlight = new Map<string, Promise<Weather | undefined>>();
  upstreamCalls = 0;

  constructor(
    readonly options: WeatherOptions,
    readonly now: () => number = Date.now,
  ) {}

  /** The weather for `city`, or undefined when no place matches; rejects with UpstreamError. */
  async weather(city: string, days: number): Promise<Weather | undefined> {
    const key = `${city.trim().toLowerCase()}\u0000${days}`;
    const hit = this.#cache.get(key);
    if (hit && this.now() - hit.at < this.options.cacheTtlMs) return { ...hit.weather, cached: true };
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#fetch(city, days).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const weather = await pending;
    if (weather && this.options.cacheTtlMs > 0) {
      this.#cache.delete(key);
      this.#cache.set(key, { at: this.now(), weather });
      if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return weather;
  }

  async #fetch(city: string, days: number): Promise<Weather | undefined> {
    this.upstreamCalls++;
    const place = await findPlace(this.options, city);
    if (!place) return undefined;
    const f = await forecastAt(this.options, place, days);
    const d = f.daily;
    if (![d.weather_code, d.temperature_2m_max, d.temperature_2m_min].every((s) => s.length === d.time.length))
      throw new UpstreamError("the forecast's daily series differ in length", "malformed");
    return {
      location: place,
      current: {
        time: f.current.time,
        temperatureC: f.current.temperature_2m,
        windSpeedKmh: f.current.wind_speed_10m,
        weatherCode: f.current.weather_code,
        description: describeWeather(f.current.weather_code),
      },
      daily: d.time.map((date, i) => ({
        date,
        minC: d.temperature_2m_min[i]!,
        maxC: d.temperature_2m_max[i]!,
        weatherCode: d.weather_code[i]!,
        description: describeWeather(d.weather_code[i]!),
      })),
      cached: false,
    };
  }
}

export function createHandlers(service: WeatherService): Handlers {
  return {
    async getWeather({ query }, ctx) {
      const days = query.days ?? 3;
      try {
        const weather = await service.weather(query.city, days);
        if (!weather) return GetWeather.notFound(problem(404, `No place matches ${JSON.stringify(query.city)}`));
        return GetWeather.ok(weather);
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        ctx.log.warn("weather API failed", { city: query.city, error: err.message });
        return err.kind === "timeout"
          ? GetWeather.gatewayTimeout(problem(504, `The weather API did not answer: ${err.message}`))
          : GetWeather.badGateway(problem(502, `The weather API failed: ${err.message}`));
      }
    },
  };
}

export function setupWith(options: WeatherOptions = optionsFromEnv()): (ext: Extension) => Promise<WeatherService> {
  return async (ext) => {
    const service = new WeatherService(options);
    await register(ext, createHandlers(service));
    return service;
  };
}
