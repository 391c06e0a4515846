import type { ApplicationInput, CheckResult } from '@bank/checks';

/** The two data checks, in their declared order. */
export const CHECK_NAMES = ['name', 'address'] as const;

/** One of the data checks: `name` or `address`. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** What a check is called with besides the value. */
export interface CheckContext {
  /** Aborts when the attempt's time limit passes (or the execution stops): cancel remote calls with it. */
  readonly signal: AbortSignal;
}

/**
 * A check function: returns a result, or throws (`UnprocessableDataError` is final; anything else is retried).
 * An answer that is not a valid `CheckResult` counts as a failed attempt, never as a pass.
 */
export type CheckFn = (value: string, context: CheckContext) => CheckResult | Promise<CheckResult>;

/** The check implementations the machine invokes, one per region; inject remote ones for a real deployment. */
export type CheckFns = Readonly<Record<CheckName, CheckFn>>;

/** A human reviewer's decision. */
export type ReviewDecision = 'APPROVE' | 'REJECT';

/** An error as recorded: its name and message, never a stack. */
export interface RecordedError {
  /** The error's `name`, e.g. `UnprocessableDataError`. */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
}

/** The review as recorded when the execution leaves `pendingReview`. */
export interface RecordedReview {
  /** What the reviewer decided. */
  readonly decision: ReviewDecision;
  /** Who reviewed: the name bound to the reviewer's credential (or the local user, embedded). */
  readonly reviewer?: string;
  /** The reviewer's note, if they left one. */
  readonly note?: string;
  /** When the review was received (ISO 8601). */
  readonly reviewedAt: string;
}

/** Everything the machine remembers; it is stored in the persisted snapshot, so it stays plain JSON. */
export interface ApplicationContext {
  readonly input: ApplicationInput;
  readonly checks: Partial<Record<CheckName, CheckResult>>;
  /** Failed attempts of each check in the current run (reset by a redrive). */
  readonly failures: Record<CheckName, number>;
  /** How many times a failed execution was redriven. */
  readonly redrives: number;
  /** When a waiting check may run again (ms since the epoch). */
  readonly retryAt: Partial<Record<CheckName, number>>;
  readonly lastError?: (RecordedError & { readonly check: CheckName }) | undefined;
  readonly reason?: string;
  readonly taskToken?: string | undefined;
  readonly review?: RecordedReview;
}

/** The events an execution accepts from outside. */
export type ApplicationEvent =
  | {
      readonly type: 'review.submitted';
      readonly decision: ReviewDecision;
      readonly taskToken: string;
      readonly reviewer?: string;
      readonly note?: string;
      readonly at: number;
    }
  | { readonly type: 'retry.due'; readonly at: number }
  | { readonly type: 'execution.redrive'; readonly at: number };

/** The history the machine reports as it moves (the runtime stamps and stores each one). */
export type ApplicationEmitted =
  | { readonly type: 'state.entered'; readonly state: ApplicationState }
  | { readonly type: 'check.succeeded'; readonly check: CheckName; readonly attempt: number; readonly result: CheckResult }
  | {
      readonly type: 'check.failed';
      readonly check: CheckName;
      readonly attempt: number;
      readonly error: RecordedError;
      readonly outcome: 'unprocessable' | 'retry' | 'exhausted';
      readonly retryAt?: string;
    }
  | { readonly type: 'task_token.issued'; readonly tokenHint: string }
  | { readonly type: 'review.received'; readonly decision: ReviewDecision; readonly reviewer?: string; readonly note?: string }
  | { readonly type: 'execution.succeeded'; readonly state: ApplicationState }
  | { readonly type: 'execution.failed'; readonly error: RecordedError & { readonly check: CheckName } }
  | { readonly type: 'execution.redriven' };

/** An application's business state, as the reference system names them. */
export type ApplicationState =
  'SUBMITTED' | 'FLAGGED_FOR_REVIEW' | 'REVIEW_APPROVED' | 'REVIEW_REJECTED' | 'APPROVED' | 'REJECTED' | 'FLAGGED_WITH_UNPROCESSABLE_DATA';

/** Every application state, for validation of filters. */
export const APPLICATION_STATES: readonly ApplicationState[] = [
  'SUBMITTED',
  'FLAGGED_FOR_REVIEW',
  'REVIEW_APPROVED',
  'REVIEW_REJECTED',
  'APPROVED',
  'REJECTED',
  'FLAGGED_WITH_UNPROCESSABLE_DATA',
];
