import { renderApplicationSvg, renderWorkflowSvg } from '@bank/core';
import { describe, expect, it } from 'vitest';
import { createHarness, GABE, problemOf, REVIEWER_TOKEN, SPOCK, UNPROCESSABLE } from '../testing/harness.js';

/** The mark of every state in a graph, read from its `data-state` / `data-mark` attributes. */
function marksOf(svg: string): Record<string, string> {
  const marks: Record<string, string> = {};
  for (const [, state, mark] of svg.matchAll(/data-state="([^"]+)" data-mark="([^"]+)"/g)) marks[state!] = mark!;
  return marks;
}

const graphOf = (h: ReturnType<typeof createHarness>, id: string) =>
  h.request('GET', `/applications/${id}/graph.svg`, { token: REVIEWER_TOKEN });

describe('GET /machine.svg', () => {
  it('is public and answers the workflow diagram as a cacheable SVG', async () => {
    const res = await createHarness().request('GET', '/machine.svg');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    const body = await res.text();
    expect(body).toBe(renderWorkflowSvg());
    expect(body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* role="img">/);
    expect(body).toContain('data-state="checking.address.done"');
    expect(body).not.toContain('data-mark=');
  });
});

describe('GET /applications/{id}/graph.svg', () => {
  it('needs a reviewer token', async () => {
    const h = createHarness();
    const { id } = await h.submit(SPOCK);
    const res = await h.request('GET', `/applications/${id}/graph.svg`);
    expect(res.status).toBe(401);
    expect(await problemOf(res)).toMatchObject({ code: 'unauthorized' });
    expect((await h.request('GET', `/applications/${id}/graph.svg`, { token: 'wrong' })).status).toBe(401);
  });

  it('answers 404 for an unknown application', async () => {
    const res = await graphOf(createHarness(), 'app_01900000-0000-7000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ code: 'not_found' });
  });

  it('marks the reference paths: Spock approved, Gabe waiting then approved, UNPROCESSABLE_DATA unprocessable', async () => {
    const h = createHarness();
    const spock = await h.submit(SPOCK);
    const res = await graphOf(h, spock.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body).toBe(renderApplicationSvg(await h.runtime.get(spock.id), await h.runtime.history(spock.id)));
    expect(marksOf(body)).toMatchObject({ reviewRequired: 'passed', pendingReview: 'unvisited', approved: 'ended' });

    const gabe = await h.submit(GABE);
    const waiting = marksOf(await (await graphOf(h, gabe.id)).text());
    expect(waiting).toMatchObject({ 'checking.address.done': 'passed', pendingReview: 'current', approved: 'unvisited' });
    const { taskToken } = (await (await h.request('GET', `/applications/${gabe.id}`, { token: REVIEWER_TOKEN })).json()) as {
      taskToken: string;
    };
    const reviewed = await h.request('POST', `/applications/${gabe.id}/review`, {
      token: REVIEWER_TOKEN,
      body: { decision: 'APPROVE', taskToken },
    });
    expect(reviewed.status).toBe(200);
    const approvedBody = await (await graphOf(h, gabe.id)).text();
    expect(marksOf(approvedBody)).toMatchObject({
      pendingReview: 'passed',
      deciding: 'passed',
      reviewApproved: 'passed',
      approved: 'ended',
    });
    expect(approvedBody).toContain('APPROVE by riker');

    const unprocessable = await h.submit(UNPROCESSABLE);
    const marks = marksOf(await (await graphOf(h, unprocessable.id)).text());
    expect(Object.entries(marks).filter(([, mark]) => mark === 'ended')).toStrictEqual([['unprocessable', 'ended']]);
  });
});
