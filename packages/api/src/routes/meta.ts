import { DomainError, isDomainError, type Runtime } from '@bank/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { docsContentSecurityPolicy, docsPage } from '../docs-page.js';
import { problemResponses, validationHook, type AppEnv } from '../openapi.js';
import { HealthSchema, ReadinessSchema } from '../schemas.js';

/** How long a readiness probe's result is reused, so a busy load balancer does not turn into a write load. */
export const READINESS_CACHE_MS = 1000;

/** How long a readiness probe may take: a store that cannot write within this is not ready (e.g. locked). */
export const READINESS_TIMEOUT_MS = 1000;

/** What the meta routes need. */
export interface MetaRoutesDeps {
  /** The runtime, whose store `/readyz` probes. */
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

/**
 * Probes the store at most once per {@link READINESS_CACHE_MS}; callers in between share the last result (or the
 * probe in flight), so readiness costs one small write a second however often it is asked.
 */
function createReadiness(runtime: Runtime, now: () => number = Date.now) {
  let last: { at: number; error: unknown } | undefined;
  let inFlight: Promise<{ at: number; error: unknown }> | undefined;
  return async (): Promise<{ at: number; error: unknown }> => {
    if (last && now() - last.at < READINESS_CACHE_MS) return last;
    inFlight ??= new Promise<{ at: number; error: unknown }>((resolve) => {
      const settle = (error: unknown) => {
        clearTimeout(timer);
        resolve({ at: now(), error });
      };
      // A probe still waiting for a lock after this long says enough; its late answer is not waited for.
      const timer = setTimeout(
        () => settle(new DomainError('store_unavailable', `the store did not answer within ${READINESS_TIMEOUT_MS} ms`)),
        READINESS_TIMEOUT_MS,
      );
      runtime.ping().then(() => settle(undefined), settle);
    });
    try {
      last = await inFlight;
    } finally {
      inFlight = undefined;
    }
    return last;
  };
}

/** `/healthz` (liveness), `/readyz` (readiness), `/openapi.json` and `/docs`. */
export function metaRoutes(deps: MetaRoutesDeps) {
  const health = createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['meta'],
    operationId: 'health',
    summary: 'Liveness',
    description:
      'Answers `200` while the process serves requests. It does not touch the store: restart the process only when ' +
      'this fails; route traffic by `/readyz`.',
    responses: {
      200: { description: 'The process answers.', content: { 'application/json': { schema: HealthSchema } } },
    },
  });

  const ready = createRoute({
    method: 'get',
    path: '/readyz',
    tags: ['meta'],
    operationId: 'readiness',
    summary: 'Readiness',
    description:
      'Answers `200` when the store can read and write now, by a real probe (a small write that commits), cached ' +
      `for ${READINESS_CACHE_MS} ms. \`503\` (with \`Retry-After\`) while the store is unavailable (locked, read-only, ` +
      'full, unreachable); `500` `store_corrupt` when its data is damaged.',
    responses: {
      200: { description: 'Ready.', content: { 'application/json': { schema: ReadinessSchema } } },
      ...problemResponses({ 500: 'The store is damaged (`store_corrupt`).', 503: 'The store cannot read and write now.' }),
    },
  });

  const readiness = createReadiness(deps.runtime);

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(health, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const { at, error } = await readiness();
      if (error !== undefined) {
        if (isDomainError(error) && error.code === 'store_corrupt') throw error;
        throw new DomainError('store_unavailable', 'the store cannot read and write now', { cause: error });
      }
      return c.json({ status: 'ready' as const, checkedAt: new Date(at).toISOString() }, 200);
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
