import { DomainError } from '@bank/core';
import { compileErrors, validate } from '@readme/openapi-parser';
import { createMemoryStore } from '@bank/core';
import { describe, expect, it } from 'vitest';
import { DOCS_SCRIPT, escapeHtml } from '../docs-page.js';
import { createHarness, problemOf } from '../testing/harness.js';

type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; operationId?: string; requestBody?: unknown; parameters?: unknown[] }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};

const documentOf = async (h = createHarness()) => (await (await h.request('GET', '/openapi.json')).json()) as OpenApiDocument;

/** A memory store whose ping fails while `fault` is set, counting probes. */
function faultyStore(fault: { error: unknown }) {
  const store = createMemoryStore();
  let probes = 0;
  return {
    probes: () => probes,
    store: {
      ...store,
      ping: async () => {
        probes++;
        if (fault.error !== undefined) throw fault.error;
        return store.ping();
      },
    },
  };
}

describe('GET /healthz', () => {
  it('answers 200 while the process serves requests, even when the store cannot write', async () => {
    const { store, probes } = faultyStore({ error: new DomainError('store_unavailable', 'read-only') });
    const res = await createHarness({ store }).request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ status: 'ok' });
    expect(probes()).toBe(0);
  });
});

describe('GET /readyz', () => {
  it('answers 200 when the store can read and write', async () => {
    const res = await createHarness().request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checkedAt: expect.any(String) });
  });

  it('answers 503 with Retry-After while the store cannot write, without its message, and 200 once it can', async () => {
    const fault: { error: unknown } = { error: new DomainError('store_unavailable', 'cannot open /var/lib/secret/bank.db') };
    const { store } = faultyStore(fault);
    const h = createHarness({ store });
    const res = await h.request('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ code: 'store_unavailable', status: 503, title: 'Store unavailable' });
    expect(JSON.stringify(problem)).not.toContain('/var/lib');
    fault.error = undefined;
    await new Promise((resolve) => setTimeout(resolve, 1050)); // past the probe cache
    expect((await h.request('GET', '/readyz')).status).toBe(200);
  });

  it('answers 500 store_corrupt, not retryable, when the store is damaged', async () => {
    const { store } = faultyStore({ error: new DomainError('store_corrupt', 'file is not a database') });
    const res = await createHarness({ store }).request('GET', '/readyz');
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await problemOf(res)).toMatchObject({ code: 'store_corrupt' });
  });

  it('answers 503 when the probe does not finish within a second (e.g. waiting for a lock)', async () => {
    const store = createMemoryStore();
    const h = createHarness({ store: { ...store, ping: () => new Promise<void>(() => {}) } });
    const started = Date.now();
    const res = await h.request('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('probes the store at most once a second however often it is asked', async () => {
    const { store, probes } = faultyStore({ error: undefined });
    const h = createHarness({ store });
    await Promise.all(Array.from({ length: 50 }, () => h.request('GET', '/readyz')));
    for (let i = 0; i < 20; i++) await h.request('GET', '/readyz');
    expect(probes()).toBe(1);
  });
});

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    for (const h of [createHarness(), createHarness({ submitTokens: ['s'] })]) {
      const doc = await documentOf(h);
      expect(doc.openapi).toBe('3.1.0');
      const result = await validate(structuredClone(doc) as never);
      expect(result.valid ? '' : compileErrors(result)).toBe('');
      expect(result.specification).toBe('OpenAPI');
    }
  });

  it('describes every route with its method', async () => {
    const doc = await documentOf();
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toStrictEqual(
      [
        'GET /applications',
        'GET /applications/{id}',
        'GET /applications/{id}/graph.svg',
        'GET /applications/{id}/history',
        'GET /healthz',
        'GET /machine.svg',
        'GET /readyz',
        'POST /applications',
        'POST /applications/{id}/redrive',
        'POST /applications/{id}/review',
        'POST /checks/address',
        'POST /checks/name',
        'POST /data-checks',
      ].sort(),
    );
  });

  it('marks exactly the reviewer routes as needing a bearer token, and submit routes once gated', async () => {
    const secured = (doc: OpenApiDocument) =>
      Object.entries(doc.paths)
        .flatMap(([path, item]) => Object.entries(item).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op.security] as const))
        .filter(([, security]) => security !== undefined && security.length > 0)
        .map(([op]) => op)
        .sort();
    const open = await documentOf();
    expect(secured(open)).toStrictEqual(
      [
        'GET /applications',
        'GET /applications/{id}',
        'GET /applications/{id}/graph.svg',
        'GET /applications/{id}/history',
        'POST /applications/{id}/redrive',
        'POST /applications/{id}/review',
      ].sort(),
    );
    expect(Object.keys(open.components.securitySchemes)).toStrictEqual(['reviewerToken']);
    const gated = await documentOf(createHarness({ submitTokens: ['s'] }));
    expect(secured(gated)).toHaveLength(10);
    expect(Object.keys(gated.components.securitySchemes).sort()).toStrictEqual(['reviewerToken', 'submitToken']);
  });

  it('generates request schemas from the validating zod schemas', async () => {
    const doc = await documentOf();
    expect(doc.components.schemas['ApplicationInput']).toMatchObject({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, address: { type: 'string', maxLength: 200 } },
      required: ['name', 'address'],
      additionalProperties: false,
    });
    expect(doc.components.schemas['Review']).toMatchObject({
      properties: { decision: { enum: ['APPROVE', 'REJECT'] } },
      required: ['decision'],
    });
    expect(doc.paths['/applications']?.['get']?.parameters).toStrictEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'limit', in: 'query', schema: expect.objectContaining({ minimum: 1, maximum: 200 }) }),
        expect.objectContaining({ name: 'state', in: 'query' }),
        expect.objectContaining({ name: 'cursor', in: 'query' }),
      ]),
    );
    expect(doc.paths['/applications']?.['post']?.parameters).toStrictEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
    ]);
  });
});

describe('GET /docs', () => {
  it('serves a self-contained page whose inline code is allowed by a per-request nonce', async () => {
    const h = createHarness();
    const res = await h.request('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toMatch(/\b(src|href)=/); // nothing loaded from anywhere
    expect(html).not.toMatch(/https?:\/\//);
    const again = await h.request('GET', '/docs');
    expect(again.headers.get('content-security-policy')).not.toBe(csp);
  });

  it('ships a script that parses and never writes HTML from data', () => {
    expect(() => new Function(DOCS_SCRIPT)).not.toThrow();
    expect(DOCS_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(DOCS_SCRIPT).toContain("fetch(new URL('openapi.json', base))");
  });

  it('escapes text for HTML', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;');
  });
});
