import { ApplicationInputSchema, type ApplicationInput } from '@bank/checks';
import { createActor } from 'xstate';
import type { Application, ApplicationPage, HistoryEvent } from '../application.js';
import { systemClock, toIso, type Clock } from '../clock.js';
import { DomainError, isDomainError, parseInput } from '../errors.js';
import { APPLICATION_ID_PATTERN, newApplicationId } from '../ids.js';
import { createApplicationMachine, MACHINE_VERSION, type ApplicationMachineOptions } from '../machine/application-machine.js';
import type { ApplicationEmitted, ApplicationEvent, ReviewDecision } from '../machine/types.js';
import type { RetryPolicy } from '../retry-policy.js';
import type { ExecutionCommit, NewHistoryEvent, Quarantine, Store, StoredExecution } from '../store/store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { createGroupCommitter } from './group-commit.js';
import { createScheduler } from './scheduler.js';
import { IdempotencyKeySchema, ListQuerySchema, ReviewDecisionSchema, ReviewOptionsSchema } from './schemas.js';
import { runToSettle, type ApplicationSnapshot } from './settle.js';
import { dueAtOf, toApplication } from './to-application.js';

/** What a runtime is built from. Only the store is required. */
export interface RuntimeOptions extends ApplicationMachineOptions {
  /** Where executions live: `createSqliteStore` from `@bank/core/sqlite`, `createMemoryStore` for tests. */
  readonly store: Store;
  /** Where time comes from; inject a fake clock in tests and call `runDue()` instead of sleeping. */
  readonly clock?: Clock;
  /** How transient check failures are retried (default: 1 s, 3 retries, backoff 2, 20% jitter, 60 s cap). */
  readonly retry?: Partial<RetryPolicy>;
  /** The longest the scheduler sleeps before looking for due work written by other processes (default 1 s). */
  readonly pollIntervalMs?: number;
  /**
   * Gather the commits of executions that settle in the same event-loop turn into one transaction (default true).
   * Turn it off to give each step its own transaction.
   */
  readonly groupCommit?: boolean;
  /** Called with errors the scheduler survived, and with store errors of single executions that `runDue` set aside (default: ignored). */
  readonly onSchedulerError?: (error: unknown) => void;
  /**
   * How long this runtime holds a due execution it claimed from a store shared by many processes (default 30 s):
   * long enough for one step; if this process dies, another may drive the execution once it runs out.
   */
  readonly leaseMs?: number;
  /** Called when an execution that cannot be loaded or restored is quarantined (status `FAILED`), e.g. to log it. */
  readonly onQuarantine?: (quarantine: Quarantine) => void;
}

/** The options of a submission. */
export interface SubmitOptions {
  /** Same key and same input give the same application; same key and other input is a conflict. */
  readonly idempotencyKey?: string | undefined;
}

/** The options of a review. */
export interface ReviewOptions {
  /**
   * Who reviewed, recorded in the review and the history. The caller vouches for it: the API passes the name bound
   * to the reviewer's token, never a name from the request body.
   */
  readonly reviewer?: string | undefined;
  /** A note from the reviewer, recorded with the decision. */
  readonly note?: string | undefined;
  /** The task token the reviewer was given; if present it must be the current one. */
  readonly taskToken?: string | undefined;
}

/** A list request: optional state and status filters, page size (1–200, default 50) and the cursor of the previous page. */
export interface ListOptions {
  /** Only applications in this state. */
  readonly state?: string | undefined;
  /** Only applications whose execution has this status, e.g. `FAILED`. */
  readonly status?: string | undefined;
  /** The page size. */
  readonly limit?: number | string | undefined;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
}

/** The durable workflow runtime: every call loads, runs to a settled point, commits once and forgets. */
export interface Runtime {
  /**
   * Validates and submits an application, runs it until it settles and returns it.
   * @throws {DomainError} `invalid_input` for bad input; `conflict` for a reused idempotency key with other input.
   */
  submit(input: unknown, options?: SubmitOptions): Promise<Application>;
  /** @throws {DomainError} `not_found` for an unknown id. */
  get(id: string): Promise<Application>;
  /** @throws {DomainError} `invalid_input` for a bad state, limit or cursor. */
  list(options?: ListOptions): Promise<ApplicationPage>;
  /** @throws {DomainError} `not_found` for an unknown id. */
  history(id: string): Promise<readonly HistoryEvent[]>;
  /**
   * Resumes an execution waiting for review, exactly once.
   * @throws {DomainError} `invalid_input` for a bad decision; `not_found`; `conflict` when not waiting, already reviewed or the token is stale.
   */
  review(id: string, decision: unknown, options?: ReviewOptions): Promise<Application>;
  /**
   * Resumes a `FAILED` execution: from the failed step after exhausted retries, or from its stored snapshot after a
   * quarantine (once whatever stopped it from loading is fixed).
   * @throws {DomainError} `not_found`; `conflict` when the execution has not failed.
   */
  redrive(id: string): Promise<Application>;
  /**
   * Drives every execution that is due now (retries whose time has come); resolves with how many. Each execution is
   * driven on its own: one that cannot be loaded or restored is quarantined (status `FAILED`, the reason in its
   * history) and the others proceed.
   * @throws {DomainError} the store's error only when every due execution failed with one (the store is down).
   */
  runDue(): Promise<number>;
  /** Drives everything left unsettled (due while no process ran, or interrupted by a crash); resolves with how many. */
  recover(): Promise<number>;
  /** Starts the scheduler that fires due retries while this process lives. */
  start(): void;
  /** Stops the scheduler and waits for the round in progress. */
  stop(): Promise<void>;
  /** Stops the scheduler and closes the store. */
  close(): Promise<void>;
  /** Checks that the store answers. */
  ping(): Promise<void>;
}

const DUE_BATCH = 64;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const isConflict = (e: unknown) => isDomainError(e) && e.code === 'conflict';

/**
 * Creates the durable runtime.
 * @example
 * ```ts
 * import { createRuntime } from '@bank/core';
 * import { createSqliteStore } from '@bank/core/sqlite';
 * const runtime = createRuntime({ store: createSqliteStore({ path: 'bank.db' }) });
 * await runtime.recover();
 * const app = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' }); // FLAGGED_FOR_REVIEW
 * await runtime.review(app.id, 'APPROVE'); // APPROVED
 * ```
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const machine = createApplicationMachine({ ...options, clock });
  const committer = options.groupCommit === false ? store : createGroupCommitter(store);
  // Names this runtime's leases on due executions (see Store.due); random, so every process has its own.
  const instanceId = `rt_${crypto.randomUUID()}`;
  const leaseMs = Math.max(1000, options.leaseMs ?? 30_000);
  let unwatch: (() => void) | undefined;
  const scheduler = createScheduler(
    {
      runDue: () => runDue(),
      nextDueAt: async () => {
        const next = await store.nextDueAt();
        return next === undefined ? undefined : Date.parse(next);
      },
      now: () => clock.now(),
      onError: options.onSchedulerError ?? (() => {}),
    },
    // Bounded below: a zero, negative or NaN interval would turn the loop into a busy poll of the store.
    Number.isFinite(options.pollIntervalMs) ? Math.max(10, options.pollIntervalMs!) : 1000,
  );

  /** Runs an actor from a snapshot (or from input) with an optional event to a settled point, collecting history. */
  async function run(from: { snapshot: unknown } | { input: ApplicationInput }, event?: ApplicationEvent) {
    const events: NewHistoryEvent[] = [];
    // A restored actor does not read its input: the context comes from the snapshot.
    const actor = createActor(
      machine,
      'snapshot' in from ? { snapshot: from.snapshot as ApplicationSnapshot, input: undefined as never } : { input: from.input },
    );
    actor.on('*', (emitted: ApplicationEmitted) => {
      const { type, ...data } = emitted;
      events.push({ at: toIso(clock.now()), type, data });
    });
    try {
      actor.start();
      if (event) actor.send(event);
      const snapshot = await runToSettle(actor);
      return { snapshot, persisted: actor.getPersistedSnapshot(), events };
    } finally {
      actor.stop();
    }
  }

  function commitOf(
    id: string,
    createdAt: string,
    expectedVersion: number,
    result: Awaited<ReturnType<typeof run>>,
    events: readonly NewHistoryEvent[],
  ): ExecutionCommit {
    const due = dueAtOf(result.snapshot);
    return {
      application: toApplication(result.snapshot, { id, createdAt, updatedAt: toIso(clock.now()) }),
      expectedVersion,
      machineVersion: MACHINE_VERSION,
      snapshot: result.persisted,
      dueAt: due === undefined ? null : toIso(due),
      events,
    };
  }

  async function commit(c: ExecutionCommit): Promise<Application> {
    await committer.commit(c);
    if (c.dueAt !== null) scheduler.wake(Date.parse(c.dueAt));
    return c.application;
  }

  const notFound = (id: unknown) =>
    // Only a well-formed id is echoed: anything else the caller typed stays out of messages and logs.
    new DomainError(
      'not_found',
      typeof id === 'string' && APPLICATION_ID_PATTERN.test(id) ? `no application ${id}` : 'no such application',
    );

  const unknownVersion = (stored: StoredExecution) =>
    `the execution was stored by workflow machine version ${stored.machineVersion}; this runtime runs version ${MACHINE_VERSION} and cannot restore it`;

  async function load(id: unknown): Promise<StoredExecution> {
    const stored = typeof id === 'string' && APPLICATION_ID_PATTERN.test(id) ? await store.load(id) : undefined;
    if (!stored) throw notFound(id);
    if (stored.machineVersion !== MACHINE_VERSION) {
      throw new DomainError('internal', `application ${stored.application.id}: ${unknownVersion(stored)}`);
    }
    return stored;
  }

  /** One step on a stored execution: restore, feed `event`, settle, commit with the version check. */
  async function step(stored: StoredExecution, event: ApplicationEvent, lead: readonly NewHistoryEvent[] = []) {
    const result = await run({ snapshot: stored.snapshot }, event);
    return commit(commitOf(stored.application.id, stored.application.createdAt, stored.version, result, [...lead, ...result.events]));
  }

  async function submit(raw: unknown, submitOptions: SubmitOptions = {}): Promise<Application> {
    const input = parseInput(ApplicationInputSchema, raw);
    const key = submitOptions.idempotencyKey === undefined ? undefined : parseInput(IdempotencyKeySchema, submitOptions.idempotencyKey);
    const requestHash = key === undefined ? '' : await sha256Hex(JSON.stringify([input.name, input.address]));
    const replay = async (): Promise<Application | undefined> => {
      const used = key === undefined ? undefined : await store.findIdempotencyKey(key);
      if (!used) return undefined;
      if (used.requestHash !== requestHash) throw new DomainError('conflict', 'this idempotency key was used with a different application');
      return get(used.applicationId);
    };
    const earlier = await replay();
    if (earlier) return earlier;

    const startedAt = clock.now();
    const id = newApplicationId(startedAt);
    const lead: NewHistoryEvent[] = [
      { at: toIso(startedAt), type: 'execution.started', data: { machineVersion: MACHINE_VERSION } },
      { at: toIso(startedAt), type: 'state.entered', data: { state: 'SUBMITTED' } },
    ];
    const result = await run({ input });
    const c = commitOf(id, toIso(startedAt), 0, result, [...lead, ...result.events]);
    try {
      return await commit(key === undefined ? c : { ...c, idempotency: { key, requestHash } });
    } catch (e) {
      // A concurrent submit with the same key won the race: answer as it was answered.
      if (isConflict(e) && key !== undefined) {
        const winner = await replay();
        if (winner) return winner;
      }
      throw e;
    }
  }

  async function get(id: string): Promise<Application> {
    const application = typeof id === 'string' && APPLICATION_ID_PATTERN.test(id) ? await store.get(id) : undefined;
    if (!application) throw notFound(id);
    return application;
  }

  async function list(listOptions: ListOptions = {}): Promise<ApplicationPage> {
    const query = parseInput(ListQuerySchema, Object.fromEntries(Object.entries(listOptions).filter(([, v]) => v !== undefined)));
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await store.list({
      ...(query.state === undefined ? {} : { state: query.state as Application['state'] }),
      ...(query.status === undefined ? {} : { status: query.status as Application['execution']['status'] }),
      limit: query.limit + 1,
      ...(after ? { after } : {}),
    });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return rows.length > query.limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async function history(id: string): Promise<readonly HistoryEvent[]> {
    await get(id);
    return store.history(id);
  }

  async function review(id: string, decision: unknown, reviewOptions: ReviewOptions = {}): Promise<Application> {
    const parsedDecision = parseInput(ReviewDecisionSchema, decision) as ReviewDecision;
    const opts = parseInput(ReviewOptionsSchema, Object.fromEntries(Object.entries(reviewOptions).filter(([, v]) => v !== undefined)));
    const stored = await load(id);
    const { application } = stored;
    if (application.execution.status !== 'WAITING_FOR_REVIEW' || application.taskToken === undefined) {
      throw new DomainError('conflict', `application ${application.id} is not waiting for a review (state ${application.state})`);
    }
    if (opts.taskToken !== undefined && opts.taskToken !== application.taskToken) {
      throw new DomainError('conflict', `the task token is not the current one for application ${application.id}`);
    }
    const event: ApplicationEvent = {
      type: 'review.submitted',
      decision: parsedDecision,
      taskToken: application.taskToken,
      at: clock.now(),
      ...(opts.reviewer === undefined ? {} : { reviewer: opts.reviewer }),
      ...(opts.note === undefined ? {} : { note: opts.note }),
    };
    return step(stored, event);
  }

  async function redrive(id: string): Promise<Application> {
    const stored = await load(id);
    const { execution } = stored.application;
    if (execution.status !== 'FAILED') {
      throw new DomainError('conflict', `application ${stored.application.id} has not failed (status ${execution.status})`);
    }
    if (execution.quarantined === undefined) return step(stored, { type: 'execution.redrive', at: clock.now() });
    // A quarantined execution's snapshot is wherever it stood when it was set aside: resume it from there.
    const lead: NewHistoryEvent[] = [{ at: toIso(clock.now()), type: 'execution.redriven', data: { from: 'quarantine' } }];
    return step(stored, { type: 'retry.due', at: clock.now() }, lead);
  }

  /** Sets aside an execution that cannot be loaded or restored, so it stops blocking the queue and operators see it. */
  async function quarantine(id: string, reason: string): Promise<void> {
    const record: Quarantine = { id, reason, at: toIso(clock.now()) };
    if (await store.quarantine(record)) options.onQuarantine?.(record);
  }

  // Errors that say the store (not this execution) is in trouble: never a reason to quarantine.
  const isStoreError = (e: unknown) => isDomainError(e) && (e.code === 'store_unavailable' || e.code === 'store_corrupt');
  // Names only: a message may quote the damaged data, which can hold personal data.
  const describe = (e: unknown) => {
    const root = isDomainError(e) && e.cause instanceof Error ? e.cause : e;
    return root instanceof Error ? root.name : typeof root;
  };

  /** Fires a retry on one due execution; a conflict means another writer got there first, which is fine. */
  async function fire(id: string): Promise<boolean> {
    let stored: StoredExecution | undefined;
    try {
      stored = await store.load(id);
    } catch (e) {
      if (isStoreError(e)) throw e;
      await quarantine(id, `the stored execution cannot be read (${describe(e)})`);
      return false;
    }
    if (!stored || stored.dueAt === null || Date.parse(stored.dueAt) > clock.now()) return false;
    if (stored.machineVersion !== MACHINE_VERSION) {
      await quarantine(id, unknownVersion(stored));
      return false;
    }
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run({ snapshot: stored.snapshot }, { type: 'retry.due', at: clock.now() });
    } catch (e) {
      await quarantine(id, `the stored snapshot cannot be restored (${describe(e)})`);
      return false;
    }
    try {
      await commit(commitOf(id, stored.application.createdAt, stored.version, result, result.events));
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async function runDue(): Promise<number> {
    const now = clock.now();
    const ids = await store.due(toIso(now), DUE_BATCH, { owner: instanceId, until: toIso(now + leaseMs) });
    // Each execution on its own: one that fails never stops the others.
    const outcomes = await Promise.allSettled(ids.map(fire));
    const fired = outcomes.filter((o) => o.status === 'fulfilled' && o.value).length;
    const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (errors.length > 0 && errors.length === outcomes.length) throw errors[0];
    for (const error of errors) options.onSchedulerError?.(error);
    return fired;
  }

  async function recover(): Promise<number> {
    let total = 0;
    for (let n = await runDue(); n > 0; n = await runDue()) total += n;
    return total;
  }

  return {
    submit,
    get,
    list,
    history,
    review,
    redrive,
    runDue,
    recover,
    start() {
      // Other processes' commits (on a shared database) wake this scheduler too, when the store can tell.
      unwatch ??= store.watchDue?.((at) => scheduler.wake(Date.parse(at)));
      scheduler.start();
    },
    async stop() {
      unwatch?.();
      unwatch = undefined;
      await scheduler.stop();
    },
    async close() {
      unwatch?.();
      unwatch = undefined;
      await scheduler.stop();
      await store.close();
    },
    ping: () => store.ping(),
  };
}
