import { constants } from "node:os";

/** The exit code of a process ended by `signal` (128 + its number), what shells report: SIGINT → 130. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
