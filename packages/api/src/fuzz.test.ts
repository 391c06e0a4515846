// Fuzzed requests (method, path, query, headers, body) through app.request() on an in-memory store: no input
// may produce a 5xx, and only a successful submission or review may change what is stored.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, GABE, REVIEWER_TOKEN, SPOCK, UNPROCESSABLE, type Harness } from './testing/harness.js';

type Stored = { id: string; state: string };

const latin1Unit = fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code));
const headerValue = fc.string({ unit: latin1Unit, maxLength: 80 });

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;charset="utf-8"') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'),
  },
  { weight: 1, arbitrary: fc.constantFrom('application/problem+json', 'application/json; charset=latin1', 'application/json;', '') },
  { weight: 1, arbitrary: headerValue },
);

const authorization = fc.oneof(
  { weight: 3, arbitrary: fc.constant(`Bearer ${REVIEWER_TOKEN}`) },
  fc.constant(`bearer   ${REVIEWER_TOKEN} `),
  headerValue.map((v) => `Bearer ${v}`),
  headerValue,
  fc.constant(undefined),
);

const messyHeaders = fc
  .record(
    {
      'content-type': fc.oneof({ weight: 4, arbitrary: contentType }, { weight: 1, arbitrary: fc.constant(undefined) }),
      authorization,
      'idempotency-key': fc.oneof({ weight: 3, arbitrary: fc.uuid() }, fc.constantFrom('k-1', 'k-2'), headerValue),
      'x-request-id': headerValue,
      'content-length': fc.oneof(fc.nat({ max: 40_000 }).map(String), headerValue),
      accept: headerValue,
    },
    { requiredKeys: ['content-type', 'authorization'] },
  )
  .map((hs) => Object.fromEntries(Object.entries(hs).filter(([, v]) => v !== undefined)) as Record<string, string>);

// Well-formed headers, so that bodies reach validation and valid ones get through.
const cleanHeaders = fc.record(
  {
    'content-type': fc.constant('application/json'),
    authorization: fc.constant(`Bearer ${REVIEWER_TOKEN}`),
    'idempotency-key': fc.oneof({ weight: 4, arbitrary: fc.uuid() }, fc.constantFrom('k-1', 'k-2')),
  },
  { requiredKeys: ['content-type', 'authorization'] },
) as fc.Arbitrary<Record<string, string>>;

const headers = fc.oneof(messyHeaders, cleanHeaders);

const field = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(SPOCK.name, SPOCK.address, GABE.name, GABE.address, UNPROCESSABLE.name, 'evil', '  ', '') },
  fc.string({ maxLength: 250 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const nearlyValid = fc.record(
  {
    name: field,
    address: field,
    decision: fc.oneof(fc.constantFrom('APPROVE', 'REJECT', 'approve', 'MAYBE'), fc.jsonValue({ maxDepth: 1 })),
    reviewer: field,
    taskToken: field,
    command: fc.oneof(fc.constantFrom('CHECK_NAME', 'CHECK_ADDRESS', 'CHECK_PHONE'), fc.jsonValue({ maxDepth: 1 })),
    data: fc.record({ name: field, address: field }, { requiredKeys: [] }),
    __proto__: fc.jsonValue({ maxDepth: 1 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

// Documents close enough to valid that many pass, so successful submissions and reviews are fuzzed too.
const plausible = fc.oneof(
  { weight: 4, arbitrary: fc.record({ name: field, address: field }) },
  fc.record({ decision: fc.constantFrom('APPROVE', 'REJECT') }),
  fc.record({ decision: fc.constantFrom('APPROVE', 'REJECT'), reviewer: field }),
);

const body = fc.oneof(
  { weight: 8, arbitrary: plausible.map((value) => JSON.stringify(value)) },
  { weight: 3, arbitrary: nearlyValid.map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', 'null', '{"name":"Spock","address":"1 Main"', '\u00ef\u00bb\u00bf{}') },
  { weight: 1, arbitrary: fc.integer({ min: 16_000, max: 17_000 }).map((n) => JSON.stringify({ name: 'x'.repeat(n), address: '1 Main' })) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const method = fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND');

const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.constantFrom('state', 'limit', 'cursor', 'sort'), headerValue, { maxKeys: 3 })
    .map((q) => new URLSearchParams(q).toString()),
  fc.string({ maxLength: 40 }),
);

let h: Harness;
let known: string[];

const id = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    fc.constant('app_01970e5c-7f3a-7cc2-9a43-5b1f0c2d9e8a'),
    fc.uuid().map((u) => `app_${u}`),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom('%', '%E0%A4%A', '..', '%2F', ''),
  );

const path = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant('/applications') },
    id().map((i) => `/applications/${i}`),
    id().map((i) => `/applications/${i}/history`),
    { weight: 3, arbitrary: id().map((i) => `/applications/${i}/review`) },
    fc.constantFrom('/checks/name', '/checks/address', '/data-checks', '/healthz', '/openapi.json', '/docs', '/applications/'),
    fc.webPath(),
  );

const snapshot = async (): Promise<Map<string, string>> =>
  new Map(((await h.everything()) as Stored[]).map((a) => [a.id, JSON.stringify(a)]));

/** Builds the request as fetch would; undefined when fetch itself refuses it (it never reaches the server). */
function toRequest(m: string, p: string, q: string, hs: Record<string, string>, b: string | Uint8Array | undefined): Request | undefined {
  try {
    const withBody = b !== undefined && m !== 'GET' && m !== 'HEAD';
    return new Request(`http://bank.test${p}${q === '' ? '' : `?${q}`}`, { method: m, headers: hs, ...(withBody ? { body: b } : {}) });
  } catch {
    return undefined;
  }
}

describe('fuzzed requests', () => {
  beforeAll(async () => {
    h = createHarness();
    known = [];
    // Many applications wait for review, so fuzzed reviews can succeed more than a few times.
    for (const input of [...Array.from({ length: 30 }, () => GABE), SPOCK, UNPROCESSABLE]) known.push((await h.submit(input)).id);
  });

  it('never answer 5xx, always answer errors as problems, and change the store only by a successful submit or review', async () => {
    let reached = 0;
    await fc.assert(
      fc.asyncProperty(method, path(), query, headers, body, async (m, p, q, hs, b) => {
        const request = toRequest(m, p, q, hs, b);
        if (request === undefined) return;
        reached++;
        const before = await snapshot();
        const res = await h.app.request(request);
        const text = await res.text();
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          if (m !== 'HEAD') expect(JSON.parse(text)).toMatchObject({ status: res.status, type: expect.stringMatching(/^\/problems\//) });
        }
        const after = await snapshot();
        const changed = [...after].filter(([key, value]) => before.get(key) !== value).map(([key]) => key);
        const url = new URL(request.url);
        const isSubmit = m === 'POST' && url.pathname === '/applications';
        const isReview = m === 'POST' && /^\/applications\/[^/]+\/review$/.test(url.pathname);
        expect([...before.keys()].every((key) => after.has(key))).toBe(true);
        if (res.status >= 300 || !(isSubmit || isReview)) {
          expect(changed).toStrictEqual([]);
        } else if (isSubmit) {
          expect(changed.length).toBeLessThanOrEqual(1);
          if (changed.length === 1) expect(before.has(changed[0]!)).toBe(false);
        } else {
          const reviewed = JSON.parse(text) as Stored;
          expect(changed).toStrictEqual([reviewed.id]);
          expect(JSON.parse(before.get(reviewed.id)!)).toMatchObject({ state: 'FLAGGED_FOR_REVIEW' });
          expect(['APPROVED', 'REJECTED']).toContain(reviewed.state);
        }
      }),
      { numRuns: 3000 },
    );
    expect(reached).toBeGreaterThan(2500);
  });

  it('answer 401 on every reviewer route to any credentials but a reviewer token, changing nothing', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET /applications', 'GET /applications/:id', 'GET /applications/:id/history', 'POST /applications/:id/review'),
        fc.constantFrom(...known),
        authorization.filter((a) => a === undefined || !a.toLowerCase().includes(REVIEWER_TOKEN.toLowerCase())),
        fc.oneof(
          nearlyValid.map((v) => JSON.stringify(v)),
          fc.constant(JSON.stringify({ decision: 'APPROVE' })),
        ),
        async (route, appId, auth, json) => {
          const [m, p] = route.replace(':id', appId).split(' ') as [string, string];
          const hs: Record<string, string> = { 'content-type': 'application/json', ...(auth === undefined ? {} : { authorization: auth }) };
          const request = toRequest(m, p, '', hs, m === 'POST' ? json : undefined);
          if (request === undefined) return;
          const res = await h.app.request(request);
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        },
      ),
      { numRuns: 1000 },
    );
    expect(await snapshot()).toStrictEqual(before);
  });
});
