import type { CheckResult } from '@bank/checks';
import type { Application, ExecutionStatus } from '../application.js';
import { toIso } from '../clock.js';
import { CHECK_NAMES, type ApplicationState, type CheckName } from '../machine/types.js';
import type { ApplicationSnapshot } from './settle.js';

/** The business state an application is in at a snapshot. */
export function applicationStateOf(snapshot: ApplicationSnapshot): ApplicationState {
  if (snapshot.matches('pendingReview')) return 'FLAGGED_FOR_REVIEW';
  if (snapshot.matches('approved')) return 'APPROVED';
  if (snapshot.matches('rejected')) return 'REJECTED';
  if (snapshot.matches('unprocessable')) return 'FLAGGED_WITH_UNPROCESSABLE_DATA';
  return 'SUBMITTED';
}

/** The execution status at a snapshot. */
export function executionStatusOf(snapshot: ApplicationSnapshot): ExecutionStatus {
  if (snapshot.status === 'done') return 'SUCCEEDED';
  if (snapshot.matches('pendingReview')) return 'WAITING_FOR_REVIEW';
  if (snapshot.matches('failed')) return 'FAILED';
  return 'RUNNING';
}

/** When the execution must be driven again: the earliest retry time of a check that waits for one. */
export function dueAtOf(snapshot: ApplicationSnapshot): number | undefined {
  if (!snapshot.matches('checking')) return undefined;
  const times = CHECK_NAMES.filter((check) => snapshot.matches({ checking: { [check]: 'waiting' } }))
    .map((check) => snapshot.context.retryAt[check])
    .filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Builds the application record from a settled snapshot. */
export function toApplication(snapshot: ApplicationSnapshot, meta: { id: string; createdAt: string; updatedAt: string }): Application {
  const { context } = snapshot;
  const status = executionStatusOf(snapshot);
  const checks: Partial<Record<CheckName, CheckResult>> = {};
  for (const check of CHECK_NAMES) if (context.checks[check]) checks[check] = context.checks[check];
  const failures = CHECK_NAMES.filter((check) => context.failures[check] > 0);
  const due = dueAtOf(snapshot);
  return {
    id: meta.id,
    name: context.input.name,
    address: context.input.address,
    state: applicationStateOf(snapshot),
    ...(Object.keys(checks).length > 0 ? { checks } : {}),
    ...(context.reason === undefined ? {} : { reason: context.reason }),
    ...(status === 'WAITING_FOR_REVIEW' && context.taskToken ? { taskToken: context.taskToken } : {}),
    ...(context.review ? { review: context.review } : {}),
    execution: {
      status,
      ...(due === undefined ? {} : { nextAttemptAt: toIso(due) }),
      ...(failures.length > 0 ? { failures: Object.fromEntries(failures.map((c) => [c, context.failures[c]])) } : {}),
      ...(context.redrives > 0 ? { redrives: context.redrives } : {}),
      ...(status === 'FAILED' && context.lastError ? { error: context.lastError } : {}),
    },
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
  };
}
