// Runtime-neutral: no node: imports and no store. Entry files (node.ts, later the Workers entry) build the
// runtime and serve this app.
import { DomainError, type Runtime } from '@bank/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { allowAll, requireBearer } from './auth.js';
import { consoleRoutes } from './console/routes.js';
import { clientClosedResponse, isClientAbort, jsonLogger, requestLogger, type Logger } from './logger.js';
import { REVIEWER_SCHEME, SUBMIT_SCHEME, validationHook, type AppEnv } from './openapi.js';
import { classify, HttpProblem, problem } from './problem.js';
import { applicationRoutes } from './routes/applications.js';
import { checkRoutes } from './routes/checks.js';
import { graphRoutes } from './routes/graph.js';
import { metaRoutes } from './routes/meta.js';

/** The title of the API in its OpenAPI document and docs page. */
export const API_TITLE = 'bank-workflows API';

/** The version of the API in its OpenAPI document. */
export const API_VERSION = '0.1.0';

/** What {@link createApp} builds the app from. */
export interface AppDeps {
  /** The durable runtime every route drives. */
  readonly runtime: Runtime;
  /** Bearer tokens that may list, read, and review applications. An empty list locks those routes. */
  readonly reviewerTokens: readonly string[];
  /** Mixed into the key that signs reviewer console sessions; needed when every reviewer token is a `sha256:` digest. */
  readonly consoleSecret?: string | undefined;
  /** When non-empty, submitting and the checks need one of these bearer tokens (or a reviewer token). */
  readonly submitTokens?: readonly string[] | undefined;
  /** Where structured log lines go (default: one JSON line per entry on standard output). */
  readonly logger?: Logger | undefined;
  /** Development mode: error responses carry the stack and cause. Never enable it in production. */
  readonly dev?: boolean | undefined;
}

const nonEmpty = (tokens: readonly string[] | undefined): string[] => (tokens ?? []).filter((t) => t.length > 0);

/** Describes an error for the log: name, message, stack and the chain of causes. */
function describeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined && depth < 4 ? { cause: describeError(error.cause, depth + 1) } : {}),
  };
}

/**
 * Answers any method a path does not route with `405` and an `Allow` header, and `OPTIONS` with `204`.
 * Registered after every route, so a routed method always wins.
 */
function addMethodFallbacks(app: OpenAPIHono<AppEnv>): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    methodsByPath.set(route.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    const allow = [...methods].join(', ');
    app.options(path, (c) => c.body(null, 204, { Allow: allow }));
    app.all(path, (c) => {
      throw new HttpProblem('method_not_allowed', `${c.req.method} is not allowed here; allowed: ${allow}`, { Allow: allow });
    });
  }
}

/**
 * Builds the HTTP API as one Hono app with no runtime-specific imports; serve it with `@hono/node-server`
 * (see `startServer` in `@bank/api/node`) or any runtime that speaks `fetch`.
 * @example
 * ```ts
 * import { createApp } from '@bank/api';
 * import { createMemoryStore, createRuntime } from '@bank/core';
 * const app = createApp({ runtime: createRuntime({ store: createMemoryStore() }), reviewerTokens: ['s3cret'] });
 * const res = await app.request('/applications', {
 *   method: 'POST',
 *   headers: { 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ name: 'Spock', address: '123 Enterprise Street' }),
 * }); // 201, { state: 'APPROVED', ... }
 * ```
 */
export function createApp(deps: AppDeps) {
  const log = deps.logger ?? jsonLogger;
  const reviewerTokens = nonEmpty(deps.reviewerTokens);
  const submitTokens = nonEmpty(deps.submitTokens);
  const submitGated = submitTokens.length > 0;
  const reviewer = requireBearer(reviewerTokens);
  const submitter = submitGated ? requireBearer([...submitTokens, ...reviewerTokens]) : allowAll;

  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', requestLogger(log));
  app.use('*', async function responseHeaders(c, next) {
    await next();
    // Responses carry personal data (names, addresses): no cache may keep them, and no browser may sniff them.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
  });

  const render = (c: Context<AppEnv>, error: unknown) => {
    // A client that hung up (mid-body, typically) gets no answer and is no server failure: the request line says 499.
    if (isClientAbort(c.req.raw, error)) return clientClosedResponse();
    const failure = classify(error);
    if (failure.status >= 500) {
      // Server failures are always logged in full (never with the request body, which holds personal data).
      log({
        time: new Date().toISOString(),
        level: 'error',
        msg: 'request failed',
        requestId: c.get('requestId'),
        code: failure.code,
        error: describeError(failure.error),
      });
    }
    return problem(c, error, { dev: deps.dev, requestId: c.get('requestId') });
  };
  app.onError((error, c) => render(c, error));
  app.notFound((c) => render(c, new DomainError('not_found', 'no such route')));

  app.openAPIRegistry.registerComponent('securitySchemes', REVIEWER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'A reviewer token from `BANK_REVIEWER_TOKENS`.',
  });
  if (submitGated) {
    app.openAPIRegistry.registerComponent('securitySchemes', SUBMIT_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'A submitter token from `BANK_SUBMIT_TOKENS` (a reviewer token works too).',
    });
  }

  let document: object | undefined;
  const routed = app
    .route('/', applicationRoutes({ runtime: deps.runtime, reviewer, submitter, submitGated }))
    .route('/', checkRoutes({ submitter, submitGated }))
    .route('/', graphRoutes({ runtime: deps.runtime, reviewer }))
    .route(
      '/',
      metaRoutes({
        runtime: deps.runtime,
        title: API_TITLE,
        document: () =>
          (document ??= app.getOpenAPI31Document({
            openapi: '3.1.0',
            info: {
              title: API_TITLE,
              version: API_VERSION,
              description:
                'Durable bank account application workflows: submit an application, let the name and address ' +
                'checks run, and review flagged ones. Errors are RFC 9457 `application/problem+json` documents.',
            },
            tags: [
              { name: 'applications', description: 'Submit, list, read and review applications.' },
              { name: 'checks', description: 'The stateless data checks.' },
              { name: 'graphs', description: 'The workflow as an SVG diagram, and the path of an application through it.' },
              { name: 'meta', description: 'Health.' },
            ],
          })),
      }),
    );
  // The reviewer console: HTML pages on the same runtime; kept out of AppType, which types the JSON API's client.
  app.route('/', consoleRoutes({ runtime: deps.runtime, reviewerTokens, consoleSecret: deps.consoleSecret, logger: log }));
  addMethodFallbacks(app);
  return routed;
}

/** The type of the app, for a typed client: `hc<AppType>('http://127.0.0.1:8787')`. */
export type AppType = ReturnType<typeof createApp>;
