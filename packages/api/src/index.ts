/**
 * `@bank/api`: the HTTP API of bank-workflows, one Hono app on the durable core runtime. `createApp` has no
 * runtime-specific imports, so the same app runs on Node (`startServer` from `@bank/api/node`) and on Cloudflare
 * Workers (`createWorker`, default-exported by `src/worker.ts` on a D1 store); `AppType` gives callers a typed client
 * with `hc` from `hono/client`.
 * @module
 */
export { API_TITLE, API_VERSION, createApp, type AppDeps, type AppType } from './app.js';
export { MAX_BODY_BYTES } from './body.js';
export {
  createWorker,
  DEFAULT_CRON_FOLLOW_UP_MS,
  DEFAULT_FOLLOW_UP_MS,
  FOLLOW_UP_POLL_MS,
  type WorkerContext,
  type WorkerEnv,
  type WorkerHandler,
  type WorkerOptions,
  type WorkerScheduledController,
} from './edge.js';
export { DEFAULT_REVIEWER_NAME, parseCredential, parseTokenList, type AuthVariables, type Credential } from './auth.js';
export { jsonLogger, REQUEST_ID_HEADER, type Logger, type LogLine, type RequestVariables } from './logger.js';
export type { AppEnv } from './openapi.js';
export { PROBLEM_CONTENT_TYPE, type HttpProblemCode, type ProblemCode, type ProblemDocument } from './problem.js';
