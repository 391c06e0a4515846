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

/**
 * A backend that talks to a running API through the typed client (`hc<AppType>`); the token authorises reviewer
 * commands. Output is the same as embedded mode because both return the same records.
 */
export function openRemote(baseUrl: string, token: string | undefined): Backend {
  let origin: string;
  try {
    origin = new URL(baseUrl).toString().replace(/\/$/, '');
  } catch {
    throw new DomainError('invalid_input', `--api must be a URL such as http://127.0.0.1:8787, not '${baseUrl}'`);
  }
  const client = hc<AppType>(origin, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    init: { signal: AbortSignal.timeout(30_000) },
  });

  /** Sends one request and returns its JSON body, or throws the server's error as a DomainError. */
  async function call<T>(send: () => Promise<Response>): Promise<T> {
    let response: Response;
    try {
      response = await send();
    } catch (e) {
      throw new DomainError('store_unavailable', `cannot reach the API at ${origin}: ${(e as Error).message}`, { cause: e });
    }
    if (!response.ok && response.status !== 422) throw await toError(response);
    return (await response.json()) as T;
  }

  return {
    submit: (input) => call(() => client.applications.$post({ json: input as ApplicationInput })),
    list: (options) =>
      call(() =>
        client.applications.$get({
          query: Object.fromEntries(
            Object.entries(options)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => [k, String(v)]),
          ),
        }),
      ),
    get: (id) => call(() => client.applications[':id'].$get({ param: { id } })),
    history: async (id) => (await call<{ events: [] }>(() => client.applications[':id'].history.$get({ param: { id } }))).events,
    review: (id, decision, options) =>
      call(() =>
        client.applications[':id'].review.$post({
          param: { id },
          json: { decision: decision as 'APPROVE', ...(options?.reviewer ? { reviewer: options.reviewer } : {}) },
        }),
      ),
    async check(check, value) {
      const send = () =>
        check === 'name' ? client.checks.name.$post({ json: { name: value } }) : client.checks.address.$post({ json: { address: value } });
      const body = await call<CheckOutcome & Problem>(send);
      // 422: the data-checking service cannot process the value; an outcome, as in embedded mode.
      return 'flagged' in body ? body : { unprocessable: true, reason: body.detail ?? 'the value cannot be checked' };
    },
    close: async () => {},
  };
}
