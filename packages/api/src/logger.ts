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

/** The variables the app keeps on each request's context. */
export interface RequestVariables {
  /** The request id, also sent back as `X-Request-Id`. */
  requestId: string;
}

/**
 * A middleware that assigns the request id and writes one line per request: method, route pattern (never the
 * concrete path or query, which may carry data the caller typed), status, duration and request id. Bodies are
 * never logged: they hold names and addresses, which are personal data.
 */
export function requestLogger(log: Logger, now: () => number = Date.now): MiddlewareHandler<{ Variables: RequestVariables }> {
  return async function requestLogger(c, next) {
    const started = now();
    const id = requestIdFor(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', id);
    await next();
    c.header(REQUEST_ID_HEADER, id);
    const route = routePath(c);
    log({
      time: new Date().toISOString(),
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId: id,
      method: c.req.method,
      route: route === '' || route === '/*' || route === '*' ? null : route,
      status: c.res.status,
      durationMs: now() - started,
    });
  };
}
