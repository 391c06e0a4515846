// Postgres for the suites that run the real server on it. They run where DATABASE_URL is set (CI sets it, and runs a
// server there) and skip, visibly, where it is not: a fresh machine has no Postgres. Each run works in a database of its
// own on that server, created here and dropped afterwards (`WITH (FORCE)`, so a server process left behind cannot keep
// it), because other suites use the same server at the same time. The suites look inside with `psql`, which comes with
// every Postgres installation: this package has no Postgres driver of its own.
import { execFile, execFileSync } from 'node:child_process';

/** The server the Postgres suites run on, or undefined when DATABASE_URL is unset (they skip). */
export const DATABASE_URL: string | undefined = process.env['DATABASE_URL'] || undefined;

/** Whether `psql` can be run. */
export const HAS_PSQL: boolean = (() => {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Why the Postgres suites skip here ('' when they run), shown in the suite's name. */
export const POSTGRES_SKIP_NOTE = !DATABASE_URL
  ? ' (skipped: set DATABASE_URL to run on Postgres)'
  : !HAS_PSQL
    ? ' (skipped: psql is not installed)'
    : '';

/** Runs SQL through `psql` on `url` and resolves with its unaligned, tuples-only output. */
export function psql(url: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'psql',
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
      { maxBuffer: 512 * 1024 * 1024, timeout: 60_000, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
      (error, stdout, stderr) => (error ? reject(new Error(`psql failed: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

/** The rows of a SELECT, each turned into JSON by the server (one line per row: JSON text has no raw newline). */
export async function psqlRows<T>(url: string, select: string): Promise<T[]> {
  const out = await psql(url, `SELECT row_to_json(q)::text FROM (${select}) q`);
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** A database made for one run, and the way to drop it. */
export interface TestDatabase {
  /** Its name: `<prefix><time>_<random>`. */
  readonly name: string;
  /** DATABASE_URL with this database in place of its own. */
  readonly url: string;
  /** Drops it, cutting any connection still open to it. */
  drop(): Promise<void>;
}

/** Databases a crashed run left behind are dropped by a later run once they are this old. */
const STALE_AFTER_MS = 3600_000;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates an empty database with a fresh name on the server of `base` (DATABASE_URL), after dropping stale ones. */
export async function createTestDatabase(prefix: string, base: string | undefined = DATABASE_URL): Promise<TestDatabase> {
  if (!base) throw new Error('DATABASE_URL is not set: guard the suite with describe.skipIf(POSTGRES_SKIP_NOTE !== "")');
  const born = Date.now();
  const name = `${prefix}${born.toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
  const stale = (await psql(base, `SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}')`)).split('\n').filter(Boolean);
  for (const old of stale) {
    const at = Number.parseInt(old.slice(prefix.length).split('_')[0] ?? '', 36);
    if (Number.isFinite(at) && born - at > STALE_AFTER_MS) await psql(base, `DROP DATABASE IF EXISTS ${quote(old)} WITH (FORCE)`);
  }
  await psql(base, `CREATE DATABASE ${quote(name)}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await psql(base, `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
    },
  };
}
