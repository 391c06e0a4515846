import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createHarness, GABE, OTHER_REVIEWER_TOKEN, REVIEWER_TOKEN, SPOCK, UNPROCESSABLE, type Harness } from '../testing/harness.js';
import { CONSOLE_SCRIPT } from './assets.js';
import { CONSOLE_PAGE_SIZE } from './routes.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };

/** A browser of one: it keeps the session cookie and reads the CSRF token from the last page. */
interface Reviewer {
  readonly cookie: string;
  get(path: string): Promise<Response>;
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** The CSRF token of this session, as a page carries it. */
  csrf(): Promise<string>;
}

/** The page with the layout's whitespace folded: no whitespace between tags, runs of it as one space. */
const normalize = (page: string): string => page.replace(/>\s+</g, '><').replace(/\s+/g, ' ');

const csrfOf = (page: string): string => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const taskTokenOf = (page: string): string => /name="taskToken" value="([^"]+)"/.exec(page)?.[1] ?? '';

const postForm = (h: Harness, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  Promise.resolve(
    h.app.request(path, { method: 'POST', headers: { ...FORM, ...SAME_ORIGIN, ...headers }, body: new URLSearchParams(fields).toString() }),
  );

async function signIn(h: Harness, token = REVIEWER_TOKEN): Promise<Reviewer> {
  const res = await postForm(h, '/console/sign-in', { token });
  expect(res.status).toBe(303);
  const cookie = /^(bank_console=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (cookie === undefined) throw new Error('no session cookie');
  const reviewer: Reviewer = {
    cookie,
    get: (path) => Promise.resolve(h.app.request(path, { headers: { Cookie: cookie } })),
    post: (path, fields, headers = {}) => postForm(h, path, fields, { Cookie: cookie, ...headers }),
    csrf: async () => csrfOf(await (await reviewer.get('/console/applications')).text().then(normalize)),
  };
  return reviewer;
}

describe('the reviewer console: sign-in and sessions', () => {
  it('shows the sign-in page, and on the right token sets an HttpOnly, SameSite=Strict session cookie on /console', async () => {
    const h = createHarness();
    const page = await h.app.request('/console');
    expect(page.status).toBe(200);
    expect(await page.text().then(normalize)).toContain('<label for="token">Reviewer token</label>');
    const res = await postForm(h, '/console/sign-in', { token: REVIEWER_TOKEN });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/applications');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^bank_console=riker~\d+~[\w-]+; Max-Age=28800; Path=\/console; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(REVIEWER_TOKEN);
    // Secure when the request came over https.
    const https = await h.app.request('https://bank.test/console/sign-in', {
      method: 'POST',
      headers: { ...FORM, ...SAME_ORIGIN },
      body: `token=${REVIEWER_TOKEN}`,
    });
    expect(https.headers.get('set-cookie')).toMatch(/; Secure; SameSite=Strict$/);
  });

  it('with only sha256 reviewer entries, signs in only once BANK_CONSOLE_SECRET is set', async () => {
    const digest = createHash('sha256').update(REVIEWER_TOKEN).digest('hex');
    const unsigned = createHarness({ reviewerTokens: [`riker:sha256:${digest}`] });
    const refused = await postForm(unsigned, '/console/sign-in', { token: REVIEWER_TOKEN });
    expect(refused.status).toBe(500);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.text()).toContain('set BANK_CONSOLE_SECRET');
    const configured = createHarness({ reviewerTokens: [`riker:sha256:${digest}`], consoleSecret: 'console-secret' });
    const reviewer = await signIn(configured);
    expect((await reviewer.get('/console/applications')).status).toBe(200);
  });

  it('refuses a wrong or empty token with 401 and the sign-in page again, and sets no cookie', async () => {
    const h = createHarness();
    for (const token of ['wrong-token', '', `${REVIEWER_TOKEN}x`]) {
      const res = await postForm(h, '/console/sign-in', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      const body = await res.text().then(normalize);
      expect(body).toContain('role="alert"');
      expect(body).toContain('That reviewer token is not valid.');
      expect(body).toContain('aria-invalid="true"');
    }
    // A token configured without a name signs in as `reviewer`.
    expect((await signIn(h, OTHER_REVIEWER_TOKEN)).cookie).toMatch(/^bank_console=reviewer~/);
  });

  it('sends a browser without a valid session to sign in, and answers its polls 401', async () => {
    const h = createHarness();
    const none = await h.app.request('/console/applications');
    expect(none.status).toBe(303);
    expect(none.headers.get('location')).toBe('/console');
    const { cookie } = await signIn(h);
    const forged = cookie.replace('riker~', 'troi~');
    expect((await h.app.request('/console/applications', { headers: { Cookie: forged } })).status).toBe(303);
    expect((await h.app.request('/console/applications?fragment=1')).status).toBe(401);
    // A session of another configuration (tokens rotated) is no session here.
    const rotated = createHarness({ reviewerTokens: ['riker:a-new-token'] });
    expect((await rotated.app.request('/console/applications', { headers: { Cookie: cookie } })).status).toBe(303);
    // Signed in, /console goes to the list.
    expect((await h.app.request('/console', { headers: { Cookie: cookie } })).headers.get('location')).toBe('/console/applications');
  });

  it('signs out with the CSRF token: the cookie is cleared', async () => {
    const h = createHarness();
    const riker = await signIn(h);
    expect((await riker.post('/console/sign-out', { csrf: 'nope' })).status).toBe(403);
    const res = await riker.post('/console/sign-out', { csrf: await riker.csrf() });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    expect(res.headers.get('set-cookie')).toMatch(/^bank_console=; Max-Age=0; Path=\/console/);
  });
});

describe('the reviewer console: CSRF', () => {
  it('refuses a review without the CSRF token, with a wrong one, or sent from another site: 403, nothing decided', async () => {
    const h = createHarness();
    const { id } = await h.submit(GABE);
    const riker = await signIn(h);
    const other = await signIn(h, OTHER_REVIEWER_TOKEN);
    const page = await (await riker.get(`/console/applications/${id}`)).text().then(normalize);
    const fields = { taskToken: taskTokenOf(page), decision: 'APPROVE', confirm: 'yes' };
    const path = `/console/applications/${id}/review`;
    const attempts = [
      riker.post(path, fields),
      riker.post(path, { ...fields, csrf: 'x'.repeat(43) }),
      riker.post(path, { ...fields, csrf: await other.csrf() }),
      riker.post(path, { ...fields, csrf: csrfOf(page) }, { 'Sec-Fetch-Site': 'cross-site' }),
      h.app.request(path, {
        method: 'POST',
        headers: { ...FORM, Cookie: riker.cookie, Origin: 'https://evil.test' },
        body: new URLSearchParams({ ...fields, csrf: csrfOf(page) }).toString(),
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.text().then(normalize)).toContain('role="alert"');
    }
    // Signing in from another site is refused too (login CSRF).
    expect((await postForm(h, '/console/sign-in', { token: REVIEWER_TOKEN }, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await h.runtime.get(id)).state).toBe('FLAGGED_FOR_REVIEW');
    // The same form with the token and from this site goes through.
    expect((await riker.post(path, { ...fields, csrf: csrfOf(page) })).status).toBe(303);
    expect((await h.runtime.get(id)).state).toBe('APPROVED');
  });

  it('serves every page with a nonce-only CSP, no inline handlers, no-store, and no framing', async () => {
    const h = createHarness();
    const { id } = await h.submit(GABE);
    const riker = await signIn(h);
    for (const res of [
      await h.app.request('/console'),
      await riker.get('/console/applications'),
      await riker.get(`/console/applications/${id}`),
    ]) {
      const csp = res.headers.get('content-security-policy')!;
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = await res.text().then(normalize);
      expect(body).toContain(`<script nonce="${nonce}">`);
      expect(body).toContain(`<style nonce="${nonce}">`);
      expect(body).not.toMatch(/\son[a-z]+=/i);
      expect(body).toMatch(/^<!doctype html><html lang="en">/);
    }
    expect(() => new Function(CONSOLE_SCRIPT)).not.toThrow();
  });
});

describe('the reviewer console: list, application and review', () => {
  it('lists what waits for review by default, other states by filter, with escaping and paging', async () => {
    const h = createHarness();
    const spock = await h.submit(SPOCK);
    const gabe = await h.submit(GABE);
    const evil = await h.submit({ name: '<script>alert(1)</script>', address: 'Nowhere' });
    const riker = await signIn(h);
    const waiting = await (await riker.get('/console/applications')).text().then(normalize);
    expect(waiting).toContain('<h1>Applications waiting for review</h1>');
    expect(waiting).toContain(`<li data-id="${gabe.id}"><a href="/console/applications/${gabe.id}">Gabe</a>`);
    expect(waiting).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(waiting).not.toContain('<script>alert(1)');
    expect(waiting).not.toContain(spock.id);
    const approved = await (await riker.get('/console/applications?state=APPROVED')).text().then(normalize);
    expect(approved).toContain(spock.id);
    expect(approved).not.toContain(gabe.id);
    const all = await (await riker.get('/console/applications?state=ALL')).text().then(normalize);
    for (const id of [spock.id, gabe.id, evil.id]) expect(all).toContain(id);
    expect((await riker.get('/console/applications?state=NOPE')).status).toBe(400);

    for (let i = 0; i < CONSOLE_PAGE_SIZE + 3; i++) await h.submit(GABE);
    const first = await (await riker.get('/console/applications')).text().then(normalize);
    expect(first.match(/<li data-id=/g)).toHaveLength(CONSOLE_PAGE_SIZE);
    const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toMatch(/^\/console\/applications\?state=FLAGGED_FOR_REVIEW&cursor=/);
    const second = await (await riker.get(next!)).text().then(normalize);
    expect(second.match(/<li data-id=/g)).toHaveLength(5);
    expect(second).not.toContain('rel="next"');
    expect(second).toContain('First page');
    // The polling fragment is the results region alone.
    const fragment = await (await riker.get('/console/applications?state=FLAGGED_FOR_REVIEW&fragment=1')).text().then(normalize);
    expect(fragment).toMatch(/^<div id="results" data-poll="\/console\/applications\?state=FLAGGED_FOR_REVIEW&amp;fragment=1"/);
    expect(fragment).not.toContain('<html');
  });

  it('shows an application: name, address, both checks with reasons, the graph with its path, the history with times', async () => {
    const h = createHarness();
    const gabe = await h.submit(GABE);
    const unprocessable = await h.submit(UNPROCESSABLE);
    const riker = await signIn(h);
    const page = await (await riker.get(`/console/applications/${gabe.id}`)).text().then(normalize);
    expect(page).toContain('<h1>Gabe</h1>');
    expect(page).toContain('<dd>ABadAddress</dd>');
    expect(page).toContain('<strong>Name check:</strong> passed.');
    expect(page).toContain('<strong>Address check:</strong> flagged. Address has no house number next to a street name.');
    const svg = /<svg[\s\S]*<\/svg>/.exec(page)?.[0] ?? '';
    expect(svg.match(/<[^>]*data-mark="current"[^>]*>/g)).toStrictEqual([expect.stringContaining('data-state="pendingReview"')]);
    expect(page).toContain('<figcaption id="path">Path: checking → reviewRequired → pendingReview</figcaption>');
    expect(page).toContain('<li><time datetime="2026-01-01T00:00:00.000Z">2026-01-01 00:00:00 UTC</time>Entered FLAGGED_FOR_REVIEW.</li>');
    expect(page).toContain(`name="taskToken" value="${(await h.runtime.get(gabe.id)).taskToken}"`);
    const other = await (await riker.get(`/console/applications/${unprocessable.id}`)).text().then(normalize);
    expect(other).toContain('could not be checked. UnprocessableDataError: Name &#39;UNPROCESSABLE_DATA&#39; is not possible to check.');
    expect(other).not.toContain('name="taskToken"');
    const missing = await riker.get('/console/applications/app_00000000-0000-7000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.text().then(normalize)).toContain('There is no such application.');
  });

  it('asks for confirmation first, then records the decision by the signed-in reviewer with the task token seen', async () => {
    const h = createHarness();
    const { id } = await h.submit(GABE);
    const riker = await signIn(h);
    const page = await (await riker.get(`/console/applications/${id}`)).text().then(normalize);
    const fields = { csrf: csrfOf(page), taskToken: taskTokenOf(page), decision: 'APPROVE', note: 'called the applicant' };
    const confirm = await riker.post(`/console/applications/${id}/review`, fields);
    expect(confirm.status).toBe(200);
    const confirmPage = await confirm.text().then(normalize);
    expect(confirmPage).toContain('<h1>Do you want to approve the application of Gabe?</h1>');
    expect(confirmPage).toContain('<input type="hidden" name="confirm" value="yes" />');
    expect((await h.runtime.get(id)).state).toBe('FLAGGED_FOR_REVIEW');
    const done = await riker.post(`/console/applications/${id}/review`, { ...fields, confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/console/applications/${id}?decided=1`);
    const after = await (await riker.get(done.headers.get('location')!)).text().then(normalize);
    expect(after).toContain('role="status" id="notice"><p>Decision recorded: APPROVED by riker.</p>');
    expect(after).toContain('<span class="state state-APPROVED">APPROVED</span>');
    expect(after).not.toContain('name="taskToken"');
    expect(await h.runtime.get(id)).toMatchObject({
      state: 'APPROVED',
      review: { decision: 'APPROVE', reviewer: 'riker', note: 'called the applicant' },
    });
    const bad = await riker.post(`/console/applications/${id}/review`, { ...fields, decision: 'MAYBE', confirm: 'yes' });
    expect(bad.status).toBe(400);
  });

  it('shows a reviewer who lost the race a 409 with who decided and the current state, and never overwrites', async () => {
    const h = createHarness();
    const { id } = await h.submit(GABE);
    const riker = await signIn(h);
    const troi = await signIn(h, OTHER_REVIEWER_TOKEN);
    const seenByRiker = await (await riker.get(`/console/applications/${id}`)).text().then(normalize);
    const seenByTroi = await (await troi.get(`/console/applications/${id}`)).text().then(normalize);
    const decide = (r: Reviewer, page: string, decision: string) =>
      r.post(`/console/applications/${id}/review`, { csrf: csrfOf(page), taskToken: taskTokenOf(page), decision, confirm: 'yes' });
    expect((await decide(troi, seenByTroi, 'REJECT')).status).toBe(303);
    const lost = await decide(riker, seenByRiker, 'APPROVE');
    expect(lost.status).toBe(409);
    const body = await lost.text().then(normalize);
    expect(body).toContain(
      'role="alert" id="notice"><p>Another reviewer already decided: REJECTED by reviewer. Your decision was not recorded.</p>',
    );
    expect(body).toContain('<span class="state state-REJECTED">REJECTED</span>');
    expect(await h.runtime.get(id)).toMatchObject({ state: 'REJECTED', review: { reviewer: 'reviewer', decision: 'REJECT' } });
    // A made-up task token is a conflict too: nothing is decided on a page the reviewer did not see.
    const next = await h.submit(GABE);
    const page = await (await riker.get(`/console/applications/${next.id}`)).text().then(normalize);
    const stale = await riker.post(`/console/applications/${next.id}/review`, {
      csrf: csrfOf(page),
      taskToken: 'tt_00000000000000000000000000000000',
      decision: 'APPROVE',
      confirm: 'yes',
    });
    expect(stale.status).toBe(409);
    expect(await stale.text().then(normalize)).toContain('is now FLAGGED_FOR_REVIEW. Nothing was decided.');
    expect((await h.runtime.get(next.id)).state).toBe('FLAGGED_FOR_REVIEW');
  });

  it('keeps every page under 100 KiB gzipped, its style and script included', async () => {
    const h = createHarness();
    for (let i = 0; i < CONSOLE_PAGE_SIZE; i++)
      await h.submit({ name: `Gabe ${i} ${'x'.repeat(60)}`, address: `ABadAddress ${'y'.repeat(100)}` });
    const { id } = await h.submit(GABE);
    const riker = await signIn(h);
    const pages = {
      signIn: await (await h.app.request('/console')).text().then(normalize),
      list: await (await riker.get('/console/applications')).text().then(normalize),
      application: await (await riker.get(`/console/applications/${id}`)).text().then(normalize),
    };
    expect(pages.list.match(/<li data-id=/g)).toHaveLength(CONSOLE_PAGE_SIZE);
    expect(pages.application).toContain('<svg');
    const sizes = Object.fromEntries(Object.entries(pages).map(([name, text]) => [name, gzipSync(text).length]));
    console.log('console page weights (bytes gzipped):', sizes);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(100 * 1024);
  });
});
