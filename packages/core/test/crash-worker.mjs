// The child process of the crash test (crash.test.ts). It is plain Node and imports the BUILT package by its own
// name (`@bank/core`, `@bank/core/sqlite` resolve to dist/ through the package's `exports` map), exactly as a
// deployment would. The parent kills it with SIGKILL at random moments and restarts it; every fact the parent
// relies on is printed as one JSON line, written synchronously, only AFTER the runtime call it reports resolved.
//
// Usage: node crash-worker.mjs <plan.json>
//   plan: { db, mode: 'crash' | 'final', start, replay?: {n,id}, pending: [{n,id,decision}],
//           doubleReview: [{n,id,decision}], extra? }
//   Both modes run recover() and then the runtime's scheduler (runtime.start()), which fires retries at their due
//   times while the process lives. Crash mode submits an endless stream from `start` (the parent kills it, usually
//   with retries pending); final mode submits `extra` more applications, waits until the scheduler has fired every
//   retry (nothing due is left), closes the runtime and exits 0.
import { readFileSync, writeSync } from 'node:fs';
import { checkAddress, checkName } from '@bank/checks';
import { createRuntime, isDomainError } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import { DatabaseSync } from '@photostructure/sqlite';

/** Writes one line to stdout synchronously, riding out EAGAIN on a non-blocking pipe. */
function emit(record) {
  const buffer = Buffer.from(`${JSON.stringify(record)}\n`);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(1, buffer, offset);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

emit({ type: 'started', pid: process.pid });

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));

/** FNV-1a, so the choice of flaky applications is deterministic across processes and runs. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// The stream repeats these eight shapes; half of it is flaky. Mirrored in crash.test.ts.
const SHAPES = ['spock', 'gabe', 'flaky', 'unprocessable', 'flaky', 'gabe', 'flaky', 'flaky'];

/** The n-th application of the stream. Mirrored in crash.test.ts. */
function inputOf(n) {
  switch (SHAPES[n % SHAPES.length]) {
    case 'spock':
      return { name: `Spock-${n}`, address: '123 Enterprise Street' };
    case 'gabe':
      return { name: `Gabe-${n}`, address: 'ABadAddress' };
    case 'unprocessable':
      return { name: `UNPROCESSABLE_DATA-${n}`, address: '123 Street' };
    default:
      return { name: `Flaky-${n}`, address: `${n} Retry Road` };
  }
}
const decisionOf = (n) => (n % 8 === 1 ? 'APPROVE' : 'REJECT');

/** How many times each check of a flaky application fails before it passes (by hash). Mirrored in crash.test.ts. */
const failuresOf = {
  name: (value) => (value.startsWith('Flaky-') ? hash(value) % 3 : 0), // 0–2, so sometimes both regions wait at once
  address: (value) => (value.endsWith(' Retry Road') ? 1 + (hash(value) % 3) : 0), // 1–3
};

function fail(where, e) {
  emit({ type: 'error', where, message: String(e?.stack ?? e) });
  process.exit(1);
}

const store = createSqliteStore({ path: plan.db });
// A second, read-only connection: the flaky checks read the committed state of their execution through it.
const reader = new DatabaseSync(plan.db, { readOnly: true });
const committedExecution = reader.prepare(
  'SELECT a.execution FROM idempotency_keys k JOIN applications a ON a.id = k.application_id WHERE k.key = ?',
);

/**
 * A check whose first `failuresOf[check](value)` attempts fail transiently, where the attempt number is
 * read from the DURABLE state of the execution (the failures its last commit recorded, found through its idempotency
 * key `k-<n>`), never from a counter in this process. So it behaves the same in every process and after every kill:
 * an attempt that was killed before its commit is simply made again, and every flaky application ends with exactly
 * `failuresOf` failed attempts per check in its history, then one that passes (maxRetries 3 ≥ 3 failures).
 * A step that loses the version check to another writer may have read a newer attempt number, but its outcome is
 * thrown away with its commit.
 */
function transient(check, pass) {
  return (value) => {
    const limit = failuresOf[check](value);
    if (limit === 0) return pass(value);
    const n = /(\d+)/.exec(value)?.[1];
    const row = committedExecution.get(`k-${n}`);
    const failed = row === undefined ? 0 : (JSON.parse(row.execution).failures?.[check] ?? 0);
    const attempt = failed + 1;
    if (attempt <= limit) throw new Error(`service unavailable (${check} of ${value}, attempt ${attempt})`);
    return pass(value);
  };
}
const checks = { name: transient('name', checkName), address: transient('address', checkAddress) };

// Delays of 100–200, 200–400 and 400–800 ms (50% jitter): long enough that many retries are pending at each kill,
// short enough that many fire in the process that scheduled them.
const RETRY = { intervalMs: 200, backoffRate: 2, maxRetries: 3, jitter: 0.5 };
const runtime = createRuntime({ store, checks, retry: RETRY, onSchedulerError: (e) => fail('scheduler', e) });
const isConflict = (e) => isDomainError(e) && e.code === 'conflict';

/** Reviews an application that is known to wait (or to have been reviewed by a killed process). */
async function reviewAgain({ n, id, decision }) {
  try {
    const app = await runtime.review(id, decision, { reviewer: `worker-${process.pid}` });
    emit({ type: 'reviewed', n, id, decision, state: app.state, retried: true });
  } catch (e) {
    if (!isConflict(e)) throw e;
    const app = await runtime.get(id);
    emit({ type: 'review-conflict', n, id, decision, state: app.state, review: app.review?.decision ?? null });
  }
}

/** A second review of an application whose review was acknowledged: it must be a conflict, never applied. */
async function reviewTwice({ n, id, decision }) {
  const opposite = decision === 'APPROVE' ? 'REJECT' : 'APPROVE';
  try {
    const app = await runtime.review(id, opposite, { reviewer: 'second' });
    emit({ type: 'review-applied-twice', n, id, state: app.state });
  } catch (e) {
    if (!isConflict(e)) throw e;
    emit({ type: 'double-review-conflict', n, id });
  }
}

async function submitOne(n) {
  const input = inputOf(n);
  const app = await runtime.submit(input, { idempotencyKey: `k-${n}` });
  emit({ type: 'submitted', n, id: app.id, state: app.state, name: app.name });
  if (app.state === 'FLAGGED_FOR_REVIEW') {
    // Two concurrent reviews of the same application: exactly one may commit, the other must be a conflict.
    const decision = decisionOf(n);
    const [a, b] = await Promise.allSettled([runtime.review(app.id, decision), runtime.review(app.id, decision)]);
    const applied = [a, b].filter((r) => r.status === 'fulfilled');
    const other = [a, b].filter((r) => r.status === 'rejected');
    for (const r of other) if (!isConflict(r.reason)) throw r.reason;
    if (applied.length !== 1) {
      emit({ type: 'review-applied-twice', n, id: app.id, applied: applied.length });
      return;
    }
    emit({ type: 'reviewed', n, id: app.id, decision, state: applied[0].value.state, conflicts: other.length });
  }
}

async function main() {
  const from = Date.now();
  const recovered = await runtime.recover();
  // The window tells the parent which retries recover() ran; the ones after it, in this process, the scheduler ran.
  emit({ type: 'recovered', count: recovered, from, to: Date.now() });
  // From here on, retries fire at their due times in this process: the scheduler sleeps until the earliest due time
  // in the store and is woken by every commit that sets an earlier one.
  runtime.start();

  // The last acknowledged submission again, with its key: the same application, never a new one.
  if (plan.replay) {
    const app = await runtime.submit(inputOf(plan.replay.n), { idempotencyKey: `k-${plan.replay.n}` });
    emit({ type: 'replayed', n: plan.replay.n, id: app.id });
  }
  for (const p of plan.pending) await reviewAgain(p);
  for (const p of plan.doubleReview) await reviewTwice(p);

  const end = plan.mode === 'final' ? plan.start + plan.extra : Number.POSITIVE_INFINITY;
  // Starting at `start` re-submits the one submission that may have been in flight when the last run died.
  for (let n = plan.start; n < end; n++) await submitOne(n);

  // Final mode: the scheduler alone fires every retry left; wait until nothing is due any more, then close cleanly.
  const deadline = Date.now() + 15_000;
  for (let next = await store.nextDueAt(); next !== undefined; next = await store.nextDueAt()) {
    if (Date.now() > deadline) throw new Error(`retries still due at ${next} after 15 s: the scheduler did not fire them`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await runtime.close();
  reader.close();
  emit({ type: 'done' });
}

main().catch((e) => fail('main', e));
