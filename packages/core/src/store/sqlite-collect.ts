// Reads query results through `exec` and a collecting function instead of a prepared statement.
// @photostructure/sqlite 1.2 has no way to finalize a prepared statement, and a connection closed while it has live
// statements stays open (an SQLite "zombie") until they are garbage-collected: its file handles and its -wal/-shm files
// remain. The checks run on open read through this, so a database refused on open, or one created under a temporary
// name and then linked into place, is closed for real. (Not reported upstream yet.)
import type { DatabaseSyncInstance } from '@photostructure/sqlite';

/** The values of a one-column query (`SELECT x FROM …`), read without leaving a prepared statement behind. */
export function selectColumn(db: DatabaseSyncInstance, sql: string): unknown[] {
  const values: unknown[] = [];
  db.function('bank_collect', (value: unknown) => {
    values.push(value);
    return null;
  });
  db.exec(`WITH q(v) AS (${sql}) SELECT bank_collect(v) FROM q`);
  return values;
}
