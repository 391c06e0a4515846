// Shared by the app.request() tests: an app on an in-memory store with a fake clock, and request helpers.
import { createFakeClock, createMemoryStore, createRuntime, type CheckFns, type FakeClock, type Runtime, type Store } from '@bank/core';
import { createApp, type AppType } from '../app.js';
import type { LogLine } from '../logger.js';

/** The reviewer token every harness app accepts; it names the reviewer {@link REVIEWER_NAME}. */
export const REVIEWER_TOKEN = 'reviewer-token-1';

/** The name bound to {@link REVIEWER_TOKEN}. */
export const REVIEWER_NAME = 'riker';

/** A second reviewer token, configured without a name (so recorded as `reviewer`), to show that every token works. */
export const OTHER_REVIEWER_TOKEN = 'second.Reviewer~token+2/=';

/** The three reference inputs. */
export const SPOCK = { name: 'Spock', address: '123 Enterprise Street' } as const;
export const GABE = { name: 'Gabe', address: 'ABadAddress' } as const;
export const UNPROCESSABLE = { name: 'UNPROCESSABLE_DATA', address: '123 Street' } as const;

export interface HarnessOptions {
  readonly store?: Store;
  readonly checks?: Partial<CheckFns>;
  readonly reviewerTokens?: readonly string[];
  readonly submitTokens?: readonly string[];
  readonly consoleSecret?: string;
  readonly dev?: boolean;
  readonly wrapRuntime?: (runtime: Runtime) => Runtime;
}

export interface Harness {
  readonly app: AppType;
  readonly runtime: Runtime;
  readonly store: Store;
  readonly clock: FakeClock;
  readonly logs: LogLine[];
  /** Sends a request; `body` objects are sent as JSON with `Content-Type: application/json`. */
  request(method: string, path: string, init?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Submits an application and returns its JSON. */
  submit(input: { name: string; address: string }): Promise<Record<string, unknown> & { id: string; state: string }>;
  /** Every stored application, in order. */
  everything(): Promise<readonly unknown[]>;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const store = options.store ?? createMemoryStore();
  const clock = createFakeClock();
  const logs: LogLine[] = [];
  const base = createRuntime({ store, clock, random: () => 0, ...(options.checks ? { checks: options.checks } : {}) });
  const runtime = options.wrapRuntime ? options.wrapRuntime(base) : base;
  const app = createApp({
    runtime,
    reviewerTokens: options.reviewerTokens ?? [`${REVIEWER_NAME}:${REVIEWER_TOKEN}`, OTHER_REVIEWER_TOKEN],
    submitTokens: options.submitTokens,
    consoleSecret: options.consoleSecret,
    logger: (line) => logs.push(line),
    dev: options.dev,
  });
  const request: Harness['request'] = (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== undefined) headers['Authorization'] = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, ...(body === undefined ? {} : { body }) }));
  };
  return {
    app,
    runtime,
    store,
    clock,
    logs,
    request,
    async submit(input) {
      const res = await request('POST', '/applications', { body: input });
      if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Record<string, unknown> & { id: string; state: string };
    },
    everything: () => store.list({ limit: 1_000_000 }),
  };
}

/** Reads a problem response, checking the media type and the fields every problem has. */
export async function problemOf(res: Response): Promise<Record<string, unknown> & { code: string; status: number }> {
  if (res.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(`expected a problem, got ${res.status} ${res.headers.get('content-type')}: ${await res.text()}`);
  }
  return (await res.json()) as Record<string, unknown> & { code: string; status: number };
}
