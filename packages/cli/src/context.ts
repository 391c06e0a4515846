import { isAbsolute, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Backend } from './backend.js';
import type { Io } from './io.js';
import { printableJson } from './printable.js';
import { didYouMean } from './suggest.js';
import { UsageError } from './usage-error.js';

/** What every command gets: the outside world, and the backend chosen by `--db` / `--api`. */
export interface Context {
  readonly io: Io;
  /** Opens the backend the global options chose (embedded SQLite or a remote API). */
  open(options: GlobalOptions): Promise<Backend>;
}

/** Options every command accepts. */
export interface GlobalOptions {
  readonly db?: string | undefined;
  readonly api?: string | undefined;
  readonly token?: string | undefined;
  readonly json?: boolean | undefined;
  readonly help?: boolean | undefined;
}

const GLOBAL_OPTIONS = {
  db: { type: 'string' },
  api: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/**
 * Splits `bank [global options] <command> [arguments]` into the command's name and its arguments, with the global
 * options given before the name moved in front of the command's own: `bank --db x.db list` is `bank list --db x.db`.
 * Help is left where it is (`bank --help` is the main help). `leading` says whether any option came first.
 */
export function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[]; leading: boolean } {
  const options: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    const key = /^--([^=]+)/.exec(arg)?.[1];
    if (key === undefined || key === 'help' || !Object.hasOwn(GLOBAL_OPTIONS, key)) break;
    options.push(arg);
    const takesValue = GLOBAL_OPTIONS[key as keyof typeof GLOBAL_OPTIONS].type === 'string' && !arg.includes('=');
    if (takesValue && i + 1 < argv.length) options.push(argv[++i]!);
  }
  const [name, ...rest] = argv.slice(i);
  return { name, rest: [...options, ...rest], leading: options.length > 0 };
}

/** The global options as typed (`--db`, `--json`…), for suggestions. */
export const GLOBAL_OPTION_NAMES: readonly string[] = Object.keys(GLOBAL_OPTIONS).map((k) => `--${k}`);

/** Parses a command's arguments with the global options added; a parse failure is a usage error. */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  positionals = 0,
): ReturnType<typeof parseArgs<{ args: string[]; options: typeof GLOBAL_OPTIONS & O; allowPositionals: boolean; strict: true }>> {
  try {
    const parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
    return parsed;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unknown = /^Unknown option '(--[^']+)'$/.exec(message)?.[1];
    const known = Object.keys({ ...GLOBAL_OPTIONS, ...options }).map((k) => `--${k}`);
    throw new UsageError(unknown === undefined ? message : `${message}${didYouMean(unknown, known)}`);
  }
}

/**
 * Prints a command's result: one JSON document with `--json` (escaping DEL, C1 controls and U+2028/U+2029 as well,
 * see {@link printableJson}), else the human rendering, which must pass stored data through `printable` itself.
 */
export function print(io: Io, json: boolean | undefined, value: unknown, human: () => string): void {
  io.out(json ? printableJson(value) : human());
}

/** Opens the backend, runs `fn` with it and closes it, whatever happens. */
export async function withBackend<T>(ctx: Context, options: GlobalOptions, fn: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await ctx.open(options);
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

/** Where the store is: a `postgres://` URL as it is, a SQLite path resolved against the folder `bank` runs in. */
export function storeLocation(db: string, cwd: string): string {
  return /^postgres(ql)?:\/\//i.test(db.trim()) || isAbsolute(db) ? db : resolve(cwd, db);
}
