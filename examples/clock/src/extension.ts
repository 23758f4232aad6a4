/**
 * Clock: an MCP App (an HTML page the host renders) and a `GET /time?tz=`
 * endpoint answering the current time in an IANA time zone; an unknown zone is
 * a 400 problem.
 */
import { readFileSync } from "node:fs";
import { Extension, MimeType, problem } from "@symphony-codegen/runtime";
import { GetTime, register, type components, type Handlers } from "./generated/index.js";

export const PREFIX = "clock";
export const APP_URI = "ui://clock/app";

type Time = components["schemas"]["Time"];

export function createExtension(): Extension {
  const html = readFileSync(new URL("./pages/app.html", import.meta.url), "utf8");
  return new Extension("Clock", PREFIX)
    .withDescription("The current time in any time zone, as an MCP App")
    .addCapability("sub", `extensions.${PREFIX}`, "Clock")
    .addResourceFull(APP_URI, MimeType.TextSlashHtmlSemicolonProfileEqualMcpApp, html, "Clock", "Shows the current time in a chosen time zone")
    .addRoute(`/${PREFIX}`, APP_URI)
    .addMenu("main", "Clock", `/${PREFIX}`, "fa-clock");
}

/** The zone's canonical name, or undefined when the runtime's time zone database does not know it. */
export function resolveTimeZone(tz: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined; // RangeError: invalid time zone
  }
}

/** The time `at` in `timeZone` (which must be valid). */
export function timeIn(timeZone: string, at: Date = new Date()): Time {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  // "GMT+01:00", or plain "GMT" at offset zero.
  const offset = /^GMT([+-]\d{2}:\d{2})$/.exec(parts.timeZoneName ?? "")?.[1] ?? "+00:00";
  const ms = String(at.getUTCMilliseconds()).padStart(3, "0");
  const local = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}${offset}`;
  const formatted = new Intl.DateTimeFormat("en-GB", { timeZone, dateStyle: "full", timeStyle: "long" }).format(at);
  return { timeZone, local, utc: at.toISOString(), offset, formatted, epochMs: at.getTime() };
}

export function createHandlers(now: () => Date = () => new Date()): Handlers {
  return {
    getTime({ query }) {
      const requested = query.tz ?? "UTC";
      const zone = resolveTimeZone(requested);
      if (!zone) {
        return GetTime.badRequest(problem(400, `Unknown time zone ${JSON.stringify(requested)}; use an IANA name such as Europe/Paris`));
      }
      return GetTime.ok(timeIn(zone, now()));
    },
  };
}

export async function setup(ext: Extension): Promise<void> {
  await register(ext, createHandlers());
}
