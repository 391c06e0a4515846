import { checkAddress } from '@bank/checks';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  GABE,
  OTHER_REVIEWER_TOKEN,
  problemOf,
  REVIEWER_NAME,
  REVIEWER_TOKEN,
  SPOCK,
  UNPROCESSABLE,
  type Harness,
} from '../testing/harness.js';

const ID_PATTERN = /^app_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const reviewed = async (h: Harness, id: string, body: unknown, token = REVIEWER_TOKEN) =>
  h.request('POST', `/applications/${id}/review`, { body, token });

describe('POST /applications', () => {
  it('approves Spock: 201, the settled application and its Location', async () => {
    const h = createHarness();
    const res = await h.request('POST', '/applications', { body: SPOCK });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { id: string };
    expect(body).toMatchObject({
      ...SPOCK,
      state: 'APPROVED',
      checks: { name: { flagged: false }, address: { flagged: false } },
      execution: { status: 'SUCCEEDED' },
    });
    expect(body.id).toMatch(ID_PATTERN);
    expect(res.headers.get('location')).toBe(`/applications/${body.id}`);
  });

  it('flags Gabe for review, and keeps the task token from the applicant', async () => {
    const h = createHarness();
    const res = await h.request('POST', '/applications', { body: GABE });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ state: 'FLAGGED_FOR_REVIEW', execution: { status: 'WAITING_FOR_REVIEW' } });
    expect(body).not.toHaveProperty('taskToken');
    const stored = await h.request('GET', `/applications/${String(body['id'])}`, { token: REVIEWER_TOKEN });
    expect(await stored.json()).toHaveProperty('taskToken', expect.stringMatching(/^tt_/));
  });

  it('records unprocessable data as an outcome, not an error', async () => {
    const h = createHarness();
    const res = await h.request('POST', '/applications', { body: UNPROCESSABLE });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      state: 'FLAGGED_WITH_UNPROCESSABLE_DATA',
      reason: expect.stringContaining('UnprocessableDataError'),
      execution: { status: 'SUCCEEDED' },
    });
  });

  it('answers 202 while a check waits for a retry, and the application settles later', async () => {
    let failures = 1;
    const h = createHarness({
      checks: {
        address: (address) => {
          if (failures-- > 0) throw new Error('address service unavailable');
          return checkAddress(address);
        },
      },
    });
    const res = await h.request('POST', '/applications', { body: SPOCK });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string };
    expect(body).toMatchObject({ state: 'SUBMITTED', execution: { status: 'RUNNING', nextAttemptAt: expect.any(String) } });
    expect(res.headers.get('location')).toBe(`/applications/${body.id}`);
    h.clock.advance(60_000);
    expect(await h.runtime.runDue()).toBe(1);
    const later = await h.request('GET', `/applications/${body.id}`, { token: REVIEWER_TOKEN });
    expect(await later.json()).toMatchObject({ state: 'APPROVED', execution: { status: 'SUCCEEDED' } });
  });

  it('trims the fields it stores', async () => {
    const h = createHarness();
    const app = await h.submit({ name: '  Spock ', address: '\t123 Enterprise Street\n' });
    expect(app).toMatchObject(SPOCK);
  });

  it('rejects invalid input with every issue and its path, and stores nothing', async () => {
    const h = createHarness();
    const res = await h.request('POST', '/applications', { body: { name: '', admin: true } });
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({
      type: '/problems/invalid_input',
      title: 'Invalid input',
      status: 400,
      code: 'invalid_input',
      instance: '/applications',
    });
    expect(problem['issues']).toStrictEqual([
      { code: 'too_small', path: ['name'], message: 'name must not be empty' },
      { code: 'invalid_type', path: ['address'], message: 'address is required' },
      { code: 'unrecognized_keys', path: [], message: expect.stringContaining('admin') },
    ]);
    expect(await h.everything()).toStrictEqual([]);
  });

  it('rejects a JSON document that is not an object', async () => {
    const h = createHarness();
    for (const body of ['[]', '"Spock"', '42', 'null']) {
      const res = await h.request('POST', '/applications', { body });
      expect((await problemOf(res)).issues).toStrictEqual([expect.objectContaining({ code: 'invalid_type', path: [] })]);
    }
  });

  describe('with an Idempotency-Key', () => {
    it('returns the same application for the same key and body, and stores it once', async () => {
      const h = createHarness();
      const send = () => h.request('POST', '/applications', { body: GABE, headers: { 'Idempotency-Key': 'order-42' } });
      const first = (await (await send()).json()) as { id: string };
      const again = await send();
      expect(again.status).toBe(201);
      expect(((await again.json()) as { id: string }).id).toBe(first.id);
      expect(again.headers.get('location')).toBe(`/applications/${first.id}`);
      expect(await h.everything()).toHaveLength(1);
    });

    it('shows an anonymous repeat the applicant view only: never the reviewer, the note or the task token', async () => {
      const h = createHarness();
      const send = () => h.request('POST', '/applications', { body: GABE, headers: { 'Idempotency-Key': 'order-7' } });
      const first = (await (await send()).json()) as { id: string };
      await reviewed(h, first.id, { decision: 'REJECT', note: 'forged documents' });
      const again = await send();
      expect(again.status).toBe(201);
      const body = (await again.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toStrictEqual(['address', 'checks', 'createdAt', 'execution', 'id', 'name', 'state', 'updatedAt']);
      expect(body).toMatchObject({ id: first.id, state: 'REJECTED', execution: { status: 'SUCCEEDED' } });
      expect(JSON.stringify(body)).not.toMatch(new RegExp(`${REVIEWER_NAME}|forged|tt_|review`));
    });

    it('answers 409 for the same key with another body', async () => {
      const h = createHarness();
      await h.request('POST', '/applications', { body: SPOCK, headers: { 'Idempotency-Key': 'order-42' } });
      const res = await h.request('POST', '/applications', { body: GABE, headers: { 'Idempotency-Key': 'order-42' } });
      expect(res.status).toBe(409);
      expect(await problemOf(res)).toMatchObject({ code: 'conflict', type: '/problems/conflict', status: 409 });
      expect(await h.everything()).toHaveLength(1);
    });

    it('rejects a key that is not 1 to 255 visible ASCII characters', async () => {
      const h = createHarness();
      for (const key of ['two words', 'x'.repeat(256), 'caf\u00e9', '']) {
        const res = await h.request('POST', '/applications', { body: SPOCK, headers: { 'Idempotency-Key': key } });
        expect(res.status).toBe(400);
        expect((await problemOf(res)).issues).toStrictEqual([expect.objectContaining({ path: ['Idempotency-Key'] })]);
      }
      expect(await h.everything()).toStrictEqual([]);
    });
  });
});

describe('GET /applications', () => {
  it('lists oldest first, filters by state and pages with a cursor', async () => {
    const h = createHarness();
    const ids: string[] = [];
    for (const input of [SPOCK, GABE, UNPROCESSABLE, GABE, SPOCK]) {
      ids.push((await h.submit(input)).id);
      h.clock.advance(1000);
    }
    const all = await h.request('GET', '/applications', { token: REVIEWER_TOKEN });
    expect(all.status).toBe(200);
    const page = (await all.json()) as { items: { id: string }[]; nextCursor?: string };
    expect(page.items.map((a) => a.id)).toStrictEqual(ids);
    expect(page).not.toHaveProperty('nextCursor');

    const flagged = (await (await h.request('GET', '/applications?state=FLAGGED_FOR_REVIEW', { token: REVIEWER_TOKEN })).json()) as {
      items: { id: string; state: string; taskToken?: string }[];
    };
    expect(flagged.items.map((a) => a.id)).toStrictEqual([ids[1], ids[3]]);
    expect(flagged.items.every((a) => a.state === 'FLAGGED_FOR_REVIEW' && a.taskToken !== undefined)).toBe(true);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '2', ...(cursor ? { cursor } : {}) });
      const res = await h.request('GET', `/applications?${query}`, { token: REVIEWER_TOKEN });
      const body = (await res.json()) as { items: { id: string }[]; nextCursor?: string };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((a) => a.id));
      cursor = body.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toStrictEqual(ids);
  });

  it.each([
    ['limit=0', ['limit']],
    ['limit=201', ['limit']],
    ['limit=ten', ['limit']],
    ['limit=1.5', ['limit']],
    ['state=PENDING', ['state']],
    ['cursor=not-a-cursor!', ['cursor']],
    ['cursor=eyJhIjoxfQ', ['cursor']],
    ['sort=name', []],
    ['state=APPROVED&state=REJECTED', ['state']],
  ])('rejects the query %s with a 400 naming the parameter', async (query, path) => {
    const h = createHarness();
    const res = await h.request('GET', `/applications?${query}`, { token: REVIEWER_TOKEN });
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('invalid_input');
    expect(problem['issues']).toContainEqual(expect.objectContaining({ path }));
  });

  it('accepts the bounds of limit', async () => {
    const h = createHarness();
    for (const limit of ['1', '200']) {
      expect((await h.request('GET', `/applications?limit=${limit}`, { token: REVIEWER_TOKEN })).status).toBe(200);
    }
  });
});

describe('GET /applications/:id', () => {
  it('returns the application', async () => {
    const h = createHarness();
    const created = await h.submit(SPOCK);
    const res = await h.request('GET', `/applications/${created.id}`, { token: REVIEWER_TOKEN });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual(created);
  });

  it.each(['app_01970e5c-7f3a-7cc2-9a43-5b1f0c2d9e8a', 'nope', 'app_%E2%9C%93', '..%2F..%2Fetc'])(
    'answers 404 for the unknown id %s',
    async (id) => {
      const h = createHarness();
      for (const path of [`/applications/${id}`, `/applications/${id}/history`]) {
        const res = await h.request('GET', path, { token: REVIEWER_TOKEN });
        expect(res.status).toBe(404);
        expect(await problemOf(res)).toMatchObject({ code: 'not_found', type: '/problems/not_found', title: 'Not found' });
      }
    },
  );
});

describe('GET /applications/:id/history', () => {
  it('returns the events in order', async () => {
    const h = createHarness();
    const created = await h.submit(GABE);
    await reviewed(h, created.id, { decision: 'APPROVE' });
    const res = await h.request('GET', `/applications/${created.id}/history`, { token: REVIEWER_TOKEN });
    expect(res.status).toBe(200);
    const { events } = (await res.json()) as { events: { seq: number; type: string }[] };
    expect(events.map((e) => e.seq)).toStrictEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['execution.started', 'check.succeeded', 'task_token.issued', 'review.received', 'execution.succeeded']),
    );
  });
});

describe('POST /applications/:id/review', () => {
  it('approves a flagged application and records the reviewer named by the token, with a note', async () => {
    const h = createHarness();
    const created = await h.submit(GABE);
    const res = await reviewed(h, created.id, { decision: 'APPROVE', note: 'called the applicant' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: created.id,
      state: 'APPROVED',
      review: { decision: 'APPROVE', reviewer: REVIEWER_NAME, note: 'called the applicant', reviewedAt: expect.any(String) },
      execution: { status: 'SUCCEEDED' },
    });
    const received = (await h.runtime.history(created.id)).find((e) => e.type === 'review.received');
    expect(received?.data).toStrictEqual({ decision: 'APPROVE', reviewer: REVIEWER_NAME, note: 'called the applicant' });
  });

  it('never lets the body say who decided', async () => {
    const h = createHarness();
    const created = await h.submit(GABE);
    const forged = await reviewed(h, created.id, { decision: 'APPROVE', reviewer: 'picard' });
    expect(forged.status).toBe(400);
    expect((await problemOf(forged)).issues).toContainEqual(expect.objectContaining({ code: 'unrecognized_keys' }));
    expect((await h.runtime.get(created.id)).state).toBe('FLAGGED_FOR_REVIEW');
    expect(JSON.stringify(await h.runtime.history(created.id))).not.toContain('picard');
  });

  it('records a token configured without a name as `reviewer`, and a digest-configured token by its name', async () => {
    const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('troi-secret'))), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    const h = createHarness({ reviewerTokens: [OTHER_REVIEWER_TOKEN, `troi:sha256:${digest}`] });
    const [a, b] = [await h.submit(GABE), await h.submit(GABE)];
    expect(await (await reviewed(h, a.id, { decision: 'REJECT' }, OTHER_REVIEWER_TOKEN)).json()).toMatchObject({
      review: { reviewer: 'reviewer' },
    });
    expect(await (await reviewed(h, b.id, { decision: 'REJECT' }, 'troi-secret')).json()).toMatchObject({ review: { reviewer: 'troi' } });
    // The digest itself is not a token.
    expect((await h.request('GET', '/applications', { token: digest })).status).toBe(401);
    expect((await h.request('GET', '/applications', { token: `sha256:${digest}` })).status).toBe(401);
  });

  it('rejects a flagged application', async () => {
    const h = createHarness();
    const created = await h.submit(GABE);
    const res = await reviewed(h, created.id, { decision: 'REJECT' }, OTHER_REVIEWER_TOKEN);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'REJECTED', review: { decision: 'REJECT' } });
  });

  it('answers 409 to a second review, and keeps the first decision', async () => {
    const h = createHarness();
    const created = await h.submit(GABE);
    expect((await reviewed(h, created.id, { decision: 'REJECT' })).status).toBe(200);
    const second = await reviewed(h, created.id, { decision: 'APPROVE' });
    expect(second.status).toBe(409);
    expect(await problemOf(second)).toMatchObject({ code: 'conflict', status: 409 });
    expect(((await h.runtime.get(created.id)) as { state: string }).state).toBe('REJECTED');
  });

  it('answers 409 for an application that is not waiting for review', async () => {
    const h = createHarness();
    const created = await h.submit(SPOCK);
    const res = await reviewed(h, created.id, { decision: 'APPROVE' });
    expect(res.status).toBe(409);
    expect((await problemOf(res)).detail).toContain('not waiting for a review');
  });

  it('checks a task token when one is given', async () => {
    const h = createHarness();
    const created = await h.submit(GABE);
    const stale = await reviewed(h, created.id, { decision: 'APPROVE', taskToken: 'tt_00000000000000000000000000000000' });
    expect(stale.status).toBe(409);
    const { taskToken } = (await h.runtime.get(created.id)) as { taskToken: string };
    expect((await reviewed(h, created.id, { decision: 'APPROVE', taskToken })).status).toBe(200);
  });

  it('answers 404 for an unknown application', async () => {
    const h = createHarness();
    const res = await reviewed(h, 'app_01970e5c-7f3a-7cc2-9a43-5b1f0c2d9e8a', { decision: 'APPROVE' });
    expect(res.status).toBe(404);
  });

  it.each([
    [{ decision: 'MAYBE' }, ['decision']],
    [{}, ['decision']],
    [{ decision: 'approve' }, ['decision']],
    [{ decision: 'APPROVE', comment: 'ok' }, []],
    [{ decision: 'APPROVE', reviewer: '' }, []],
    [{ decision: 'APPROVE', note: 'ok\u001b[2J' }, ['note']],
    [{ decision: 'APPROVE', note: 'x'.repeat(1001) }, ['note']],
  ])('rejects the body %j with a 400 naming %j and leaves the application waiting', async (body, path) => {
    const h = createHarness();
    const created = await h.submit(GABE);
    const res = await reviewed(h, created.id, body);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).issues).toContainEqual(expect.objectContaining({ path }));
    expect(((await h.runtime.get(created.id)) as { state: string }).state).toBe('FLAGGED_FOR_REVIEW');
  });
});

describe('POST /applications/:id/redrive', () => {
  it('finds FAILED executions by status and redrives them, for reviewers only', async () => {
    let down = true;
    const h = createHarness({
      checks: {
        address: (value) => {
          if (down) throw new Error('address service unavailable');
          return checkAddress(value);
        },
      },
    });
    const created = (await (await h.request('POST', '/applications', { body: SPOCK })).json()) as { id: string };
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      await h.runtime.runDue();
    }
    const failed = await h.request('GET', '/applications?status=FAILED', { token: REVIEWER_TOKEN });
    expect(((await failed.json()) as { items: { id: string }[] }).items.map((a) => a.id)).toStrictEqual([created.id]);
    expect((await h.request('POST', `/applications/${created.id}/redrive`)).status).toBe(401);
    down = false;
    const res = await h.request('POST', `/applications/${created.id}/redrive`, { token: REVIEWER_TOKEN });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'APPROVED', execution: { status: 'SUCCEEDED', redrives: 1 } });
    const again = await h.request('POST', `/applications/${created.id}/redrive`, { token: REVIEWER_TOKEN });
    expect(again.status).toBe(409);
    expect((await h.request('GET', '/applications?status=BROKEN', { token: REVIEWER_TOKEN })).status).toBe(400);
  });
});
