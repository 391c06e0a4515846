// Commits on Postgres: one statement per settled step (one round trip), and group commit as one transaction whose
// statements are pipelined: BEGIN, the N step statements and COMMIT written together, one round trip for the group.
import type { ISql, PendingQuery, ReservedSql, Sql } from 'postgres';
import { DomainError } from '../errors.js';
import { classifyPostgresError, sqlState, toPostgresStoreError } from './postgres-errors.js';
import { parameters, stepValues, type PostgresStatements } from './postgres-statements.js';
import { toRow } from './rows.js';
import type { ExecutionCommit } from './store.js';

/** What a step statement returns: whether it wrote, and whether the idempotency key was taken. */
interface StepRow {
  readonly written: number;
  readonly key_taken: boolean;
}

/** How the store commits. */
export interface PostgresCommitter {
  commit(commit: ExecutionCommit): Promise<void>;
  commitMany(commits: readonly ExecutionCommit[]): Promise<(Error | null)[]>;
}

/** The outcome of one pipelined transaction of a group commit. */
type TransactionOutcome =
  | { readonly committed: true; readonly results: readonly (DomainError | null)[] }
  | { readonly committed: false; readonly failed: number; readonly error: DomainError };

const IN_FAILED_TRANSACTION = '25P02';

/** The longest a group commit waits for a connection of its own before it fails `store_unavailable`. */
const RESERVE_TIMEOUT_MS = 3000;

/**
 * Reserves a connection, waiting at most `ms`. postgres.js 3.4.9 loses a `reserve()` that waits in the pool's queue
 * while the server restarts: the pool hands it to a connection that is reconnecting, which drops it once it connects,
 * and the promise never settles (porsager/postgres#1195). The pool itself carries on, so the wait is bounded and a
 * later group commit gets a connection; a reservation that still arrives after the deadline is released at once.
 */
function reserveWithin(sql: Sql, ms: number, where: string): Promise<ReservedSql> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new DomainError('store_unavailable', `no connection could be reserved within ${ms} ms (Postgres ${where})`));
    }, ms);
    sql.reserve().then(
      (reserved) => {
        clearTimeout(timer);
        if (late) reserved.release();
        else resolve(reserved);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (!late) reject(toPostgresStoreError(e, where));
      },
    );
  });
}

/**
 * Waits for every query of a pipeline, or for the first that fails because the connection is gone. postgres.js 3.4.9
 * sends a query that is not prepared yet on its connection in two steps and holds the queries after it in the
 * reservation's own queue, which it never fails when the connection closes (not reported upstream yet): waiting for all
 * of them would wait forever.
 */
function settleUnlessLost<T>(queries: readonly Promise<T>[]): Promise<PromiseSettledResult<T>[] | { readonly lost: unknown }> {
  return new Promise((resolve) => {
    const results: PromiseSettledResult<T>[] = [];
    let pending = queries.length;
    queries.forEach((query, i) => {
      query.then(
        (value) => {
          results[i] = { status: 'fulfilled', value };
          if (--pending === 0) resolve(results);
        },
        (reason: unknown) => {
          results[i] = { status: 'rejected', reason };
          if (classifyPostgresError(reason).connection) resolve({ lost: reason });
          else if (--pending === 0) resolve(results);
        },
      );
    });
  });
}

/** The commits of a store: `sql` is its pool, `where` names the server in error messages. */
export function createPostgresCommitter(sql: Sql, statements: PostgresStatements, channel: string, where: string): PostgresCommitter {
  // postgres.js pipelines at most `max_pipeline` statements on a connection; past that it sends them one round trip at
  // a time. A group larger than that is split into several transactions (each step stands on its own anyway).
  const maxPipeline = (sql.options as { max_pipeline?: number }).max_pipeline ?? 100;
  const perTransaction = Math.max(1, maxPipeline - 2);

  function step(runner: ISql, c: ExecutionCommit): PendingQuery<StepRow[]> {
    const statement = c.expectedVersion === 0 ? statements.create : statements.update;
    const values = stepValues(c, channel, toRow(c.application));
    return runner.unsafe<StepRow[]>(statement.text, parameters(statement, values), { prepare: true });
  }

  /** A step that wrote nothing lost a race: to another writer of the version, an existing id or a used key. */
  function outcome(c: ExecutionCommit, rows: readonly StepRow[]): DomainError | null {
    const row = rows[0];
    if (row?.written === 1) return null;
    const id = c.application.id;
    if (c.idempotency && row?.key_taken) return new DomainError('conflict', 'idempotency key already used');
    return new DomainError(
      'conflict',
      c.expectedVersion === 0 ? `application ${id} already exists` : `application ${id} changed concurrently`,
    );
  }

  /**
   * One transaction, pipelined. A lost race is a count of 0 and leaves the transaction going; a statement that fails
   * (a bad row, a key taken by a concurrent statement) aborts it, the server then ignores the statements after it and
   * turns the COMMIT into a ROLLBACK: the caller runs the group again without that step. A lost connection fails all.
   */
  async function transaction(commits: readonly ExecutionCommit[]): Promise<TransactionOutcome> {
    const reserved = await reserveWithin(sql, RESERVE_TIMEOUT_MS, where);
    // postgres.js 3.4 crashes the process (an uncaught TypeError in its write path) when a reserved connection whose
    // socket has closed is released (porsager/postgres#1199, #1208). The pool has already taken such a connection back
    // to reconnect it, so it must not be released.
    let release = true;
    try {
      const queries = [reserved.unsafe('BEGIN'), ...commits.map((c) => step(reserved, c)), reserved.unsafe('COMMIT')];
      for (const query of queries) void query.execute(); // in order, without waiting: one write, one round trip
      const settled = await settleUnlessLost<unknown>(queries);
      if (!Array.isArray(settled)) {
        release = false;
        throw toPostgresStoreError(settled.lost, where);
      }
      const end = settled.at(-1)! as PromiseSettledResult<{ readonly command: string }>;
      if (end.status === 'rejected') throw toPostgresStoreError(end.reason, where);
      const steps = settled.slice(1, -1) as PromiseSettledResult<StepRow[]>[];
      // An aborted transaction ends in ROLLBACK whatever is sent to end it.
      if (end.value.command === 'COMMIT') {
        return {
          committed: true,
          results: steps.map((s, i) => (s.status === 'fulfilled' ? outcome(commits[i]!, s.value) : toPostgresStoreError(s.reason, where))),
        };
      }
      const failed = steps.findIndex((s) => s.status === 'rejected' && sqlState(s.reason) !== IN_FAILED_TRANSACTION);
      const cause = steps[failed];
      if (cause?.status !== 'rejected') throw new DomainError('internal', 'the group commit was rolled back, and no step says why');
      return { committed: false, failed, error: toPostgresStoreError(cause.reason, where) };
    } finally {
      if (release) reserved.release();
    }
  }

  return {
    async commit(c) {
      let error: DomainError | null;
      try {
        error = outcome(c, await step(sql, c));
      } catch (e) {
        throw toPostgresStoreError(e, where);
      }
      if (error) throw error;
    },
    async commitMany(commits) {
      const results: (Error | null)[] = commits.map(() => null);
      let pending = commits.map((_, i) => i);
      while (pending.length > 0) {
        const batch = pending.slice(0, perTransaction);
        const result = await transaction(batch.map((i) => commits[i]!));
        if (result.committed) {
          batch.forEach((i, k) => (results[i] = result.results[k] ?? null));
          pending = pending.slice(batch.length);
        } else {
          // Rolled back by one bad step: it fails on its own, and the others run again (their first try undone).
          const bad = batch[result.failed]!;
          results[bad] = result.error;
          pending = pending.filter((i) => i !== bad);
        }
      }
      return results;
    },
  };
}
