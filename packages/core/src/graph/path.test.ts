import { checkAddress, checkName } from '@bank/checks';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../clock.js';
import { createRuntime } from '../runtime/runtime.js';
import { createMemoryStore } from '../store/memory-store.js';
import { flaky } from '../testing/flaky.js';
import type { CheckFns } from '../machine/types.js';
import { describeWorkflow } from './describe.js';
import { applicationPath, type ApplicationPath, type NodeMark } from './path.js';

const SPOCK = { name: 'Spock', address: '123 Enterprise Street' };
const GABE = { name: 'Gabe', address: 'ABadAddress' };
const UNPROCESSABLE = { name: 'UNPROCESSABLE_DATA', address: '123 Street' };

function setup(checks?: Partial<CheckFns>, retry?: { maxRetries: number }) {
  const clock = createFakeClock();
  const runtime = createRuntime({
    store: createMemoryStore(),
    clock,
    random: () => 0,
    ...(checks ? { checks } : {}),
    ...(retry ? { retry } : {}),
  });
  const pathOf = async (id: string) => applicationPath(await runtime.get(id), await runtime.history(id));
  return { runtime, clock, pathOf };
}

const marked = (path: ApplicationPath, mark: NodeMark) =>
  Object.entries(path.marks)
    .filter(([, m]) => m === mark)
    .map(([id]) => id);

const ids = new Set(describeWorkflow().nodes.map((node) => node.id));
const edgeIds = new Set(describeWorkflow().edges.map((edge) => edge.id));

/** Every id a path names is a state or transition of the machine. */
function expectKnownIds(path: ApplicationPath) {
  for (const id of [...path.visited, ...path.at, ...path.flagged, ...Object.keys(path.notes)]) expect(ids.has(id), id).toBe(true);
  for (const id of path.edges) expect(edgeIds.has(id), id).toBe(true);
  expect(Object.keys(path.marks).sort()).toStrictEqual([...ids].sort());
}

const CHECKS_PASSED = [
  'checking',
  'checking.name',
  'checking.name.pending',
  'checking.name.running',
  'checking.name.done',
  'checking.address',
  'checking.address.pending',
  'checking.address.running',
  'checking.address.done',
];

describe('applicationPath', () => {
  it('Spock: both checks pass, no review, ends in approved', async () => {
    const { runtime, pathOf } = setup();
    const path = await pathOf((await runtime.submit(SPOCK)).id);
    expectKnownIds(path);
    expect(path.at).toStrictEqual(['approved']);
    expect(marked(path, 'ended')).toStrictEqual(['approved']);
    expect(marked(path, 'passed').sort()).toStrictEqual([...CHECKS_PASSED, 'reviewRequired'].sort());
    expect(marked(path, 'current')).toStrictEqual([]);
    expect(path.edges).toContain('checking->reviewRequired');
    expect(path.edges).toContain('reviewRequired->approved');
    expect(path.edges).not.toContain('reviewRequired->pendingReview');
    expect(path.flagged).toStrictEqual([]);
    expect(path.notes['checking.address.done']).toStrictEqual(['✓ address check passed']);
  });

  it('Gabe: the address check flags it, it waits in pendingReview; after APPROVE it goes through reviewApproved to approved', async () => {
    const { runtime, pathOf } = setup();
    const gabe = await runtime.submit(GABE);
    const waiting = await pathOf(gabe.id);
    expectKnownIds(waiting);
    expect(waiting.at).toStrictEqual(['pendingReview']);
    expect(marked(waiting, 'current')).toStrictEqual(['pendingReview']);
    expect(marked(waiting, 'ended')).toStrictEqual([]);
    expect(waiting.marks['reviewRequired']).toBe('passed');
    expect(waiting.marks['approved']).toBe('unvisited');
    expect(waiting.flagged).toStrictEqual(['checking.address.done']);
    expect(waiting.notes['checking.address.done']).toStrictEqual([
      '⚑ address check flagged: Address has no house number next to a street name.',
    ]);
    expect(waiting.edges).toContain('reviewRequired->pendingReview');

    await runtime.review(gabe.id, 'APPROVE', { reviewer: 'riker', note: 'known customer' });
    const approved = await pathOf(gabe.id);
    expectKnownIds(approved);
    expect(approved.at).toStrictEqual(['approved']);
    expect(approved.marks['approved']).toBe('ended');
    for (const id of ['pendingReview', 'deciding', 'reviewApproved']) expect(approved.marks[id], id).toBe('passed');
    expect(approved.marks['reviewRejected']).toBe('unvisited');
    expect(approved.edges).toEqual(
      expect.arrayContaining(['pendingReview->deciding', 'deciding->reviewApproved', 'reviewApproved->approved']),
    );
    expect(approved.edges).not.toContain('reviewRequired->approved');
    expect(approved.notes['deciding']?.[0]).toMatch(/^APPROVE by riker: “known customer” at /);
  });

  it('Gabe rejected: through reviewRejected to rejected', async () => {
    const { runtime, pathOf } = setup();
    const gabe = await runtime.submit(GABE);
    await runtime.review(gabe.id, 'REJECT');
    const path = await pathOf(gabe.id);
    expect(path.at).toStrictEqual(['rejected']);
    expect(path.marks['rejected']).toBe('ended');
    expect(path.marks['reviewRejected']).toBe('passed');
    expect(path.marks['reviewApproved']).toBe('unvisited');
    expect(path.edges).toEqual(expect.arrayContaining(['deciding->reviewRejected', 'reviewRejected->rejected']));
  });

  it('UNPROCESSABLE_DATA: the name check cannot process it, it ends in unprocessable with the reason', async () => {
    const { runtime, pathOf } = setup();
    const path = await pathOf((await runtime.submit(UNPROCESSABLE)).id);
    expectKnownIds(path);
    expect(path.at).toStrictEqual(['unprocessable']);
    expect(marked(path, 'ended')).toStrictEqual(['unprocessable']);
    expect(path.marks['checking.name.running']).toBe('passed');
    expect(path.marks['checking.name.done']).toBe('unvisited');
    expect(path.marks['reviewRequired']).toBe('unvisited');
    expect(path.edges).toContain('checking.name.running->unprocessable');
    expect(path.notes['unprocessable']).toStrictEqual(["UnprocessableDataError: Name 'UNPROCESSABLE_DATA' is not possible to check."]);
  });

  it('a check waiting for a retry is current in its region; once it passes, the path shows the loop', async () => {
    const { runtime, clock, pathOf } = setup({ name: flaky(checkName, 1) });
    const spock = await runtime.submit(SPOCK);
    const waiting = await pathOf(spock.id);
    expectKnownIds(waiting);
    expect(waiting.at).toStrictEqual(['checking.name.waiting']);
    expect(waiting.marks['checking.name.waiting']).toBe('current');
    expect(waiting.marks['checking.address.done']).toBe('passed');
    expect(waiting.notes['checking.name.running']?.[0]).toMatch(/^✗ attempt 1 failed \(retry\): Error: service unavailable/);
    expect(waiting.notes['checking.name.waiting']?.[0]).toMatch(/^⏱ name check retry due at /);

    clock.advance(60_000);
    await runtime.runDue();
    const done = await pathOf(spock.id);
    expect(done.at).toStrictEqual(['approved']);
    expect(done.marks['checking.name.waiting']).toBe('passed');
    expect(done.edges).toEqual(
      expect.arrayContaining(['checking.name.running->checking.name.waiting', 'checking.name.waiting->checking.name.running']),
    );
    expect(done.notes['checking.name.done']).toStrictEqual(['✓ name check passed (attempt 2)']);
  });

  it('retries run out: it fails in failed; a redrive goes back to checking and skips the check that has a result', async () => {
    let broken = true;
    const address: CheckFns['address'] = (value) => {
      if (broken) throw new Error('address service down');
      return checkAddress(value);
    };
    const { runtime, pathOf } = setup({ address }, { maxRetries: 0 });
    const spock = await runtime.submit(SPOCK);
    const failed = await pathOf(spock.id);
    expectKnownIds(failed);
    expect(failed.at).toStrictEqual(['failed']);
    expect(marked(failed, 'failed')).toStrictEqual(['failed']);
    expect(failed.edges).toContain('checking.address.running->failed');
    expect(failed.notes['failed']).toStrictEqual(['address check ran out of retries: Error: address service down']);

    broken = false;
    await runtime.redrive(spock.id);
    const redriven = await pathOf(spock.id);
    expectKnownIds(redriven);
    expect(redriven.at).toStrictEqual(['approved']);
    expect(redriven.marks['failed']).toBe('passed');
    expect(redriven.edges).toEqual(expect.arrayContaining(['failed->checking', 'checking.name.pending->checking.name.done']));
    expect(redriven.notes['failed']?.[1]).toMatch(/^↻ redriven at /);
  });
  it('a quarantined execution is marked failed where it stood; redriven from quarantine, it waits there again', async () => {
    const { runtime } = setup();
    const gabe = await runtime.submit(GABE);
    const history = await runtime.history(gabe.id);
    const at = '2026-01-02T00:00:00.000Z';
    const quarantined = [
      ...history,
      { seq: history.length + 1, at, type: 'execution.quarantined', data: { reason: 'snapshot unreadable' } },
    ];
    const failed = applicationPath(
      { ...gabe, execution: { status: 'FAILED', quarantined: { reason: 'snapshot unreadable', at } } },
      quarantined,
    );
    expect(failed.at).toStrictEqual(['pendingReview']);
    expect(failed.marks['pendingReview']).toBe('failed');
    expect(failed.notes['pendingReview']).toContain(`⚠ quarantined at ${at}: snapshot unreadable`);

    const redriven = [...quarantined, { seq: quarantined.length + 1, at, type: 'execution.redriven', data: { from: 'quarantine' } }];
    const back = applicationPath(gabe, redriven);
    expect(back.marks['pendingReview']).toBe('current');
    expect(back.marks['failed']).toBe('unvisited');
  });
});
