import type { AppType } from '@bank/api';
import type { ApplicationInput } from '@bank/checks';
import { DomainError, ERROR_CODES, type ErrorCode } from '@bank/core';
import { hc } from 'hono/client';
import type { Backend, CheckOutcome } from './backend.js';

interface Problem {
  readonly code?: string;
  readonly detail?: string;
  readonly title?: string;
  readonly issues?: { code: string; path: (string | number)[]; message: string }[];
}

function codeFor(problem: Problem, status: number): ErrorCode {
  if ((ERROR_CODES as readonly string[]).includes(problem.code ?? '')) return problem.code as ErrorCode;
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 400 && status < 500) return 'invalid_input'; // 413, 415 and the like: the request was wrong
  return status === 500 ? 'internal' : 'store_unavailable';
}

/** Turns an HTTP error response (application/problem+json) back into the DomainError the server raised. */
async function toError(response: Response): Promise<DomainError> {
  const problem = (await response.json().catch(() => ({}))) as Problem;
  const message = problem.detail ?? problem.title ?? `the API answered ${response.status}`;
  return new DomainError(codeFor(problem, response.status), message, problem.issues ? { issues: problem.issues } : {});
}

/** How many times a remote submit is sent before giving up (the same `Idempotency-Key` every time). */
export const SUBMIT_ATTEMPTS = 3;

/** How long one request may take, in milliseconds, unless `BANK_API_TIMEOUT_MS` says otherwise. */
export const DEFAULT_API_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A failure after which sending the same request again may succeed: the API was unreachable, or answered 503. */
const isTransient = (e: unknown) => e instanceof DomainError && e.code === 'store_unavailable';

/**
 * A backend that talks to a running API through the typed client (`hc<AppType>`); the token authorises reviewer
 * commands and names the reviewer. Output is the same as embedded mode because both return the same records.
 */
export function openRemote(baseUrl: string, token: string | undefined, timeoutMs = DEFAULT_API_TIMEOUT_MS): Backend {
  let origin: string;
  try {
    origin = new URL(baseUrl).toString().replace(/\/$/, '');
  } catch {
    throw new DomainError('invalid_input', `--api must be a URL such as http://127.0.0.1:8787, not '${baseUrl}'`);
  }
  const client = hc<AppType>(origin, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  // Each request gets its own time limit (a limit shared by the client would run out for later requests).
  const per = () => ({ init: { signal: AbortSignal.timeout(timeoutMs) } });

  /** Sends one request and returns its response, or throws the server's error as a DomainError. */
  async function respond(send: () => Promise<Response>): Promise<Response> {
    let response: Response;
    try {
      response = await send();
    } catch (e) {
      throw new DomainError('store_unavailable', `cannot reach the API at ${origin}: ${(e as Error).message}`, { cause: e });
    }
    if (!response.ok && response.status !== 422) throw await toError(response);
    return response;
  }

  /** Sends one request and returns its JSON body, or throws the server's error as a DomainError. */
  async function call<T>(send: () => Promise<Response>): Promise<T> {
    return (await (await respond(send)).json()) as T;
  }

  return {
    async submit(input, options = {}) {
      // A key for this submission, kept across retries: if an answer is lost on the way back, the retry gets the
      // application the first attempt created instead of creating a second one.
      const key = options.idempotencyKey ?? `bank-cli-${crypto.randomUUID()}`;
      for (let attempt = 1; ; attempt++) {
        try {
          return await call(() =>
            client.applications.$post({ json: input as ApplicationInput }, { ...per(), headers: { 'Idempotency-Key': key } }),
          );
        } catch (e) {
          if (!isTransient(e) || attempt >= SUBMIT_ATTEMPTS) {
            if (isTransient(e)) {
              throw new DomainError(
                'store_unavailable',
                `${(e as Error).message}; re-run with --idempotency-key ${key} to avoid a duplicate`,
                {
                  cause: e,
                },
              );
            }
            throw e;
          }
          await sleep(250 * 2 ** (attempt - 1));
        }
      }
    },
    list: (options) =>
      call(() =>
        client.applications.$get(
          {
            query: Object.fromEntries(
              Object.entries(options)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, String(v)]),
            ),
          },
          per(),
        ),
      ),
    get: (id) => call(() => client.applications[':id'].$get({ param: { id } }, per())),
    history: async (id) => (await call<{ events: [] }>(() => client.applications[':id'].history.$get({ param: { id } }, per()))).events,
    review: (id, decision, options) =>
      call(() =>
        client.applications[':id'].review.$post(
          {
            param: { id },
            json: { decision: decision as 'APPROVE', ...(options?.note === undefined ? {} : { note: options.note }) },
          },
          per(),
        ),
      ),
    redrive: (id) => call(() => client.applications[':id'].redrive.$post({ param: { id } }, per())),
    graph: async (id) =>
      (
        await respond(() =>
          id === undefined ? client['machine.svg'].$get({}, per()) : client.applications[':id']['graph.svg'].$get({ param: { id } }, per()),
        )
      ).text(),
    async check(check, value) {
      const send = () =>
        check === 'name'
          ? client.checks.name.$post({ json: { name: value } }, per())
          : client.checks.address.$post({ json: { address: value } }, per());
      const body = await call<CheckOutcome & Problem>(send);
      // 422: the data-checking service cannot process the value; an outcome, as in embedded mode.
      return 'flagged' in body ? body : { unprocessable: true, reason: body.detail ?? 'the value cannot be checked' };
    },
    close: async () => {},
  };
}
