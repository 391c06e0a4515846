import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { CLIENT_CLOSED_REQUEST, isClientAbort, requestIdFor, requestLogger, type LogLine, type RequestVariables } from './logger.js';
import { createHarness, SPOCK } from './testing/harness.js';

describe('requestIdFor', () => {
  it('keeps 1 to 128 safe characters', () => {
    for (const id of ['a', 'req-1', 'abc.DEF_123:x=y', 'x'.repeat(128)]) expect(requestIdFor(id)).toBe(id);
  });

  it('replaces anything else with a new UUID', () => {
    const ids = [undefined, '', 'x'.repeat(129), 'with space', 'quote"', 'line\nbreak', 'ünïcode'].map(requestIdFor);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

/** Node's own error when an incoming message's connection closes mid-body (`connResetException('aborted')`). */
const nodeAborted = () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

const aborted = (reason?: unknown) => {
  const controller = new AbortController();
  controller.abort(reason);
  return new Request('http://x/', { signal: controller.signal });
};

describe('isClientAbort', () => {
  it('is true only when the request was aborted and the error is that abort or the broken body read', () => {
    const reason = new DOMException('gone', 'AbortError');
    const request = aborted(reason);
    expect(isClientAbort(request, reason)).toBe(true);
    expect(isClientAbort(aborted('Error: aborted'), nodeAborted())).toBe(true);
    expect(isClientAbort(aborted(), new Error('Client connection prematurely closed.'))).toBe(true);
    expect(isClientAbort(aborted(), new TypeError('wrapped', { cause: nodeAborted() }))).toBe(true);
  });

  it('keeps real failures server errors, whether or not the client left', () => {
    expect(isClientAbort(aborted(), new Error('disk on fire'))).toBe(false);
    expect(isClientAbort(aborted(), Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false); // an upstream reset
    expect(isClientAbort(new Request('http://x/'), nodeAborted())).toBe(false); // the request itself is fine
    expect(isClientAbort(new Request('http://x/'), new DOMException('x', 'AbortError'))).toBe(false);
  });
});

describe('requestLogger', () => {
  const appWith = (logs: LogLine[], handler: (c: { req: { raw: Request } }) => Response) =>
    new Hono<{ Variables: RequestVariables }>()
      .use(
        '*',
        requestLogger(
          (l) => logs.push(l),
          () => 0,
        ),
      )
      .get('/x', (c) => handler(c));

  it('logs 5xx at error level and the rest at info', async () => {
    const logs: LogLine[] = [];
    const app = new Hono<{ Variables: RequestVariables }>()
      .use(
        '*',
        requestLogger((l) => logs.push(l)),
      )
      .get('/ok', (c) => c.text('ok'))
      .get('/bad', (c) => c.text('bad', 503));
    await app.request('/ok');
    await app.request('/bad');
    expect(logs.map((l) => [l['level'], l['status'], l['route']])).toStrictEqual([
      ['info', 200, '/ok'],
      ['error', 503, '/bad'],
    ]);
  });

  it('logs a request whose client left before the answer as 499 at info, with the status that was never sent', async () => {
    const logs: LogLine[] = [];
    const controller = new AbortController();
    const app = appWith(logs, () => {
      controller.abort(); // the client hangs up while the handler works
      return new Response('late', { status: 201 });
    });
    await app.request('/x', { signal: controller.signal });
    expect(logs).toStrictEqual([
      expect.objectContaining({ level: 'info', msg: 'request', status: CLIENT_CLOSED_REQUEST, unsentStatus: 201 }),
    ]);
  });

  it('keeps a server error a server error when the client left too', async () => {
    const logs: LogLine[] = [];
    const controller = new AbortController();
    const app = appWith(logs, () => {
      controller.abort();
      return new Response('broken', { status: 500 });
    });
    await app.request('/x', { signal: controller.signal });
    expect(logs).toStrictEqual([expect.objectContaining({ level: 'error', status: 500 })]);
    expect(logs[0]).not.toHaveProperty('unsentStatus');
  });
});

describe('createApp: a client that hangs up mid-body', () => {
  /** `POST /applications` declaring 1,000 bytes; the client sends 10 and hangs up, as the Node adapter reports it. */
  const hangUp = (app: ReturnType<typeof createHarness>['app'], error: (controller: AbortController) => unknown) => {
    const controller = new AbortController();
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(stream) {
        if (!sent) {
          sent = true;
          stream.enqueue(new TextEncoder().encode('{"name":"S'));
          return;
        }
        controller.abort(new DOMException('The client closed the connection.', 'AbortError'));
        stream.error(error(controller));
      },
    });
    return app.request('/applications', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' },
      body,
      duplex: 'half',
      signal: controller.signal,
    } as RequestInit);
  };

  it.each([
    ['the signal’s reason', (c: AbortController) => c.signal.reason as unknown],
    ['Node’s “aborted” reset', () => nodeAborted()],
  ])('is logged at info as 499, with no error line (%s)', async (_, error) => {
    const h = createHarness();
    const res = await hangUp(h.app, error);
    expect(res.status).toBe(CLIENT_CLOSED_REQUEST);
    expect(h.logs.filter((l) => l['level'] === 'error')).toStrictEqual([]);
    expect(h.logs).toStrictEqual([expect.objectContaining({ level: 'info', msg: 'request', route: '/applications', status: 499 })]);
    expect(await h.everything()).toStrictEqual([]); // nothing was submitted
    expect((await h.submit(SPOCK)).state).toBe('APPROVED'); // and the app carries on
  });

  it('still logs a real failure of an aborted request as a server error', async () => {
    const h = createHarness();
    const res = await hangUp(h.app, () => new Error('disk on fire'));
    expect(res.status).toBe(500);
    expect(h.logs).toStrictEqual([
      expect.objectContaining({ level: 'error', msg: 'request failed', code: 'internal' }),
      expect.objectContaining({ level: 'error', msg: 'request', status: 500 }),
    ]);
  });
});
