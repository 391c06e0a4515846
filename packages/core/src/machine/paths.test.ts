// Model-based tests: XState's graph utilities enumerate every simple path of the machine, from submission
// to a final state, and each path is replayed through the durable runtime on a real SQLite file, with the
// checks answering in exactly the path's order. The list of path signatures is a file snapshot, so a path
// added to the machine fails the suite until it is looked at (and then it is tested like every other).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnprocessableDataError, type CheckResult } from '@bank/checks';
import type { EventObject } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { isSettled, type ApplicationSnapshot } from '../runtime/settle.js';
import { applicationStateOf, executionStatusOf } from '../runtime/to-application.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import { createFakeClock } from '../clock.js';
import { createApplicationMachine } from './application-machine.js';
import { CHECK_NAMES, type CheckName } from './types.js';

const RETRY = { maxRetries: 1, jitter: 0, intervalMs: 1000 } as const;
const ACTOR_OF: Record<CheckName, string> = { name: 'checkName', address: 'checkAddress' };
const CHECK_OF: Record<string, CheckName> = { checkName: 'name', checkAddress: 'address' };

type Outcome = { kind: 'pass' } | { kind: 'flag' } | { kind: 'unprocessable' } | { kind: 'transient' };
const OUTCOMES: readonly Outcome[] = [{ kind: 'pass' }, { kind: 'flag' }, { kind: 'unprocessable' }, { kind: 'transient' }];
const LETTER = { pass: 'p', flag: 'f', unprocessable: 'u', transient: 't' } as const;

/** The event a finished check delivers to the machine. */
type ModelEvent = EventObject & Record<string, unknown>;

function checkEvent(check: CheckName, outcome: Outcome): ModelEvent {
  const id = ACTOR_OF[check];
  switch (outcome.kind) {
    case 'pass':
      return { type: `xstate.done.actor.${id}`, output: { flagged: false } };
    case 'flag':
      return { type: `xstate.done.actor.${id}`, output: { flagged: true, reason: 'model flag' } };
    case 'unprocessable':
      return { type: `xstate.error.actor.${id}`, error: new UnprocessableDataError('model: unprocessable') };
    case 'transient':
      return { type: `xstate.error.actor.${id}`, error: new Error('model: transient') };
  }
}

function outcomeOf(event: EventObject & { output?: CheckResult; error?: unknown }): Outcome {
  if (event.type.startsWith('xstate.done.actor.')) return { kind: event.output?.flagged ? 'flag' : 'pass' };
  return { kind: event.error instanceof UnprocessableDataError ? 'unprocessable' : 'transient' };
}

const checkOfEvent = (type: string): CheckName | undefined => CHECK_OF[type.replace(/^xstate\.(done|error)\.actor\./, '')];

// The machine as the model sees it: check actors answer through events; outside events are offered only at
// settled points, because that is the only time the runtime delivers them.
const machine = createApplicationMachine({ clock: { now: () => 0 }, random: () => 0, retry: RETRY });
const paths = getSimplePaths(machine, {
  input: { name: 'Model', address: '1 Model Street' },
  events: (snapshot) => {
    const events: ModelEvent[] = [];
    for (const check of CHECK_NAMES) {
      if (snapshot.matches({ checking: { [check]: 'running' } } as never)) events.push(...OUTCOMES.map((o) => checkEvent(check, o)));
    }
    if (snapshot.status === 'active' && isSettled(snapshot)) {
      if (snapshot.matches('checking')) events.push({ type: 'retry.due', at: Number.MAX_SAFE_INTEGER });
      if (snapshot.matches('pendingReview')) {
        for (const decision of ['APPROVE', 'REJECT'])
          events.push({ type: 'review.submitted', decision, taskToken: snapshot.context.taskToken, at: 0 });
      }
      if (snapshot.matches('failed')) events.push({ type: 'execution.redrive', at: 0 });
    }
    return events as never;
  },
  // Retry times and tokens are left out; one redrive is distinguished from none so a redrive path is simple.
  serializeState: (s) =>
    JSON.stringify([s.value, s.context.checks, s.context.failures, Math.min(s.context.redrives, 1), s.context.review?.decision ?? null]),
  toState: (s) => s.status === 'done',
});

type Step = { event: ModelEvent; state: ApplicationSnapshot };
const stepsOf = (path: (typeof paths)[number]) => path.steps as unknown as Step[];

/** A path's signature: each check's outcomes in order, with redrives (R) and the review decision. */
function signatureOf(steps: readonly Step[]): string {
  const parts: Record<CheckName, string> = { name: '', address: '' };
  let review = '';
  for (const { event } of steps) {
    const check = checkOfEvent(event.type);
    if (check) parts[check] += LETTER[outcomeOf(event).kind];
    if (event.type === 'execution.redrive') for (const c of CHECK_NAMES) parts[c] += 'R';
    if (event.type === 'review.submitted') review = String(event.decision);
  }
  return `name:${parts.name || '-'} address:${parts.address || '-'}${review ? ` review:${review}` : ''}`;
}

/** The history the runtime must record for a path, derived step by step from the model (not from the machine's actions). */
function expectedHistory(steps: readonly Step[]): string[] {
  const out: string[] = [];
  let previous: ApplicationSnapshot | undefined;
  for (const { event, state } of steps) {
    const check = checkOfEvent(event.type);
    if (event.type === 'xstate.init') out.push('execution.started', 'state.entered:SUBMITTED');
    if (check) {
      const outcome = outcomeOf(event);
      out.push(outcome.kind === 'pass' || outcome.kind === 'flag' ? `check.succeeded:${check}` : `check.failed:${check}`);
      if (outcome.kind === 'unprocessable') out.push('state.entered:FLAGGED_WITH_UNPROCESSABLE_DATA', 'execution.succeeded');
      if (state.matches('failed')) out.push('execution.failed');
      if (state.matches('pendingReview')) out.push('state.entered:FLAGGED_FOR_REVIEW', 'task_token.issued');
      if (state.matches('approved') && previous?.matches('checking')) out.push('state.entered:APPROVED', 'execution.succeeded');
    }
    if (event.type === 'review.submitted') {
      const approved = event.decision === 'APPROVE';
      out.push(
        'review.received',
        `state.entered:${approved ? 'REVIEW_APPROVED' : 'REVIEW_REJECTED'}`,
        `state.entered:${approved ? 'APPROVED' : 'REJECTED'}`,
        'execution.succeeded',
      );
    }
    if (event.type === 'execution.redrive') out.push('execution.redriven');
    previous = state;
  }
  return out;
}

/** Checks whose answers the test releases one by one, in the path's order. */
function createGatedChecks() {
  type Pending = { settle: (outcome: Outcome) => void };
  const queues: Record<CheckName, Pending[]> = { name: [], address: [] };
  const waiters: (() => void)[] = [];
  const gated = (check: CheckName) => (value: string) =>
    new Promise<CheckResult>((resolve, reject) => {
      queues[check].push({
        settle: (o) => {
          if (o.kind === 'pass') resolve({ flagged: false });
          else if (o.kind === 'flag') resolve({ flagged: true, reason: 'model flag' });
          else if (o.kind === 'unprocessable') reject(new UnprocessableDataError(`'${value}' is not possible to check.`));
          else reject(new Error('model: transient'));
        },
      });
      waiters.splice(0).forEach((wake) => wake());
    });
  return {
    checks: { name: gated('name'), address: gated('address') },
    async release(check: CheckName, outcome: Outcome) {
      while (queues[check].length === 0) await new Promise<void>((wake) => waiters.push(wake));
      queues[check].shift()!.settle(outcome);
    },
    /** Drops calls whose actors were stopped (the other region ended the execution). */
    reset() {
      queues.name.length = 0;
      queues.address.length = 0;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bank-paths-'));
const store = createSqliteStore({ path: join(dir, 'paths.db') });
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Replays one path through the runtime and returns the application and its history. */
async function replay(steps: readonly Step[]) {
  const clock = createFakeClock();
  const gates = createGatedChecks();
  const runtime: Runtime = createRuntime({ store, clock, random: () => 0, retry: RETRY, checks: gates.checks, checkTimeoutMs: 60_000 });
  let id = '';
  let inflight: Promise<unknown> = Promise.resolve();
  const next = async (call: () => Promise<{ id: string } | number>) => {
    await inflight;
    gates.reset();
    inflight = call().then((r) => {
      if (typeof r === 'object') id = r.id;
    });
  };
  for (const { event } of steps) {
    const check = checkOfEvent(event.type);
    if (event.type === 'xstate.init') await next(() => runtime.submit({ name: 'Model', address: '1 Model Street' }));
    else if (check) await gates.release(check, outcomeOf(event));
    else if (event.type === 'retry.due') {
      await next(async () => {
        clock.advance(24 * 3600_000);
        return runtime.runDue();
      });
    } else if (event.type === 'review.submitted') await next(() => runtime.review(id, event.decision));
    else if (event.type === 'execution.redrive') await next(() => runtime.redrive(id));
    else throw new Error(`the model produced an event the replay does not know: ${event.type}`);
  }
  await inflight;
  const history = (await runtime.history(id)).map((e) => {
    const detail = e.type === 'state.entered' ? e.data.state : e.type.startsWith('check.') ? e.data.check : undefined;
    return detail === undefined ? e.type : `${e.type}:${String(detail)}`;
  });
  return { application: await runtime.get(id), history };
}

const categories: Record<string, (signature: string) => boolean> = {
  'auto-approve': (s) => s === 'name:p address:p',
  'name-only flag': (s) => /^name:f address:p review/.test(s),
  'address-only flag': (s) => /^name:p address:f review/.test(s),
  'both flagged': (s) => /^name:f address:f review/.test(s),
  'review approve': (s) => s.endsWith('review:APPROVE'),
  'review reject': (s) => s.endsWith('review:REJECT'),
  'unprocessable from the name check': (s) => /^name:u /.test(s),
  'unprocessable from the address check': (s) => / address:u$/.test(s),
  'transient error then success': (s) => /name:tp address:p$/.test(s) || /name:p address:tp$/.test(s),
  'retries exhausted then redrive': (s) => /ttR/.test(s),
};

describe('every simple path of the application machine', () => {
  const signatures = [...new Set(paths.map((p) => signatureOf(stepsOf(p))))].sort();

  it('has the known set of path signatures (a new path must be looked at: update the snapshot)', async () => {
    expect(paths.length).toBeGreaterThan(100);
    await expect(`${signatures.join('\n')}\n`).toMatchFileSnapshot('./__snapshots__/paths.txt');
  });

  it('covers every named scenario', () => {
    for (const [name, matches] of Object.entries(categories)) expect(signatures.filter(matches), name).not.toHaveLength(0);
  });

  it(`replays all ${paths.length} paths through the runtime on SQLite, with the expected state and history`, async () => {
    for (const path of paths) {
      const steps = stepsOf(path);
      const expected = path.state as unknown as ApplicationSnapshot;
      const { application, history } = await replay(steps);
      const label = `${signatureOf(steps)} via ${steps.map((s) => s.event.type.replace('xstate.', '')).join(' > ')}`;
      expect(application.state, label).toBe(applicationStateOf(expected));
      expect(application.execution.status, label).toBe(executionStatusOf(expected));
      expect(application.checks ?? {}, label).toStrictEqual(expected.context.checks);
      expect(application.review?.decision, label).toBe(expected.context.review?.decision);
      expect(history, label).toStrictEqual(expectedHistory(steps));
    }
  }, 120_000);
});
