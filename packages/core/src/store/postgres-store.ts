// The Postgres store: many processes on one database, each step one statement, group commit in one round trip,
// due executions claimed with leases, and wake-ups over LISTEN/NOTIFY. Published as `@bank/core/postgres`.
import postgres, { type Sql } from 'postgres';
import type { Application, HistoryEvent } from '../application.js';
import { DomainError } from '../errors.js';
import { createPostgresCommitter } from './postgres-commit.js';
import { classifyPostgresError, toPostgresStoreError } from './postgres-errors.js';
import { migratePostgres } from './postgres-migrations.js';
import { dueChannel, validateSchemaName } from './postgres-schema.js';
import { noDelaySocket } from './postgres-socket.js';
import { createPostgresStatements, parameters, type Statement } from './postgres-statements.js';
import { createDueWatch } from './postgres-watch.js';
import { fromRow, type ApplicationRow } from './rows.js';
import type { DueClaim, ListQuery, Quarantine, Store, StoredExecution } from './store.js';

/** Options of the Postgres store shared by both ways of connecting. */
export interface PostgresStoreSettings {
  /** The schema the store's tables live in, created (with them) on open if missing. Default `public`. */
  readonly schema?: string;
  /** With `url`: the most connections the store's pool opens (default 10). LISTEN takes one more, when watched. */
  readonly max?: number;
  /** With `url`: how long opening a connection may take, in seconds (default 10). */
  readonly connectTimeoutSeconds?: number;
}

/**
 * How to reach the database: a connection URL (`postgres://user:password@host:5432/database`; the store owns the pool
 * and ends it on close), or an existing postgres.js client (`sql`; the store never ends it).
 */
export type PostgresStoreOptions = PostgresStoreSettings &
  ({ readonly url: string; readonly sql?: never } | { readonly sql: Sql; readonly url?: never });

const DEFAULT_MAX = 10;
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
// A group commit of the runtime's largest batch (256 steps, plus BEGIN and COMMIT) in one pipeline.
const MAX_PIPELINE = 1024;
// How long a connection waits before it tries the server again after failing, in seconds: 20 ms doubling to 1 s.
// postgres.js's own backoff grows to 20 s, and a call made meanwhile waits it out: a readiness probe would hang for
// that long during an outage, and the store would take that long to notice the server is back.
const reconnectDelaySeconds = (retries: number) => Math.min(0.02 * 2 ** retries, 1);

function validate(options: PostgresStoreOptions): void {
  const { url, sql, max, connectTimeoutSeconds } = options as {
    url?: unknown;
    sql?: unknown;
    max?: unknown;
    connectTimeoutSeconds?: unknown;
  };
  if ((url === undefined) === (sql === undefined)) throw new DomainError('invalid_input', 'give the Postgres store either url or sql');
  if (max !== undefined && !(Number.isSafeInteger(max) && (max as number) > 0)) {
    throw new DomainError('invalid_input', `max must be a whole number of connections > 0, not ${String(max)}`);
  }
  if (connectTimeoutSeconds !== undefined && !(typeof connectTimeoutSeconds === 'number' && connectTimeoutSeconds > 0)) {
    throw new DomainError('invalid_input', `connectTimeoutSeconds must be a number of seconds > 0, not ${String(connectTimeoutSeconds)}`);
  }
  validateSchemaName(options.schema ?? 'public');
  // postgres.js 3.4.9: with fetch_types off, reserve() on a pool with no open connection never settles
  // (porsager/postgres#751), and group commit reserves a connection.
  if (sql !== undefined && (sql as Sql).options?.fetch_types === false) {
    throw new DomainError('invalid_input', 'the postgres.js client must fetch types (fetch_types: true, its default)');
  }
}

/** Opens a pool on `url`. Never echoes the URL: it may hold a password. */
function openPool(url: string, options: PostgresStoreSettings): Sql {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//i.test(url)) {
    throw new DomainError('store_unavailable', 'cannot open the Postgres store: the URL is not a postgres:// URL');
  }
  const connectTimeout = options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  const pool = (socket: boolean) =>
    postgres(url, {
      max: options.max ?? DEFAULT_MAX,
      connect_timeout: connectTimeout,
      max_pipeline: MAX_PIPELINE,
      backoff: reconnectDelaySeconds,
      onnotice: () => {},
      connection: { application_name: 'bank-workflows' },
      ...(socket ? { socket: noDelaySocket } : {}),
    } as postgres.Options<Record<string, postgres.PostgresType>>);
  let sql: Sql;
  try {
    sql = pool(true);
  } catch {
    // Node's URL error keeps the whole URL (`input`), password included: neither message nor cause is kept.
    throw new DomainError('store_unavailable', 'cannot open the Postgres store: the URL is not valid');
  }
  // Several hosts: postgres.js's own sockets, which fail over between them (a pool opens no connection until used).
  return sql.options.host.length > 1 ? pool(false) : sql;
}

/** Host, port and database, for messages: never the user's password. */
function describeServer(sql: Sql): string {
  const { host, port, database } = sql.options;
  return `${host.map((h, i) => `${h}:${port[i] ?? port[0] ?? ''}`).join(',')}/${database}`;
}

type LoadRow = ApplicationRow & { machine_version: number; snapshot: string };

/**
 * Opens a {@link Store} on Postgres: connects, brings the schema up to date (under an advisory lock, so processes that
 * start together migrate once) and resolves when the store is ready.
 *
 * Every settled step is one SQL statement (one round trip); a group commit is one pipelined transaction (one round
 * trip for the group). `due` with a claim leases executions (`FOR UPDATE SKIP LOCKED`) so that of many processes one
 * drives each; `watchDue` hears other processes' due times over LISTEN/NOTIFY. A connection that fails is replaced by
 * the pool on a later call: the store heals by itself once the server is back.
 * @throws {DomainError} `store_unavailable` when the URL is not valid, the server cannot be reached or refuses the
 * credentials, or the schema was written by a newer release (the message names host, port and database, never the
 * password); `invalid_input` for options that make no sense.
 * @example
 * ```ts
 * import { createRuntime } from '@bank/core';
 * import { createPostgresStore } from '@bank/core/postgres';
 * const runtime = createRuntime({ store: await createPostgresStore({ url: process.env.DATABASE_URL! }) });
 * ```
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  validate(options);
  const schema = options.schema ?? 'public';
  const owned = options.sql === undefined;
  const sql = options.sql === undefined ? openPool(options.url, options) : options.sql;
  const where = describeServer(sql);
  try {
    await migratePostgres(sql, schema);
  } catch (e) {
    if (owned) await sql.end({ timeout: 0 }).catch(() => {});
    const error = toPostgresStoreError(e, where);
    throw new DomainError(error.code, `cannot open the Postgres store: ${error.message}`, { cause: error.cause });
  }

  const statements = createPostgresStatements(schema);
  const channel = dueChannel(schema);
  const committer = createPostgresCommitter(sql, statements, channel, where);
  const watch = createDueWatch(sql, channel);
  let closed = false;

  // What the store is doing now, so that close lets it finish and then ends the pool at once.
  const inflight = new Set<Promise<unknown>>();
  function track<T>(operation: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new DomainError('store_unavailable', `the Postgres store is closed (Postgres ${where})`));
    const running = operation();
    const settled: Promise<boolean> = running.then(
      () => inflight.delete(settled),
      () => inflight.delete(settled),
    );
    inflight.add(settled);
    return running;
  }
  async function query<T>(statement: Statement, values: Record<string, string | number | null>): Promise<T[]> {
    try {
      return await sql.unsafe<T[]>(statement.text, parameters(statement, values), { prepare: true });
    } catch (e) {
      throw toPostgresStoreError(e, where);
    }
  }

  return {
    load: (id) =>
      track(async (): Promise<StoredExecution | undefined> => {
        const [row] = await query<LoadRow>(statements.load, { id });
        if (!row) return undefined;
        return {
          application: fromRow(row),
          version: row.version,
          machineVersion: row.machine_version,
          snapshot: JSON.parse(row.snapshot) as unknown,
          dueAt: row.due_at,
        };
      }),
    commit: (c) => track(() => committer.commit(c)),
    commitMany: (commits) => track(async () => (commits.length === 0 ? [] : committer.commitMany(commits))),
    get: (id) =>
      track(async (): Promise<Application | undefined> => {
        const [row] = await query<ApplicationRow>(statements.get, { id });
        return row ? fromRow(row) : undefined;
      }),
    list: ({ state, status, limit, after }: ListQuery) =>
      track(async () => {
        const page = { after_created_at: after?.createdAt ?? '', after_id: after?.id ?? '', limit };
        const rows =
          state === undefined
            ? status === undefined
              ? await query<ApplicationRow>(statements.listAll, page)
              : await query<ApplicationRow>(statements.listStatus, { ...page, status })
            : status === undefined
              ? await query<ApplicationRow>(statements.listState, { ...page, state })
              : await query<ApplicationRow>(statements.listStateStatus, { ...page, state, status });
        return rows.map(fromRow);
      }),
    history: (id) =>
      track(async (): Promise<HistoryEvent[]> => {
        const rows = await query<{ seq: number; at: string; type: string; data: string }>(statements.history, { id });
        return rows.map((r) => ({ seq: r.seq, at: r.at, type: r.type, data: JSON.parse(r.data) as Record<string, unknown> }));
      }),
    findIdempotencyKey: (key) =>
      track(async () => {
        const [row] = await query<{ request_hash: string; application_id: string }>(statements.findKey, { key });
        return row ? { requestHash: row.request_hash, applicationId: row.application_id } : undefined;
      }),
    due: (at, limit, claim?: DueClaim) =>
      track(async () => {
        if (!claim) return (await query<{ id: string }>(statements.due, { at, limit })).map((r) => r.id);
        const { owner, until } = claim;
        const rows = await query<{ id: string; due_at: string }>(statements.claim, { at, limit, owner, until });
        // RETURNING has no order: earliest due first, as without a claim.
        return rows.sort((a, b) => (a.due_at === b.due_at ? (a.id < b.id ? -1 : 1) : a.due_at < b.due_at ? -1 : 1)).map((r) => r.id);
      }),
    nextDueAt: () =>
      track(async () => {
        const [row] = await query<{ at: string | null }>(statements.nextDue, {});
        return row?.at ?? undefined;
      }),
    watchDue(listener) {
      if (closed) throw new DomainError('store_unavailable', `the Postgres store is closed (Postgres ${where})`);
      return watch.watch(listener);
    },
    quarantine: ({ id, reason, at }: Quarantine) =>
      track(async () => {
        const execution = JSON.stringify({ quarantined: { reason, at } });
        const [row] = await query<{ written: number }>(statements.quarantine, { id, at, execution, data: JSON.stringify({ reason }) });
        return row?.written === 1;
      }),
    ping: () =>
      track(async () => {
        const probe = () => query(statements.probe, { at: new Date().toISOString() });
        try {
          await probe();
        } catch (e) {
          // A connection the server closed while idle (a restart) fails once, then the pool reconnects: try once more.
          if (!(e instanceof DomainError && classifyPostgresError(e.cause).connection)) throw e;
          await probe();
        }
      }),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inflight]);
      await watch.close();
      // Nothing of the store's is in flight now: end at once. (Waiting would not help: after a failed reconnect,
      // postgres.js 3.4.9 can keep a dead query on a closed connection, and end() then waits for it until its timeout.
      // Not reported upstream yet.)
      if (owned) await sql.end({ timeout: 0 });
    },
  };
}
