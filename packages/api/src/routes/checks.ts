import { checkAddress, checkName, isUnprocessableDataError, runDataCheck, type CheckResult } from '@bank/checks';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { jsonBody } from '../body.js';
import { AUTH_PROBLEMS, BODY_PROBLEMS, problemResponses, SUBMIT_SCHEME, validationHook, type AppEnv } from '../openapi.js';
import { HttpProblem } from '../problem.js';
import { AddressCheckBodySchema, CheckResultSchema, DataCheckBodySchema, NameCheckBodySchema } from '../schemas.js';

/** What the check routes need. */
export interface CheckRoutesDeps {
  /** Lets callers through (everyone, unless submit tokens are configured). */
  readonly submitter: MiddlewareHandler;
  /** Whether the checks need a token (for the OpenAPI document). */
  readonly submitGated: boolean;
}

/**
 * Runs a check; a value the check cannot process becomes a `422` problem. The detail is fixed, because the
 * check's own message quotes the value.
 * @throws {HttpProblem} `unprocessable_data`.
 */
function runCheck(check: () => CheckResult): CheckResult {
  try {
    return check();
  } catch (e) {
    if (isUnprocessableDataError(e)) throw new HttpProblem('unprocessable_data', 'The check cannot process this value.');
    throw e;
  }
}

/** The stateless data checks: `/checks/name`, `/checks/address` and the reference command interface `/data-checks`. */
export function checkRoutes(deps: CheckRoutesDeps) {
  const security = deps.submitGated ? { security: [{ [SUBMIT_SCHEME]: [] }] } : {};
  const responses = {
    200: { description: 'The check result.', content: { 'application/json': { schema: CheckResultSchema } } },
    ...problemResponses({
      ...BODY_PROBLEMS,
      ...(deps.submitGated ? AUTH_PROBLEMS : {}),
      422: 'The check cannot process the value (the reference `UNPROCESSABLE_DATA` name).',
    }),
  };

  const name = createRoute({
    method: 'post',
    path: '/checks/name',
    tags: ['checks'],
    operationId: 'checkName',
    summary: 'Check a name',
    description: 'Flagged when the name contains `evil`.',
    middleware: [deps.submitter, jsonBody()] as const,
    ...security,
    request: { body: { required: true, content: { 'application/json': { schema: NameCheckBodySchema } } } },
    responses,
  });

  const address = createRoute({
    method: 'post',
    path: '/checks/address',
    tags: ['checks'],
    operationId: 'checkAddress',
    summary: 'Check an address',
    description: 'Flagged unless a house number stands next to a street name.',
    middleware: [deps.submitter, jsonBody()] as const,
    ...security,
    request: { body: { required: true, content: { 'application/json': { schema: AddressCheckBodySchema } } } },
    responses,
  });

  const command = createRoute({
    method: 'post',
    path: '/data-checks',
    tags: ['checks'],
    operationId: 'runDataCheck',
    summary: 'Run a data-checking command',
    description: 'The reference command interface: `{ "command": "CHECK_NAME", "data": { "name": "Spock" } }`.',
    middleware: [deps.submitter, jsonBody()] as const,
    ...security,
    request: { body: { required: true, content: { 'application/json': { schema: DataCheckBodySchema } } } },
    responses,
  });

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(name, (c) =>
      c.json(
        runCheck(() => checkName(c.req.valid('json').name)),
        200,
      ),
    )
    .openapi(address, (c) =>
      c.json(
        runCheck(() => checkAddress(c.req.valid('json').address)),
        200,
      ),
    )
    .openapi(command, (c) =>
      c.json(
        runCheck(() => runDataCheck(c.req.valid('json'))),
        200,
      ),
    );
}
