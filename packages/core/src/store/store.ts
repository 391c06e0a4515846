import type { Application, HistoryEvent } from '../application.js';
import type { ApplicationState } from '../machine/types.js';
import type { ExecutionStatus } from '../application.js';

/** An execution as loaded for a step: the application row, its row version and its persisted snapshot. */
export interface StoredExecution {
  /** The application as last committed. */
  readonly application: Application;
  /** The row version; a commit must name it to win. */
  readonly version: number;
  /** The version of the machine that wrote the snapshot. */
  readonly machineVersion: number;
  /** Exactly what `actor.getPersistedSnapshot()` returned, as plain JSON. */
  readonly snapshot: unknown;
  /** When the execution must be driven again (a retry), if ever (ISO 8601). */
  readonly dueAt: string | null;
}

/** A history event before the store numbers it. */
export type NewHistoryEvent = Omit<HistoryEvent, 'seq'>;

/** Everything one step writes, in one transaction. */
export interface ExecutionCommit {
  /** The application as it stands after the step. */
  readonly application: Application;
  /** The version loaded before the step, or 0 to create the application. */
  readonly expectedVersion: number;
  /** The machine version that produced `snapshot`. */
  readonly machineVersion: number;
  /** The persisted snapshot at the settled point. */
  readonly snapshot: unknown;
  /** When to drive the execution again, or null. */
  readonly dueAt: string | null;
  /** The history produced by the step, in order. */
  readonly events: readonly NewHistoryEvent[];
  /** On creation: the idempotency key and the hash of the request it came with. */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}

/** What an idempotency key was first used for. */
export interface IdempotencyRecord {
  /** A hash of the validated request. */
  readonly requestHash: string;
  /** The application the request created. */
  readonly applicationId: string;
}

/** A filter and page for {@link Store.list}. */
export interface ListQuery {
  /** Only applications in this state. */
  readonly state?: ApplicationState;
  /** Only applications whose execution has this status (e.g. `FAILED`). */
  readonly status?: ExecutionStatus;
  /** The page size (the runtime bounds it). */
  readonly limit: number;
  /** The position after which the page starts: the last item of the previous page. */
  readonly after?: { readonly createdAt: string; readonly id: string };
}

/**
 * A lease on the executions {@link Store.due} returns, so that of many processes on one database one drives each
 * due execution. The commit of the step (or a quarantine) releases it; a crashed owner's lease runs out at `until`.
 */
export interface DueClaim {
  /** Who claims: one id per runtime (process). */
  readonly owner: string;
  /** When the lease runs out (ISO 8601). */
  readonly until: string;
}

/** What {@link Store.quarantine} records about an execution that cannot be loaded or restored. */
export interface Quarantine {
  /** The application id. */
  readonly id: string;
  /** Why it cannot be driven (safe to show to operators: no stack, no personal data). */
  readonly reason: string;
  /** When it was quarantined (ISO 8601). */
  readonly at: string;
}

/**
 * Where executions live. Every adapter passes the shared contract suite (`describeStore` in `src/testing/`).
 * Methods throw `DomainError` with `conflict` for a lost race and `store_unavailable` when the backend fails.
 */
export interface Store {
  /** Loads an execution for a step. */
  load(id: string): Promise<StoredExecution | undefined>;
  /**
   * Writes one step atomically: the application row (version + 1, only if still `expectedVersion`), the snapshot,
   * the history events, the due time and, on creation, the idempotency key.
   * @throws {DomainError} `conflict` when the version moved on, the id exists, or the idempotency key is taken.
   */
  commit(commit: ExecutionCommit): Promise<void>;
  /**
   * Writes many steps in one transaction (group commit). Each is version-checked on its own: the result says, in
   * order, which committed (`null`) and which failed (the error); one failure never undoes the others.
   */
  commitMany(commits: readonly ExecutionCommit[]): Promise<readonly (Error | null)[]>;
  /** Reads one application. */
  get(id: string): Promise<Application | undefined>;
  /** Lists applications oldest first, optionally by state and/or execution status, with keyset pagination on (createdAt, id). */
  list(query: ListQuery): Promise<readonly Application[]>;
  /** An application's history, in order; empty for an unknown id. */
  history(id: string): Promise<readonly HistoryEvent[]>;
  /** What an idempotency key was used for, if it was. */
  findIdempotencyKey(key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Ids of executions due at or before `at` (ISO 8601), earliest first. With a claim, a store shared by many
   * processes (Postgres) skips executions leased to another owner whose lease has not run out, and leases the ones
   * it returns to `claim.owner` until `claim.until`, atomically (e.g. `FOR UPDATE SKIP LOCKED`). A store used by
   * one process at a time may ignore the claim: the row version stays the final guard either way.
   */
  due(at: string, limit: number, claim?: DueClaim): Promise<readonly string[]>;
  /** The earliest time any execution becomes drivable (its due time, or when its lease runs out), if ever. */
  nextDueAt(): Promise<string | undefined>;
  /**
   * Optional: calls `listener` with the due time whenever any process commits an execution with one, so a
   * scheduler sleeping until a later time wakes up in time (Postgres: `LISTEN/NOTIFY`). Returns the unsubscribe.
   * Stores used by one process at a time need not have it: the runtime wakes its own scheduler on its own commits.
   */
  watchDue?(listener: (dueAt: string) => void): () => void;
  /**
   * Takes an execution that cannot be loaded or restored out of the queue: its row becomes status `FAILED` with
   * `execution.quarantined = { reason, at }` (replacing the execution column, which may be what is damaged), its
   * due time is cleared, its version moves on, and a `execution.quarantined` history event records the reason.
   * It reads no JSON column of the row, so it works on a row whose JSON is damaged; the snapshot is kept as it was,
   * for a later redrive. Resolves `false` when there is no such application.
   */
  quarantine(quarantine: Quarantine): Promise<boolean>;
  /**
   * Checks that the backend can read and write now, by a real probe (a write that commits), not a cached flag.
   * @throws {DomainError} `store_unavailable` (with the reason in the message) or `store_corrupt`.
   */
  ping(): Promise<void>;
  /** Releases the backend; the store cannot be used afterwards. */
  close(): Promise<void>;
}
