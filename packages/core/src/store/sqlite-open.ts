// Opening a connection: the file checks, a cheap structural check of the database, migrations and settings.
import { DatabaseSync, type DatabaseSyncInstance } from '@photostructure/sqlite';
import { DomainError, isDomainError } from '../errors.js';
import { selectColumn } from './sqlite-collect.js';
import { classifySqliteError } from './sqlite-errors.js';
import { createDatabaseFile, damagedDatabase, inspectDatabaseFile, notOurDatabase } from './sqlite-file.js';
import { migrateSqlite } from './sqlite-migrations.js';

/** What opening a connection needs to know. */
export interface SqliteOpenSettings {
  readonly path: string;
  readonly synchronous: 'NORMAL' | 'FULL';
  readonly walAutocheckpointPages: number;
  readonly maxPageCount: number | undefined;
  /**
   * Whether a missing file may be created: only on the store's first open. A reopen that finds no file (moved away,
   * or its volume not mounted yet, leaving an empty mount point) must not start an empty database there.
   */
  readonly create: boolean;
  /** How long a migration may wait for the write lock, blocking (see `migrateSqlite`). */
  readonly migrationLockTimeoutMs: number;
}

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The check run on every open, instead of `PRAGMA quick_check`: that one reads every page, which on a database of
 * 100,000 applications (200 MB) took 0.3–0.65 s with the file in the page cache and 7–9.5 s from disk. This one reads
 * the schema, then the first and the last entry of every table and index (the root-to-leaf paths at both edges of
 * each B-tree), so it costs a few pages per tree whatever the size; with the header and size checks made before
 * SQLite opens the file, it finds a file that is truncated, zeroed, or not ours. Damage inside a tree is found when
 * the damaged page is read (`store_corrupt` then too).
 */
function checkStructure(db: DatabaseSyncInstance, path: string): void {
  const tables = selectColumn(
    db,
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
  ) as string[];
  if (tables.length > 0 && !tables.includes('schema_migrations')) {
    throw notOurDatabase(path, `it holds other tables: ${tables.slice(0, 5).join(', ')}`);
  }
  const edges: string[] = [];
  for (const table of tables) {
    // The B-tree of a WITHOUT ROWID table is its primary key; the others are keyed by rowid.
    const key =
      (selectColumn(db, `SELECT name FROM pragma_table_info(${quoteText(table)}) WHERE pk = 1`)[0] as string | undefined) ?? 'rowid';
    edges.push(
      `SELECT min(${quoteName(key)}) FROM ${quoteName(table)} NOT INDEXED`,
      `SELECT max(${quoteName(key)}) FROM ${quoteName(table)} NOT INDEXED`,
    );
    const indexes = selectColumn(db, `SELECT name FROM pragma_index_list(${quoteText(table)}) WHERE origin = 'c'`) as string[];
    for (const index of indexes) {
      const column = selectColumn(db, `SELECT name FROM pragma_index_info(${quoteText(index)}) WHERE seqno = 0`)[0] as
        string | null | undefined;
      if (typeof column !== 'string') continue; // an index on an expression: none in this schema
      // min/max ignore NULLs, so the IS NOT NULL changes no answer; it lets a partial `WHERE x IS NOT NULL` index serve.
      const from = `FROM ${quoteName(table)} INDEXED BY ${quoteName(index)} WHERE ${quoteName(column)} IS NOT NULL`;
      edges.push(`SELECT min(${quoteName(column)}) ${from}`, `SELECT max(${quoteName(column)}) ${from}`);
    }
  }
  for (const edge of edges) selectColumn(db, edge);
}

function configure(db: DatabaseSyncInstance, settings: SqliteOpenSettings): void {
  const checkpointPages = Math.max(0, Math.floor(settings.walAutocheckpointPages));
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${settings.synchronous}; PRAGMA foreign_keys = ON;` +
      // After a checkpoint the WAL file is cut back to 64 MiB at most, so a busy day does not leave a huge file.
      ` PRAGMA wal_autocheckpoint = ${checkpointPages}; PRAGMA journal_size_limit = 67108864;` +
      // SQLite's busy handler sleeps on the thread, freezing the event loop; the store retries BUSY asynchronously.
      ' PRAGMA busy_timeout = 0;',
  );
  if (settings.maxPageCount !== undefined) db.exec(`PRAGMA max_page_count = ${settings.maxPageCount}`);
}

/**
 * Opens a connection ready for the store: creates the database if (and only if) no file exists, refuses a file that
 * is not a bank-workflows database or is damaged (leaving it untouched), migrates, and applies the settings.
 * Throws DomainErrors for what it finds, and raw driver errors (to be classified by the caller) for what fails.
 */
export function openSqliteDatabase(settings: SqliteOpenSettings): DatabaseSyncInstance {
  const { path } = settings;
  const inMemory = path === ':memory:';
  if (!inMemory && inspectDatabaseFile(path) === 'missing') {
    if (!settings.create) {
      throw new DomainError(
        'store_unavailable',
        `the SQLite database ${path} has disappeared (moved away, or its volume is not mounted?); it is not recreated while the store runs`,
      );
    }
    createDatabaseFile(path, (db) => {
      db.exec('PRAGMA journal_mode = WAL');
      migrateSqlite(db, 0);
    });
  }
  const db = new DatabaseSync(path, { timeout: 0 });
  try {
    if (!inMemory) {
      try {
        checkStructure(db, path);
      } catch (e) {
        const failure = classifySqliteError(e);
        throw !isDomainError(e) && failure.code === 'store_corrupt'
          ? damagedDatabase(path, `${failure.reason}, found by the check on open`)
          : e;
      }
    }
    configure(db, settings);
    migrateSqlite(db, settings.migrationLockTimeoutMs);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
