import type { Application, HistoryEvent } from '../application.js';
import { CHECK_NAMES, type CheckName } from '../machine/types.js';
import { defaultWorkflowDescription } from './describe.js';

/**
 * How an application's graph marks a state: `passed` (entered and left), `current` (it waits there: for a review
 * or a check retry), `ended` (the final state it finished in), `failed` (it failed there: retries ran out, or the
 * execution was quarantined while there), `unvisited` (never entered).
 */
export type NodeMark = 'passed' | 'current' | 'ended' | 'failed' | 'unvisited';

/** The path an application took through the workflow, read from its history. */
export interface ApplicationPath {
  /** The ids of every state entered, containers included, in the order first entered. */
  readonly visited: readonly string[];
  /** The ids of the transitions taken, in the order first taken. */
  readonly edges: readonly string[];
  /** Where the execution stands now: the states it waits in, ended in or failed in (two while both checks wait). */
  readonly at: readonly string[];
  /** The mark of every state of the workflow. */
  readonly marks: Readonly<Record<string, NodeMark>>;
  /** What happened in a state, for those where something did: check results, reasons, errors, the review. */
  readonly notes: Readonly<Record<string, readonly string[]>>;
  /** The ids of the check states whose result flagged the application for review. */
  readonly flagged: readonly string[];
}

// The machine's state ids the history's business events map to. The path test checks each exists in the machine.
const CHECKING = 'checking';
const region = (check: CheckName) => `${CHECKING}.${check}`;
const checkState = (check: CheckName, state: 'pending' | 'running' | 'waiting' | 'done') => `${region(check)}.${state}`;
const TOP_STATE_OF = {
  FLAGGED_FOR_REVIEW: 'pendingReview',
  REVIEW_APPROVED: 'reviewApproved',
  REVIEW_REJECTED: 'reviewRejected',
  APPROVED: 'approved',
  REJECTED: 'rejected',
  FLAGGED_WITH_UNPROCESSABLE_DATA: 'unprocessable',
} as const;
/** The states a top-level state is entered from, in the order they are tried: the first one the path stands in wins. */
const ENTERED_FROM: Readonly<Record<string, readonly (readonly string[])[]>> = {
  pendingReview: [[CHECKING, 'reviewRequired']],
  approved: [[CHECKING, 'reviewRequired'], ['reviewApproved']],
  reviewApproved: [['pendingReview', 'deciding'], ['deciding']],
  reviewRejected: [['pendingReview', 'deciding'], ['deciding']],
  rejected: [['reviewRejected']],
};

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const checkOf = (value: unknown): CheckName | undefined => CHECK_NAMES.find((c) => c === value);
const errorText = (error: unknown): string => {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return [str(name), str(message)].filter((s) => s !== undefined && s !== '').join(': ') || 'unknown error';
};

/**
 * Follows an application's history through the workflow: which states it passed, where it waits or ended, which
 * transitions it took, and notes per state (check results with reasons, failed attempts, the review).
 * @param application The application (its execution status says whether the last state is waited in or ended in).
 * @param history Its history, as `Runtime.history` returns it, in order.
 * @example
 * ```ts
 * import { applicationPath, createMemoryStore, createRuntime } from '@bank/core';
 * const runtime = createRuntime({ store: createMemoryStore() });
 * const gabe = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' });
 * const path = applicationPath(gabe, await runtime.history(gabe.id));
 * path.at; // ['pendingReview']
 * path.marks['checking.address.done']; // 'passed'
 * path.flagged; // ['checking.address.done']
 * ```
 */
export function applicationPath(application: Application, history: readonly HistoryEvent[]): ApplicationPath {
  const description = defaultWorkflowDescription();
  const edgeIds = new Map<string, string>();
  for (const edge of description.edges)
    if (!edgeIds.has(`${edge.source}->${edge.target}`)) edgeIds.set(`${edge.source}->${edge.target}`, edge.id);

  const visited = new Set<string>();
  const edges = new Set<string>();
  const notes = new Map<string, string[]>();
  const flagged = new Set<string>();
  const succeeded = new Set<CheckName>();
  const regions = new Map<CheckName, string>();
  let top: string | undefined;
  let quarantined = false;

  const note = (id: string, text: string) => notes.set(id, [...(notes.get(id) ?? []), text]);
  const visit = (id: string) => visited.add(id);
  const move = (from: string | undefined, to: string) => {
    const edge = from === undefined ? undefined : edgeIds.get(`${from}->${to}`);
    if (edge !== undefined) edges.add(edge);
    visit(to);
  };
  const enterTop = (to: string) => {
    // Walk the states between where the path stands and `to` (e.g. checking → reviewRequired → pendingReview).
    const route = ENTERED_FROM[to]?.find((via) => via[0] === top);
    let from = route === undefined ? undefined : top;
    for (const via of route?.slice(1) ?? []) {
      move(from, via);
      from = via;
    }
    move(from, to);
    if (top === CHECKING) regions.clear();
    top = to;
  };
  const startChecks = (from: string | undefined) => {
    move(from, CHECKING);
    top = CHECKING;
    for (const check of CHECK_NAMES) {
      visit(region(check));
      visit(checkState(check, 'pending'));
      // A redriven execution skips the checks that already have a result (the `hasResult` guard).
      const next = succeeded.has(check) ? 'done' : 'running';
      move(checkState(check, 'pending'), checkState(check, next));
      regions.set(check, next);
    }
  };
  const toRunning = (check: CheckName) => {
    const from = regions.get(check);
    if (from !== undefined && from !== 'running') move(checkState(check, from as 'pending'), checkState(check, 'running'));
    visit(checkState(check, 'running'));
    regions.set(check, 'running');
  };

  for (const event of history) {
    const { data } = event;
    const check = checkOf(data['check']);
    switch (event.type) {
      case 'execution.started':
        if (top === undefined) startChecks(undefined);
        break;
      case 'state.entered': {
        const state = str(data['state']);
        if (state === 'SUBMITTED') {
          if (top === undefined) startChecks(undefined);
        } else if (state !== undefined && state in TOP_STATE_OF) {
          const to = TOP_STATE_OF[state as keyof typeof TOP_STATE_OF];
          if (top !== to) enterTop(to);
          if (to === 'pendingReview') note(to, `flagged for review at ${event.at}`);
        }
        break;
      }
      case 'check.succeeded': {
        if (check === undefined) break;
        toRunning(check);
        move(checkState(check, 'running'), checkState(check, 'done'));
        regions.set(check, 'done');
        succeeded.add(check);
        const result = (data['result'] ?? {}) as { flagged?: unknown; reason?: unknown };
        const attempt = typeof data['attempt'] === 'number' && data['attempt'] > 1 ? ` (attempt ${data['attempt']})` : '';
        if (result.flagged === true) {
          flagged.add(checkState(check, 'done'));
          note(checkState(check, 'done'), `⚑ ${check} check flagged${attempt}: ${str(result.reason) ?? 'no reason given'}`);
        } else {
          note(checkState(check, 'done'), `✓ ${check} check passed${attempt}`);
        }
        break;
      }
      case 'check.failed': {
        if (check === undefined) break;
        toRunning(check);
        const outcome = str(data['outcome']);
        note(
          checkState(check, 'running'),
          `✗ attempt ${String(data['attempt'] ?? '?')} failed (${outcome ?? 'error'}): ${errorText(data['error'])}`,
        );
        if (outcome === 'retry') {
          move(checkState(check, 'running'), checkState(check, 'waiting'));
          regions.set(check, 'waiting');
          const retryAt = str(data['retryAt']);
          if (retryAt !== undefined) note(checkState(check, 'waiting'), `⏱ ${check} check retry due at ${retryAt}`);
        } else if (outcome === 'unprocessable' || outcome === 'exhausted') {
          const to = outcome === 'unprocessable' ? TOP_STATE_OF.FLAGGED_WITH_UNPROCESSABLE_DATA : 'failed';
          move(checkState(check, 'running'), to);
          note(to, `${outcome === 'exhausted' ? `${check} check ran out of retries: ` : ''}${errorText(data['error'])}`);
          regions.clear();
          top = to;
        }
        break;
      }
      case 'review.received': {
        const reviewer = str(data['reviewer']);
        const text = str(data['note']);
        note('deciding', `${str(data['decision']) ?? '?'}${reviewer ? ` by ${reviewer}` : ''}${text ? `: “${text}”` : ''} at ${event.at}`);
        if (top === 'pendingReview') {
          move('pendingReview', 'deciding');
          top = 'deciding';
        }
        break;
      }
      case 'execution.failed':
        if (top !== 'failed') {
          visit('failed');
          top = 'failed';
        }
        break;
      case 'execution.quarantined':
        quarantined = true;
        for (const id of positions()) note(id, `⚠ quarantined at ${event.at}: ${str(data['reason']) ?? 'unknown reason'}`);
        break;
      case 'execution.redriven':
        if (str(data['from']) === 'quarantine') {
          quarantined = false;
          for (const id of positions()) note(id, `↻ redriven from quarantine at ${event.at}`);
        } else if (top === 'failed') {
          note('failed', `↻ redriven at ${event.at}`);
          startChecks('failed');
        }
        break;
    }
  }

  function positions(): string[] {
    if (top !== CHECKING) return top === undefined ? [] : [top];
    return CHECK_NAMES.map((check) => regions.get(check))
      .map((state, i) => (state === undefined ? undefined : checkState(CHECK_NAMES[i]!, state as 'running')))
      .filter((id): id is string => id !== undefined && !id.endsWith('.done'));
  }

  // An execution still running without a retry due (mid-step) stands in the regions that have not finished.
  const at = positions();
  const status = application.execution.status;
  if (application.reason !== undefined && top === 'unprocessable' && !(notes.get('unprocessable') ?? []).includes(application.reason)) {
    note('unprocessable', application.reason);
  }
  const atMark: NodeMark = status === 'FAILED' || quarantined || top === 'failed' ? 'failed' : status === 'SUCCEEDED' ? 'ended' : 'current';
  const marks: Record<string, NodeMark> = {};
  for (const node of description.nodes) {
    marks[node.id] = at.includes(node.id) ? atMark : visited.has(node.id) ? 'passed' : 'unvisited';
  }
  return {
    visited: [...visited],
    edges: [...edges],
    at,
    marks,
    notes: Object.fromEntries(notes),
    flagged: [...flagged],
  };
}
