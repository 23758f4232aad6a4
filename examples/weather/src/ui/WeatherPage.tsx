/**
 * The Weather extension's page: a React component the host renders (a `text/symphony-jsx`
 * resource; `npm run build` checks it and strips its types). It calls the extension's REST API
 * through the platform's gateway, `GET <apiBase>/weather?city=&days=`, and shows the answer or
 * the problem's detail.
 */
import { useEffect, useState, type FormEvent } from "react";

interface Weather {
  location: { name: string; country?: string; latitude: number; longitude: number; timezone?: string };
  current: { time: string; temperatureC: number; windSpeedKmh: number; weatherCode: number; description: string };
  daily: { date: string; minC: number; maxC: number; weatherCode: number; description: string }[];
  cached: boolean;
}

type View = { kind: "loading"; city: string } | { kind: "shown"; weather: Weather } | { kind: "failed"; message: string };

const celsius = (t: number) => `${t.toFixed(1)} °C`;

/** The problem+json detail of a failed call, else its status line. */
async function failure(res: Response): Promise<string> {
  try {
    const problem = (await res.json()) as { detail?: string; title?: string };
    return problem.detail ?? problem.title ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

export default function WeatherPage({ apiBase = "/api/weather", initialCity = "Paris", days = 5 }: { apiBase?: string; initialCity?: string; days?: number }) {
  const [city, setCity] = useState(initialCity);
  const [view, setView] = useState<View>({ kind: "loading", city: initialCity });

  async function show(wanted: string) {
    setView({ kind: "loading", city: wanted });
    try {
      const res = await fetch(`${apiBase}/weather?city=${encodeURIComponent(wanted)}&days=${days}`);
      if (!res.ok) return setView({ kind: "failed", message: await failure(res) });
      setView({ kind: "shown", weather: (await res.json()) as Weather });
    } catch (err) {
      setView({ kind: "failed", message: `The weather service could not be reached: ${String(err)}` });
    }
  }

  useEffect(() => {
    void show(initialCity);
  }, [initialCity]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (city.trim()) void show(city.trim());
  };

  return (
    <main className="weather">
      <form onSubmit={onSubmit}>
        <input aria-label="City" value={city} onChange={(e) => setCity(e.target.value)} maxLength={100} />
        <button type="submit">Show</button>
      </form>
      {view.kind === "loading" && <p role="status">Loading the weather for {view.city}…</p>}
      {view.kind === "failed" && <p role="alert">{view.message}</p>}
      {view.kind === "shown" && <Report weather={view.weather} />}
    </main>
  );
}

function Report({ weather }: { weather: Weather }) {
  const { location, current, daily } = weather;
  return (
    <section aria-label="Weather report">
      <h2>
        {location.name}
        {location.country ? `, ${location.country}` : ""}
      </h2>
      <p className="now">
        <strong>{celsius(current.temperatureC)}</strong> {current.description}, wind {current.windSpeedKmh.toFixed(0)} km/h
      </p>
      <table>
        <thead>
          <tr>
            <th>Day</th>
            <th>Min</th>
            <th>Max</th>
            <th>Sky</th>
          </tr>
        </thead>
        <tbody>
          {daily.map((d) => (
            <tr key={d.date}>
              <td>{d.date}</td>
              <td>{celsius(d.minC)}</td>
              <td>{celsius(d.maxC)}</td>
              <td>{d.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="source">
        Observed {current.time} (local){weather.cached ? ", from the extension's cache" : ""}
      </p>
    </section>
  );
}
