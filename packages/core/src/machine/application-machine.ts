import { checkAddress, checkName, isUnprocessableDataError, type ApplicationInput, type CheckResult } from '@bank/checks';
import { assign, emit, setup, type DoneActorEvent, type ErrorActorEvent } from 'xstate';
import { systemClock, toIso, type Clock } from '../clock.js';
import { newTaskToken } from '../ids.js';
import { resolveRetryPolicy, retryDelayMs, type RetryPolicy } from '../retry-policy.js';
import { createCheckActor } from './check-actor.js';
import type { ApplicationContext, ApplicationEmitted, ApplicationEvent, CheckFns, CheckName, RecordedError } from './types.js';

/**
 * The version of the machine's shape, stamped on every stored snapshot. Bump it when states or context change
 * in a way an older snapshot cannot be restored into; the runtime refuses snapshots of an unknown version.
 */
export const MACHINE_VERSION = 1;

/** What a machine is built from; every part has a default. */
export interface ApplicationMachineOptions {
  /** The check implementations (default: `checkName` and `checkAddress` from `@bank/checks`). */
  readonly checks?: Partial<CheckFns>;
  /** How transient check failures are retried. */
  readonly retry?: Partial<RetryPolicy>;
  /** Where time comes from (retry due times, review times). */
  readonly clock?: Clock;
  /** A number in [0, 1) for retry jitter. */
  readonly random?: () => number;
  /** How long one check attempt may take before it counts as a transient failure. */
  readonly checkTimeoutMs?: number;
}

const DEFAULT_CHECKS: CheckFns = { name: checkName, address: checkAddress };

const toRecordedError = (error: unknown): RecordedError =>
  error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: typeof error === 'string' ? error : 'check failed with a non-error value' };

const errorOf = (event: unknown): unknown => (event as ErrorActorEvent).error;

/** Builds the application workflow machine: parallel name/address checks, review, approve or reject. */
export function createApplicationMachine(options: ApplicationMachineOptions = {}): ApplicationMachine {
  return buildMachine(options);
}

function buildMachine(options: ApplicationMachineOptions) {
  const checks = { ...DEFAULT_CHECKS, ...options.checks };
  const policy = resolveRetryPolicy(options.retry);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const timeoutMs = options.checkTimeoutMs ?? 10_000;

  type Params = { check: CheckName };

  /**
   * One parallel region per check: run it, retry transient failures at a stored due time, and leave the whole
   * execution on unprocessable data or exhausted retries. Both regions have this shape; only the check differs.
   */
  const checkRegion = (check: CheckName, src: 'checkName' | 'checkAddress') => ({
    initial: 'pending' as const,
    states: {
      pending: { always: [{ guard: { type: 'hasResult' as const, params: { check } }, target: 'done' }, { target: 'running' }] },
      running: {
        invoke: {
          id: src,
          src,
          input: ({ context }: { context: ApplicationContext }) => ({ value: context.input[check] }),
          onDone: {
            target: 'done',
            actions: [
              { type: 'emitSucceeded' as const, params: { check } },
              { type: 'recordResult' as const, params: { check } },
            ],
          },
          onError: [
            {
              guard: 'isUnprocessable' as const,
              target: '#application.unprocessable',
              actions: [
                { type: 'recordUnprocessable' as const, params: { check } },
                { type: 'emitFailed' as const, params: { check, outcome: 'unprocessable' as const } },
              ],
            },
            {
              guard: { type: 'canRetry' as const, params: { check } },
              target: 'waiting',
              actions: [
                { type: 'scheduleRetry' as const, params: { check } },
                { type: 'emitFailed' as const, params: { check, outcome: 'retry' as const } },
              ],
            },
            {
              target: '#application.failed',
              actions: [
                { type: 'recordExhausted' as const, params: { check } },
                { type: 'emitFailed' as const, params: { check, outcome: 'exhausted' as const } },
              ],
            },
          ],
        },
      },
      waiting: { on: { 'retry.due': { guard: { type: 'isDue' as const, params: { check } }, target: 'running' } } },
      done: { type: 'final' as const },
    },
  });

  return setup({
    types: {} as {
      context: ApplicationContext;
      events: ApplicationEvent;
      input: ApplicationInput;
      emitted: ApplicationEmitted;
    },
    actors: {
      checkName: createCheckActor(checks.name, timeoutMs),
      checkAddress: createCheckActor(checks.address, timeoutMs),
    },
    guards: {
      hasResult: ({ context }, { check }: Params) => context.checks[check] !== undefined,
      isUnprocessable: ({ event }) => isUnprocessableDataError(errorOf(event)),
      canRetry: ({ context }, { check }: Params) => context.failures[check] < policy.maxRetries,
      isDue: ({ context, event }, { check }: Params) =>
        event.type === 'retry.due' && (context.retryAt[check] ?? Number.POSITIVE_INFINITY) <= event.at,
      anyFlagged: ({ context }) => Object.values(context.checks).some((result) => result?.flagged === true),
      tokenMatches: ({ context, event }) => event.type === 'review.submitted' && event.taskToken === context.taskToken,
      // Named (not inline) so the workflow graph labels the branch.
      reviewerApproved: ({ context }) => context.review?.decision === 'APPROVE',
    },
    actions: {
      recordResult: assign(({ context, event }, { check }: Params) => ({
        checks: { ...context.checks, [check]: (event as unknown as DoneActorEvent<CheckResult>).output },
        retryAt: { ...context.retryAt, [check]: undefined },
      })),
      emitSucceeded: emit(({ context, event }, { check }: Params) => ({
        type: 'check.succeeded' as const,
        check,
        attempt: context.failures[check] + 1,
        result: (event as unknown as DoneActorEvent<CheckResult>).output,
      })),
      recordUnprocessable: assign(({ context, event }, { check }: Params) => {
        const error = toRecordedError(errorOf(event));
        return {
          reason: `${error.name}: ${error.message}`,
          lastError: { check, ...error },
          failures: { ...context.failures, [check]: context.failures[check] + 1 },
        };
      }),
      scheduleRetry: assign(({ context, event }, { check }: Params) => {
        const failures = context.failures[check] + 1;
        return {
          failures: { ...context.failures, [check]: failures },
          retryAt: { ...context.retryAt, [check]: clock.now() + retryDelayMs(policy, failures, random()) },
          lastError: { check, ...toRecordedError(errorOf(event)) },
        };
      }),
      recordExhausted: assign(({ context, event }, { check }: Params) => ({
        failures: { ...context.failures, [check]: context.failures[check] + 1 },
        lastError: { check, ...toRecordedError(errorOf(event)) },
      })),
      emitFailed: emit(({ context }, { check, outcome }: Params & { outcome: 'unprocessable' | 'retry' | 'exhausted' }) => {
        const retryAt = context.retryAt[check];
        return {
          type: 'check.failed' as const,
          check,
          attempt: context.failures[check],
          error: { name: context.lastError?.name ?? 'Error', message: context.lastError?.message ?? '' },
          outcome,
          ...(outcome === 'retry' && retryAt !== undefined ? { retryAt: toIso(retryAt) } : {}),
        };
      }),
      issueTaskToken: assign({ taskToken: () => newTaskToken() }),
      emitTokenIssued: emit(({ context }) => ({ type: 'task_token.issued' as const, tokenHint: (context.taskToken ?? '').slice(0, 7) })),
      recordReview: assign(({ event }) => {
        if (event.type !== 'review.submitted') return {};
        const review = {
          decision: event.decision,
          reviewedAt: toIso(event.at),
          ...(event.reviewer === undefined ? {} : { reviewer: event.reviewer }),
          ...(event.note === undefined ? {} : { note: event.note }),
        };
        return { review, taskToken: undefined };
      }),
      emitReviewReceived: emit(({ context }) => ({
        type: 'review.received' as const,
        decision: context.review?.decision ?? 'REJECT',
        ...(context.review?.reviewer === undefined ? {} : { reviewer: context.review.reviewer }),
        ...(context.review?.note === undefined ? {} : { note: context.review.note }),
      })),
      prepareRedrive: assign(({ context }) => ({
        failures: { name: context.checks.name ? context.failures.name : 0, address: context.checks.address ? context.failures.address : 0 },
        redrives: context.redrives + 1,
        retryAt: {},
        lastError: undefined,
      })),
      emitRedriven: emit({ type: 'execution.redriven' as const }),
      emitExecutionFailed: emit(({ context }) => ({
        type: 'execution.failed' as const,
        error: context.lastError ?? { check: 'name' as const, name: 'Error', message: 'unknown failure' },
      })),
      emitEntered: emit(
        (_, { state }: { state: ApplicationEmitted & { type: 'state.entered' } extends { state: infer S } ? S : never }) => ({
          type: 'state.entered' as const,
          state,
        }),
      ),
      emitSucceededExecution: emit((_, { state }: { state: 'APPROVED' | 'REJECTED' | 'FLAGGED_WITH_UNPROCESSABLE_DATA' }) => ({
        type: 'execution.succeeded' as const,
        state,
      })),
    },
  }).createMachine({
    id: 'application',
    initial: 'checking',
    context: ({ input }) => ({ input, checks: {}, failures: { name: 0, address: 0 }, redrives: 0, retryAt: {} }),
    states: {
      checking: {
        type: 'parallel',
        states: {
          name: checkRegion('name', 'checkName'),
          address: checkRegion('address', 'checkAddress'),
        },
        onDone: 'reviewRequired',
      },
      reviewRequired: { always: [{ guard: 'anyFlagged', target: 'pendingReview' }, { target: 'approved' }] },
      pendingReview: {
        entry: ['issueTaskToken', { type: 'emitEntered', params: { state: 'FLAGGED_FOR_REVIEW' } }, 'emitTokenIssued'],
        on: {
          'review.submitted': [{ guard: 'tokenMatches', target: 'deciding', actions: ['recordReview', 'emitReviewReceived'] }],
        },
      },
      deciding: {
        always: [{ guard: 'reviewerApproved', target: 'reviewApproved' }, { target: 'reviewRejected' }],
      },
      reviewApproved: { entry: { type: 'emitEntered', params: { state: 'REVIEW_APPROVED' } }, always: 'approved' },
      reviewRejected: { entry: { type: 'emitEntered', params: { state: 'REVIEW_REJECTED' } }, always: 'rejected' },
      approved: {
        type: 'final',
        entry: [
          { type: 'emitEntered', params: { state: 'APPROVED' } },
          { type: 'emitSucceededExecution', params: { state: 'APPROVED' } },
        ],
      },
      rejected: {
        type: 'final',
        entry: [
          { type: 'emitEntered', params: { state: 'REJECTED' } },
          { type: 'emitSucceededExecution', params: { state: 'REJECTED' } },
        ],
      },
      unprocessable: {
        type: 'final',
        entry: [
          { type: 'emitEntered', params: { state: 'FLAGGED_WITH_UNPROCESSABLE_DATA' } },
          { type: 'emitSucceededExecution', params: { state: 'FLAGGED_WITH_UNPROCESSABLE_DATA' } },
        ],
      },
      failed: {
        entry: 'emitExecutionFailed',
        on: { 'execution.redrive': { target: 'checking', actions: ['prepareRedrive', 'emitRedriven'] } },
      },
    },
  });
}

/** The machine built by {@link createApplicationMachine}: an XState v5 `StateMachine`. */
export type ApplicationMachine = ReturnType<typeof buildMachine>;
