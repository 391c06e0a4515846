/** The outcome of one data check: `flagged` means a human must review the application. */
export interface CheckResult {
  /** `true` when the checked value needs a human review. */
  readonly flagged: boolean;
  /** A short human reason, present only when `flagged` is `true`. */
  readonly reason?: string;
}

/** One problem found in inbound data, with the path of the offending field. */
export interface CheckIssue {
  /** A stable, snake_case code such as `too_small`, `unrecognized_keys` or `control_character`. */
  readonly code: string;
  /** Where the problem is: object keys and array indexes from the document root. */
  readonly path: readonly (string | number)[];
  /** A message meant for the person who sent the data. */
  readonly message: string;
}

/** Builds the result of a check that found nothing to review. */
export const passed = (): CheckResult => ({ flagged: false });

/** Builds the result of a check that needs a human review, with its reason. */
export const flagged = (reason: string): CheckResult => ({ flagged: true, reason });
