// A real crash test of the durable runtime on a SQLite file.
//
// A child process (crash-worker.mjs, plain Node on the BUILT package) submits and reviews a stream of
// applications, half of them flaky (their checks fail transiently a fixed number of times, then pass), and runs
// the runtime's scheduler, which fires their retries at their due times (hundreds of ms later). It is killed with
// SIGKILL at random moments, more than 50 times, nearly always with retries pending (read from the file after each
// kill); every restart runs `recover()` first (what is already due), then starts the scheduler (what falls due
// later), re-submits the submission that may have been in flight (same idempotency key), replays the last
// acknowledged one, and retries reviews that were not acknowledged. A last run finishes cleanly and lets the
// scheduler fire every retry left. Then this process opens the file and checks that nothing was lost, duplicated
// or decided twice, that each history agrees with its application, and that every scheduled retry ran exactly
// once and never before its due time.
//
// The kill times come from a seeded PRNG: the seed is printed, and CRASH_SEED=<seed> replays the same schedule
// (the interleaving inside the child still depends on timing, so a replay is close, not identical).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from '@photostructure/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type { Application, HistoryEvent } from '../src/index.js';
import { createRuntime } from '../src/index.js';
import { createSqliteStore } from '../src/sqlite.js';

const KILLS = 44; // runs killed 100–700 ms after they start: mostly mid-stream (submit, review, retries)
const EARLY_KILLS = 11; // extra runs (every fifth) killed 0–20 ms after they start: while opening the file or in recover()
const MIN_RUN_MS = 100;
const MAX_RUN_MS = 700;
const EARLY_MS = 20;
const FINAL_EXTRA = 20;
// The worker's retry policy (crash-worker.mjs): retry k waits 200 × 2^(k-1) ms, less up to 50% jitter.
const RETRY = { intervalMs: 200, backoffRate: 2, maxRetries: 3, jitter: 0.5 };

const WORKER = fileURLToPath(new URL('./crash-worker.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** mulberry32: a tiny seeded PRNG, so a failing kill schedule can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The stream, mirrored from crash-worker.mjs: the three reference shapes and a flaky one, which is half of it.
type Shape = 'spock' | 'gabe' | 'unprocessable' | 'flaky';
const SHAPES: readonly Shape[] = ['spock', 'gabe', 'flaky', 'unprocessable', 'flaky', 'gabe', 'flaky', 'flaky'];
const shapeOf = (n: number): Shape => SHAPES[n % SHAPES.length]!;
const nameOf = (n: number): string =>
  ({ spock: `Spock-${n}`, gabe: `Gabe-${n}`, unprocessable: `UNPROCESSABLE_DATA-${n}`, flaky: `Flaky-${n}` })[shapeOf(n)];
const decisionOf = (n: number): 'APPROVE' | 'REJECT' => (n % 8 === 1 ? 'APPROVE' : 'REJECT');
const decidedState = (n: number) => (decisionOf(n) === 'APPROVE' ? 'APPROVED' : 'REJECTED');

/** FNV-1a, as in crash-worker.mjs. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
/** How many attempts of each check of application n fail before one passes, as in crash-worker.mjs. */
const failuresOf = (n: number) =>
  shapeOf(n) === 'flaky' ? { name: hash(`Flaky-${n}`) % 3, address: 1 + (hash(`${n} Retry Road`) % 3) } : { name: 0, address: 0 };

/** What the file holds right after a kill: executions waiting for a retry, and any that are RUNNING without a timer. */
function pendingRetriesIn(db: string): { pending: number; unscheduled: number } {
  if (!existsSync(db)) return { pending: 0, unscheduled: 0 };
  // Read-only: no checkpoint on close, so the next worker opens the file exactly as the kill left it.
  const raw = new DatabaseSync(db, { readOnly: true });
  try {
    const count = (sql: string) => (raw.prepare(sql).get() as { c: number }).c;
    return {
      pending: count('SELECT COUNT(*) AS c FROM applications WHERE due_at IS NOT NULL'),
      unscheduled: count("SELECT COUNT(*) AS c FROM applications WHERE (status = 'RUNNING') <> (due_at IS NOT NULL)"),
    };
  } catch (e) {
    if (/no such table/.test(String(e))) return { pending: 0, unscheduled: 0 }; // killed before the first migration
    throw e;
  } finally {
    raw.close();
  }
}

/** One JSON line from the worker; only complete lines count as acknowledgements. */
type Line = { type: string; n?: number; id?: string; state?: string; [key: string]: unknown };

interface Plan {
  db: string;
  mode: 'crash' | 'final';
  start: number;
  extra?: number;
  replay?: { n: number; id: string };
  pending: { n: number; id: string; decision: string }[];
  doubleReview: { n: number; id: string; decision: string }[];
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Line[];
  stderr: string;
  killedAfterMs?: number;
  /** When the process was gone (this process's clock, which the worker shares). */
  closedAt: number;
}

let runs = 0;
/** Spawns the worker; with `killAfterMs`, SIGKILLs it that long after it reports `started`. */
function runWorker(dir: string, plan: Plan, killAfterMs?: number): Promise<RunResult> {
  const planFile = join(dir, `plan-${++runs}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, planFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let pending = '';
    let stderr = '';
    let killer: ReturnType<typeof setTimeout> | undefined;
    // A worker that never starts, or a final run that hangs, is killed and fails the test below.
    const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs === undefined ? 30_000 : 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const text = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          line = { type: 'error', message: `unparseable line: ${text}` };
        }
        lines.push(line);
        if (line.type === 'started' && killAfterMs !== undefined) killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      clearTimeout(killer);
      resolve({ code, signal, lines, stderr, closedAt: Date.now(), ...(killAfterMs === undefined ? {} : { killedAfterMs: killAfterMs }) });
    });
  });
}

let cleanup: (() => void) | undefined;
afterAll(() => cleanup?.());

describe('crash test: SIGKILL at random moments on a SQLite file', () => {
  it(`loses, duplicates, double-applies and runs early nothing across ${KILLS + EARLY_KILLS} kills`, { timeout: 120_000 }, async () => {
    expect(existsSync(DIST), 'build @bank/core first (pnpm nx run core:build): the worker runs dist/').toBe(true);
    const seed = process.env.CRASH_SEED === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(process.env.CRASH_SEED);
    const random = mulberry32(seed);
    const began = Date.now();

    // Kept on failure, for inspection; removed after a pass.
    const dir = mkdtempSync(join(tmpdir(), 'bank-crash-'));
    console.log(`crash test seed ${seed} (replay with CRASH_SEED=${seed}), files in ${dir}`);
    const db = join(dir, 'bank.db');

    // What the workers acknowledged, line by line.
    const acked = new Map<number, { id: string; state: string }>();
    const reviewAcked = new Map<number, { decision: string; state: string }>();
    const doubleReviewed = new Set<number>();
    const violations: string[] = [];
    const stats = {
      kills: 0,
      earlyKills: 0,
      killedBeforeRecover: 0,
      recovered: 0,
      reviews: 0,
      concurrentConflicts: 0,
      retryConflicts: 0,
      replays: 0,
      pendingAtKills: 0,
      killsWithPending: 0,
      earlyKillsWithPending: 0,
    };
    let lastReviewed: number | undefined;
    // The time windows in which a worker's scheduler ran (from the end of its recover() until the process was gone):
    // a retry attempt inside one was fired by the scheduler, any other by recover().
    const schedulerWindows: [number, number][] = [];

    const absorb = (run: RunResult) => {
      for (const line of run.lines) {
        const n = line.n ?? -1;
        switch (line.type) {
          case 'recovered':
            stats.recovered += Number(line.count);
            schedulerWindows.push([Number(line.to), run.closedAt]);
            break;
          case 'submitted': {
            const earlier = acked.get(n);
            if (earlier && earlier.id !== line.id) violations.push(`n=${n} acknowledged as ${earlier.id} and then as ${line.id}`);
            if (line.name !== nameOf(n)) violations.push(`n=${n} has name ${String(line.name)}`);
            acked.set(n, { id: String(line.id), state: String(line.state) });
            break;
          }
          case 'replayed':
            stats.replays++;
            if (acked.get(n)?.id !== line.id) violations.push(`replay of n=${n} gave ${line.id}, not ${acked.get(n)?.id}`);
            break;
          case 'reviewed':
            stats.reviews++;
            stats.concurrentConflicts += Number(line.conflicts ?? 0);
            if (line.state !== decidedState(n)) violations.push(`review of n=${n} gave ${line.state}`);
            reviewAcked.set(n, { decision: String(line.decision), state: String(line.state) });
            lastReviewed = n;
            break;
          case 'review-conflict':
            // The review was retried after a kill and the killed process had already committed it.
            stats.retryConflicts++;
            if (line.state !== decidedState(n) || line.review !== decisionOf(n)) {
              violations.push(`n=${n}: retried review conflicted, but the application is ${line.state} / ${String(line.review)}`);
            }
            reviewAcked.set(n, { decision: String(line.review), state: String(line.state) });
            lastReviewed = n;
            break;
          case 'double-review-conflict':
            doubleReviewed.add(n);
            break;
          case 'review-applied-twice':
          case 'error':
            violations.push(JSON.stringify(line));
            break;
        }
      }
    };

    const planOf = (mode: Plan['mode']): Plan => {
      const ns = [...acked.keys()].sort((a, b) => a - b);
      // The worker submits one at a time, so the acknowledged submissions are always 0..max without a hole.
      expect(ns).toStrictEqual(ns.map((_, i) => i));
      const last = ns.at(-1);
      const pending = ns
        .filter((n) => shapeOf(n) === 'gabe' && !reviewAcked.has(n))
        .map((n) => ({ n, id: acked.get(n)!.id, decision: decisionOf(n) }));
      const reviewed = [...reviewAcked.keys()].filter((n) => mode === 'final' || n === lastReviewed);
      return {
        db,
        mode,
        start: last === undefined ? 0 : last + 1,
        ...(mode === 'final' ? { extra: FINAL_EXTRA } : {}),
        ...(last === undefined ? {} : { replay: { n: last, id: acked.get(last)!.id } }),
        pending,
        doubleReview: reviewed.map((n) => ({ n, id: acked.get(n)!.id, decision: decisionOf(n) })),
      };
    };

    // The crashing runs: every fifth one (eleven of fifty-five) is an early kill.
    for (let i = 0; i < KILLS + EARLY_KILLS; i++) {
      const early = i % 5 === 4;
      const killAfterMs = Math.round(early ? random() * EARLY_MS : MIN_RUN_MS + random() * (MAX_RUN_MS - MIN_RUN_MS));
      const run = await runWorker(dir, planOf('crash'), killAfterMs);
      if (run.signal !== 'SIGKILL') console.log(`worker run ${i} ended with code ${run.code}; stderr:\n${run.stderr}`);
      expect(run.signal, `run ${i} must die by SIGKILL`).toBe('SIGKILL');
      expect(run.lines.some((l) => l.type === 'started')).toBe(true);
      stats.kills++;
      if (early) stats.earlyKills++;
      if (!run.lines.some((l) => l.type === 'recovered')) stats.killedBeforeRecover++;
      // The retries the kill left pending: the next run must fire each of them once, at or after its due time.
      const { pending, unscheduled } = pendingRetriesIn(db);
      expect(unscheduled, `run ${i}: executions RUNNING without a due time, or a due time on a settled one`).toBe(0);
      stats.pendingAtKills += pending;
      if (pending > 0 && early) stats.earlyKillsWithPending++;
      else if (pending > 0) stats.killsWithPending++;
      absorb(run);
      expect(violations).toStrictEqual([]);
    }
    // Nearly every mid-stream kill lands while retries are pending (the first run or two may not have any yet).
    expect(stats.killsWithPending, `mid-stream kills with retries pending`).toBeGreaterThanOrEqual(Math.ceil(0.8 * KILLS));

    // The last run finishes: re-submits, retries pending reviews, double-reviews every reviewed one, drains retries.
    const killsDone = Date.now();
    const finalPlan = planOf('final');
    const final = await runWorker(dir, finalPlan);
    if (final.code !== 0) console.log(`final worker run failed (${final.code ?? final.signal}); stderr:\n${final.stderr}`);
    expect(final.code).toBe(0);
    const finalDone = Date.now();
    expect(final.lines.at(-1)?.type).toBe('done');
    absorb(final);
    expect(violations).toStrictEqual([]);
    expect(stats.kills - stats.earlyKills).toBeGreaterThanOrEqual(20);
    // Every review the final run tried again was refused: no review applies twice.
    expect([...doubleReviewed].sort((a, b) => a - b)).toStrictEqual(finalPlan.doubleReview.map((r) => r.n).sort((a, b) => a - b));

    // ---- Verify the file from this process. ----
    const store = createSqliteStore({ path: db });
    const runtime = createRuntime({ store });
    try {
      // Nothing is left for a recovery to do after the final run.
      expect(await runtime.recover()).toBe(0);

      const total = acked.size;
      const maxN = total - 1;
      expect(total).toBeGreaterThan(KILLS);
      // Every n ever attempted was acknowledged in the end (the last run re-submitted the one in flight).
      expect([...acked.keys()].sort((a, b) => a - b)).toStrictEqual(Array.from({ length: total }, (_, i) => i));

      // list() paging returns every application exactly once.
      const listed: Application[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await runtime.list({ limit: 37, ...(cursor === undefined ? {} : { cursor }) });
        listed.push(...page.items);
        cursor = page.nextCursor;
        expect(++pages).toBeLessThan(10_000);
      } while (cursor !== undefined);
      const byId = new Map(listed.map((a) => [a.id, a]));
      expect(byId.size).toBe(listed.length);
      expect(listed.length).toBe(total);

      // The raw tables: one idempotency key per n, each on its own application; one snapshot each; no timer left.
      const raw = new DatabaseSync(db, { readOnly: true });
      try {
        const count = (sql: string) => (raw.prepare(sql).get() as { c: number }).c;
        expect(count('SELECT COUNT(*) AS c FROM applications')).toBe(total);
        expect(count('SELECT COUNT(*) AS c FROM snapshots')).toBe(total);
        expect(count('SELECT COUNT(*) AS c FROM idempotency_keys')).toBe(total);
        expect(count('SELECT COUNT(DISTINCT application_id) AS c FROM idempotency_keys')).toBe(total);
        expect(count('SELECT COUNT(*) AS c FROM applications WHERE due_at IS NOT NULL')).toBe(0);
        expect(count("SELECT COUNT(*) AS c FROM applications WHERE status IN ('RUNNING', 'FAILED')")).toBe(0);
        const keys = new Map(
          (raw.prepare('SELECT key, application_id FROM idempotency_keys').all() as { key: string; application_id: string }[]).map((r) => [
            r.key,
            r.application_id,
          ]),
        );
        for (let n = 0; n <= maxN; n++) expect(keys.get(`k-${n}`), `idempotency key k-${n}`).toBe(acked.get(n)!.id);
      } finally {
        raw.close();
      }

      const byState: Record<string, number> = {};
      let withRetries = 0;
      // Every scheduled retry and the attempt that answered it: how late it ran after its due time (never early).
      const lateness: number[] = [];
      let firedByScheduler = 0;
      // Retries that fell due while a scheduler ran, and were fired by it: how late the sleep-and-wake loop was.
      const schedulerLateness: number[] = [];
      const windowOf = (at: number) => schedulerWindows.findIndex(([from, to]) => at >= from && at <= to);
      for (let n = 0; n <= maxN; n++) {
        const id = acked.get(n)!.id;
        const app = byId.get(id);
        expect(app, `application n=${n} (${id})`).toBeDefined();
        if (!app) continue;
        const shape = shapeOf(n);
        const where = `n=${n} ${app.name} ${id}`;
        expect(app.name, where).toBe(nameOf(n));
        byState[app.state] = (byState[app.state] ?? 0) + 1;

        const history: readonly HistoryEvent[] = await runtime.history(id);
        const of = (type: string) => history.filter((e) => e.type === type);
        // seq is 1..n without gaps or repeats.
        expect(
          history.map((e) => e.seq),
          where,
        ).toStrictEqual(history.map((_, i) => i + 1));
        expect(history[0]?.type, where).toBe('execution.started');
        // The states entered, in order, are exactly the path for this input: nothing replayed into the history twice.
        const states = of('state.entered').map((e) => e.data.state);
        expect(states.at(-1), where).toBe(app.state);
        expect(of('review.received').length, where).toBe(shape === 'gabe' ? 1 : 0); // decided once, and only if flagged
        expect(of('task_token.issued').length, where).toBe(shape === 'gabe' ? 1 : 0);
        for (const check of ['name', 'address'] as const) {
          const failed = of('check.failed').filter((e) => e.data.check === check);
          const succeeded = of('check.succeeded').filter((e) => e.data.check === check);
          // The failures the application records are the failures its history records.
          expect(app.execution.failures?.[check] ?? 0, `${where} ${check} failures`).toBe(failed.length);
          if (shape !== 'unprocessable') expect(succeeded.length, `${where} ${check} succeeded`).toBe(1);
          expect(
            failed.map((e) => e.data.attempt),
            where,
          ).toStrictEqual(failed.map((_, i) => i + 1));
          // A flaky check fails exactly as often as its value says, however the kills fell: no attempt lost or doubled.
          if (shape === 'flaky') expect(failed.length, `${where} ${check} failed attempts`).toBe(failuresOf(n)[check]);

          // Every scheduled retry ran exactly once, and not before its due time: the attempt after a `retry` failure
          // is the next attempt of that check (number + 1, the only one with that number), at or after `retryAt`.
          const attempts = history.filter((e) => (e.type === 'check.failed' || e.type === 'check.succeeded') && e.data.check === check);
          attempts.forEach((e, i) => {
            if (e.type !== 'check.failed' || e.data.outcome !== 'retry') return;
            const what = `${where} ${check} retry after attempt ${String(e.data.attempt)}`;
            expect(typeof e.data.retryAt, what).toBe('string');
            const retryAt = Date.parse(String(e.data.retryAt));
            // The policy's delay (checks the worker really waits hundreds of ms), give or take the clock's tick.
            const base = RETRY.intervalMs * RETRY.backoffRate ** (Number(e.data.attempt) - 1);
            expect(retryAt - Date.parse(e.at), `${what}: delay`).toBeGreaterThanOrEqual(base * (1 - RETRY.jitter) - 50);
            expect(retryAt - Date.parse(e.at), `${what}: delay`).toBeLessThanOrEqual(base + 5);
            const answers = attempts.filter((a) => a.data.attempt === Number(e.data.attempt) + 1);
            expect(answers.length, `${what}: attempts that answer it`).toBe(1);
            expect(attempts[i + 1], `${what}: the next attempt`).toBe(answers[0]);
            const ranAt = Date.parse(attempts[i + 1]!.at);
            expect(ranAt, `${what}: ran at ${attempts[i + 1]!.at}, due ${String(e.data.retryAt)}`).toBeGreaterThanOrEqual(retryAt);
            lateness.push(ranAt - retryAt);
            const window = windowOf(ranAt);
            if (window >= 0) firedByScheduler++;
            if (window >= 0 && window === windowOf(retryAt)) schedulerLateness.push(ranAt - retryAt);
          });
        }
        // Every application ended: one execution.succeeded, for its state, and no timer.
        expect(app.execution.status, where).toBe('SUCCEEDED');
        expect(app.execution.nextAttemptAt, where).toBeUndefined();
        expect(
          of('execution.succeeded').map((e) => e.data.state),
          where,
        ).toStrictEqual([app.state]);

        switch (shape) {
          case 'spock':
            expect(states, where).toStrictEqual(['SUBMITTED', 'APPROVED']);
            expect(of('check.failed'), where).toStrictEqual([]);
            break;
          case 'flaky':
            expect(states, where).toStrictEqual(['SUBMITTED', 'APPROVED']);
            expect(
              of('check.failed').every((e) => e.data.outcome === 'retry'),
              where,
            ).toBe(true);
            if (of('check.failed').length > 0) withRetries++;
            break;
          case 'unprocessable':
            expect(states, where).toStrictEqual(['SUBMITTED', 'FLAGGED_WITH_UNPROCESSABLE_DATA']);
            expect(app.reason, where).toMatch(/^UnprocessableDataError: /);
            expect(
              of('check.failed').map((e) => e.data.outcome),
              where,
            ).toStrictEqual(['unprocessable']);
            break;
          case 'gabe': {
            // The final run retried every unacknowledged review, so every Gabe has exactly one review, by parity.
            const decision = decisionOf(n);
            expect(reviewAcked.get(n)?.decision, where).toBe(decision);
            expect(app.state, where).toBe(decidedState(n));
            expect(app.review?.decision, where).toBe(decision);
            expect(app.taskToken, where).toBeUndefined();
            expect(
              of('review.received').map((e) => e.data.decision),
              where,
            ).toStrictEqual([decision]);
            expect(states, where).toStrictEqual([
              'SUBMITTED',
              'FLAGGED_FOR_REVIEW',
              decision === 'APPROVE' ? 'REVIEW_APPROVED' : 'REVIEW_REJECTED',
              decidedState(n),
            ]);
            break;
          }
        }
      }

      // Every state filter pages to the same counts.
      for (const [state, expected] of Object.entries(byState)) {
        let seen = 0;
        let next: string | undefined;
        do {
          const page = await runtime.list({ state, limit: 200, ...(next === undefined ? {} : { cursor: next }) });
          expect(page.items.every((a) => a.state === state)).toBe(true);
          seen += page.items.length;
          next = page.nextCursor;
        } while (next !== undefined);
        expect(seen, `list({ state: ${state} })`).toBe(expected);
      }

      // Every flaky application scheduled at least one retry (its address fails once or more), and each ran.
      const flakyCount = [...acked.keys()].filter((n) => shapeOf(n) === 'flaky').length;
      expect(withRetries).toBe(flakyCount);
      const expectedRetries = [...acked.keys()].reduce((sum, n) => sum + failuresOf(n).name + failuresOf(n).address, 0);
      expect(lateness.length, 'retries scheduled and run').toBe(expectedRetries);
      // Retries fire in the process while it lives, not only in the next one's recover(), and on time: a retry that
      // falls due while a scheduler runs fires within milliseconds (the loop sleeps until the earliest due time and
      // every commit wakes it), not at the next poll (1 s).
      const pctOf = (xs: number[]) => {
        const sorted = [...xs].sort((a, b) => a - b);
        return (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      };
      const pct = pctOf(lateness);
      const spct = pctOf(schedulerLateness);
      expect(firedByScheduler, 'retries fired by a running scheduler').toBeGreaterThan(lateness.length / 4);
      expect(spct(0.5), 'median lateness of the retries that fell due while a scheduler ran').toBeLessThan(250);
      console.log(
        `crash test: ${stats.pendingAtKills} retries pending at kill moments in total (after ${stats.killsWithPending} of ` +
          `${stats.kills - stats.earlyKills} mid-stream kills and ${stats.earlyKillsWithPending} of ${stats.earlyKills} early ones); ` +
          `${lateness.length} retries ran once each (${firedByScheduler} fired by a running scheduler, the others by recover()), ` +
          `none early; lateness after the due time: median ${pct(0.5)} ms, ` +
          `p90 ${pct(0.9)} ms, max ${pct(1)} ms (a retry due while no process ran waits for the next one); ` +
          `${schedulerLateness.length} fell due and fired while one scheduler ran: lateness median ${spct(0.5)} ms, p90 ${spct(0.9)} ms, ` +
          `p99 ${spct(0.99)} ms, max ${spct(1)} ms`,
      );
      console.log(
        `crash test: seed ${seed}, ${stats.kills} kills (${stats.earlyKills} early, ${stats.killedBeforeRecover} before recover() finished), ` +
          `${total} applications (${JSON.stringify(byState)}), ${stats.reviews} reviews ` +
          `(${stats.concurrentConflicts} concurrent-review conflicts, ${stats.retryConflicts} retried-review conflicts, ` +
          `${doubleReviewed.size} second reviews refused), ${withRetries} with retries, ${stats.recovered} executions recovered, ` +
          `${stats.replays} replays, ${Date.now() - began} ms (kills ${killsDone - began} ms, final run ${finalDone - killsDone} ms, ` +
          `checks ${Date.now() - finalDone} ms)`,
      );
    } finally {
      await runtime.close();
    }
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  });
});
