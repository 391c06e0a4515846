// The Workers side of the API, runtime-neutral (no node: imports, no Workers type package): each request and each
// cron run builds its runtime from `env.DB` (a D1 store), serves the same app as Node (`createApp`), and keeps work
// that is due soon going after the response with `ctx.waitUntil`. worker.ts default-exports `createWorker()`.
import { createRuntime, type Runtime, type RuntimeOptions, type Store } from '@bank/core';
import { createD1Store, type D1Database } from '@bank/core/d1';
import { createApp } from './app.js';
import { parseTokenList } from './auth.js';
import { jsonLogger, type Logger } from './logger.js';

/** The bindings of the Worker: the D1 database, the reviewer tokens (a secret) and optional settings (vars). */
export interface WorkerEnv {
  /** The D1 database (`d1_databases` binding `DB` in wrangler.jsonc), migrated with `wrangler d1 migrations apply`. */
  readonly DB: D1Database;
  /** Secret: comma-separated reviewer credentials, `name:token`, `name:sha256:<hex>` or a bare token. Unset: reviewer routes are locked. */
  readonly BANK_REVIEWER_TOKENS?: string;
  /** Optional: comma-separated bearer tokens that submitting and the checks then need. */
  readonly BANK_SUBMIT_TOKENS?: string;
  /** Secret: signs reviewer console sessions with the tokens; needed when every reviewer token is a `sha256:` digest. */
  readonly BANK_CONSOLE_SECRET?: string;
  /** Optional: `1` adds `stack` and `cause` to `500` problem documents. Never in production. */
  readonly BANK_DEV?: string;
  /**
   * Optional: how long after its response a request keeps driving retries that come due, in milliseconds (default
   * {@link DEFAULT_FOLLOW_UP_MS}, at most that); `0` leaves them to the cron trigger.
   */
  readonly BANK_FOLLOW_UP_MS?: string;
}

/** The context Workers pass to a handler: `waitUntil` keeps the isolate working after the response. */
export interface WorkerContext {
  /** Extends the invocation until `promise` settles (about 30 s past the response at most). */
  waitUntil(promise: Promise<unknown>): void;
}

/** What Workers pass to a `scheduled` handler: the cron expression that fired and when it was due. */
export interface WorkerScheduledController {
  /** The cron expression of the trigger (`* * * * *`). */
  readonly cron: string;
  /** When the run was scheduled (ms since the epoch). */
  readonly scheduledTime: number;
}

/** The Worker: an HTTP handler and a cron handler. */
export interface WorkerHandler {
  /** Serves the API (the same app as Node) on a runtime built from `env.DB`. */
  fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response>;
  /** A Cron Trigger: drives every execution that is due, then those that come due before the next run. */
  scheduled(controller: WorkerScheduledController, env: WorkerEnv, ctx: WorkerContext): Promise<void>;
}

/** What a Worker is built with, besides its bindings: the runtime's options (e.g. other check implementations), a logger. */
export interface WorkerOptions extends Omit<RuntimeOptions, 'store' | 'onQuarantine' | 'onSchedulerError'> {
  /** Where log lines go (default: one JSON line per entry on the console, which Workers Logs collect). */
  readonly logger?: Logger;
  /** The longest a follow-up sleeps before it looks at the store again (default {@link FOLLOW_UP_POLL_MS}). */
  readonly followUpPollMs?: number;
}

/** How long a request keeps driving due work after its response: `waitUntil` lets an invocation go on ~30 s. */
export const DEFAULT_FOLLOW_UP_MS = 25_000;

/** How long a cron run keeps driving work that comes due: until shortly before the next run, a minute later. */
export const DEFAULT_CRON_FOLLOW_UP_MS = 55_000;

const followUpMs = (env: WorkerEnv): number => {
  const configured = env.BANK_FOLLOW_UP_MS?.trim() ? Number(env.BANK_FOLLOW_UP_MS) : DEFAULT_FOLLOW_UP_MS;
  return Number.isFinite(configured) && configured >= 0 ? Math.min(configured, DEFAULT_FOLLOW_UP_MS) : DEFAULT_FOLLOW_UP_MS;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const describe = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message } : { value: String(e) });

/**
 * Wraps a store to see what the step commits ask for: the earliest due time a commit wrote (so the request can follow
 * it up), and whether any call succeeded (so the schema needs no checking again in this isolate).
 */
function observe(store: Store, seen: { dueAt: number; answered: boolean }): Store {
  const answered = <T>(promise: Promise<T>): Promise<T> =>
    promise.then((value) => {
      seen.answered = true;
      return value;
    });
  const due = (dueAt: string | null) => {
    if (dueAt !== null) seen.dueAt = Math.min(seen.dueAt, Date.parse(dueAt));
  };
  return {
    ...store,
    load: (id) => answered(store.load(id)),
    get: (id) => answered(store.get(id)),
    list: (query) => answered(store.list(query)),
    async commit(commit) {
      await answered(store.commit(commit));
      due(commit.dueAt);
    },
    async commitMany(commits) {
      const results = await answered(store.commitMany(commits));
      commits.forEach((commit, i) => results[i] === null && due(commit.dueAt));
      return results;
    },
  };
}

/**
 * The longest a follow-up sleeps before it looks at the store again: a due time another isolate wrote meanwhile, or an
 * execution another run was driving (held by its lease until it commits), is seen within this. About a dozen looks
 * a minute keep a cron run well inside D1's 50 queries per invocation of the free plan.
 */
export const FOLLOW_UP_POLL_MS = 5000;

/**
 * Drives what is due until `deadline`: sleeps until the earliest stored due time (at most {@link FOLLOW_UP_POLL_MS}),
 * runs what is due then (claimed, so that another request or cron run never drives the same execution), and looks
 * again. Work due later is the next cron run's.
 */
async function followUp(runtime: Runtime, store: Store, firstDueAt: number, deadline: number, pollMs: number, log: Logger): Promise<void> {
  let next = firstDueAt;
  while (next <= deadline) {
    const wait = Math.max(0, next - Date.now());
    await sleep(Math.min(wait, pollMs));
    try {
      const triedAt = Date.now();
      const fired = wait <= pollMs ? await runtime.runDue() : 0;
      const after = await store.nextDueAt();
      next = after === undefined ? Number.POSITIVE_INFINITY : Date.parse(after);
      // Due when this run tried, yet it could drive nothing (another run holds it): look again later, never spin.
      if (fired === 0 && next <= triedAt) next = Date.now() + pollMs;
    } catch (error) {
      log({ time: new Date().toISOString(), level: 'error', msg: 'follow-up failed; the next cron run retries', error: describe(error) });
      return;
    }
  }
}

/**
 * Builds the Worker: `export default createWorker()` is the whole Workers entry (src/worker.ts). Every request gets a
 * runtime of its own on a D1 store over `env.DB` (nothing is shared between requests but a flag saying the schema
 * was checked), serves it with {@link createApp}, and when a step left a retry due within `BANK_FOLLOW_UP_MS`,
 * drives it after the response with `ctx.waitUntil`. The cron trigger drives everything due, and what comes due
 * before the next run; the lease columns make sure that of overlapping runs one drives each execution.
 */
export function createWorker(options: WorkerOptions = {}): WorkerHandler {
  const { logger, followUpPollMs, ...runtimeOptions } = options;
  const log = logger ?? jsonLogger;
  const pollMs = Math.max(100, followUpPollMs ?? FOLLOW_UP_POLL_MS);
  // Per isolate, inside this object (not module state): once a call succeeded, the schema was found current.
  let schemaChecked = false;
  let warnedLocked = false;

  function build(env: WorkerEnv) {
    const seen = { dueAt: Number.POSITIVE_INFINITY, answered: false };
    const store = observe(createD1Store(env.DB, { checkSchema: !schemaChecked }), seen);
    const runtime = createRuntime({
      ...runtimeOptions,
      store,
      onSchedulerError: (error) => log({ time: new Date().toISOString(), level: 'error', msg: 'scheduler error', error: describe(error) }),
      // An operator must see it: the execution is FAILED until someone fixes the cause and redrives it.
      onQuarantine: ({ id, reason }) =>
        log({ time: new Date().toISOString(), level: 'error', msg: 'execution quarantined', applicationId: id, reason }),
    });
    const settle = () => {
      if (seen.answered) schemaChecked = true;
    };
    return { store, runtime, seen, settle };
  }

  return {
    async fetch(request, env, ctx) {
      const { store, runtime, seen, settle } = build(env);
      const reviewerTokens = parseTokenList(env.BANK_REVIEWER_TOKENS);
      if (reviewerTokens.length === 0 && !warnedLocked) {
        warnedLocked = true;
        log({
          time: new Date().toISOString(),
          level: 'warn',
          msg: 'no BANK_REVIEWER_TOKENS: the reviewer routes are locked (wrangler secret put BANK_REVIEWER_TOKENS)',
        });
      }
      const app = createApp({
        runtime,
        reviewerTokens,
        submitTokens: parseTokenList(env.BANK_SUBMIT_TOKENS),
        consoleSecret: env.BANK_CONSOLE_SECRET,
        logger: log,
        dev: env.BANK_DEV === '1',
      });
      const response = await app.fetch(request);
      settle();
      const deadline = Date.now() + followUpMs(env);
      if (seen.dueAt <= deadline) ctx.waitUntil(followUp(runtime, store, seen.dueAt, deadline, pollMs, log).finally(settle));
      return response;
    },

    async scheduled(controller, env, ctx) {
      const { store, runtime, settle } = build(env);
      const run = (async () => {
        try {
          const fired = await runtime.recover();
          const next = await store.nextDueAt();
          log({ time: new Date().toISOString(), level: 'info', msg: 'scheduled', cron: controller.cron, fired, nextDueAt: next ?? null });
          // Until shortly before the next run: runs overlap by little, and the claims keep them from driving one twice.
          const deadline = controller.scheduledTime + DEFAULT_CRON_FOLLOW_UP_MS;
          if (next !== undefined) await followUp(runtime, store, Date.parse(next), deadline, pollMs, log);
        } catch (error) {
          // The next run tries again: what is due stays due in the store.
          log({
            time: new Date().toISOString(),
            level: 'error',
            msg: 'scheduled run failed',
            cron: controller.cron,
            error: describe(error),
          });
        } finally {
          settle();
        }
      })();
      ctx.waitUntil(run);
      await run;
    },
  };
}
