import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { toDomainError } from '@bank/core';
import type { Backend } from './backend.js';
import { approve, reject, review } from './commands/review.js';
import { check } from './commands/check.js';
import type { Command } from './commands/command.js';
import { demo } from './commands/demo.js';
import { list } from './commands/list.js';
import { serve } from './commands/serve.js';
import { history, show } from './commands/show.js';
import { submit } from './commands/submit.js';
import type { Context, GlobalOptions } from './context.js';
import { openEmbedded } from './embedded.js';
import { EXIT_CODES, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { Io } from './io.js';
import { openRemote } from './remote.js';
import { UsageError } from './usage-error.js';

/** Every subcommand, in the order `bank --help` lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = { submit, list, show, history, review, approve, reject, check, serve, demo };

/** The default embedded database, under the current folder. */
export const DEFAULT_DB = '.bank/bank.db';

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return `bank ${version()}: durable bank account application workflows

Usage: bank <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run 'bank <command> --help' for a command's options. Embedded mode (default) keeps applications in a
SQLite file (--db, BANK_DB, default ${DEFAULT_DB}); --api <url> or BANK_API_URL talks to a running API.
Exit codes: 0 success (whatever the outcome), 64 usage, 65 invalid input, 66 not found, 69 store or API
unavailable, 70 internal error, 75 conflict, 77 unauthorized.`;
}

/** Opens the backend the options choose: a remote API when one is named, else the embedded SQLite runtime. */
function opener(io: Io): Context['open'] {
  return async (options: GlobalOptions): Promise<Backend> => {
    const api = options.api ?? io.env.BANK_API_URL;
    if (api) return openRemote(api, options.token ?? io.env.BANK_TOKEN);
    const db = options.db ?? io.env.BANK_DB ?? DEFAULT_DB;
    return openEmbedded(isAbsolute(db) ? db : resolve(io.cwd, db));
  };
}

/** Runs `bank` with its arguments and resolves with the exit code; every error is printed here, once. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      io.out(topic && COMMANDS[topic] ? COMMANDS[topic].help : mainHelp());
      return EXIT_OK;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      io.out(version());
      return EXIT_OK;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help);
      return EXIT_OK;
    }
    return await command.run(rest, { io, open: opener(io) });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(json ? JSON.stringify({ error: { code: 'usage', message: e.message } }) : `usage error: ${e.message}`);
      if (!json) io.err(`see: bank ${name && COMMANDS[name] ? `${name} ` : ''}--help`);
      return EXIT_USAGE;
    }
    const error = toDomainError(e);
    if (json) {
      io.err(JSON.stringify({ error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } }));
    } else {
      io.err(`${error.code}: ${error.message}`);
      for (const issue of error.issues ?? []) io.err(`  - ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
      if (error.code === 'internal' && error.cause) io.err(`  cause: ${String((error.cause as Error).stack ?? error.cause)}`);
    }
    return EXIT_CODES[error.code];
  }
}
