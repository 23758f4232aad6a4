/**
 * The external weather API: Open-Meteo's geocoding (`/v1/search`) and forecast (`/v1/forecast`)
 * endpoints, as far as this extension reads them. Answers are checked field by field before use.
 */
import { z } from "@symphony-codegen/runtime";
import { getJson, under } from "../../common/fetch-json.js";

export interface UpstreamOptions {
  geocodingUrl: string;
  forecastUrl: string;
  /** Open-Meteo's customer API key (`apikey`), sent with each request when set; never logged. */
  apiKey?: string;
  timeoutMs: number;
}

const Place = z.object({
  name: z.string().max(200),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  country: z.string().max(200).optional(),
  timezone: z.string().max(100).optional(),
});
const SearchAnswer = z.object({ results: z.array(Place).optional() });

const temperature = z.number().min(-100).max(100);
const series = <T extends z.ZodType>(item: T) => z.array(item).max(16);
const ForecastAnswer = z.object({
  current: z.object({
    time: z.string().max(40),
    temperature_2m: temperature,
    wind_speed_10m: z.number().min(0).max(1000),
    weather_code: z.number().int().min(0).max(99),
  }),
  daily: z.object({
    time: series(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
    weather_code: series(z.number().int().min(0).max(99)),
    temperature_2m_max: series(temperature),
    temperature_2m_min: series(temperature),
  }),
});

export type Place = z.infer<typeof Place>;
export type Forecast = z.infer<typeof ForecastAnswer>;

const withKey = (o: UpstreamOptions, query: Record<string, string | number>) => (o.apiKey ? { ...query, apikey: o.apiKey } : query);

/** The best match for `city`, or undefined when nothing matches. */
export async function findPlace(o: UpstreamOptions, city: string): Promise<Place | undefined> {
  const url = under(o.geocodingUrl, "/v1/search", withKey(o, { name: city, count: 1, language: "en", format: "json" }));
  return (await getJson(url, SearchAnswer, o.timeoutMs)).results?.[0];
}

/** Current conditions and `days` daily rows at `place`. */
export async function forecastAt(o: UpstreamOptions, place: Place, days: number): Promise<Forecast> {
  const url = under(
    o.forecastUrl,
    "/v1/forecast",
    withKey(o, {
      latitude: place.latitude,
      longitude: place.longitude,
      current: "temperature_2m,wind_speed_10m,weather_code",
      daily: "weather_code,temperature_2m_max,temperature_2m_min",
      forecast_days: days,
      timezone: "auto",
    }),
  );
  return getJson(url, ForecastAnswer, o.timeoutMs);
}

/** WMO weather interpretation codes, as Open-Meteo documents them. */
const WMO: Record<number, string> = {
  0: "Clear sky",
  1: "Mainly clear",
  2: "Partly cloudy",
  3: "Overcast",
  45: "Fog",
  48: "Depositing rime fog",
  51: "Light drizzle",
  53: "Moderate drizzle",
  55: "Dense drizzle",
  56: "Light freezing drizzle",
  57: "Dense freezing drizzle",
  61: "Slight rain",
  63: "Moderate rain",
  65: "Heavy rain",
  66: "Light freezing rain",
  67: "Heavy freezing rain",
  71: "Slight snow fall",
  73: "Moderate snow fall",
  75: "Heavy snow fall",
  77: "Snow grains",
  80: "Slight rain showers",
  81: "Moderate rain showers",
  82: "Violent rain showers",
  85: "Slight snow showers",
  86: "Heavy snow showers",
  95: "Thunderstorm",
  96: "Thunderstorm with slight hail",
  99: "Thunderstorm with heavy hail",
};

export function describeWeather(code: number): string {
  return Object.hasOwn(WMO, code) ? WMO[code]! : `Unknown (WMO code ${code})`;
}
