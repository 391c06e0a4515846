import type { CheckIssue } from '@bank/checks';
import { isDomainError, toDomainError, type DomainError, type ErrorCode } from '@bank/core';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The challenge sent with every `401`. */
export const BEARER_CHALLENGE = 'Bearer realm="bank-workflows"';

/** How each domain error code is answered; a new `ErrorCode` fails to compile until it is added here. */
export const DOMAIN_PROBLEMS: Readonly<Record<ErrorCode, { readonly status: ContentfulStatusCode; readonly title: string }>> = {
  invalid_input: { status: 400, title: 'Invalid input' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  store_unavailable: { status: 503, title: 'Store unavailable' },
  store_corrupt: { status: 500, title: 'Store corrupt' },
  internal: { status: 500, title: 'Internal server error' },
};

/** Problems that exist only at the HTTP edge, not in the domain. */
export type HttpProblemCode = 'method_not_allowed' | 'payload_too_large' | 'unsupported_media_type' | 'unprocessable_data';

/** How each HTTP-only problem is answered. */
export const HTTP_PROBLEMS: Readonly<Record<HttpProblemCode, { readonly status: ContentfulStatusCode; readonly title: string }>> = {
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unprocessable_data: { status: 422, title: 'Unprocessable data' },
};

/** Every `code` a problem document can carry. */
export type ProblemCode = ErrorCode | HttpProblemCode;

/** An error that only makes sense over HTTP (wrong method, media type or size); routes throw it like a `DomainError`. */
export class HttpProblem extends Error {
  /** Always `'HttpProblem'`. */
  override readonly name = 'HttpProblem';
  /** What went wrong. */
  readonly code: HttpProblemCode;
  /** Extra response headers, such as `Allow` for a `405`. */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates the problem; `message` becomes the `detail` and must be safe to show. */
  constructor(code: HttpProblemCode, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.code = code;
    this.headers = headers;
  }
}

/** An RFC 9457 problem document, as this API sends it. */
export interface ProblemDocument {
  /** `/problems/<code>`. */
  readonly type: string;
  /** A short summary of the problem type. */
  readonly title: string;
  /** The HTTP status. */
  readonly status: number;
  /** What happened this time, safe to show to the caller. */
  readonly detail: string;
  /** The path of the request that failed; absent on a `404`, which never echoes the path it could not find. */
  readonly instance?: string;
  /** The stable, snake_case problem code. */
  readonly code: ProblemCode;
  /** The request id, also sent as `X-Request-Id`. */
  readonly requestId?: string;
  /** For validation problems: every issue, with its path. */
  readonly issues?: readonly CheckIssue[];
  /** Only in development mode: the stack of the error. */
  readonly stack?: string;
  /** Only in development mode: the cause of the error. */
  readonly cause?: string;
}

/** A failure sorted for rendering: its problem code, status, title, safe detail and extra headers. */
export interface Classified {
  readonly code: ProblemCode;
  readonly status: ContentfulStatusCode;
  readonly title: string;
  readonly detail: string;
  readonly issues?: readonly CheckIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly error: Error;
}

// Server-side failures get a fixed detail: their messages can name files, tables or hosts.
const SERVER_DETAIL: Partial<Record<ProblemCode, string>> = {
  internal: 'An unexpected error occurred.',
  store_unavailable: 'The store is unavailable; try again later.',
  store_corrupt: 'The store is damaged and needs an operator; retrying will not help.',
  not_found: 'No such resource.',
};

/** Seconds a client should wait before retrying after a `503`: sent as `Retry-After` with every one. */
export const RETRY_AFTER_SECONDS = 1;

/** The headers every problem of this status carries, whatever raised it. */
const headersForStatus = (status: number): Record<string, string> => (status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {});

const fromHttpException = (e: HTTPException): Classified => {
  const byStatus: Partial<Record<number, ProblemCode>> = {
    400: 'invalid_input',
    401: 'unauthorized',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    503: 'store_unavailable',
  };
  const code = byStatus[e.status] ?? 'internal';
  const known = code in HTTP_PROBLEMS ? HTTP_PROBLEMS[code as HttpProblemCode] : DOMAIN_PROBLEMS[code as ErrorCode];
  return {
    code,
    status: known.status,
    title: known.title,
    detail: e.message || known.title,
    headers: headersForStatus(known.status),
    error: e,
  };
};

/** Sorts anything thrown into a problem code, status, title and safe detail. */
export function classify(error: unknown): Classified {
  if (error instanceof HttpProblem) {
    const { status, title } = HTTP_PROBLEMS[error.code];
    return { code: error.code, status, title, detail: error.message, headers: error.headers, error };
  }
  if (error instanceof HTTPException && !isDomainError(error)) return fromHttpException(error);
  const domain: DomainError = toDomainError(error);
  const { status, title } = DOMAIN_PROBLEMS[domain.code];
  return {
    code: domain.code,
    status,
    title,
    // A not_found message may quote what the caller typed (an id, a path): never echoed back.
    detail: SERVER_DETAIL[domain.code] ?? domain.message,
    issues: domain.issues,
    headers: { ...headersForStatus(status), ...(domain.code === 'unauthorized' ? { 'WWW-Authenticate': BEARER_CHALLENGE } : {}) },
    error: domain,
  };
}

const describeCause = (cause: unknown): string | undefined => {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
};

/** Options of {@link problem}. */
export interface ProblemOptions {
  /** Add `stack` and `cause` to the body (development only). */
  readonly dev?: boolean | undefined;
  /** The request id to echo in the body. */
  readonly requestId?: string | undefined;
}

/** Builds the problem document for a classified failure. */
export function toProblemDocument(failure: Classified, instance: string | undefined, options: ProblemOptions = {}): ProblemDocument {
  const cause = options.dev ? describeCause(failure.error.cause) : undefined;
  return {
    type: `/problems/${failure.code}`,
    title: failure.title,
    status: failure.status,
    detail: failure.detail,
    ...(instance === undefined ? {} : { instance }),
    code: failure.code,
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
    ...(failure.issues === undefined || failure.issues.length === 0 ? {} : { issues: failure.issues }),
    ...(options.dev && failure.error.stack !== undefined ? { stack: failure.error.stack } : {}),
    ...(cause === undefined ? {} : { cause }),
  };
}

/** Renders anything thrown as an `application/problem+json` response. */
export function problem(c: Context, error: unknown, options: ProblemOptions = {}): Response {
  const failure = classify(error);
  // A path that matched nothing may be anything a scanner or an attacker typed: it is not reflected back.
  const body = toProblemDocument(failure, failure.status === 404 ? undefined : c.req.path, options);
  const headers = new Headers(failure.headers);
  headers.set('Content-Type', PROBLEM_CONTENT_TYPE);
  headers.set('Cache-Control', 'no-store');
  for (const [name, value] of headers) c.header(name, value);
  return c.body(JSON.stringify(body), failure.status);
}
