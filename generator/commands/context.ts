/** What a command shares with main() (generator/cli.ts): each command module registers itself on the program with it. */
export interface CommandContext {
  /** The exit code main() returns, unless an error ends the command first. */
  exitCode: number;
}
