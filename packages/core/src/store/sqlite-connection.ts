// The connection a SQLite store runs its calls on. Two jobs: a call that meets another process's write lock is run
// again after an asynchronous pause (SQLite's own busy wait would sleep on the thread and freeze the event loop), and
// a connection that broke (read-only, I/O error, cannot open) is reopened on a later call, so the store heals once the
// fault clears, without a restart.
import { DomainError, isDomainError } from '../errors.js';
import { classifySqliteError, toSqliteStoreError, type SqliteFailure } from './sqlite-errors.js';
import { describeLocation } from './sqlite-file.js';

/** How a store's connection is opened and looked after. */
export interface SqliteConnectionSettings<C> {
  /** The database file, named in error messages. */
  readonly path: string;
  /** Opens a ready connection; throws DomainErrors for what it finds and raw driver errors for what fails. */
  readonly open: () => C;
  /** How long a call may keep meeting a lock before it fails `store_unavailable`. */
  readonly busyTimeoutMs: number;
  /** The least time between two attempts to reopen a broken connection. */
  readonly reopenIntervalMs: number;
  /** False for `:memory:`, whose data would be lost by a reopen. */
  readonly canReopen: boolean;
  /** Closes a connection. */
  readonly close: (connection: C) => void;
  /** For the jitter of the pauses; `Math.random` by default. */
  readonly random?: () => number;
}

/** A connection that retries and heals. */
export interface SqliteConnection<C> {
  /** Runs a synchronous operation on the connection; a lock makes it run again whole, after a pause. */
  run<R>(operation: (connection: C) => R): Promise<R>;
  /** Closes the connection; every later call fails `store_unavailable`. */
  close(): void;
}

const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Opens the connection now (synchronously) and returns it. If the first open fails in a way a later reopen may fix
 * (read-only, I/O error, cannot open), the connection starts closed and every call tries again, at most once per
 * `reopenIntervalMs`; any other failure (a damaged or foreign file, a newer schema) is thrown.
 * @throws {DomainError} `store_unavailable` or `store_corrupt`.
 */
export function createSqliteConnection<C>(settings: SqliteConnectionSettings<C>): SqliteConnection<C> {
  const { path, open, busyTimeoutMs, reopenIntervalMs, canReopen } = settings;
  const random = settings.random ?? Math.random;

  // For a connection that broke, what the location says (a read-only filesystem…) beats the errno SQLite kept, which
  // may be about a -shm file it could not create.
  const toError = (e: unknown, failure: SqliteFailure = classifySqliteError(e)): DomainError =>
    toSqliteStoreError(
      e,
      path,
      failure,
      failure.reconnect && path !== ':memory:' ? (describeLocation(path) ?? failure.systemError) : failure.systemError,
    );

  let current: C | undefined;
  /** The connection failed in a way that reopening may fix. */
  let broken = false;
  let lastOpenAt = performance.now();
  /** Why the last attempt to open failed, for the calls made before the next attempt. */
  let openError: DomainError | undefined;
  /** Damage found by a reopen: the store stops there, rather than reopening in a loop. */
  let fatal: DomainError | undefined;
  let closed = false;

  try {
    current = open();
  } catch (e) {
    const failure = classifySqliteError(e);
    if (isDomainError(e) || !failure.reconnect || !canReopen) throw toError(e, failure);
    broken = true;
    openError = toError(e, failure);
  }

  function connection(): C {
    if (closed) throw new DomainError('store_unavailable', 'the SQLite store is closed');
    if (fatal) throw fatal;
    if (current !== undefined && !broken) return current;
    if (performance.now() - lastOpenAt < reopenIntervalMs) {
      if (current !== undefined) return current; // it may still serve reads
      throw openError ?? new DomainError('store_unavailable', `the database is being reopened (SQLite database ${path})`);
    }
    lastOpenAt = performance.now();
    let next: C;
    try {
      next = open();
    } catch (e) {
      openError = toError(e);
      if (openError.code === 'store_corrupt') fatal = openError;
      if (classifySqliteError(e).busy) lastOpenAt = -Infinity; // a migration met a lock: run() retries the open soon
      if (current !== undefined && !fatal) return current;
      throw e;
    }
    const previous = current;
    current = next;
    broken = false;
    openError = undefined;
    if (previous !== undefined) {
      try {
        settings.close(previous);
      } catch {
        // It is broken: that is why it is being replaced.
      }
    }
    return next;
  }

  return {
    async run<R>(operation: (connection: C) => R): Promise<R> {
      const started = performance.now();
      let pause = FIRST_PAUSE_MS;
      for (;;) {
        try {
          return operation(connection());
        } catch (e) {
          const failure = classifySqliteError(e);
          if (failure.busy && !isDomainError(e)) {
            const waited = performance.now() - started;
            if (waited < busyTimeoutMs) {
              await sleep(Math.min(pause * (0.5 + random() / 2), busyTimeoutMs - waited));
              pause = Math.min(pause * 2, MAX_PAUSE_MS);
              continue;
            }
            throw new DomainError(
              'store_unavailable',
              `the database is locked by another process; gave up after ${busyTimeoutMs} ms (SQLite database ${path})`,
              { cause: e },
            );
          }
          if (failure.reconnect && canReopen && !isDomainError(e)) broken = true;
          throw toError(e, failure);
        }
      }
    },
    close() {
      closed = true;
      if (current !== undefined) settings.close(current);
      current = undefined;
    },
  };
}
