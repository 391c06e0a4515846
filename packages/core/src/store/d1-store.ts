// Runtime-neutral: the store of the Workers entry, on a D1 binding. Published as the `@bank/core/d1` subpath.
import type { Application, HistoryEvent } from '../application.js';
import { DomainError } from '../errors.js';
import { classifyD1Error, toD1StoreError } from './d1-errors.js';
import { checkD1Schema } from './d1-migrations.js';
import { commitStatements, D1_SQL, listStatement } from './d1-statements.js';
import type { D1Database, D1PreparedStatement } from './d1-types.js';
import { fromRow, type ApplicationRow } from './rows.js';
import type { ExecutionCommit, Store, StoredExecution } from './store.js';

/** Options of the D1 store. */
export interface D1StoreOptions {
  /**
   * Check the database's schema version before the first call (default true): a database that is not migrated, or
   * was migrated by a newer release, fails every call with `store_unavailable`. A Worker that has checked once per
   * isolate may pass false for the stores it makes afterwards, saving a round trip per request.
   */
  readonly checkSchema?: boolean;
}

/**
 * D1 runs one batch per call; a group commit of more steps than this is sent as several batches, so that one batch
 * stays well under D1's limits on a statement's size and a call's duration.
 */
const MAX_COMMITS_PER_BATCH = 32;

/** The message of a lost race, the same as the other stores': for a review, a `409`. */
const changedConcurrently = (c: ExecutionCommit) =>
  c.expectedVersion === 0
    ? c.idempotency
      ? `application ${c.application.id} or idempotency key already exists`
      : `application ${c.application.id} already exists`
    : `application ${c.application.id} changed concurrently`;

/**
 * A {@link Store} on a Cloudflare D1 database (`env.DB` in a Worker), with the schema of the SQLite store (apply
 * the migration files with `wrangler d1 migrations apply`).
 *
 * D1 has no interactive transaction: each commit is one `batch()` (one round trip, one transaction) whose version
 * check is a guard statement that fails when the row's `UPDATE … WHERE version = ?` changed nothing, so the whole
 * batch rolls back. A group commit sends the steps of many executions as one batch; if one of them loses its race the
 * batch rolls back and each step is committed on its own, so a conflict fails only its own step. `due()` honours a
 * claim with the lease columns, since many isolates share the database. There is no `watchDue`: at the edge nothing
 * sleeps until a due time (the Worker's cron trigger drives what is due).
 * @throws {DomainError} from every method: `conflict` for a lost race or an existing key; `store_unavailable` when
 * D1 is unreachable, overloaded or full, or the schema is not the one this release knows; `store_corrupt`.
 * @example
 * ```ts
 * import { createRuntime } from '@bank/core';
 * import { createD1Store } from '@bank/core/d1';
 * export default {
 *   async fetch(request: Request, env: { DB: D1Database }) {
 *     const runtime = createRuntime({ store: createD1Store(env.DB) });
 *     return Response.json(await runtime.list());
 *   },
 * };
 * ```
 */
export function createD1Store(db: D1Database, options: D1StoreOptions = {}): Store {
  let closed = false;
  let schema: Promise<void> | undefined = options.checkSchema === false ? Promise.resolve() : undefined;

  /** Runs one call: refuses when closed, checks the schema before the first, and classifies what D1 throws. */
  async function call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (closed) throw new DomainError('store_unavailable', 'the D1 store is closed');
    try {
      // A failed check is not remembered: the next call checks again (the migrations may have been applied since).
      await (schema ??= checkD1Schema(db).catch((e: unknown) => {
        schema = undefined;
        throw e;
      }));
      return await fn();
    } catch (e) {
      throw toD1StoreError(e, doing);
    }
  }

  /** Runs one batch of steps; when it fails for one step's sake (a conflict, a bad row), every step alone. */
  async function commitGroup(commits: readonly ExecutionCommit[]): Promise<(Error | null)[]> {
    if (commits.length > 1) {
      try {
        await db.batch(commits.flatMap((c) => commitStatements(db, c)));
        return commits.map(() => null);
      } catch (e) {
        const { code } = classifyD1Error(e);
        // D1 rolled the whole batch back. A store failure fails the group; anything else belongs to one of its steps.
        if (code === 'store_unavailable' || code === 'store_corrupt') throw e;
      }
    }
    // Each step alone, in order (a later step may build on an earlier one), and each with its own outcome.
    const results: (Error | null)[] = [];
    for (const c of commits)
      results.push(
        await commitOne(c).then(
          () => null,
          (error: unknown) => toD1StoreError(error, 'commit'),
        ),
      );
    return results;
  }

  async function commitOne(c: ExecutionCommit): Promise<void> {
    try {
      await db.batch(commitStatements(db, c));
    } catch (e) {
      if (classifyD1Error(e).code === 'conflict') throw new DomainError('conflict', changedConcurrently(c), { cause: e });
      throw e;
    }
  }

  const rows = async <T>(statement: D1PreparedStatement) => (await statement.all<T>()).results;

  return {
    load: (id) =>
      call('load', async (): Promise<StoredExecution | undefined> => {
        const row = await db.prepare(D1_SQL.load).bind(id).first<ApplicationRow & { machine_version: number; snapshot: string }>();
        if (!row) return undefined;
        return {
          application: fromRow(row),
          version: row.version,
          machineVersion: row.machine_version,
          snapshot: JSON.parse(row.snapshot) as unknown,
          dueAt: row.due_at,
        };
      }),
    commit: (c) => call('commit', () => commitOne(c)),
    commitMany: (commits) =>
      call('group commit', async () => {
        const results: (Error | null)[] = [];
        for (let i = 0; i < commits.length; i += MAX_COMMITS_PER_BATCH) {
          results.push(...(await commitGroup(commits.slice(i, i + MAX_COMMITS_PER_BATCH))));
        }
        return results;
      }),
    get: (id) =>
      call('get', async (): Promise<Application | undefined> => {
        const row = await db.prepare(D1_SQL.get).bind(id).first<ApplicationRow>();
        return row ? fromRow(row) : undefined;
      }),
    list: (query) => call('list', async () => (await rows<ApplicationRow>(listStatement(db, query))).map(fromRow)),
    history: (id) =>
      call('history', async (): Promise<HistoryEvent[]> =>
        (await rows<{ seq: number; at: string; type: string; data: string }>(db.prepare(D1_SQL.history).bind(id))).map((r) => ({
          seq: r.seq,
          at: r.at,
          type: r.type,
          data: JSON.parse(r.data) as Record<string, unknown>,
        })),
      ),
    findIdempotencyKey: (key) =>
      call('find idempotency key', async () => {
        const row = await db.prepare(D1_SQL.findKey).bind(key).first<{ request_hash: string; application_id: string }>();
        return row ? { requestHash: row.request_hash, applicationId: row.application_id } : undefined;
      }),
    due: (at, limit, claim) =>
      call('due', async () => {
        if (!claim) return (await rows<{ id: string }>(db.prepare(D1_SQL.due).bind(at, limit))).map((r) => r.id);
        const claimed = await rows<{ id: string; due_at: string }>(db.prepare(D1_SQL.claim).bind(claim.owner, claim.until, at, limit));
        // RETURNING gives no order: earliest first, as promised.
        return claimed.sort((a, b) => (a.due_at === b.due_at ? (a.id < b.id ? -1 : 1) : a.due_at < b.due_at ? -1 : 1)).map((r) => r.id);
      }),
    nextDueAt: () => call('next due time', async () => (await db.prepare(D1_SQL.nextDue).first<{ at: string | null }>())?.at ?? undefined),
    quarantine: ({ id, reason, at }) =>
      call('quarantine', async () => {
        const [updated] = await db.batch([
          db.prepare(D1_SQL.quarantine).bind(JSON.stringify({ quarantined: { reason, at } }), at, id),
          db.prepare(D1_SQL.quarantineEvent).bind(id, at, JSON.stringify({ reason })),
        ]);
        return (updated?.meta.changes ?? 0) > 0;
      }),
    // A real probe: a write that commits, through the same binding as every other call.
    ping: () =>
      call('ping', async () => {
        await db.prepare(D1_SQL.probe).bind(new Date().toISOString()).run();
      }),
    async close() {
      closed = true;
    },
  };
}
