// The SQL of the D1 store, and the batch that commits one step. D1 has no interactive transaction, so everything a
// commit does must be decided in SQL, in one batch that D1 runs as one transaction: the history numbers itself from
// MAX(seq), and the version check is a guard statement that fails (and so rolls the batch back) when the row's
// UPDATE … WHERE version = ? changed nothing.
import { insertParameters, toRow, updateParameters } from './rows.js';
import type { D1Database, D1PreparedStatement } from './d1-types.js';
import type { ExecutionCommit, ListQuery } from './store.js';

/** D1 refuses a statement with more than 100 bound parameters; a history INSERT of this many events binds 50. */
const EVENTS_PER_INSERT = 16;

/** The SQL text of every statement but the history inserts, which depend on the number of events. */
export const D1_SQL = {
  insert: `INSERT INTO applications (id, state, name, address, checks, reason, review, task_token, status, execution, version, due_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
  // A commit ends a claim (see due): the lease is cleared with the step that it was taken for.
  update: `UPDATE applications SET state = ?, checks = ?, reason = ?, review = ?, task_token = ?, status = ?, execution = ?,
    version = version + 1, due_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND version = ?`,
  // Must come right after `update`: changes() is the number of rows the previous statement wrote, and a 0 fails the
  // CHECK named version_moved (migration 3), which rolls the whole batch back.
  guard: `INSERT INTO commit_guard (id, changed) VALUES (1, changes()) ON CONFLICT (id) DO UPDATE SET changed = excluded.changed`,
  snapshot: `INSERT INTO snapshots (application_id, machine_version, snapshot) VALUES (?, ?, ?)
    ON CONFLICT (application_id) DO UPDATE SET machine_version = excluded.machine_version, snapshot = excluded.snapshot`,
  key: 'INSERT INTO idempotency_keys (key, request_hash, application_id, created_at) VALUES (?, ?, ?, ?)',
  load: 'SELECT a.*, s.machine_version, s.snapshot FROM applications a JOIN snapshots s ON s.application_id = a.id WHERE a.id = ?',
  get: 'SELECT * FROM applications WHERE id = ?',
  listAll: 'SELECT * FROM applications WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
  listState: 'SELECT * FROM applications WHERE state = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
  listStatus: 'SELECT * FROM applications WHERE status = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
  listStateStatus:
    'SELECT * FROM applications WHERE state = ? AND status = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
  history: 'SELECT seq, at, type, data FROM history WHERE application_id = ? ORDER BY seq',
  findKey: 'SELECT request_hash, application_id FROM idempotency_keys WHERE key = ?',
  due: 'SELECT id FROM applications WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?',
  // Many isolates share one database: a claim leases what it returns, atomically, skipping what another owner holds
  // (until its lease runs out). The row version stays the final guard.
  claim: `UPDATE applications SET lease_owner = ?1, lease_until = ?2
    WHERE id IN (
      SELECT id FROM applications
      WHERE due_at IS NOT NULL AND due_at <= ?3 AND (lease_until IS NULL OR lease_until <= ?3 OR lease_owner = ?1)
      ORDER BY due_at, id LIMIT ?4
    )
    RETURNING id, due_at`,
  // When anything next becomes drivable: its due time, or the end of a lease that holds it past that.
  nextDue: `SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > due_at THEN lease_until ELSE due_at END) AS at
    FROM applications WHERE due_at IS NOT NULL`,
  // Reads no JSON column: the row being quarantined may be damaged.
  quarantine: `UPDATE applications SET status = 'FAILED', execution = ?, due_at = NULL, lease_owner = NULL, lease_until = NULL,
    version = version + 1, updated_at = ? WHERE id = ?`,
  // Writes nothing for an unknown id (an aggregate answers one row even when nothing matches: filter outside it).
  quarantineEvent: `INSERT INTO history (application_id, seq, at, type, data)
    SELECT ?1, last.n + 1, ?2, 'execution.quarantined', ?3
    FROM (SELECT COALESCE(MAX(seq), 0) AS n FROM history WHERE application_id = ?1) AS last
    WHERE EXISTS (SELECT 1 FROM applications WHERE id = ?1)`,
  probe: 'INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at',
} as const;

/** An INSERT of `count` history events numbered after the application's last one: binds the id, then (at, type, data) × count. */
// A multi-row VALUES, not SELECT … UNION ALL: D1 caps the terms of a compound SELECT far below 16, and VALUES is exempt.
function historyInsertSql(count: number): string {
  const events = Array.from({ length: count }, (_, i) => `(${i + 1}, ?, ?, ?)`).join(', ');
  return `INSERT INTO history (application_id, seq, at, type, data)
    SELECT ?1, last.n + e.column1, e.column2, e.column3, e.column4
    FROM (SELECT COALESCE(MAX(seq), 0) AS n FROM history WHERE application_id = ?1) AS last, (VALUES ${events}) AS e`;
}

/** The statements of one step, in the order they must run; D1 runs them as one transaction when batched. */
export function commitStatements(db: D1Database, c: ExecutionCommit): D1PreparedStatement[] {
  const row = toRow(c.application);
  const statements: D1PreparedStatement[] = [];
  if (c.expectedVersion === 0) {
    statements.push(db.prepare(D1_SQL.insert).bind(...insertParameters(row, c)));
  } else {
    statements.push(db.prepare(D1_SQL.update).bind(...updateParameters(row, c)), db.prepare(D1_SQL.guard));
  }
  statements.push(db.prepare(D1_SQL.snapshot).bind(row.id, c.machineVersion, JSON.stringify(c.snapshot)));
  for (let i = 0; i < c.events.length; i += EVENTS_PER_INSERT) {
    const chunk = c.events.slice(i, i + EVENTS_PER_INSERT);
    statements.push(
      db
        .prepare(historyInsertSql(chunk.length))
        .bind(row.id, ...chunk.flatMap((event) => [event.at, event.type, JSON.stringify(event.data)])),
    );
  }
  if (c.idempotency) statements.push(db.prepare(D1_SQL.key).bind(c.idempotency.key, c.idempotency.requestHash, row.id, row.created_at));
  return statements;
}

/** The list query for a filter and page: the statement and its parameters. */
export function listStatement(db: D1Database, { state, status, limit, after }: ListQuery): D1PreparedStatement {
  const from = after ? [after.createdAt, after.id] : ['', ''];
  if (state === undefined) {
    return status === undefined
      ? db.prepare(D1_SQL.listAll).bind(...from, limit)
      : db.prepare(D1_SQL.listStatus).bind(status, ...from, limit);
  }
  return status === undefined
    ? db.prepare(D1_SQL.listState).bind(state, ...from, limit)
    : db.prepare(D1_SQL.listStateStatus).bind(state, status, ...from, limit);
}
