// Node-only: published as the `@bank/core/sqlite` subpath and never re-exported from the main entry,
// so edge bundles cannot pull in a native module.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type DatabaseSyncInstance } from '@photostructure/sqlite';
import { DomainError, isDomainError } from '../errors.js';
import { fromRow, toRow, type ApplicationRow } from './rows.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import type { ExecutionCommit, Store } from './store.js';

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** The database file (created with its folder if missing), or `:memory:`. */
  readonly path: string;
  /**
   * `NORMAL` (default) survives any process crash; in WAL mode only a power loss can drop the last commits.
   * `FULL` syncs every commit to disk as well, at about a third of the throughput.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** How long to wait for another process's write lock, in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * WAL pages written before SQLite copies them back into the database file (a checkpoint, which syncs to disk).
   * Default 10,000 (about 40 MiB): SQLite's own 1,000 made every ~170th commit pay for a checkpoint, costing about
   * a quarter of the sequential throughput and most of the latency spikes.
   */
  readonly walAutocheckpointPages?: number;
}

const conflictPattern = /constraint failed/i;
const unavailablePattern = /busy|locked|not open|closed|unable to open|disk|readonly/i;

function toStoreError(e: unknown): Error {
  if (isDomainError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (conflictPattern.test(message)) return new DomainError('conflict', 'the application changed concurrently', { cause: e });
  if (unavailablePattern.test(message))
    return new DomainError('store_unavailable', `the SQLite store is unavailable: ${message}`, { cause: e });
  return new DomainError('internal', `the SQLite store failed: ${message}`, { cause: e });
}

/**
 * Opens (and migrates) a SQLite database as a {@link Store}: WAL journal, versioned migrations on open,
 * one transaction per commit and one for a whole group commit.
 * @throws {DomainError} `store_unavailable` when the file cannot be opened or was written by a newer release.
 * @example
 * ```ts
 * import { createRuntime } from '@bank/core';
 * import { createSqliteStore } from '@bank/core/sqlite';
 * const runtime = createRuntime({ store: createSqliteStore({ path: '.bank/bank.db' }) });
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  let db: DatabaseSyncInstance | undefined;
  try {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
    const checkpointPages = Math.max(0, Math.floor(options.walAutocheckpointPages ?? 10_000));
    db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}; PRAGMA foreign_keys = ON;` +
        // After a checkpoint the WAL file is cut back to 64 MiB at most, so a busy day does not leave a huge file.
        ` PRAGMA wal_autocheckpoint = ${checkpointPages}; PRAGMA journal_size_limit = 67108864;`,
    );
    migrate(db);
  } catch (e) {
    if (db?.isOpen) db.close();
    throw isDomainError(e)
      ? e
      : new DomainError('store_unavailable', `cannot open SQLite database ${options.path}: ${String((e as Error).message)}`, { cause: e });
  }
  return sqliteStore(db);
}

function sqliteStore(db: DatabaseSyncInstance): Store {
  const sql = {
    insert: db.prepare(
      `INSERT INTO applications (id, state, name, address, checks, reason, review, task_token, status, execution, version, due_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    ),
    update: db.prepare(
      `UPDATE applications SET state = ?, checks = ?, reason = ?, review = ?, task_token = ?, status = ?, execution = ?,
         version = version + 1, due_at = ?, updated_at = ? WHERE id = ? AND version = ?`,
    ),
    snapshot: db.prepare(
      `INSERT INTO snapshots (application_id, machine_version, snapshot) VALUES (?, ?, ?)
       ON CONFLICT (application_id) DO UPDATE SET machine_version = excluded.machine_version, snapshot = excluded.snapshot`,
    ),
    lastSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM history WHERE application_id = ?'),
    key: db.prepare('INSERT INTO idempotency_keys (key, request_hash, application_id, created_at) VALUES (?, ?, ?, ?)'),
    load: db.prepare(
      'SELECT a.*, s.machine_version, s.snapshot FROM applications a JOIN snapshots s ON s.application_id = a.id WHERE a.id = ?',
    ),
    get: db.prepare('SELECT * FROM applications WHERE id = ?'),
    listAll: db.prepare('SELECT * FROM applications WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?'),
    listState: db.prepare('SELECT * FROM applications WHERE state = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?'),
    readHistory: db.prepare('SELECT seq, at, type, data FROM history WHERE application_id = ? ORDER BY seq'),
    findKey: db.prepare('SELECT request_hash, application_id FROM idempotency_keys WHERE key = ?'),
    due: db.prepare('SELECT id FROM applications WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?'),
    nextDue: db.prepare('SELECT MIN(due_at) AS at FROM applications WHERE due_at IS NOT NULL'),
    ping: db.prepare('SELECT 1 AS ok'),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT step'),
    release: db.prepare('RELEASE step'),
    rollbackTo: db.prepare('ROLLBACK TO step'),
  };

  // One INSERT for all the events of a step (a submit writes six): one statement instead of one per event.
  const MAX_EVENTS_PER_INSERT = 16;
  const historyInserts = new Map<number, ReturnType<typeof db.prepare>>();
  const historyInsert = (count: number) => {
    let statement = historyInserts.get(count);
    if (!statement) {
      const values = Array.from({ length: count }, () => '(?, ?, ?, ?, ?)').join(', ');
      statement = db.prepare(`INSERT INTO history (application_id, seq, at, type, data) VALUES ${values}`);
      historyInserts.set(count, statement);
    }
    return statement;
  };

  function apply(c: ExecutionCommit): void {
    const row = toRow(c.application);
    if (c.expectedVersion === 0) {
      sql.insert.run(
        row.id,
        row.state,
        row.name,
        row.address,
        row.checks,
        row.reason,
        row.review,
        row.task_token,
        row.status,
        row.execution,
        c.dueAt,
        row.created_at,
        row.updated_at,
      );
    } else {
      const { changes } = sql.update.run(
        row.state,
        row.checks,
        row.reason,
        row.review,
        row.task_token,
        row.status,
        row.execution,
        c.dueAt,
        row.updated_at,
        row.id,
        c.expectedVersion,
      );
      if (changes !== 1) throw new DomainError('conflict', `application ${row.id} changed concurrently`);
    }
    sql.snapshot.run(row.id, c.machineVersion, JSON.stringify(c.snapshot));
    let seq = c.expectedVersion === 0 ? 0 : (sql.lastSeq.get(row.id) as { n: number }).n;
    for (let i = 0; i < c.events.length; i += MAX_EVENTS_PER_INSERT) {
      const chunk = c.events.slice(i, i + MAX_EVENTS_PER_INSERT);
      historyInsert(chunk.length).run(...chunk.flatMap((event) => [row.id, ++seq, event.at, event.type, JSON.stringify(event.data)]));
    }
    if (c.idempotency) sql.key.run(c.idempotency.key, c.idempotency.requestHash, row.id, row.created_at);
  }

  /** Runs `fn` in one write transaction; BEGIN IMMEDIATE takes the write lock up front, so two processes never deadlock. */
  function transaction<T>(fn: () => T): T {
    sql.begin.run();
    try {
      const result = fn();
      sql.commit.run();
      return result;
    } catch (e) {
      if (db.isTransaction) sql.rollback.run();
      throw e;
    }
  }

  // Every method maps driver errors to DomainErrors; a closed database is store_unavailable.
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<R> => {
      if (!db.isOpen) throw new DomainError('store_unavailable', 'the SQLite store is closed');
      try {
        return fn(...args);
      } catch (e) {
        throw toStoreError(e);
      }
    };

  return {
    load: guarded((id: string) => {
      const row = sql.load.get(id) as (ApplicationRow & { machine_version: number; snapshot: string }) | undefined;
      if (!row) return undefined;
      return {
        application: fromRow(row),
        version: row.version,
        machineVersion: row.machine_version,
        snapshot: JSON.parse(row.snapshot) as unknown,
        dueAt: row.due_at,
      };
    }),
    commit: guarded((c: ExecutionCommit) => transaction(() => apply(c))),
    commitMany: guarded((commits: readonly ExecutionCommit[]) =>
      transaction(() =>
        commits.map((c) => {
          sql.savepoint.run();
          try {
            apply(c);
            sql.release.run();
            return null;
          } catch (e) {
            sql.rollbackTo.run();
            sql.release.run();
            return toStoreError(e);
          }
        }),
      ),
    ),
    get: guarded((id: string) => {
      const row = sql.get.get(id) as ApplicationRow | undefined;
      return row ? fromRow(row) : undefined;
    }),
    list: guarded(({ state, limit, after }) => {
      const from = after ? [after.createdAt, after.id] : ['', ''];
      const rows = (state === undefined ? sql.listAll.all(...from, limit) : sql.listState.all(state, ...from, limit)) as ApplicationRow[];
      return rows.map(fromRow);
    }),
    history: guarded((id: string) =>
      (sql.readHistory.all(id) as { seq: number; at: string; type: string; data: string }[]).map((r) => ({
        seq: r.seq,
        at: r.at,
        type: r.type,
        data: JSON.parse(r.data) as Record<string, unknown>,
      })),
    ),
    findIdempotencyKey: guarded((key: string) => {
      const row = sql.findKey.get(key) as { request_hash: string; application_id: string } | undefined;
      return row ? { requestHash: row.request_hash, applicationId: row.application_id } : undefined;
    }),
    due: guarded((at: string, limit: number) => (sql.due.all(at, limit) as { id: string }[]).map((r) => r.id)),
    nextDueAt: guarded(() => (sql.nextDue.get() as { at: string | null }).at ?? undefined),
    ping: guarded(() => {
      sql.ping.get();
    }),
    async close() {
      if (db.isOpen) db.close();
    },
  };
}

function migrate(db: DatabaseSyncInstance): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    const latest = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new DomainError(
        'store_unavailable',
        `the database has schema version ${current}, newer than this release knows (${latest}); upgrade bank-workflows`,
      );
    }
    for (const migration of SQLITE_MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}
