import { hc } from 'hono/client';
import { describe, expect, it } from 'vitest';
import type { AppType } from './index.js';
import { createHarness, GABE, REVIEWER_TOKEN, SPOCK } from './testing/harness.js';

// The typed client a CLI or a user would write, sending its requests straight into the app.
const clientFor = (h: ReturnType<typeof createHarness>, token?: string) =>
  hc<AppType>('http://bank.test', {
    fetch: (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      h.app.request(input instanceof Request ? input : String(input), init),
    ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
  });

describe('the typed client (hc<AppType>)', () => {
  it('submits, lists, reads and reviews with typed responses', async () => {
    const h = createHarness();
    const client = clientFor(h, REVIEWER_TOKEN);

    const approved = await client.applications.$post({ json: SPOCK });
    expect(approved.status).toBe(201);
    if (approved.status !== 201) throw new Error('not created');
    expect((await approved.json()).state).toBe('APPROVED');

    const flagged = await client.applications.$post({ json: GABE }, { headers: { 'Idempotency-Key': 'k-1' } });
    if (flagged.status !== 201) throw new Error('not created');
    const { id } = await flagged.json();

    const page = await client.applications.$get({ query: { state: 'FLAGGED_FOR_REVIEW' } });
    if (page.status !== 200) throw new Error('not listed');
    expect((await page.json()).items.map((a) => a.id)).toStrictEqual([id]);

    const review = await client.applications[':id'].review.$post({ param: { id }, json: { decision: 'REJECT' } });
    if (review.status !== 200) throw new Error('not reviewed');
    expect((await review.json()).state).toBe('REJECTED');

    const history = await client.applications[':id'].history.$get({ param: { id } });
    if (history.status !== 200) throw new Error('no history');
    expect((await history.json()).events.at(-1)?.type).toBe('execution.succeeded');

    const again = await client.applications[':id'].review.$post({ param: { id }, json: { decision: 'APPROVE' } });
    expect(again.status).toBe(409);
    if (again.status === 409) expect((await again.json()).code).toBe('conflict');
  });

  it('reaches the checks and the health check', async () => {
    const client = clientFor(createHarness());
    const name = await client.checks.name.$post({ json: { name: 'evil' } });
    if (name.status !== 200) throw new Error('check failed');
    expect((await name.json()).flagged).toBe(true);
    const command = await client['data-checks'].$post({ json: { command: 'CHECK_ADDRESS', data: { address: '1 Main' } } });
    if (command.status !== 200) throw new Error('check failed');
    expect(await command.json()).toStrictEqual({ flagged: false });
    expect((await client.healthz.$get()).status).toBe(200);
  });

  it('sees 401 problems on reviewer routes without a token', async () => {
    const res = await clientFor(createHarness()).applications.$get({ query: {} });
    expect(res.status).toBe(401);
  });
});
