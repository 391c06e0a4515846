// ONE set of HTTP test cases for every way the API is served: the Node server (node-http.test.ts, `node dist/serve.js`
// via served.ts) and the Worker in workerd (edge-http.test.ts, the wrangler bundle in Miniflare on a local D1). Each
// target is driven over real HTTP with fetch; answers that do not depend on stored data (errors, the OpenAPI document,
// the checks) must equal, byte for byte, what the app itself answers in-process (`createApp` on a memory store), so
// the two targets cannot drift from the app or from each other.
import { createMemoryStore, createRuntime } from '@bank/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TITLE, createApp } from '../src/index.js';

/** A running server, whatever serves it. */
export interface HttpTarget {
  /** The base URL: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the server as a crash would (no graceful shutdown) and starts a new one on the same data. */
  restart(): Promise<HttpTarget>;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** The reviewer credentials every target is started with (`BANK_REVIEWER_TOKENS`): a named token and a digest. */
export const RIKER_TOKEN = 'riker-token-for-http-cases';
export const TROI_TOKEN = 'troi-token-for-http-cases';
/** The value of `BANK_REVIEWER_TOKENS`: riker by his token, troi by the SHA-256 digest of hers (`name:sha256:<hex>`). */
export const reviewerTokens = async (): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(TROI_TOKEN)));
  return `riker:${RIKER_TOKEN},troi:sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
};

const SPOCK = { name: 'Spock', address: '123 Enterprise Street' };
const GABE = { name: 'Gabe', address: 'ABadAddress' };
const UNPROCESSABLE = { name: 'UNPROCESSABLE_DATA', address: '123 Street' };
const REQUEST_ID = 'http-cases-request';

type Json = Record<string, unknown> & { id: string; state: string };

const riker = { Authorization: `Bearer ${RIKER_TOKEN}` };
const troi = { Authorization: `Bearer ${TROI_TOKEN}` };

/** The app in-process, on a memory store: what every target must answer where stored data plays no part. */
const reference = createApp({ runtime: createRuntime({ store: createMemoryStore() }), reviewerTokens: ['x'], logger: () => {} });

/** What a response is, for comparing two of them: status, the headers that matter, and the body. */
async function shape(res: Response) {
  const headers: Record<string, string | null> = {};
  for (const name of ['content-type', 'allow', 'www-authenticate', 'retry-after', 'cache-control', 'x-request-id']) {
    headers[name] = res.headers.get(name);
  }
  return { status: res.status, headers, body: await res.text() };
}

/** Sends the same request to the target and to the in-process app, and expects the same answer. */
async function expectSameAsApp(url: string, path: string, init: RequestInit = {}) {
  const withId = { ...init, headers: { 'X-Request-Id': REQUEST_ID, ...(init.headers as Record<string, string> | undefined) } };
  const served = await shape(await fetch(`${url}${path}`, withId));
  const inProcess = await shape(await reference.request(path, withId));
  expect(served).toStrictEqual(inProcess);
  return served;
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Registers the shared cases against the targets `start` starts (one per describe, restarted by one case). */
export function describeHttpCases(name: string, start: () => Promise<HttpTarget>): void {
  describe(`the same HTTP cases on ${name}`, () => {
    let target: HttpTarget;
    // Starting a target can take a while on a loaded machine (wrangler migrating D1, workerd starting).
    beforeAll(async () => {
      target = await start();
    }, 120_000);
    afterAll(async () => {
      await target?.stop();
    });

    const submit = async (input: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${target.url}/applications`, post(input, headers));
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toMatch(/^\/applications\/app_/);
      return (await res.json()) as Json;
    };
    const review = (id: string, decision: string, auth: Record<string, string> = riker) =>
      fetch(`${target.url}/applications/${id}/review`, post({ decision }, auth));
    const listByState = async (state: string, ids: readonly string[]) => {
      const res = await fetch(`${target.url}/applications?state=${state}&limit=200`, { headers: riker });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { id: string }[] }).items.map((a) => a.id).filter((id) => ids.includes(id));
    };
    const history = async (id: string) =>
      (
        (await (await fetch(`${target.url}/applications/${id}/history`, { headers: riker })).json()) as {
          events: { type: string; data: Record<string, unknown> }[];
        }
      ).events;

    it('runs the three reference cases: APPROVED, FLAGGED_FOR_REVIEW then reviewed, FLAGGED_WITH_UNPROCESSABLE_DATA', async () => {
      expect(await submit(SPOCK)).toMatchObject({ ...SPOCK, state: 'APPROVED', execution: { status: 'SUCCEEDED' } });
      const gabe = await submit(GABE);
      expect(gabe).toMatchObject({ ...GABE, state: 'FLAGGED_FOR_REVIEW', execution: { status: 'WAITING_FOR_REVIEW' } });
      expect(gabe).not.toHaveProperty('taskToken'); // the applicant's view
      expect(await submit(UNPROCESSABLE)).toMatchObject({ state: 'FLAGGED_WITH_UNPROCESSABLE_DATA' });
    });

    it('lists flagged applications by state for a reviewer, and reviews them to APPROVED and REJECTED', async () => {
      const first = await submit(GABE);
      const second = await submit(GABE);
      const ids = [first.id, second.id];
      expect(await listByState('FLAGGED_FOR_REVIEW', ids)).toStrictEqual(ids);
      const approved = await review(first.id, 'APPROVE');
      expect(approved.status).toBe(200);
      expect(await approved.json()).toMatchObject({ id: first.id, state: 'APPROVED', review: { decision: 'APPROVE', reviewer: 'riker' } });
      const rejected = await review(second.id, 'REJECT', troi); // troi is configured by the digest of her token
      expect(await rejected.json()).toMatchObject({ id: second.id, state: 'REJECTED', review: { decision: 'REJECT', reviewer: 'troi' } });
      expect(await listByState('FLAGGED_FOR_REVIEW', ids)).toStrictEqual([]);
      expect(await listByState('APPROVED', ids)).toStrictEqual([first.id]);
      const events = await history(first.id);
      expect(events.filter((e) => e.type === 'review.received')).toMatchObject([{ data: { decision: 'APPROVE', reviewer: 'riker' } }]);
      const again = await review(first.id, 'REJECT');
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toBe('application/problem+json');
    });

    it('keeps reviewer routes behind a bearer token: 401 problem documents as the app answers them', async () => {
      await expectSameAsApp(target.url, '/applications');
      await expectSameAsApp(target.url, '/applications', { headers: { Authorization: 'Bearer wrong' } });
      await expectSameAsApp(target.url, '/applications/app_00000000-0000-7000-8000-000000000000/review', post({ decision: 'APPROVE' }));
      const res = await fetch(`${target.url}/applications?limit=1`, { headers: troi });
      expect(res.status).toBe(200);
    });

    it('answers bad requests with the same problem+json documents as the app: 400, 404, 405, 413, 415, 422', async () => {
      const bad = await expectSameAsApp(target.url, '/applications', post('{"name":'));
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({ code: 'invalid_input', issues: [{ code: 'invalid_json' }] });
      expect((await expectSameAsApp(target.url, '/applications', post({ name: '', address: 'x' }))).status).toBe(400);
      expect((await expectSameAsApp(target.url, '/no-such-route')).status).toBe(404);
      expect((await expectSameAsApp(target.url, '/applications', { method: 'DELETE' })).status).toBe(405);
      expect((await expectSameAsApp(target.url, '/applications', { method: 'OPTIONS' })).status).toBe(204);
      expect((await expectSameAsApp(target.url, '/applications', post({ name: 'x'.repeat(20_000), address: 'y' }))).status).toBe(413);
      const text = { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' };
      expect((await expectSameAsApp(target.url, '/applications', text)).status).toBe(415);
      expect((await expectSameAsApp(target.url, '/checks/name', post({ name: 'UNPROCESSABLE_DATA' }))).status).toBe(422);
      expect((await expectSameAsApp(target.url, '/checks/address', post({ address: 'ABadAddress' }))).status).toBe(200);
      const unknown = await fetch(`${target.url}/applications/app_00000000-0000-7000-8000-000000000000`, { headers: riker });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ code: 'not_found', status: 404 });
    });

    it('makes a submit with an Idempotency-Key safe to repeat, and refuses the key with another body (409)', async () => {
      const key = { 'Idempotency-Key': `http-cases-${crypto.randomUUID()}` };
      const first = await submit(GABE, key);
      const again = await submit(GABE, key);
      expect(again.id).toBe(first.id);
      const other = await fetch(`${target.url}/applications`, post(SPOCK, key));
      expect(other.status).toBe(409);
      expect(await other.json()).toMatchObject({ code: 'conflict', status: 409 });
    });

    it('serves the OpenAPI document the app generates, and the docs page built from it', async () => {
      const openapi = await expectSameAsApp(target.url, '/openapi.json');
      expect(openapi.status).toBe(200);
      expect(JSON.parse(openapi.body)).toMatchObject({ openapi: '3.1.0', info: { title: API_TITLE } });
      const docs = await fetch(`${target.url}/docs`);
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
      expect(docs.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(await docs.text()).toContain(API_TITLE);
      expect(await (await fetch(`${target.url}/healthz`)).json()).toStrictEqual({ status: 'ok' });
      const ready = await fetch(`${target.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
    });

    it('serves the reviewer console: a wrong token is refused, sign-in, the list, an application, a review', async () => {
      const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { Cookie: cookie }) },
        body: new URLSearchParams(fields).toString(),
      });
      const wrong = await fetch(`${target.url}/console/sign-in`, form({ token: 'not-a-token' }));
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('That reviewer token is not valid.');
      const signedIn = await fetch(`${target.url}/console/sign-in`, form({ token: TROI_TOKEN }));
      expect(signedIn.status).toBe(303);
      const setCookie = signedIn.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^bank_console=troi~.*; Path=\/console; HttpOnly; SameSite=Strict$/);
      const cookie = setCookie.split(';')[0]!;
      const gabe = await submit(GABE);
      const list = await fetch(`${target.url}/console/applications`, { headers: { Cookie: cookie } });
      expect(list.status).toBe(200);
      expect(list.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
      const listed = await list.text();
      expect(listed).toContain('<h1>Applications waiting for review</h1>');
      expect(listed).toContain(`<li data-id="${gabe.id}">`);
      const page = await (await fetch(`${target.url}/console/applications/${gabe.id}`, { headers: { Cookie: cookie } })).text();
      expect(page).toContain('<svg');
      const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1] ?? '';
      const fields = { csrf: field('csrf'), taskToken: field('taskToken'), decision: 'REJECT', confirm: 'yes' };
      expect(
        (await fetch(`${target.url}/console/applications/${gabe.id}/review`, form({ ...fields, csrf: 'forged' }, cookie))).status,
      ).toBe(403);
      const reviewed = await fetch(`${target.url}/console/applications/${gabe.id}/review`, form(fields, cookie));
      expect(reviewed.status).toBe(303);
      const stored = (await (await fetch(`${target.url}/applications/${gabe.id}`, { headers: riker })).json()) as Json;
      expect(stored).toMatchObject({ state: 'REJECTED', review: { decision: 'REJECT', reviewer: 'troi' } });
    });

    it('lets exactly one of 50 concurrent reviews of one application win: one 200, 49 409, one review.received', async () => {
      const { id } = await submit(GABE);
      const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => review(id, i % 2 === 0 ? 'APPROVE' : 'REJECT')));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(49);
      const winner = (await responses[statuses.indexOf(200)]!.json()) as Json;
      for (const loser of responses.filter((r) => r.status === 409)) {
        expect(loser.headers.get('content-type')).toBe('application/problem+json');
        expect(((await loser.json()) as { code: string }).code).toBe('conflict');
      }
      const stored = (await (await fetch(`${target.url}/applications/${id}`, { headers: riker })).json()) as Json;
      expect(stored.state).toBe(winner.state);
      expect(stored['review']).toStrictEqual(winner['review']);
      expect((await history(id)).filter((e) => e.type === 'review.received')).toHaveLength(1);
    });

    it('keeps a flagged application across a crash and a restart on the same data, and finishes its review', async () => {
      const waiting = await submit(GABE);
      target = await target.restart();
      expect(await listByState('FLAGGED_FOR_REVIEW', [waiting.id])).toStrictEqual([waiting.id]);
      const res = await review(waiting.id, 'APPROVE');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: waiting.id, state: 'APPROVED', review: { decision: 'APPROVE', reviewer: 'riker' } });
      expect((await history(waiting.id)).map((e) => e.type)).toContain('review.received');
    });
  });
}
