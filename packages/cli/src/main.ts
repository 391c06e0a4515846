import { readFileSync } from 'node:fs';
import type { Backend } from './backend.js';
import type { Command } from './commands/command.js';
import { GLOBAL_OPTION_NAMES, splitCommand, storeLocation, type Context, type GlobalOptions } from './context.js';
import { EXIT_CODES, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { Io } from './io.js';
import { invokedAs } from './invocation.js';
import { printable, printableJson } from './printable.js';
import { didYouMean } from './suggest.js';
import { UsageError } from './usage-error.js';

// Commands load on demand: `bank --version` or `bank check` must not pay for XState, SQLite or the HTTP stack.
// Each entry is the summary `bank --help` shows and the module that implements the command.
const lazy =
  <K extends string>(load: () => Promise<Record<K, Command>>, name: K) =>
  async () =>
    (await load())[name];

/** Every subcommand, in the order `bank --help` lists them. */
export const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Promise<Command> }>> = {
  submit: { summary: 'submit an application and show its outcome', load: lazy(() => import('./commands/submit.js'), 'submit') },
  list: { summary: 'list applications, optionally by state', load: lazy(() => import('./commands/list.js'), 'list') },
  show: { summary: 'show one application', load: lazy(() => import('./commands/show.js'), 'show') },
  history: { summary: "show an application's history", load: lazy(() => import('./commands/show.js'), 'history') },
  graph: {
    summary: "write the workflow as SVG, or an application's path through it",
    load: lazy(() => import('./commands/graph.js'), 'graph'),
  },
  review: {
    summary: 'review a flagged application: --decision APPROVE|REJECT',
    load: lazy(() => import('./commands/review.js'), 'review'),
  },
  approve: { summary: 'approve a flagged application', load: lazy(() => import('./commands/review.js'), 'approve') },
  reject: { summary: 'reject a flagged application', load: lazy(() => import('./commands/review.js'), 'reject') },
  redrive: { summary: 'resume a FAILED execution', load: lazy(() => import('./commands/redrive.js'), 'redrive') },
  check: {
    summary: 'run one data check: check name <value> | check address <value>',
    load: lazy(() => import('./commands/check.js'), 'check'),
  },
  serve: { summary: 'start the HTTP API (same as pnpm serve)', load: lazy(() => import('./commands/serve.js'), 'serve') },
  demo: {
    summary: 'run the three reference applications and review the flagged one',
    load: lazy(() => import('./commands/demo.js'), 'demo'),
  },
};

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

Run 'bank <command> --help' for a command's options. The options every command takes (--db, --api, --token,
--json) may also come before the command: bank --db my.db list. Embedded mode (default) keeps applications in a
SQLite file (--db, BANK_DB, default ${DEFAULT_DB}) or a Postgres database (a postgres:// URL there);
--api <url> or BANK_API_URL talks to a running API.
Exit codes: 0 success (whatever the outcome), 64 usage, 65 invalid input, 66 not found, 69 store or API
unavailable (try again later), 70 internal error, 74 store damaged (needs an operator), 75 conflict,
77 unauthorized.`;
}

/** Opens the backend the options choose: a remote API when one is named, else the embedded SQLite runtime. */
function opener(io: Io): Context['open'] {
  return async (options: GlobalOptions): Promise<Backend> => {
    const api = options.api ?? io.env.BANK_API_URL;
    if (api) {
      const timeout = Number(io.env.BANK_API_TIMEOUT_MS ?? '');
      const { openRemote, DEFAULT_API_TIMEOUT_MS } = await import('./remote.js');
      return openRemote(
        api,
        options.token ?? io.env.BANK_TOKEN,
        Number.isInteger(timeout) && timeout > 0 ? timeout : DEFAULT_API_TIMEOUT_MS,
      );
    }
    const db = options.db ?? io.env.BANK_DB ?? DEFAULT_DB;
    return (await import('./embedded.js')).openEmbedded(storeLocation(db, io.cwd));
  };
}

/** Runs `bank` with its arguments and resolves with the exit code; every error is printed here, once. */
export async function main(argv: string[], io: Io): Promise<number> {
  // Global options may come before the command too: `bank --db x.db list` is `bank list --db x.db`.
  const { name, rest, leading } = splitCommand(argv);
  const json = rest.includes('--json');
  const bank = invokedAs(io.env);
  try {
    if (name === undefined && leading) throw new UsageError('missing command');
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      io.out(topic && COMMANDS[topic] ? (await COMMANDS[topic].load()).help : mainHelp());
      return EXIT_OK;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      io.out(version());
      return EXIT_OK;
    }
    const entry = COMMANDS[name];
    if (!entry) {
      throw new UsageError(
        name.startsWith('-')
          ? `unknown option '${name}'${didYouMean(name, GLOBAL_OPTION_NAMES)}`
          : `unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}`,
      );
    }
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help);
      return EXIT_OK;
    }
    return await command.run(rest, { io, open: opener(io) });
  } catch (e) {
    // Messages quote what the user typed, what the store holds or what a remote API answered: every one goes
    // through printable (or printableJson), so no control character from them reaches the terminal raw.
    if (e instanceof UsageError) {
      io.err(json ? printableJson({ error: { code: 'usage', message: e.message } }) : `usage error: ${printable(e.message)}`);
      if (!json) io.err(`see: ${bank} ${name && COMMANDS[name] ? `${name} ` : ''}--help`);
      return EXIT_USAGE;
    }
    const { toDomainError } = await import('@bank/core');
    const error = toDomainError(e);
    if (json) {
      io.err(printableJson({ error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } }));
    } else {
      // Invalid input is said once: its issues are the message (which only summarises them), one a line.
      const issues = error.issues ?? [];
      const issueText = (issue: (typeof issues)[number]) =>
        `${issue.path.length > 0 ? `${printable(issue.path.join('.'))}: ` : ''}${printable(issue.message)}`;
      if (issues.length === 1) io.err(`${printable(error.code)}: ${issueText(issues[0]!)}`);
      else if (issues.length > 1) {
        io.err(`${printable(error.code)}: ${issues.length} problems`);
        for (const issue of issues) io.err(`  - ${issueText(issue)}`);
      } else io.err(`${printable(error.code)}: ${printable(error.message)}`);
      if (error.code === 'internal' && error.cause) {
        // A stack is several lines: each is made printable on its own, so its line breaks stay line breaks.
        const stack = String((error.cause as Error).stack ?? error.cause);
        io.err(`  cause: ${stack.split('\n').map(printable).join('\n')}`);
      }
    }
    return EXIT_CODES[error.code];
  }
}
