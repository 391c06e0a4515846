import type { Context } from '../context.js';

/** One `bank` subcommand. */
export interface Command {
  /** The full `--help` text. */
  readonly help: string;
  /** Runs the command; resolves with the exit code, throws for errors (bin.ts maps them). */
  run(argv: string[], ctx: Context): Promise<number>;
}

/** The options every command takes, for help texts. */
export const GLOBAL_HELP = `Options for every command (before or after its name):
  --db <path|url>   SQLite file, or a postgres:// URL, for embedded mode (default: BANK_DB or .bank/bank.db)
  --api <url>       talk to a running API instead (default: BANK_API_URL)
  --token <token>   bearer token for reviewer commands in remote mode (default: BANK_TOKEN)
  --json            print exactly one JSON document on stdout
  -h, --help        show help`;
