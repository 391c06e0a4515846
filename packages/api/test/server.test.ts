// The real Node server as a child process (`node dist/serve.js`, built by the `build` target this test
// depends on), on 127.0.0.1 and a SQLite file in a temporary folder, driven over HTTP with fetch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killServers, serve as serveProcess } from './served.js';

const TOKEN = 'integration-reviewer-token';
const SPOCK = { name: 'Spock', address: '123 Enterprise Street' };
const GABE = { name: 'Gabe', address: 'ABadAddress' };
const UNPROCESSABLE = { name: 'UNPROCESSABLE_DATA', address: '123 Street' };

let dir: string;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'bank-api-server-'));
});

afterEach(killServers);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serve = (db: string, env: Record<string, string> = { BANK_REVIEWER_TOKENS: TOKEN }) =>
  serveProcess({ BANK_DB: join(dir, db), ...env });

const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { id: string; state: string };
const auth = { Authorization: `Bearer ${TOKEN}` };

const submit = async (url: string, input: unknown) => {
  const res = await fetch(`${url}/applications`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  expect(res.status).toBe(201);
  return json(res);
};

const review = (url: string, id: string, decision: string) =>
  fetch(`${url}/applications/${id}/review`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...auth },
    body: JSON.stringify({ decision }),
  });

const listByState = async (url: string, state: string) => {
  const res = await fetch(`${url}/applications?state=${state}`, { headers: auth });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((a) => a.id);
};

describe('the Node server (node dist/serve.js)', () => {
  it('runs the three reference cases over HTTP, and stops with exit code 0 on SIGTERM', async () => {
    const server = await serve('reference.db');
    const { url } = server;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(await submit(url, SPOCK)).toMatchObject({ ...SPOCK, state: 'APPROVED' });

    const gabe = await submit(url, GABE);
    expect(gabe.state).toBe('FLAGGED_FOR_REVIEW');
    const another = await submit(url, GABE);
    expect(await listByState(url, 'FLAGGED_FOR_REVIEW')).toStrictEqual([gabe.id, another.id]);

    const approved = await review(url, gabe.id, 'APPROVE');
    expect(approved.status).toBe(200);
    expect(await json(approved)).toMatchObject({ id: gabe.id, state: 'APPROVED' });
    const rejected = await review(url, another.id, 'REJECT');
    expect(await json(rejected)).toMatchObject({ id: another.id, state: 'REJECTED' });
    expect(await listByState(url, 'FLAGGED_FOR_REVIEW')).toStrictEqual([]);

    expect(await submit(url, UNPROCESSABLE)).toMatchObject({ state: 'FLAGGED_WITH_UNPROCESSABLE_DATA' });

    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toStrictEqual({ status: 'ok' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toStrictEqual({ code: 0, signal: null });
    expect(server.lines.map((l) => l['msg'])).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    // Logs are structured and hold no personal data.
    const log = JSON.stringify(server.lines);
    for (const personal of ['Spock', 'Enterprise', 'Gabe', 'ABadAddress', gabe.id]) expect(log).not.toContain(personal);
    expect(server.lines.filter((l) => l['msg'] === 'request')).toHaveLength(9);
  });

  it('survives SIGKILL while an application waits for review, and completes the review after a restart', async () => {
    const first = await serve('crash.db');
    const waiting = await submit(first.url, GABE);
    expect(waiting.state).toBe('FLAGGED_FOR_REVIEW');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = await serve('crash.db');
    expect(second.lines).toContainEqual(expect.objectContaining({ msg: 'listening' }));
    expect(await listByState(second.url, 'FLAGGED_FOR_REVIEW')).toStrictEqual([waiting.id]);
    const res = await review(second.url, waiting.id, 'APPROVE');
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: waiting.id, state: 'APPROVED', review: { decision: 'APPROVE' } });
    const history = (await (await fetch(`${second.url}/applications/${waiting.id}/history`, { headers: auth })).json()) as {
      events: { type: string }[];
    };
    expect(history.events.map((e) => e.type)).toContain('review.received');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('lets exactly one of 50 concurrent reviews of one application win; the rest get 409', async () => {
    const server = await serve('race.db');
    const { id } = await submit(server.url, GABE);
    const decisions = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 'APPROVE' : 'REJECT'));
    const responses = await Promise.all(decisions.map((decision) => review(server.url, id, decision)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const winner = responses[statuses.indexOf(200)]!;
    const final = await json(winner);
    const stored = await json(await fetch(`${server.url}/applications/${id}`, { headers: auth }));
    expect(stored.state).toBe(final.state);
    expect(stored['review']).toStrictEqual(final['review']);
    for (const loser of responses.filter((r) => r.status === 409)) {
      expect(loser.headers.get('content-type')).toBe('application/problem+json');
      expect(((await loser.json()) as { code: string }).code).toBe('conflict');
    }
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });

  it('generates and prints a reviewer token once when none is configured', async () => {
    const server = await serve('generated.db', {});
    // The token is printed right after the listening line; give the pipe a moment.
    for (let i = 0; i < 100 && !/Set BANK_REVIEWER_TOKENS/.test(server.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
    const match = /generated for this run only:\s+(\S+)/.exec(server.stderr());
    expect(match).not.toBeNull();
    const token = match![1]!;
    expect(server.stderr().split(token)).toHaveLength(2); // printed exactly once
    expect(JSON.stringify(server.lines)).not.toContain(token); // and never into the log stream
    expect((await fetch(`${server.url}/applications`)).status).toBe(401);
    expect((await fetch(`${server.url}/applications`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exited).toStrictEqual({ code: 0, signal: null });
  });

  it('refuses to start with a bad PORT, exiting 1', async () => {
    await expect(serve('bad.db', { PORT: 'eighty', BANK_REVIEWER_TOKENS: TOKEN })).rejects.toThrow(/exited \(1\)/);
  });
});
