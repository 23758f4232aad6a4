/**
 * The management service the widgets show: the part of a LiveData Migrator-style REST API they
 * read (`GET /migrations`, `GET /stats/throughput`). Its answers are checked before use: a field
 * of the wrong type is an error naming that field, never a broken widget.
 */
import { z } from "@symphony-codegen/runtime";

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const rate = z.number().min(0).max(Number.MAX_VALUE);

export const MIGRATION_STATES = ["NONSCHEDULED", "RUNNING", "PAUSED", "LIVE", "FAILED"] as const;

/** One migration as the management service lists it. */
const UpstreamMigration = z.object({
  migrationId: z.string().min(1).max(256),
  path: z.string().max(4096),
  state: z.enum(MIGRATION_STATES),
  stats: z.object({ bytesMigrated: count, filesMigrated: count }),
});
const UpstreamMigrations = z.array(UpstreamMigration).max(10_000);
const UpstreamThroughput = z.object({ bytesPerSecond: rate, filesPerSecond: rate });

export interface Migration {
  id: string;
  path: string;
  state: (typeof MIGRATION_STATES)[number];
  bytesMigrated: number;
  filesMigrated: number;
}

export interface Throughput {
  bytesPerSecond: number;
  filesPerSecond: number;
}

export interface ManagementReading {
  migrations: Migration[];
  throughput: Throughput;
}

/** Thrown when the management service cannot be read; `message` says which request and why. */
export class ManagementUnavailable extends Error {
  override name = "ManagementUnavailable";
}

/** Reads both resources; rejects with ManagementUnavailable (unreachable, slow, non-2xx, malformed). */
export async function readManagement(baseUrl: string, timeoutMs: number): Promise<ManagementReading> {
  const [migrations, throughput] = await Promise.all([
    getJson(baseUrl, "/migrations", UpstreamMigrations, timeoutMs),
    getJson(baseUrl, "/stats/throughput", UpstreamThroughput, timeoutMs),
  ]);
  return {
    migrations: migrations.map((m) => ({
      id: m.migrationId,
      path: m.path,
      state: m.state,
      bytesMigrated: m.stats.bytesMigrated,
      filesMigrated: m.stats.filesMigrated,
    })),
    throughput,
  };
}

/** Largest answer read (a runaway upstream must not exhaust memory). */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

async function getJson<T>(baseUrl: string, path: string, schema: z.ZodType<T>, timeoutMs: number): Promise<T> {
  const url = new URL(path.slice(1), baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const where = `GET ${url.href}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  } catch (err) {
    const cause = (err as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : String((err as { cause?: unknown }).cause ?? err);
    throw new ManagementUnavailable(`${where}: ${cause}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ManagementUnavailable(`${where}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? 0);
  if (declared > MAX_ANSWER_BYTES) {
    await res.body?.cancel();
    throw new ManagementUnavailable(`${where}: answer of ${declared} bytes is over the ${MAX_ANSWER_BYTES}-byte limit`);
  }
  let body: unknown;
  try {
    const text = await res.text();
    if (text.length > MAX_ANSWER_BYTES) throw new Error(`answer over the ${MAX_ANSWER_BYTES}-byte limit`);
    body = JSON.parse(text);
  } catch (err) {
    throw new ManagementUnavailable(`${where}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ManagementUnavailable(`${where}: /${issue.path.join("/")}: ${issue.message}`);
  }
  return parsed.data;
}
