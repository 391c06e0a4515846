// The part of Cloudflare's D1 binding the store uses, written out so that core needs no Workers type package (whose
// global declarations clash with Node's). A Worker's `env.DB` satisfies it as it is.

/** What a D1 statement answered: its rows and what it changed. */
export interface D1Result<T = Record<string, unknown>> {
  /** The rows, one object per row (empty for a write without `RETURNING`). */
  readonly results: T[];
  /** Always true: D1 throws instead of answering `false`. */
  readonly success: boolean;
  /** What the statement did; `changes` is the number of rows it wrote. */
  readonly meta: { readonly changes?: number; readonly size_after?: number; readonly [key: string]: unknown };
}

/** A prepared D1 statement: bind its `?` parameters, then read or run it. */
export interface D1PreparedStatement {
  /** Binds values to the `?` parameters, in order (strings, numbers or null). */
  bind(...values: unknown[]): D1PreparedStatement;
  /** Runs the statement and resolves with its first row, or null. */
  first<T = Record<string, unknown>>(): Promise<T | null>;
  /** Runs the statement and resolves with every row. */
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>;
  /** Runs a write and resolves with what it changed. */
  run<T = Record<string, unknown>>(): Promise<D1Result<T>>;
}

/** A D1 database binding (`env.DB` in a Worker). */
export interface D1Database {
  /** Prepares a statement; nothing is sent until it runs. */
  prepare(query: string): D1PreparedStatement;
  /**
   * Runs statements in order as one transaction, in one round trip: if any fails, D1 rolls all of them back and the
   * promise rejects.
   */
  batch<T = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
}
