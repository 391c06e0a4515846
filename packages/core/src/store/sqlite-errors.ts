// How the SQLite store turns driver errors into DomainErrors: by SQLite result code, never by message text.
import { constants } from 'node:os';
import { DomainError, isDomainError, type ErrorCode } from '../errors.js';

/**
 * The SQLite result codes the store reacts to (https://sqlite.org/rescode.html): primary codes, and the two extended
 * constraint codes that mean "this key exists". A driver error carries the extended code; its low byte is the primary.
 */
export const SQLITE = {
  BUSY: 5,
  LOCKED: 6,
  NOMEM: 7,
  READONLY: 8,
  IOERR: 10,
  CORRUPT: 11,
  FULL: 13,
  CANTOPEN: 14,
  PROTOCOL: 15,
  CONSTRAINT: 19,
  NOTADB: 26,
  /** Also what a `WITHOUT ROWID` table reports for a duplicate key. */
  CONSTRAINT_PRIMARYKEY: 1555,
  CONSTRAINT_UNIQUE: 2067,
} as const;

/** The extended result code carried by a SQLite driver error (`errcode`), or undefined for any other error. */
export function sqliteResultCode(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { errcode, sqliteExtendedCode } = e as { errcode?: unknown; sqliteExtendedCode?: unknown };
  if (typeof errcode === 'number') return errcode;
  return typeof sqliteExtendedCode === 'number' ? sqliteExtendedCode : undefined;
}

/** What the store does about a failure. */
export interface SqliteFailure {
  /** The DomainError code it becomes. */
  readonly code: ErrorCode;
  /** The call may succeed if run again shortly (another connection holds a lock): retry it, up to the busy timeout. */
  readonly busy: boolean;
  /** The connection itself may be broken (read-only, I/O error, cannot open): reopen it before a later call. */
  readonly reconnect: boolean;
  /** Why, in words an operator can act on. */
  readonly reason: string;
  /** The operating-system error behind it, in words, when the driver reports one. */
  readonly systemError?: string;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

/** Words for the operating-system error behind a SQLite or `node:fs` failure, if it names one. */
export function describeErrno(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { systemErrno, code } = e as { systemErrno?: unknown; code?: unknown };
  const name =
    typeof systemErrno === 'number' && systemErrno > 0
      ? errnoNames.get(systemErrno)
      : typeof code === 'string' && code in constants.errno
        ? code
        : undefined;
  switch (name) {
    case 'EROFS':
      return 'the filesystem is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the disk';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'EIO':
      return 'the device reported an error';
    default:
      return name;
  }
}

/** Classifies any error a store operation threw. DomainErrors keep their code; other non-SQLite errors are `internal`. */
export function classifySqliteError(e: unknown): SqliteFailure {
  const failure = (code: ErrorCode, reason: string, flags: { busy?: boolean; reconnect?: boolean } = {}): SqliteFailure => {
    const systemError = describeErrno(e);
    return { code, reason, busy: flags.busy ?? false, reconnect: flags.reconnect ?? false, ...(systemError ? { systemError } : {}) };
  };
  if (isDomainError(e)) return failure(e.code, e.message);
  const extended = sqliteResultCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (extended === undefined) return failure('internal', message);
  switch (extended & 0xff) {
    case SQLITE.CONSTRAINT:
      return extended === SQLITE.CONSTRAINT_PRIMARYKEY || extended === SQLITE.CONSTRAINT_UNIQUE
        ? failure('conflict', 'the application changed concurrently')
        : // NOT NULL, CHECK, FOREIGN KEY…: the write itself is wrong, and retrying it will not help.
          failure('internal', `the SQLite store refused a write (${message})`);
    case SQLITE.BUSY:
    case SQLITE.LOCKED:
      return failure('store_unavailable', 'the database is locked by another process', { busy: true });
    case SQLITE.READONLY:
      return failure('store_unavailable', 'the database is read-only (its file, folder or filesystem does not accept writes)', {
        reconnect: true,
      });
    case SQLITE.IOERR:
      return failure('store_unavailable', 'an I/O error occurred on the database file', { reconnect: true });
    case SQLITE.CANTOPEN:
      return failure('store_unavailable', 'the database file cannot be opened', { reconnect: true });
    case SQLITE.FULL:
      return failure(
        'store_unavailable',
        'disk full: the database cannot grow, as its disk has no space left or it reached its maxPageCount cap',
      );
    case SQLITE.PROTOCOL:
      return failure('store_unavailable', 'the file-locking protocol failed (is the database on a network filesystem?)');
    case SQLITE.NOMEM:
      return failure('store_unavailable', 'SQLite ran out of memory');
    case SQLITE.CORRUPT:
      return failure('store_corrupt', `the database file is damaged (${message})`);
    case SQLITE.NOTADB:
      return failure('store_corrupt', 'the file is not a SQLite database');
    default:
      return failure('internal', `the SQLite store failed: ${message}`);
  }
}

/**
 * Converts an error from a store operation into the DomainError callers see. For the failures an operator has to look
 * at (`store_unavailable`, `store_corrupt`) the message names the cause (`detail`: the operating-system error unless
 * the caller knows better) and the database file.
 */
export function toSqliteStoreError(e: unknown, path: string, failure = classifySqliteError(e), detail = failure.systemError): DomainError {
  if (isDomainError(e)) return e;
  if (failure.code !== 'store_unavailable' && failure.code !== 'store_corrupt')
    return new DomainError(failure.code, failure.reason, { cause: e });
  return new DomainError(failure.code, `${failure.reason}${detail ? `: ${detail}` : ''} (SQLite database ${path})`, { cause: e });
}
