import { DomainError, createMemoryStore, createRuntime } from '@bank/core';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { MAX_BODY_BYTES } from './body.js';
import { createHarness, GABE, problemOf, REVIEWER_TOKEN, SPOCK } from './testing/harness.js';

const JSON_ROUTES = [
  '/applications',
  '/applications/app_01970e5c-7f3a-7cc2-9a43-5b1f0c2d9e8a/review',
  '/checks/name',
  '/checks/address',
  '/data-checks',
];

describe('createApp: problem documents', () => {
  it('answers an unknown route with a complete 404 problem that does not echo the path', async () => {
    const h = createHarness();
    const res = await h.request('GET', '/nowhere/at/all', { headers: { 'X-Request-Id': 'req-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toStrictEqual({
      type: '/problems/not_found',
      title: 'Not found',
      status: 404,
      detail: 'No such resource.',
      code: 'not_found',
      requestId: 'req-123',
    });
  });

  it.each([
    ['an unknown route', '/%3Cscript%3Ealert(1)%3C/script%3E'],
    ['an unknown application id', '/applications/%3Cimg%20src=x%3E'],
    ['a well-formed but unknown id', '/applications/app_01970e5c-7f3a-7cc2-9a43-5b1f0c2d9e8a'],
  ])('never reflects %s back in a 404', async (_label, path) => {
    const res = await createHarness().request('GET', path, { token: REVIEWER_TOKEN });
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toMatch(/script|img|app_01970e5c/i);
  });

  it('treats a trailing slash as another route', async () => {
    expect((await createHarness().request('GET', '/healthz/')).status).toBe(404);
  });

  it.each([
    ['DELETE', '/applications', 'POST, GET, HEAD, OPTIONS'],
    ['PUT', '/applications', 'POST, GET, HEAD, OPTIONS'],
    ['POST', '/applications/app_x', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/applications/app_x', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/applications/app_x/history', 'GET, HEAD, OPTIONS'],
    ['GET', '/applications/app_x/review', 'POST, OPTIONS'],
    ['GET', '/checks/name', 'POST, OPTIONS'],
    ['GET', '/checks/address', 'POST, OPTIONS'],
    ['GET', '/data-checks', 'POST, OPTIONS'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['POST', '/openapi.json', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/docs', 'GET, HEAD, OPTIONS'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const res = await createHarness().request(method, path, { token: REVIEWER_TOKEN });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(await problemOf(res)).toMatchObject({ code: 'method_not_allowed', status: 405, type: '/problems/method_not_allowed' });
  });

  it('answers OPTIONS with 204 and the allowed methods', async () => {
    const res = await createHarness().request('OPTIONS', '/applications/app_x');
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await createHarness().request('HEAD', '/healthz');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it.each(JSON_ROUTES)('answers POST %s with 415 unless the body is application/json', async (path) => {
    const h = createHarness();
    for (const type of [
      undefined,
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/jsonx',
      'application/problem+json',
    ]) {
      const headers: Record<string, string> = { Authorization: `Bearer ${REVIEWER_TOKEN}` };
      if (type !== undefined) headers['Content-Type'] = type;
      const res = await h.app.request(path, { method: 'POST', headers, body: JSON.stringify(SPOCK) });
      expect(res.status, String(type)).toBe(415);
      expect(await problemOf(res)).toMatchObject({ code: 'unsupported_media_type', status: 415 });
    }
    expect(await h.everything()).toStrictEqual([]);
  });

  it('accepts application/json with a UTF-8 charset, in any case', async () => {
    const h = createHarness();
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"']) {
      const res = await h.request('POST', '/applications', { body: SPOCK, headers: { 'Content-Type': type } });
      expect(res.status).toBe(201);
    }
  });

  it.each(JSON_ROUTES)('answers POST %s with 413 for a body over 16 KiB by Content-Length', async (path) => {
    const h = createHarness();
    const body = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES), address: '1 Main' });
    const res = await h.request('POST', path, { body, token: REVIEWER_TOKEN });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ code: 'payload_too_large', status: 413, title: 'Payload too large' });
  });

  it('answers 413 for a streamed body that grows past the limit without a Content-Length', async () => {
    const h = createHarness();
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 4 * MAX_BODY_BYTES) return controller.close();
        sent += 1024;
        controller.enqueue(new TextEncoder().encode(' '.repeat(1024)));
      },
    });
    const res = await h.app.request('/applications', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(2 * MAX_BODY_BYTES); // reading stopped early
  });

  it('accepts a body of exactly 16 KiB', async () => {
    const h = createHarness();
    const json = JSON.stringify(SPOCK);
    const res = await h.request('POST', '/applications', { body: json + ' '.repeat(MAX_BODY_BYTES - json.length) });
    expect(res.status).toBe(201);
  });

  it.each([
    ['malformed JSON', '{"name": "Spock",'],
    ['an empty body', ''],
    ['two documents', '{} {}'],
    ['a single quote string', "{'name': 'Spock'}"],
  ])('answers 400 invalid_json for %s', async (_what, body) => {
    const h = createHarness();
    const res = await h.app.request('/applications', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({
      code: 'invalid_input',
      status: 400,
      issues: [{ code: 'invalid_json', path: [], message: 'the request body is not valid JSON' }],
    });
  });

  it('answers 400, not 500, for deeply nested JSON', async () => {
    const h = createHarness();
    const deep = '['.repeat(8000) + ']'.repeat(8000);
    for (const body of [deep, `{"name":${deep},"address":"1 Main"}`, `{"command":"CHECK_NAME","data":${deep}}`]) {
      for (const path of ['/applications', '/data-checks']) {
        const res = await h.request('POST', path, { body });
        expect(res.status).toBe(400);
      }
    }
  });

  it('marks every response as not cacheable and not sniffable', async () => {
    const h = createHarness();
    const created = await h.submit(SPOCK);
    for (const res of [
      await h.request('GET', `/applications/${created.id}`, { token: REVIEWER_TOKEN }),
      await h.request('GET', '/nowhere'),
      await h.request('GET', '/docs'),
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers 400 for a body that is not UTF-8', async () => {
    const h = createHarness();
    const res = await h.app.request('/applications', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).issues).toStrictEqual([expect.objectContaining({ code: 'invalid_json' })]);
  });

  it('hides unexpected errors: 500, a fixed detail, no stack; the log has it all', async () => {
    const h = createHarness({
      wrapRuntime: (runtime) => ({
        ...runtime,
        get: async () => {
          throw new TypeError('cannot read /srv/bank/internal.ts line 42');
        },
      }),
    });
    const res = await h.request('GET', '/applications/app_x', { token: REVIEWER_TOKEN });
    expect(res.status).toBe(500);
    const body = await problemOf(res);
    expect(body).toMatchObject({ code: 'internal', status: 500, detail: 'An unexpected error occurred.' });
    expect(JSON.stringify(body)).not.toMatch(/srv|TypeError|stack|at /);
    const logged = h.logs.find((l) => l['msg'] === 'request failed');
    expect(JSON.stringify(logged)).toContain('cannot read /srv/bank/internal.ts');
    expect(logged).toMatchObject({ level: 'error', code: 'internal', requestId: body['requestId'] });
  });

  it('adds the stack and cause in development mode only', async () => {
    const h = createHarness({
      dev: true,
      wrapRuntime: (runtime) => ({
        ...runtime,
        list: async () => {
          throw new Error('boom');
        },
      }),
    });
    const body = await problemOf(await h.request('GET', '/applications', { token: REVIEWER_TOKEN }));
    expect(body['stack']).toEqual(expect.stringContaining('DomainError'));
    expect(body['cause']).toBe('Error: boom');
  });

  it('answers store_unavailable with 503 and a fixed detail', async () => {
    const h = createHarness({
      wrapRuntime: (runtime) => ({
        ...runtime,
        submit: async () => {
          throw new DomainError('store_unavailable', 'SQLITE_BUSY on /data/bank.db');
        },
      }),
    });
    const res = await h.request('POST', '/applications', { body: SPOCK });
    expect(res.status).toBe(503);
    expect(await problemOf(res)).toMatchObject({ code: 'store_unavailable', detail: 'The store is unavailable; try again later.' });
  });
});

describe('createApp: request ids and logs', () => {
  it('echoes a usable X-Request-Id and generates one otherwise', async () => {
    const h = createHarness();
    const echoed = await h.request('GET', '/healthz', { headers: { 'X-Request-Id': 'abc-123_x.y:z' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123_x.y:z');
    for (const bad of ['', 'has space', 'x'.repeat(129), '<script>']) {
      const res = await h.request('GET', '/healthz', { headers: { 'X-Request-Id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const generated = await h.request('GET', '/nowhere');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await problemOf(generated))['requestId']).toBe(generated.headers.get('x-request-id'));
  });

  it('writes one structured line per request with the route pattern, status and duration', async () => {
    const h = createHarness();
    const created = await h.submit(GABE);
    await h.request('GET', `/applications/${created.id}?state=x`, { token: REVIEWER_TOKEN, headers: { 'X-Request-Id': 'r-2' } });
    await h.request('GET', '/nowhere');
    const requests = h.logs.filter((l) => l['msg'] === 'request');
    expect(requests).toStrictEqual([
      expect.objectContaining({ level: 'info', method: 'POST', route: '/applications', status: 201 }),
      expect.objectContaining({ level: 'info', method: 'GET', route: '/applications/:id', status: 200, requestId: 'r-2' }),
      expect.objectContaining({ level: 'info', method: 'GET', route: null, status: 404 }),
    ]);
    for (const line of requests) {
      expect(line['durationMs']).toEqual(expect.any(Number));
      expect(line['time']).toEqual(expect.any(String));
    }
  });

  it('never logs names, addresses, ids, query strings or tokens', async () => {
    const h = createHarness({ dev: true });
    const created = await h.submit({ name: 'Nyota Uhura', address: '1701 Bridge Deck' });
    await h.request('GET', `/applications/${created.id}`, { token: REVIEWER_TOKEN });
    await h.request('POST', '/applications', { body: { name: 'Hikaru Sulu', address: 7 } });
    await h.request('POST', '/checks/name', { body: { name: 'Pavel Chekov' } });
    await h.request('POST', '/checks/name', { body: { name: 'UNPROCESSABLE_DATA Scotty' } });
    await h.request('GET', '/applications?cursor=Q2hyaXN0aW5lIENoYXBlbA', { token: REVIEWER_TOKEN });
    const logged = JSON.stringify(h.logs);
    for (const secret of ['Uhura', 'Bridge', 'Sulu', 'Chekov', 'Scotty', created.id, 'Q2hyaXN0aW5lIENoYXBlbA', REVIEWER_TOKEN]) {
      expect(logged).not.toContain(secret);
    }
    expect(h.logs.length).toBeGreaterThanOrEqual(6);
  });
});

describe('createApp', () => {
  it('builds independent apps from one module', async () => {
    const a = createApp({ runtime: createRuntime({ store: createMemoryStore() }), reviewerTokens: ['a'], logger: () => {} });
    const b = createApp({ runtime: createRuntime({ store: createMemoryStore() }), reviewerTokens: ['b'], logger: () => {} });
    await a.request('/applications', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(SPOCK) });
    const listA = (await (await a.request('/applications', { headers: { Authorization: 'Bearer a' } })).json()) as { items: unknown[] };
    const listB = (await (await b.request('/applications', { headers: { Authorization: 'Bearer b' } })).json()) as { items: unknown[] };
    expect([listA.items.length, listB.items.length]).toStrictEqual([1, 0]);
    expect((await b.request('/applications', { headers: { Authorization: 'Bearer a' } })).status).toBe(401);
  });
});
