/** Everything a command may touch outside itself; `bin.ts` builds the real one, tests a fake. */
export interface Io {
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Asks a question on the terminal; `undefined` when there is no terminal to ask on. */
  ask(question: string): Promise<string | undefined>;
  /** Resolves with the signal's name when the user asks the process to stop (SIGINT, SIGTERM). */
  interrupted(): Promise<string>;
  /** Whether output may use colour (a TTY, and `NO_COLOR` unset). */
  readonly color: boolean;
  /** The environment variables the CLI reads (`BANK_DB`, `BANK_API_URL`, `BANK_TOKEN`, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder relative paths are resolved from. */
  readonly cwd: string;
}
