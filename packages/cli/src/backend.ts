import type { CheckResult } from '@bank/checks';
import type { Application, ApplicationPage, HistoryEvent, ListOptions, ReviewOptions } from '@bank/core';

/** What the commands need from the system, embedded (the core runtime on SQLite) or remote (the HTTP API). */
export interface Backend {
  /**
   * Submits an application and returns it settled (or still running if a check waits for a retry). With a key, a
   * repeated submit (a retry after a timeout, a re-run) returns the first application instead of a second one.
   */
  submit(input: unknown, options?: { readonly idempotencyKey?: string | undefined }): Promise<Application>;
  /** One page of applications. */
  list(options: ListOptions): Promise<ApplicationPage>;
  /** One application. */
  get(id: string): Promise<Application>;
  /** An application's history. */
  history(id: string): Promise<readonly HistoryEvent[]>;
  /** Reviews an application waiting for review (remotely, the reviewer is the name bound to the token). */
  review(id: string, decision: string, options?: ReviewOptions): Promise<Application>;
  /** Resumes a `FAILED` execution. */
  redrive(id: string): Promise<Application>;
  /**
   * The workflow as an SVG diagram; with an id, that application's path through it marked (remotely, fetched from
   * `GET /applications/{id}/graph.svg`, or `GET /machine.svg` without an id).
   */
  graph(id?: string): Promise<string>;
  /** Runs one data check on its own. */
  check(check: 'name' | 'address', value: string): Promise<CheckOutcome>;
  /** Releases the store or connection. */
  close(): Promise<void>;
}

/** The result of a standalone check: a result, or the reason the data could not be checked at all. */
export type CheckOutcome = CheckResult | { readonly unprocessable: true; readonly reason: string };
