import { DomainError, type Runtime } from '@bank/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { docsContentSecurityPolicy, docsPage } from '../docs-page.js';
import { problemResponses, validationHook, type AppEnv } from '../openapi.js';
import { HealthSchema } from '../schemas.js';

/** What the meta routes need. */
export interface MetaRoutesDeps {
  /** The runtime, whose store `/healthz` pings. */
  readonly runtime: Runtime;
  /** The OpenAPI document of the whole app (built once, on first use). */
  readonly document: () => object;
  /** The title of the docs page. */
  readonly title: string;
}

const newNonce = (): string => {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
};

/** `/healthz`, `/openapi.json` and `/docs`. */
export function metaRoutes(deps: MetaRoutesDeps) {
  const health = createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['meta'],
    operationId: 'health',
    summary: 'Health check',
    description: 'Answers `200` when the server and its store answer, `503` when the store does not.',
    responses: {
      200: { description: 'Healthy.', content: { 'application/json': { schema: HealthSchema } } },
      ...problemResponses({ 503: 'The store does not answer.' }),
    },
  });

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(health, async (c) => {
      try {
        await deps.runtime.ping();
      } catch (e) {
        throw new DomainError('store_unavailable', 'the store does not answer', { cause: e });
      }
      c.header('Cache-Control', 'no-store');
      return c.json({ status: 'ok' as const }, 200);
    })
    .get('/openapi.json', (c) => c.json(deps.document()))
    .get('/docs', (c) => {
      const nonce = newNonce();
      c.header('Content-Security-Policy', docsContentSecurityPolicy(nonce));
      c.header('X-Content-Type-Options', 'nosniff');
      c.header('Referrer-Policy', 'no-referrer');
      return c.html(docsPage(nonce, deps.title));
    });
}
