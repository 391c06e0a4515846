import { printable } from './printable.js';

/**
 * How the user started `bank`, for the commands the CLI suggests (`next: … approve <id>`, `see: … --help`): `pnpm
 * bank` when the repository's launcher ran it (it sets `BANK_INVOKED_AS`), else `bank`. A suggestion must be a command
 * the user can run, and someone who typed `pnpm bank` has no `bank` on their PATH. Only the few spellings a launcher
 * uses are taken: the value is printed as part of commands to copy.
 */
export function invokedAs(env: Readonly<Record<string, string | undefined>>): string {
  const value = env.BANK_INVOKED_AS?.trim();
  return value && /^(pnpm|npm|npx|yarn)( -s| --silent)?( run| exec)? bank$/.test(value) ? value : 'bank';
}

const SHELL_SAFE = /^[A-Za-z0-9_./:@=+,-]+$/;

/** A word as a POSIX shell reads it back: as it is when it is safe, else in single quotes. */
const shellWord = (word: string): string => (SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The start of a command to suggest: {@link invokedAs} plus the `--db` or `--api` the user chose, so the suggested
 * command reaches the same applications (`pnpm bank --db /tmp/x.db approve <id>`). Never the token: it is a secret,
 * and the suggestion is printed.
 */
export function suggestedCommand(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly db?: string | undefined; readonly api?: string | undefined },
): string {
  const chosen = [
    ...(options.db === undefined ? [] : ['--db', printable(options.db)]),
    ...(options.api === undefined ? [] : ['--api', printable(options.api)]),
  ];
  return [invokedAs(env), ...chosen.map(shellWord)].join(' ');
}
