/**
 * `generate --watch`: regenerate when the document or any file it `$ref`s changes.
 *
 * Watches directories, not files: editors save by writing a temporary file and renaming it over
 * the original, which ends a watch on the file (inotify follows the inode) but shows up in its
 * directory's watch as an event naming the file. The set of input files comes from each
 * generation (the loader's list, or the manifest's on the no-op path) and is taken again after
 * every run, since an edit can add or drop a `$ref`. While a target is broken, any change to a
 * .yaml/.json file in its directories retries it (the fix may be a file it did not reach yet).
 */
import { statSync, watch as fsWatch, type FSWatcher } from "node:fs";
import path from "node:path";
import { displayPath, formatDiagnostic, SpecError, type Diagnostic } from "./diagnostics.js";
import { generate } from "./generate.js";
import type { Target } from "./config.js";

export interface WatchOptions {
  targets: Target[];
  /** Config file to watch: a change reloads the targets through `reload`. */
  configFile?: string;
  reload?: () => Promise<Target[]>;
  /** Quiet time after the last change before a run (default 10 ms: an editor's save, write or rename, lands within it). */
  debounceMs?: number;
  /** Stops watching (after the run in progress, so no output is left half-written). */
  signal: AbortSignal;
  /** Results (stdout) and errors (stderr), one line or block per call. */
  log: (line: string) => void;
  error: (line: string) => void;
}

interface TargetState {
  target: Target;
  /** Absolute paths of the files the last run read (at least the document). */
  inputs: Set<string>;
  dirs: Set<string>;
  failed: boolean;
  /** The warnings last shown, so an unchanged list is not repeated on every run. */
  warnings: string;
  /** A later run can skip the full pipeline (the manifest shows nothing changed). */
  warm: boolean;
}

const SPEC_FILE = /\.(ya?ml|json)$/i;
const RETRY_MS = 500;

const clock = () => new Date().toTimeString().slice(0, 8);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function watchTargets(options: WatchOptions): Promise<void> {
  const debounceMs = options.debounceMs ?? 10;
  const watchers = new Map<string, FSWatcher>();
  let states: TargetState[] = [];
  const dirty = new Set<TargetState>();
  let reloadPending = false;
  let timer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let rerun = false;
  let shownWatchSet = "";
  const configFile = options.configFile && path.resolve(options.configFile);
  const log = (line: string) => options.log(`[${clock()}] ${line}`);

  const stateFor = (target: Target, previous?: TargetState): TargetState => {
    const spec = path.resolve(target.spec);
    const inputs = new Set([spec, ...(previous && path.resolve(previous.target.spec) === spec ? previous.inputs : [])]);
    return { target, inputs, dirs: new Set([...inputs].map((f) => path.dirname(f))), failed: false, warnings: previous?.warnings ?? "", warm: false };
  };
  const setTargets = (targets: Target[]) => {
    const old = states;
    states = targets.map((t) => stateFor(t, old.find((s) => path.resolve(s.target.spec) === path.resolve(t.spec))));
    for (const s of states) dirty.add(s);
  };

  const label = (s: TargetState) => (states.length > 1 ? `${displayPath(path.resolve(s.target.spec))} → ` : "") + (displayPath(path.resolve(s.target.options.out)) || ".");

  async function runTarget(s: TargetState): Promise<void> {
    const started = performance.now();
    const out = label(s);
    try {
      const result = await generate(s.target.spec, { ...s.target.options, incremental: true });
      const ms = Math.round(performance.now() - started);
      s.inputs = new Set(result.inputs.length > 0 ? result.inputs : [path.resolve(s.target.spec)]);
      s.failed = false;
      s.warm = result.fastPath;
      const changed = result.written.length + result.removed.length;
      if (!result.fastPath) {
        const list = result.warnings.map(formatDiagnostic).join("\n");
        if (list !== s.warnings && result.warnings.length > 0) {
          const shown = result.warnings.slice(0, 20).map(formatDiagnostic);
          if (result.warnings.length > shown.length) shown.push(`… and ${result.warnings.length - shown.length} more warnings`);
          options.error(shown.join("\n"));
        }
        s.warnings = list;
      }
      const warned = !result.fastPath && result.warnings.length > 0 ? `, ${plural(result.warnings.length, "warning")}` : "";
      if (changed > 0) log(`${out}: regenerated ${plural(changed, "file")} in ${ms} ms${warned}`);
      else log(`${out}: no changes (${ms} ms${warned})`);
    } catch (err) {
      s.failed = true;
      const diagnostics: Diagnostic[] = err instanceof SpecError ? err.diagnostics : [];
      // A file a diagnostic names (a broken or missing $ref target) is watched too.
      for (const d of diagnostics) if (d.file && !/^[a-z][a-z0-9+.-]*:\/\//i.test(d.file)) s.inputs.add(path.resolve(d.file));
      const detail = err instanceof SpecError ? diagnostics.map(formatDiagnostic).join("\n") : `error: ${(err as Error).message}`;
      options.error(`[${clock()}] ${out}: error, output left as it was:\n${detail}`);
    }
    s.dirs = new Set([...s.inputs].map((f) => path.dirname(f)));
  }

  function onEvent(dir: string, filename: string | null): void {
    const file = filename ? path.join(dir, filename) : undefined;
    let relevant = false;
    if (configFile && (file === configFile || (file === undefined && dir === path.dirname(configFile)))) {
      reloadPending = true;
      relevant = true;
    }
    for (const s of states) {
      const hit = file === undefined ? s.dirs.has(dir) : s.inputs.has(file) || (s.failed && s.dirs.has(dir) && SPEC_FILE.test(file));
      if (hit) {
        dirty.add(s);
        relevant = true;
      }
    }
    if (relevant) schedule();
  }

  function schedule(): void {
    if (options.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  }

  function flush(): void {
    if (running) {
      rerun = true;
      return;
    }
    running = (async () => {
      if (reloadPending && options.reload) {
        reloadPending = false;
        try {
          setTargets(await options.reload());
          log(`${displayPath(configFile!)}: reloaded`);
        } catch (err) {
          options.error(`[${clock()}] ${(err as Error).message}\n(keeping the previous configuration)`);
        }
      }
      const batch = states.filter((s) => dirty.has(s));
      dirty.clear();
      for (const s of batch) {
        if (options.signal.aborted) break;
        await runTarget(s);
      }
      syncWatchers();
    })().finally(() => {
      running = undefined;
      if (rerun) {
        rerun = false;
        schedule();
      }
    });
  }

  function open(dir: string): boolean {
    try {
      const inode = statSync(dir).ino;
      const drop = () => {
        watcher.close();
        if (watchers.get(dir) === watcher) watchers.delete(dir);
        retrySoon();
      };
      const watcher = fsWatch(dir, { persistent: true }, (event, filename) => {
        // A removed (or replaced) directory ends its watch with a last "rename" and no error: watch it again once it is back.
        if (event === "rename" && statSync(dir, { throwIfNoEntry: false })?.ino !== inode) return drop();
        onEvent(dir, filename === null ? null : String(filename));
      });
      watcher.on("error", drop);
      watchers.set(dir, watcher);
      return true;
    } catch {
      return false;
    }
  }

  function retrySoon(): void {
    if (retryTimer || options.signal.aborted) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      syncWatchers(true);
    }, RETRY_MS);
  }

  /** Watches exactly the directories of the current inputs (and the config file); `reopened`: a directory that came back may hold changed files. */
  function syncWatchers(reopened = false, announce = true): void {
    if (options.signal.aborted) return;
    const wanted = new Set(states.flatMap((s) => [...s.dirs]));
    if (configFile) wanted.add(path.dirname(configFile));
    for (const [dir, watcher] of watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    let missing = false;
    for (const dir of wanted) {
      if (watchers.has(dir)) continue;
      if (!open(dir)) missing = true;
      else if (reopened) {
        for (const s of states) if (s.dirs.has(dir)) dirty.add(s);
        schedule();
      }
    }
    if (missing) retrySoon();
    const files = new Set(states.flatMap((s) => [...s.inputs]));
    const summary = `watching ${plural(files.size, "file")} in ${plural(wanted.size, "directory").replace(/directorys$/, "directories")}${missing ? " (some missing, retrying)" : ""}`;
    if (announce && summary !== shownWatchSet) {
      shownWatchSet = summary;
      log(`${summary}; Ctrl-C stops`);
    }
  }

  setTargets(options.targets);
  // Watch first, so that an edit made during the first run is not missed.
  syncWatchers(false, false);
  flush();
  await running;
  // A first run that took the no-op path loaded nothing heavy: load and JIT the pipeline now (a
  // run that writes nothing), so that the first edit is as fast as the ones after it.
  const cold = states.find((s) => s.warm && !s.failed);
  if (cold && !options.signal.aborted && !running) {
    running = generate(cold.target.spec, { ...cold.target.options, check: true })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        running = undefined;
        if (rerun) {
          rerun = false;
          schedule();
        }
      });
  }

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  clearTimeout(timer);
  clearTimeout(retryTimer);
  while (running) await running;
  for (const watcher of watchers.values()) watcher.close();
  watchers.clear();
}
