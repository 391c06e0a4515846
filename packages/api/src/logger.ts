import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

/** One structured log line; written as a single JSON object. */
export type LogLine = Record<string, unknown>;

/** Where log lines go. */
export type Logger = (line: LogLine) => void;

/** The default logger: one JSON object per line on standard output (works on Node and Workers). */
export const jsonLogger: Logger = (line) => {
  console.log(JSON.stringify(line));
};

/** The header that carries the request id, echoed when the client sends a usable one. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

const USABLE_REQUEST_ID = /^[A-Za-z0-9._:=-]{1,128}$/;

/** The request id to use: the client's, when it is 1–128 safe characters, else a new UUID. */
export function requestIdFor(header: string | undefined): string {
  return header !== undefined && USABLE_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

/**
 * The status logged for a request whose client hung up before it was answered (nginx's "client closed request").
 * It is never sent (there is no one to send it to) and is not a server error.
 */
export const CLIENT_CLOSED_REQUEST = 499;

// What reading the body rejects with when the connection closes mid-body: Node's `aborted` reset of the incoming
// message, @hono/node-server's message when the socket closed first, or an `AbortError`. Matched by shape (this
// file imports nothing from Node), and only ever together with the request's aborted signal.
const isDisconnect = (error: unknown, depth = 0): boolean => {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'AbortError' || (code === 'ECONNRESET' && error.message === 'aborted')) return true;
  if (error.message === 'Client connection prematurely closed.') return true;
  return depth < 4 && isDisconnect(error.cause, depth + 1);
};

/**
 * Tells whether a failure is the client going away rather than the server failing: the request's signal is aborted
 * (the adapter aborts it when the connection closes before the response is sent) and the error is that abort, or
 * reading the body failed because the connection closed. Any other error stays a server error, client or not.
 */
export function isClientAbort(request: Request, error: unknown): boolean {
  const { signal } = request;
  return signal.aborted && (error === signal.reason || isDisconnect(error));
}

/** The response recorded for a request whose client hung up: status {@link CLIENT_CLOSED_REQUEST}, no body. */
export const clientClosedResponse = (): Response =>
  new Response(null, { status: CLIENT_CLOSED_REQUEST, statusText: 'Client Closed Request' });

/** The variables the app keeps on each request's context. */
export interface RequestVariables {
  /** The request id, also sent back as `X-Request-Id`. */
  requestId: string;
}

/**
 * A middleware that assigns the request id and writes one line per request: method, route pattern (never the
 * concrete path or query, which may carry data the caller typed), status, duration and request id. Bodies are
 * never logged: they hold names and addresses, which are personal data.
 *
 * Server errors (`5xx`) are logged at level `error`, everything else at `info`. A request whose client hung up
 * before it was answered is logged as status {@link CLIENT_CLOSED_REQUEST} (`499`) at `info`, with the status the
 * app had ready as `unsentStatus`; a real server failure stays a `5xx` even if the client left too.
 */
export function requestLogger(log: Logger, now: () => number = Date.now): MiddlewareHandler<{ Variables: RequestVariables }> {
  return async function requestLogger(c, next) {
    const started = now();
    const id = requestIdFor(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', id);
    await next();
    c.header(REQUEST_ID_HEADER, id);
    const route = routePath(c);
    const answered = c.res.status;
    const status = answered !== CLIENT_CLOSED_REQUEST && answered < 500 && c.req.raw.signal.aborted ? CLIENT_CLOSED_REQUEST : answered;
    log({
      time: new Date().toISOString(),
      level: status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId: id,
      method: c.req.method,
      route: route === '' || route === '/*' || route === '*' ? null : route,
      status,
      ...(status === answered ? {} : { unsentStatus: answered }),
      durationMs: now() - started,
    });
  };
}
