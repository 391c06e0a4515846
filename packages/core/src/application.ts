import type { CheckResult } from '@bank/checks';
import type { ApplicationState, CheckName, RecordedError, RecordedReview } from './machine/types.js';

/** Where an execution stands: driving checks or waiting on a retry, waiting for a review, finished, or failed. */
export type ExecutionStatus = 'RUNNING' | 'WAITING_FOR_REVIEW' | 'SUCCEEDED' | 'FAILED';

/** Every execution status, for validation of filters. */
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'WAITING_FOR_REVIEW', 'SUCCEEDED', 'FAILED'];

/** The execution behind an application, as far as a caller needs to know it. */
export interface ExecutionInfo {
  /** Where the execution stands. */
  readonly status: ExecutionStatus;
  /** While `RUNNING`: when the next check attempt is due (ISO 8601). */
  readonly nextAttemptAt?: string;
  /** Failed attempts per check so far, when any failed. */
  readonly failures?: Partial<Record<CheckName, number>>;
  /** How many times the execution was redriven after failing, when it was. */
  readonly redrives?: number;
  /** When `FAILED`: the error that ran out of retries, and its check. */
  readonly error?: RecordedError & { readonly check: CheckName };
  /** When `FAILED` because the execution could not be loaded or restored: why, and when it was set aside. */
  readonly quarantined?: { readonly reason: string; readonly at: string };
}

/** An account application as stored and returned by every API. */
export interface Application {
  /** `app_` followed by a UUID v7. */
  readonly id: string;
  /** The applicant's name, trimmed. */
  readonly name: string;
  /** The applicant's address, trimmed. */
  readonly address: string;
  /** The business state. */
  readonly state: ApplicationState;
  /** The result of each check that has finished, in declared order (name, then address). */
  readonly checks?: Partial<Record<CheckName, CheckResult>>;
  /** Why the application ended `FLAGGED_WITH_UNPROCESSABLE_DATA`: the error's name and message. */
  readonly reason?: string;
  /** The single-use token a review must match, while the application is `FLAGGED_FOR_REVIEW`. */
  readonly taskToken?: string;
  /** The human review, once received. */
  readonly review?: RecordedReview;
  /** The execution's status. */
  readonly execution: ExecutionInfo;
  /** When the application was submitted (ISO 8601). */
  readonly createdAt: string;
  /** When the application last changed (ISO 8601). */
  readonly updatedAt: string;
}

/** One entry of an application's history. */
export interface HistoryEvent {
  /** 1, 2, 3… in the order the events happened. */
  readonly seq: number;
  /** When it happened (ISO 8601). */
  readonly at: string;
  /** What happened, e.g. `state.entered`, `check.failed`, `review.received`. */
  readonly type: string;
  /** The event's details. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** A page of applications and the cursor of the next page, if there is one. */
export interface ApplicationPage {
  /** The applications on this page, oldest first. */
  readonly items: readonly Application[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  readonly nextCursor?: string;
}
