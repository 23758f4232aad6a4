/**
 * The management service the widgets show: the part of a LiveData Migrator-style REST API they
 * read (`GET /migrations`, `GET /stats/throughput`). Its answers are checked before use: a field
 * of the wrong type is an error naming that field, never a broken widget.
 */
import { z } from "@symphony-codegen/runtime";
import { getJson, under } from "../../common/fetch-json.js";

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

/** Reads both resources; rejects with UpstreamError (unreachable, slow, non-2xx, malformed). */
export async function readManagement(baseUrl: string, timeoutMs: number): Promise<ManagementReading> {
  const [migrations, throughput] = await Promise.all([
    getJson(under(baseUrl, "/migrations"), UpstreamMigrations, timeoutMs),
    getJson(under(baseUrl, "/stats/throughput"), UpstreamThroughput, timeoutMs),
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
