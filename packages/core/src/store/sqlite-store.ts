// Node-only: published as the `@bank/core/sqlite` subpath and never re-exported from the main entry,
// so edge bundles cannot pull in a native module.
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '../errors.js';
import { createSqliteConnection } from './sqlite-connection.js';
import { openSqliteDatabase } from './sqlite-open.js';
import { createSqliteOperations, FULL_MARGIN_PAGES, type SqliteOperations } from './sqlite-statements.js';
import type { ExecutionCommit, ListQuery, Quarantine, Store } from './store.js';

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** The database file (created with its folder if, and only if, no file exists there), or `:memory:`. */
  readonly path: string;
  /**
   * `NORMAL` (default) survives any process crash; in WAL mode only a power loss can drop the last commits.
   * `FULL` syncs every commit to disk as well, at about a third of the throughput.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * How long a call keeps retrying while another process holds the write lock, in milliseconds (default 5000), before
   * it fails `store_unavailable`. The waiting is asynchronous: the event loop keeps running.
   */
  readonly busyTimeoutMs?: number;
  /**
   * WAL pages written before SQLite copies them back into the database file (a checkpoint, which syncs to disk).
   * Default 10,000 (about 40 MiB): SQLite's own 1,000 made every ~170th commit pay for a checkpoint, costing about
   * a quarter of the sequential throughput and most of the latency spikes.
   */
  readonly walAutocheckpointPages?: number;
  /**
   * A size cap: the most pages (4 KiB each) the database may hold, WAL included (SQLite's `max_page_count`). Past it,
   * writes fail `store_unavailable` ("disk full") and `ping` reports the database full, as on a full disk. Default:
   * no cap beyond SQLite's own. A cap below the current size holds the database at its current size.
   */
  readonly maxPageCount?: number;
}

const REOPEN_INTERVAL_MS = 250;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function validate(options: SqliteStoreOptions): void {
  const { busyTimeoutMs, maxPageCount, walAutocheckpointPages } = options;
  if (busyTimeoutMs !== undefined && !(Number.isFinite(busyTimeoutMs) && busyTimeoutMs >= 0)) {
    throw new DomainError('invalid_input', `busyTimeoutMs must be a number of milliseconds ≥ 0, not ${busyTimeoutMs}`);
  }
  if (maxPageCount !== undefined && !(Number.isSafeInteger(maxPageCount) && maxPageCount > 0)) {
    throw new DomainError('invalid_input', `maxPageCount must be a whole number of pages > 0, not ${maxPageCount}`);
  }
  if (walAutocheckpointPages !== undefined && !Number.isFinite(walAutocheckpointPages)) {
    throw new DomainError('invalid_input', `walAutocheckpointPages must be a number, not ${walAutocheckpointPages}`);
  }
}

/**
 * Opens (and migrates) a SQLite database as a {@link Store}: WAL journal, versioned migrations on open,
 * one transaction per commit and one for a whole group commit.
 *
 * On open, a fresh database is created only where no file exists; an existing file that is empty, has no SQLite
 * header, is cut short or fails the structural check is refused, untouched. A call that meets another process's write
 * lock is retried asynchronously for up to `busyTimeoutMs`. A connection that becomes read-only, fails with an I/O
 * error or cannot be opened is reopened on a later call (at most every 250 ms), so the store heals once the fault
 * clears; if the file cannot be opened at all at first (a read-only mount, say), the store starts without a connection
 * and heals the same way.
 * @throws {DomainError} `store_corrupt` when the file is not a bank-workflows database or is damaged;
 * `store_unavailable` when it cannot be read or created, or was written by a newer release.
 * @example
 * ```ts
 * import { createRuntime } from '@bank/core';
 * import { createSqliteStore } from '@bank/core/sqlite';
 * const runtime = createRuntime({ store: createSqliteStore({ path: '.bank/bank.db' }) });
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  validate(options);
  const { path } = options;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let opens = 0;
  const connection = createSqliteConnection<SqliteOperations>({
    path,
    busyTimeoutMs,
    reopenIntervalMs: REOPEN_INTERVAL_MS,
    canReopen: path !== ':memory:',
    open: () => {
      const db = openSqliteDatabase({
        path,
        synchronous: options.synchronous === 'FULL' ? 'FULL' : 'NORMAL',
        walAutocheckpointPages: options.walAutocheckpointPages ?? 10_000,
        maxPageCount: options.maxPageCount,
        // Only the first open may create the file, and wait for the lock (blocking) to migrate: it runs in the caller.
        create: opens === 0,
        migrationLockTimeoutMs: opens++ === 0 ? busyTimeoutMs : 0,
      });
      try {
        return createSqliteOperations(db, path);
      } catch (e) {
        db.close();
        throw e;
      }
    },
    close: (operations) => operations.close(),
  });

  // A write can pass on a full disk (the WAL reuses its space after a checkpoint): ping looks at the disk as well.
  const checkDiskRoom = () => {
    if (path === ':memory:') return;
    let free: number;
    try {
      const { bavail, bsize } = statfsSync(dirname(path));
      free = bavail * bsize;
    } catch {
      return; // cannot tell: the probe's write has spoken
    }
    if (free < FULL_MARGIN_PAGES * 4096) {
      throw new DomainError('store_unavailable', `disk full: ${free} bytes left on the disk of SQLite database ${path}`);
    }
  };

  return {
    load: (id: string) => connection.run((db) => db.load(id)),
    commit: (c: ExecutionCommit) => connection.run((db) => db.commit(c)),
    commitMany: (commits: readonly ExecutionCommit[]) => connection.run((db) => db.commitMany(commits)),
    get: (id: string) => connection.run((db) => db.get(id)),
    list: (query: ListQuery) => connection.run((db) => db.list(query)),
    history: (id: string) => connection.run((db) => db.history(id)),
    findIdempotencyKey: (key: string) => connection.run((db) => db.findIdempotencyKey(key)),
    due: (at: string, limit: number) => connection.run((db) => db.due(at, limit)),
    nextDueAt: () => connection.run((db) => db.nextDueAt()),
    quarantine: (q: Quarantine) => connection.run((db) => db.quarantine(q)),
    ping: () =>
      connection.run((db) => {
        db.probe(new Date().toISOString());
        checkDiskRoom();
      }),
    async close() {
      connection.close();
    },
  };
}
