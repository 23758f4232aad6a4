/** What a command shares with main() (generator/cli.ts): each command module registers itself on the program with it. */
export interface CommandContext {
  /** The exit code main() returns, unless an error ends the command first. */
  exitCode: number;
  /** The arguments main() parses: a command may run main() again on another thread with them. */
  argv: string[];
  /** A one-shot `generate` may move to the generation thread (main's caller owns the process). */
  generationThread: boolean;
}
