// How the Postgres store turns driver errors into DomainErrors: by SQLSTATE (and the driver's own connection codes),
// never by message text. Messages name the cause and the server, never the password and never the data: a server
// message can quote values ("invalid input syntax for type integer: …") and its `detail` quotes whole rows, so neither
// is copied, and the cause kept for logs is a summary without them.
import { DomainError, isDomainError, type ErrorCode } from '../errors.js';

/** The SQLSTATE codes and classes the store reacts to (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const SQLSTATE = {
  UNIQUE_VIOLATION: '23505',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  QUERY_CANCELED: '57014',
  ADMIN_SHUTDOWN: '57P01',
  CRASH_SHUTDOWN: '57P02',
  CANNOT_CONNECT_NOW: '57P03',
  READ_ONLY_SQL_TRANSACTION: '25006',
  INVALID_CATALOG_NAME: '3D000',
  IO_ERROR: '58030',
  DATA_CORRUPTED: 'XX001',
  INDEX_CORRUPTED: 'XX002',
} as const;

/** Codes of postgres.js and of Node's sockets that mean the connection failed or was lost. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What the store does about a failure. */
export interface PostgresFailure {
  /** The DomainError code it becomes. */
  readonly code: ErrorCode;
  /** Why, in words an operator can act on; no data, no password. */
  readonly reason: string;
  /**
   * The connection is gone or never came (a socket error, a server shutting down): the outcome of a statement in
   * flight is unknown, and a group commit fails whole.
   */
  readonly connection: boolean;
}

/** The SQLSTATE of a server error (postgres.js `PostgresError.code`), or undefined for anything else. */
export function sqlState(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, severity } = e as { code?: unknown; severity?: unknown };
  // A server error always carries a severity; a socket error's code (ECONNREFUSED) never looks like a SQLSTATE.
  return typeof code === 'string' && typeof severity === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const driverCode = (e: unknown): string | undefined => {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code } = e as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
};

/** Where a server error happened, by name only (table, column, constraint): never the values. */
function describeServerError(e: unknown, state: string): string {
  const { table_name, column_name, constraint_name } = e as { table_name?: unknown; column_name?: unknown; constraint_name?: unknown };
  const where = [
    typeof table_name === 'string' ? `table ${table_name}` : undefined,
    typeof column_name === 'string' ? `column ${column_name}` : undefined,
    typeof constraint_name === 'string' ? `constraint ${constraint_name}` : undefined,
  ].filter((part) => part !== undefined);
  return `SQLSTATE ${state}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

const CONNECTION_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  CONNECT_TIMEOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CONNECTION_CLOSED: 'the connection was closed',
  CONNECTION_DESTROYED: 'the connection was closed',
  CONNECTION_ENDED: 'the connection pool was ended',
};

/** Classifies any error a store operation threw. DomainErrors keep their code; anything unrecognised is `internal`. */
export function classifyPostgresError(e: unknown): PostgresFailure {
  const failure = (code: ErrorCode, reason: string, connection = false): PostgresFailure => ({ code, reason, connection });
  if (isDomainError(e)) return failure(e.code, e.message);
  const state = sqlState(e);
  if (state === undefined) {
    const code = driverCode(e);
    if (code !== undefined && CONNECTION_CODES.has(code)) {
      return failure('store_unavailable', `${CONNECTION_REASONS[code] ?? 'the connection failed'} (${code})`, true);
    }
    return failure('internal', `the Postgres store failed: ${e instanceof Error ? e.name : typeof e}${code ? ` (${code})` : ''}`);
  }
  const described = describeServerError(e, state);
  switch (state) {
    case SQLSTATE.UNIQUE_VIOLATION:
      // A lost race the statements could not turn into an empty RETURNING (see postgres-statements.ts).
      return failure(
        'conflict',
        (e as { constraint_name?: unknown }).constraint_name === 'idempotency_keys_pkey'
          ? 'idempotency key already used'
          : 'the application changed concurrently',
      );
    case SQLSTATE.SERIALIZATION_FAILURE:
    case SQLSTATE.DEADLOCK_DETECTED:
      return failure('conflict', `the application changed concurrently (${described})`);
    case SQLSTATE.ADMIN_SHUTDOWN:
    case SQLSTATE.CRASH_SHUTDOWN:
    case SQLSTATE.CANNOT_CONNECT_NOW:
      return failure('store_unavailable', `the server is shutting down, restarting or starting up (${described})`, true);
    case SQLSTATE.QUERY_CANCELED:
      return failure('store_unavailable', `the statement was cancelled or timed out (${described})`);
    case SQLSTATE.READ_ONLY_SQL_TRANSACTION:
      return failure('store_unavailable', `the server accepts no writes (a standby, or read-only) (${described})`);
    case SQLSTATE.INVALID_CATALOG_NAME:
      return failure('store_unavailable', `the database does not exist (${described})`, true);
    case SQLSTATE.DATA_CORRUPTED:
    case SQLSTATE.INDEX_CORRUPTED:
      return failure('store_corrupt', `the database reports damaged data (${described})`);
  }
  switch (state.slice(0, 2)) {
    case '08': // connection exception
      return failure('store_unavailable', `the connection failed (${described})`, true);
    case '28': // invalid authorization specification
      return failure('store_unavailable', `the server refused the credentials (${described})`, true);
    case '53': // insufficient resources: disk full, out of memory, too many connections
      return failure('store_unavailable', `the server is out of resources (disk, memory or connections) (${described})`);
    case '58': // system error: I/O
      return failure('store_unavailable', `the server reported a system error (${described})`);
    default:
      return failure('internal', `the Postgres store failed (${described})`);
  }
}

/**
 * What is kept of a driver error as the DomainError's `cause`, for logs: a server error loses its message, `detail`,
 * `where` and the statement's parameters (which quote data); a socket error is kept as it is (it holds an address).
 */
function toCause(e: unknown): unknown {
  const state = sqlState(e);
  if (state === undefined) return e;
  const { severity, table_name, column_name, constraint_name, routine } = e as Record<string, unknown>;
  return Object.assign(new Error(describeServerError(e, state)), {
    name: 'PostgresError',
    code: state,
    severity, // so that the summary classifies as the original did
    table_name,
    column_name,
    constraint_name,
    routine,
  });
}

/**
 * Converts an error from a store operation into the DomainError callers see. For the failures an operator has to look
 * at (`store_unavailable`, `store_corrupt`) the message names the server (`where`: host, port and database, never the
 * password).
 */
export function toPostgresStoreError(e: unknown, where: string, failure = classifyPostgresError(e)): DomainError {
  if (isDomainError(e)) return e;
  const message =
    failure.code === 'store_unavailable' || failure.code === 'store_corrupt' ? `${failure.reason} (Postgres ${where})` : failure.reason;
  return new DomainError(failure.code, message, { cause: toCause(e) });
}
