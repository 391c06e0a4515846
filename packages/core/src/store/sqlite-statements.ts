// The prepared statements of one connection, and the synchronous operations the store runs on them. Everything a call
// does happens inside one synchronous function, so a call that fails (a lock, an I/O error) can be run again whole:
// its transaction was rolled back.
import type { DatabaseSyncInstance, StatementSyncInstance } from '@photostructure/sqlite';
import type { Application, HistoryEvent } from '../application.js';
import { DomainError } from '../errors.js';
import { fromRow, insertParameters, toRow, updateParameters, type ApplicationRow } from './rows.js';
import { classifySqliteError, sqliteResultCode, toSqliteStoreError } from './sqlite-errors.js';
import type { ExecutionCommit, IdempotencyRecord, ListQuery, Quarantine, StoredExecution } from './store.js';

/** Below this many free pages (under `max_page_count`), `ping` reports the database full before a write fails. */
export const FULL_MARGIN_PAGES = 16;

/** The operations of one open connection. */
export interface SqliteOperations {
  load(id: string): StoredExecution | undefined;
  commit(commit: ExecutionCommit): void;
  commitMany(commits: readonly ExecutionCommit[]): (Error | null)[];
  get(id: string): Application | undefined;
  list(query: ListQuery): Application[];
  history(id: string): HistoryEvent[];
  findIdempotencyKey(key: string): IdempotencyRecord | undefined;
  due(at: string, limit: number): string[];
  nextDueAt(): string | undefined;
  quarantine(quarantine: Quarantine): boolean;
  /** A real probe: the room left under the size cap, then a write that commits. */
  probe(at: string): void;
  close(): void;
}

const toLiteral = (value: unknown): string | undefined => {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return value === null ? 'NULL' : undefined;
};

/**
 * `all()` of @photostructure/sqlite 1.2 throws without the SQLite result code (`get()`, `run()` and `exec()` carry it;
 * not reported upstream yet). When a read fails that way, it is replayed through `exec()` with its parameters written
 * as literals, which fails the same way and says why. Only for this module's own SELECTs: no `?` in their text but
 * the parameters, and no side effect.
 */
function allRows(db: DatabaseSyncInstance, statement: StatementSyncInstance, ...parameters: unknown[]): unknown[] {
  try {
    return statement.all(...parameters);
  } catch (e) {
    const literals = parameters.map(toLiteral);
    if (sqliteResultCode(e) === undefined && literals.every((literal) => literal !== undefined)) {
      let next = 0;
      db.exec(statement.sourceSQL.replaceAll('?', () => literals[next++]!));
    }
    throw e;
  }
}

/** Prepares the statements of a connection to the database at `path` and returns its operations. */
export function createSqliteOperations(db: DatabaseSyncInstance, path: string): SqliteOperations {
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
    listStatus: db.prepare('SELECT * FROM applications WHERE status = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?'),
    listStateStatus: db.prepare(
      'SELECT * FROM applications WHERE state = ? AND status = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
    ),
    readHistory: db.prepare('SELECT seq, at, type, data FROM history WHERE application_id = ? ORDER BY seq'),
    findKey: db.prepare('SELECT request_hash, application_id FROM idempotency_keys WHERE key = ?'),
    due: db.prepare('SELECT id FROM applications WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?'),
    nextDue: db.prepare('SELECT MIN(due_at) AS at FROM applications WHERE due_at IS NOT NULL'),
    // Reads no JSON column: the row being quarantined may be damaged.
    quarantine: db.prepare(
      `UPDATE applications SET status = 'FAILED', execution = ?, due_at = NULL, version = version + 1, updated_at = ? WHERE id = ?`,
    ),
    room: db.prepare(
      'SELECT m.max_page_count - p.page_count + f.freelist_count AS free FROM pragma_max_page_count m, pragma_page_count p, pragma_freelist_count f',
    ),
    probe: db.prepare('INSERT OR REPLACE INTO store_probe (id, at) VALUES (1, ?)'),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT step'),
    release: db.prepare('RELEASE step'),
    rollbackTo: db.prepare('ROLLBACK TO step'),
  };

  // One INSERT for all the events of a step (a submit writes six): one statement instead of one per event.
  const MAX_EVENTS_PER_INSERT = 16;
  const historyInserts = new Map<number, StatementSyncInstance>();
  const historyInsert = (count: number) => {
    let statement = historyInserts.get(count);
    if (!statement) {
      const values = Array.from({ length: count }, () => '(?, ?, ?, ?, ?)').join(', ');
      statement = db.prepare(`INSERT INTO history (application_id, seq, at, type, data) VALUES ${values}`);
      historyInserts.set(count, statement);
    }
    return statement;
  };
  const lastSeq = (id: string) => (sql.lastSeq.get(id) as { n: number }).n;

  function apply(c: ExecutionCommit): void {
    const row = toRow(c.application);
    if (c.expectedVersion === 0) {
      sql.insert.run(...(insertParameters(row, c) as never[]));
    } else {
      const { changes } = sql.update.run(...(updateParameters(row, c) as never[]));
      if (changes !== 1) throw new DomainError('conflict', `application ${row.id} changed concurrently`);
    }
    sql.snapshot.run(row.id, c.machineVersion, JSON.stringify(c.snapshot));
    let seq = c.expectedVersion === 0 ? 0 : lastSeq(row.id);
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

  return {
    load(id) {
      const row = sql.load.get(id) as (ApplicationRow & { machine_version: number; snapshot: string }) | undefined;
      if (!row) return undefined;
      return {
        application: fromRow(row),
        version: row.version,
        machineVersion: row.machine_version,
        snapshot: JSON.parse(row.snapshot) as unknown,
        dueAt: row.due_at,
      };
    },
    commit: (c) => transaction(() => apply(c)),
    commitMany: (commits) =>
      transaction(() =>
        commits.map((c) => {
          sql.savepoint.run();
          try {
            apply(c);
            sql.release.run();
            return null;
          } catch (e) {
            const failure = classifySqliteError(e);
            // A lock, an I/O error or damage fails the whole group (SQLite may have rolled it back already); a
            // conflict or a bad row fails only its own step.
            if (failure.busy || failure.code === 'store_unavailable' || failure.code === 'store_corrupt') throw e;
            sql.rollbackTo.run();
            sql.release.run();
            return toSqliteStoreError(e, path, failure);
          }
        }),
      ),
    get(id) {
      const row = sql.get.get(id) as ApplicationRow | undefined;
      return row ? fromRow(row) : undefined;
    },
    list({ state, status, limit, after }) {
      const from = after ? [after.createdAt, after.id] : ['', ''];
      const rows =
        state === undefined
          ? status === undefined
            ? allRows(db, sql.listAll, ...from, limit)
            : allRows(db, sql.listStatus, status, ...from, limit)
          : status === undefined
            ? allRows(db, sql.listState, state, ...from, limit)
            : allRows(db, sql.listStateStatus, state, status, ...from, limit);
      return (rows as ApplicationRow[]).map(fromRow);
    },
    history: (id) =>
      (allRows(db, sql.readHistory, id) as { seq: number; at: string; type: string; data: string }[]).map((r) => ({
        seq: r.seq,
        at: r.at,
        type: r.type,
        data: JSON.parse(r.data) as Record<string, unknown>,
      })),
    findIdempotencyKey(key) {
      const row = sql.findKey.get(key) as { request_hash: string; application_id: string } | undefined;
      return row ? { requestHash: row.request_hash, applicationId: row.application_id } : undefined;
    },
    due: (at, limit) => (allRows(db, sql.due, at, limit) as { id: string }[]).map((r) => r.id),
    nextDueAt: () => (sql.nextDue.get() as { at: string | null }).at ?? undefined,
    quarantine: ({ id, reason, at }) =>
      transaction(() => {
        if (sql.quarantine.run(JSON.stringify({ quarantined: { reason, at } }), at, id).changes === 0) return false;
        historyInsert(1).run(id, lastSeq(id) + 1, at, 'execution.quarantined', JSON.stringify({ reason }));
        return true;
      }),
    probe(at) {
      const { free } = sql.room.get() as { free: number };
      if (free < FULL_MARGIN_PAGES) {
        throw new DomainError(
          'store_unavailable',
          `the database is full: ${free} free pages left under its size cap, maxPageCount (SQLite database ${path})`,
        );
      }
      transaction(() => sql.probe.run(at));
    },
    // The driver cannot finalize statements: the connection closes for real once they are garbage-collected.
    close: () => {
      if (db.isOpen) db.close();
    },
  };
}
