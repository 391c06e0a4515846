import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerToken, constantTimeEqual, createTokenMatcher, parseCredential, parseTokenList } from './auth.js';
import { createHarness, GABE, OTHER_REVIEWER_TOKEN, problemOf, REVIEWER_TOKEN, SPOCK, type Harness } from './testing/harness.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('constantTimeEqual', () => {
  it('is true exactly when the bytes are equal', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a.length === b.length && a.every((x, i) => x === b[i]));
        expect(constantTimeEqual(a, a.slice())).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells a prefix, a trailing zero byte and an empty value apart', () => {
    expect(constantTimeEqual(bytes('secret'), bytes('secre'))).toBe(false);
    expect(constantTimeEqual(bytes('secret'), new Uint8Array([...bytes('secret'), 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), bytes('a'))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe('createTokenMatcher', () => {
  it('matches any configured token and nothing else, comparing UTF-8 bytes, and names who it proves', async () => {
    const matches = createTokenMatcher(['alpha', 'data:bêta', '']);
    expect(await matches('alpha')).toBe('reviewer');
    expect(await matches('bêta')).toBe('data');
    expect(await matches('data:bêta')).toBeUndefined();
    expect(await matches('beta')).toBeUndefined();
    expect(await matches('')).toBeUndefined();
    expect(await matches('alpha ')).toBeUndefined();
  });

  it('matches a token against its SHA-256 digest, never the digest itself', async () => {
    const hex = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes('s3cret'))), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    const matches = createTokenMatcher([`worf:sha256:${hex.toUpperCase()}`]);
    expect(await matches('s3cret')).toBe('worf');
    expect(await matches(hex)).toBeUndefined();
    expect(await matches(`sha256:${hex}`)).toBeUndefined();
  });

  it('matches nothing when no token is configured', async () => {
    expect(await createTokenMatcher([])('')).toBeUndefined();
    expect(await createTokenMatcher([])('anything')).toBeUndefined();
  });
});

describe('parseCredential', () => {
  it.each([
    ['plain-token', 'reviewer', false],
    ['alice:tok', 'alice', false],
    ['alice@bank.example:tok:with:colons', 'alice@bank.example', false],
    [`bob:sha256:${'ab'.repeat(32)}`, 'bob', true],
    [`sha256:${'ab'.repeat(32)}`, 'sha256', false],
    ['not a name:tok', 'reviewer', false],
  ])('reads %j as named %j (digest: %j)', (entry, name, digest) => {
    expect(parseCredential(entry)).toMatchObject({ name, digest });
  });
});

describe('parseTokenList', () => {
  it('splits on commas, trims and drops empty entries', () => {
    expect(parseTokenList(' a, b ,,c ,')).toStrictEqual(['a', 'b', 'c']);
    expect(parseTokenList('')).toStrictEqual([]);
    expect(parseTokenList(undefined)).toStrictEqual([]);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Bearer a b', undefined],
    ['Basic YWxhZGRpbjpvcGVuc2VzYW1l', undefined],
    ['abc', undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

// Every reviewer route, with a request that would succeed with the right token.
const REVIEWER_ROUTES: [string, (h: Harness, id: string) => Promise<[string, string, unknown]>][] = [
  ['GET /applications', async () => ['GET', '/applications', undefined]],
  ['GET /applications/:id', async (_h, id) => ['GET', `/applications/${id}`, undefined]],
  ['GET /applications/:id/history', async (_h, id) => ['GET', `/applications/${id}/history`, undefined]],
  ['POST /applications/:id/review', async (_h, id) => ['POST', `/applications/${id}/review`, { decision: 'APPROVE' }]],
];

const BAD_CREDENTIALS: [string, Record<string, string>][] = [
  ['no Authorization header', {}],
  ['a wrong token', { Authorization: 'Bearer wrong-token' }],
  ['a token that is a prefix of the right one', { Authorization: `Bearer ${REVIEWER_TOKEN.slice(0, -1)}` }],
  ['the right token with more after it', { Authorization: `Bearer ${REVIEWER_TOKEN}x` }],
  ['another scheme', { Authorization: `Basic ${REVIEWER_TOKEN}` }],
  ['the token without a scheme', { Authorization: REVIEWER_TOKEN }],
  ['an empty bearer', { Authorization: 'Bearer ' }],
];

describe.each(REVIEWER_ROUTES)('%s', (_label, build) => {
  it.each(BAD_CREDENTIALS)('answers 401 with WWW-Authenticate: Bearer for %s, and changes nothing', async (_what, headers) => {
    const h = createHarness();
    const flagged = await h.submit(GABE);
    const before = await h.everything();
    const [method, path, body] = await build(h, flagged.id);
    const res = await h.request(method, path, { headers, ...(body === undefined ? {} : { body }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(await problemOf(res)).toMatchObject({ code: 'unauthorized', status: 401, type: '/problems/unauthorized' });
    expect(await h.everything()).toStrictEqual(before);
  });

  it('answers with any configured reviewer token', async () => {
    for (const token of [REVIEWER_TOKEN, OTHER_REVIEWER_TOKEN]) {
      const h = createHarness();
      const flagged = await h.submit(GABE);
      const [method, path, body] = await build(h, flagged.id);
      const res = await h.request(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(res.status).toBe(200);
    }
  });

  it('stays locked when no reviewer token is configured', async () => {
    const h = createHarness({ reviewerTokens: [] });
    const flagged = await h.submit(GABE);
    const [method, path, body] = await build(h, flagged.id);
    for (const token of ['', 'undefined', REVIEWER_TOKEN]) {
      const res = await h.request(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(res.status).toBe(401);
    }
  });

  it('checks the token before reading the body or the id', async () => {
    const h = createHarness();
    const [method, path] = await build(h, 'app_01970e5c-7f3a-7cc2-9a43-5b1f0c2d9e8a');
    const res = await h.request(method, path, method === 'POST' ? { body: 'not json' } : {});
    expect(res.status).toBe(401);
  });
});

describe('submit tokens', () => {
  const gated = () => createHarness({ submitTokens: ['submit-token'] });
  const OPEN_ROUTES: [string, unknown][] = [
    ['/applications', SPOCK],
    ['/checks/name', { name: 'Spock' }],
    ['/checks/address', { address: '123 Enterprise Street' }],
    ['/data-checks', { command: 'CHECK_NAME', data: { name: 'Spock' } }],
  ];

  it.each(OPEN_ROUTES)('leaves POST %s open when none are configured', async (path, body) => {
    const res = await createHarness().request('POST', path, { body });
    expect(res.status).toBeLessThan(300);
  });

  it.each(OPEN_ROUTES)('gate POST %s when configured: 401 without, 2xx with a submit or reviewer token', async (path, body) => {
    const h = gated();
    const refused = await h.request('POST', path, { body });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect((await h.request('POST', path, { body, token: 'wrong' })).status).toBe(401);
    expect((await h.request('POST', path, { body, token: 'submit-token' })).status).toBeLessThan(300);
    expect((await h.request('POST', path, { body, token: REVIEWER_TOKEN })).status).toBeLessThan(300);
    expect(await h.everything()).toHaveLength(path === '/applications' ? 2 : 0);
  });

  it('does not let a submit token act as a reviewer', async () => {
    const h = gated();
    expect((await h.request('GET', '/applications', { token: 'submit-token' })).status).toBe(401);
  });
});
