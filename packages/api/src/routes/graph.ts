import { renderApplicationSvg, renderWorkflowSvg, type Runtime } from '@bank/core';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { AUTH_PROBLEMS, problemResponses, REVIEWER_SCHEME, validationHook, type AppEnv } from '../openapi.js';
import { ApplicationParamsSchema } from '../schemas.js';

/** What the graph routes need. */
export interface GraphRoutesDeps {
  /** The durable runtime, for an application and its history. */
  readonly runtime: Runtime;
  /** Lets only reviewers through. */
  readonly reviewer: MiddlewareHandler;
}

/** The media type of the graphs. */
export const SVG_CONTENT_TYPE = 'image/svg+xml; charset=utf-8';

/** How long caches may keep the workflow diagram: it changes only with a deployment. */
export const MACHINE_SVG_MAX_AGE_S = 3600;

const svgContent = { 'image/svg+xml': { schema: z.string().openapi({ description: 'A self-contained SVG document.' }) } } as const;

/** `GET /machine.svg` (public: the workflow itself) and `GET /applications/{id}/graph.svg` (reviewers: a path marked). */
export function graphRoutes(deps: GraphRoutesDeps) {
  const { runtime, reviewer } = deps;

  const machine = createRoute({
    method: 'get',
    path: '/machine.svg',
    tags: ['graphs'],
    operationId: 'getWorkflowGraph',
    summary: 'The workflow as a diagram',
    description:
      'The states and transitions of the workflow machine as an SVG state diagram, derived from the machine ' +
      'definition. Holds no application data, so it is public and cacheable.',
    responses: { 200: { description: 'The workflow diagram.', content: svgContent } },
  });

  const application = createRoute({
    method: 'get',
    path: '/applications/{id}/graph.svg',
    tags: ['graphs'],
    operationId: 'getApplicationGraph',
    summary: "An application's path through the workflow",
    description:
      'The workflow diagram with the path the application took marked, from its history: every state has ' +
      '`data-state` and `data-mark` (`passed`, `current`, `ended`, `failed`, `unvisited`), a text badge, and the ' +
      'check results, reasons and the review in `<title>`s.',
    middleware: [reviewer] as const,
    security: [{ [REVIEWER_SCHEME]: [] }],
    request: { params: ApplicationParamsSchema },
    responses: {
      200: { description: "The application's graph.", content: svgContent },
      ...problemResponses({ ...AUTH_PROBLEMS, 404: 'No such application.' }),
    },
  });

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(machine, (c) =>
      c.body(renderWorkflowSvg(), 200, { 'Content-Type': SVG_CONTENT_TYPE, 'Cache-Control': `public, max-age=${MACHINE_SVG_MAX_AGE_S}` }),
    )
    .openapi(application, async (c) => {
      const { id } = c.req.valid('param');
      const found = await runtime.get(id);
      const history = await runtime.history(id);
      // The path holds personal data (check reasons, the review): the app's default `no-store` applies.
      return c.body(renderApplicationSvg(found, history), 200, { 'Content-Type': SVG_CONTENT_TYPE });
    });
}
