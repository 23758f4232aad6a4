/** The runtime's structured log records (JSON lines on stdout), as tests read them. */
import { vi } from "vitest";

/** Log records written while `fn` runs (stdout still gets them). */
export async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; records: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return original(chunk as string, ...(rest as []));
  }) as typeof process.stdout.write);
  try {
    const result = await fn();
    await new Promise((r) => setTimeout(r, 20));
    const records = lines.flatMap((l) => l.split("\n")).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { result, records };
  } finally {
    spy.mockRestore();
  }
}
