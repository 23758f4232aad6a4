/**
 * The `Prefer` request header as mock servers read it (Prism's convention): `code=404` picks the
 * declared response, `example=<name>` one of its named examples; both may be given
 * (`Prefer: code=404, example=missing`). Other preferences (RFC 7240's `return=minimal`…) are ignored.
 */
import { RestRequestError } from "@symphony-codegen/runtime";

export interface Preference {
  code?: number;
  example?: string;
}

export function parsePrefer(header: string | undefined): Preference {
  const preference: Preference = {};
  if (!header) return preference;
  for (const part of header.split(/[,;]/)) {
    const match = /^\s*([\w-]+)\s*=\s*(?:"([^"]*)"|([^\s"]*))\s*$/.exec(part);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    const value = match[2] ?? match[3] ?? "";
    if (key === "code") {
      if (!/^[1-5]\d\d$/.test(value)) throw preferError(`Prefer: code=${value} is not an HTTP status code (100–599)`);
      preference.code = Number(value);
    } else if (key === "example") preference.example = value;
  }
  return preference;
}

/** A 400 problem naming the Prefer header, as the decoders name a parameter. */
export function preferError(message: string): RestRequestError {
  return new RestRequestError(message, 400, [{ in: "header", name: "prefer", message }]);
}
