/**
 * Preloaded (`node --import tsx --import ./test/fuzz/probe.ts …`) into every process the fuzzer
 * starts: answers "probe" over the IPC channel with what this process's built-in prototypes look
 * like now against how they looked at start, so a request that reached `Object.prototype` (a
 * `__proto__` key merged into a plain object, a `constructor.prototype` path) is seen in the very
 * process that served it.
 */
const WATCHED = {
  "Object.prototype": Object.prototype,
  "Array.prototype": Array.prototype,
  "Function.prototype": Function.prototype,
} as const;

type Snapshot = Record<string, Map<PropertyKey, unknown>>;

/** Each watched prototype's own keys → the value (or accessor pair) behind them. */
function snapshot(): Snapshot {
  const out: Snapshot = {};
  for (const [name, proto] of Object.entries(WATCHED)) {
    const members = new Map<PropertyKey, unknown>();
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      members.set(key, "value" in d ? d.value : [d.get, d.set]);
    }
    out[name] = members;
  }
  return out;
}

const sameMember = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? a[0] === b[0] && a[1] === b[1] : a === b);

export interface ProbeReply {
  /** Members added, removed or replaced since start, as `Object.prototype.<key>`; empty when untouched. */
  changed: string[];
  /** Whether the prototype chain of a fresh object still ends at Object.prototype → null. */
  chainIntact: boolean;
}

const baseline = snapshot();

function probe(): ProbeReply {
  const now = snapshot();
  const changed: string[] = [];
  for (const [name, before] of Object.entries(baseline)) {
    const after = now[name]!;
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      if (!before.has(key) || !after.has(key) || !sameMember(before.get(key), after.get(key))) changed.push(`${name}.${String(key)}`);
    }
  }
  const chainIntact = Object.getPrototypeOf({}) === Object.prototype && Object.getPrototypeOf(Object.prototype) === null;
  return { changed, chainIntact };
}

if (process.send) {
  process.on("message", (message) => {
    if (message === "probe") process.send?.({ probe: probe() });
  });
  // The channel must not keep the process alive once the program under test has ended.
  process.channel?.unref();
}

// Started by the fuzzer: when it goes away (however it ended), so does this process.
process.on("disconnect", () => process.exit(1));
