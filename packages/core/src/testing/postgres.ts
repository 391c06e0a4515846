// Helpers for tests on a real PostgreSQL server. They run where DATABASE_URL is set (CI sets it) and skip where it is
// not (a fresh machine has no Postgres): `describe.skipIf(!TEST_DATABASE_URL)(…)`. Every test run works in schemas of
// its own, created here and dropped afterwards, so runs on one database never see each other.
import { createServer, connect, type Server, type Socket } from 'node:net';
import postgres from 'postgres';
import { createPostgresStore, type PostgresStoreSettings } from '../store/postgres-store.js';
import type { Store } from '../store/store.js';
import type { OpenedStore } from './describe-store.js';

/** The database Postgres tests run on, or undefined when DATABASE_URL is unset (the tests skip). */
export const TEST_DATABASE_URL: string | undefined = process.env.DATABASE_URL || undefined;

/** Added to the name of a skipped suite, so the reason shows in the test report. */
export const POSTGRES_SKIP_NOTE = TEST_DATABASE_URL ? '' : ' (skipped: set DATABASE_URL to run on Postgres)';

const PREFIX = 'bank_test_';
/** Schemas a crashed run left behind are dropped by a later run once they are this old. */
const STALE_AFTER_MS = 3600_000;

function requireUrl(url: string | undefined = TEST_DATABASE_URL): string {
  if (!url) throw new Error('DATABASE_URL is not set: guard Postgres tests with describe.skipIf(!TEST_DATABASE_URL)');
  return url;
}

/** Runs `fn` on a short-lived connection of its own. */
async function withAdmin<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, fetch_types: false });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A schema made for one test (or one file), and the way to drop it. */
export interface TestSchema {
  /** The database URL. */
  readonly url: string;
  /** The schema's name: `bank_test_<time>_<random>`. */
  readonly schema: string;
  /** Drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** Creates an empty schema with a fresh name on `url` (DATABASE_URL by default), after dropping stale ones. */
export async function createTestSchema(url: string = requireUrl()): Promise<TestSchema> {
  const schema = `${PREFIX}${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
  await withAdmin(url, async (sql) => {
    const stale = await sql<{ nspname: string }[]>`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${PREFIX}%`}`;
    for (const { nspname } of stale) {
      const born = Number.parseInt(nspname.slice(PREFIX.length).split('_')[0] ?? '', 36);
      if (Number.isFinite(born) && Date.now() - born > STALE_AFTER_MS) await sql`DROP SCHEMA IF EXISTS ${sql(nspname)} CASCADE`;
    }
    await sql`CREATE SCHEMA ${sql(schema)}`;
  });
  return {
    url,
    schema,
    drop: () => withAdmin(url, (sql) => sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`).then(() => undefined),
  };
}

/** Names of the test schemas that exist now (to check that a test dropped its own). */
export async function listTestSchemas(url: string = requireUrl()): Promise<string[]> {
  return withAdmin(url, async (sql) =>
    (await sql<{ nspname: string }[]>`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${PREFIX}%`}`).map((r) => r.nspname),
  );
}

/**
 * A Postgres store on a fresh schema, in the shape the store contract (`describeStore`) takes: `reopen` opens a second
 * store on the same schema, `cleanup` drops the schema.
 */
export async function openTestPostgresStore(settings: PostgresStoreSettings = {}): Promise<OpenedStore & { readonly schema: TestSchema }> {
  const schema = await createTestSchema();
  const open = (): Promise<Store> => createPostgresStore({ max: 4, ...settings, url: schema.url, schema: schema.schema });
  let store: Store;
  try {
    store = await open();
  } catch (e) {
    await schema.drop();
    throw e;
  }
  return { store, reopen: open, cleanup: () => schema.drop(), schema };
}

/**
 * A TCP proxy in front of the Postgres server of `url`, for tests of what crosses the wire: it counts round trips
 * (each time a client speaks again after it heard the server) and statements (the Execute and simple Query messages
 * of the wire protocol; no TLS), and can play an outage without touching the server,
 * which other tests share. With `latencyMs`, the server's answers reach the client that much later, as over a
 * network: a client that pipelines has then written everything before it hears anything, so the count is exact.
 */
export interface PostgresProxy {
  /** `url`, pointed at the proxy. */
  readonly url: string;
  /** Round trips so far, over all connections. */
  roundTrips(): number;
  /** Statements sent so far, over all connections. */
  statements(): number;
  /** The server goes away: every connection is cut and new ones are refused until `restore`. */
  cut(): Promise<void>;
  /** The server is back: connections are accepted again, on the same port. */
  restore(): Promise<void>;
  /** Cuts everything and stops the proxy. */
  close(): Promise<void>;
}

/** Starts a {@link PostgresProxy} on a free port of 127.0.0.1. */
export async function createPostgresProxy(
  url: string = requireUrl(),
  options: { readonly latencyMs?: number } = {},
): Promise<PostgresProxy> {
  const latencyMs = options.latencyMs ?? 0;
  const target = new URL(url);
  const targetHost = target.hostname || '127.0.0.1';
  const targetPort = Number(target.port || 5432);
  const sockets = new Set<Socket>();
  let trips = 0;
  let statements = 0;
  let server: Server | undefined;
  let port = 0;

  const accept = (client: Socket) => {
    const upstream = connect(targetPort, targetHost);
    let serverSpokeLast = true;
    const count = countStatements(() => statements++);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => {
      if (serverSpokeLast) trips++;
      serverSpokeLast = false;
      count(chunk);
      upstream.write(chunk);
    });
    const forward = (chunk: Buffer) => {
      serverSpokeLast = true;
      client.write(chunk);
    };
    // Timers of equal delay fire in the order they were set: the stream keeps its order.
    upstream.on('data', (chunk: Buffer) => (latencyMs > 0 ? setTimeout(forward, latencyMs, chunk) : forward(chunk)));
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(accept);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as { port: number }).port;
        server = next;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    roundTrips: () => trips,
    statements: () => statements,
    cut,
    restore: () => (server ? Promise.resolve() : listen()),
    close: cut,
  };
}

const SSL_REQUEST = 80877103;
const GSS_ENCRYPTION_REQUEST = 80877104;

/** Reads a client's side of the wire protocol and calls `onStatement` for each Execute ('E') or Query ('Q') message. */
function countStatements(onStatement: () => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  let startup = true; // the first messages (SSLRequest, StartupMessage) have a length but no type byte
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (startup) {
        if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(buffer.readInt32BE(0));
        if (code !== SSL_REQUEST && code !== GSS_ENCRYPTION_REQUEST) startup = false;
        continue;
      }
      if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
      const type = String.fromCharCode(buffer[0]!);
      if (type === 'E' || type === 'Q') onStatement();
      buffer = buffer.subarray(1 + buffer.readInt32BE(1));
    }
  };
}
