/**
 * `@bank/api/node`: serves the API on Node with `@hono/node-server`, on a SQLite file, with the runtime's
 * scheduler running and a graceful shutdown. The only part of the package that needs Node.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createRuntime, isDomainError, type CheckFns, type Runtime } from '@bank/core';
import { openStore } from '@bank/core/open-store';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { parseTokenList } from './auth.js';
import {
  capConnectionsPerClient,
  connectionLimitsFromEnv,
  connectionsCheckingIntervalFor,
  createRefusalReporter,
  resolveConnectionLimits,
  type ConnectionLimitOptions,
} from './connection-limits.js';
import { jsonLogger, type Logger } from './logger.js';

export { DEFAULT_CONNECTION_LIMITS, type ConnectionLimitOptions, type ConnectionLimits } from './connection-limits.js';

/** The port served when none is configured. */
export const DEFAULT_PORT = 8787;

/** The interface listened on when none is configured: loopback only, so nothing is exposed by accident. */
export const DEFAULT_HOST = '127.0.0.1';

/** The SQLite file used when none is configured (relative to the working directory). */
export const DEFAULT_DB_PATH = '.bank/bank.db';

/**
 * How many connections the kernel may queue before the server accepts them. Node's default, 511, overflows under a
 * connection flood, and a probe that finds the queue full waits for a TCP retransmission (1 s and more); Linux caps
 * the value at `net.core.somaxconn` (4096 on current kernels).
 */
export const LISTEN_BACKLOG = 4096;

/**
 * How the Node server is configured; every field has a default. The connection limits
 * ({@link ConnectionLimitOptions}: `maxConnections`, `maxConnectionsPerClient`, `headersTimeoutMs`,
 * `requestTimeoutMs`, `keepAliveTimeoutMs`) default to {@link DEFAULT_CONNECTION_LIMITS}.
 */
export interface ServerOptions extends ConnectionLimitOptions {
  /** The TCP port (default {@link DEFAULT_PORT}); `0` picks a free one (read it from `url`). */
  readonly port?: number | undefined;
  /** The interface to listen on (default {@link DEFAULT_HOST}). */
  readonly host?: string | undefined;
  /**
   * Where executions live: a SQLite file (default {@link DEFAULT_DB_PATH}) or a `postgres://` URL, for many instances
   * on one database; ignored when `runtime` is given.
   */
  readonly dbPath?: string | undefined;
  /** A runtime to serve instead of opening `dbPath`; the server closes it on `close()`. */
  readonly runtime?: Runtime | undefined;
  /** Check implementations for the runtime the server builds (default: the built-in checks); ignored with `runtime`. */
  readonly checks?: Partial<CheckFns> | undefined;
  /** Reviewer bearer tokens; when none are given, one is generated and returned as `generatedReviewerToken`. */
  readonly reviewerTokens?: readonly string[] | undefined;
  /** When non-empty, submitting and the checks need one of these tokens. */
  readonly submitTokens?: readonly string[] | undefined;
  /** Signs reviewer console sessions together with the reviewer tokens; needed when those are all `sha256:` digests. */
  readonly consoleSecret?: string | undefined;
  /** Where log lines go (default: JSON lines on standard output). */
  readonly logger?: Logger | undefined;
  /** Development mode: error responses carry stacks. */
  readonly dev?: boolean | undefined;
  /** How long `close()` lets in-flight requests finish before cutting connections (default 10 s). */
  readonly shutdownGraceMs?: number | undefined;
}

/** A running server. */
export interface RunningServer {
  /** The base URL, with the actual port: `http://127.0.0.1:8787`. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** The reviewer token generated because none was configured; show it to the operator once. */
  readonly generatedReviewerToken?: string;
  /** Stops accepting connections, lets in-flight requests finish, then stops the scheduler and closes the store. */
  close(): Promise<void>;
}

/**
 * Reads {@link ServerOptions} from environment variables: `PORT`, `HOST`, `BANK_DB`, `BANK_REVIEWER_TOKENS`,
 * `BANK_SUBMIT_TOKENS` (comma-separated), `BANK_CONSOLE_SECRET`, `BANK_DEV` (`1` for development mode), and the connection limits
 * `BANK_MAX_CONNECTIONS`, `BANK_MAX_CONNECTIONS_PER_CLIENT`, `BANK_HEADERS_TIMEOUT_MS`, `BANK_REQUEST_TIMEOUT_MS`
 * and `BANK_KEEP_ALIVE_TIMEOUT_MS` (only those set are returned; the others keep their defaults).
 * @throws {RangeError} when `PORT` is not an integer from 0 to 65535, or a limit is not an integer in its range
 * (the message names the variable).
 */
export function serverOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): ServerOptions {
  const port = env['PORT']?.trim() ? Number(env['PORT']) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT must be an integer from 0 to 65535`);
  return {
    port,
    host: env['HOST']?.trim() || DEFAULT_HOST,
    dbPath: env['BANK_DB']?.trim() || DEFAULT_DB_PATH,
    reviewerTokens: parseTokenList(env['BANK_REVIEWER_TOKENS']),
    submitTokens: parseTokenList(env['BANK_SUBMIT_TOKENS']),
    ...(env['BANK_CONSOLE_SECRET'] ? { consoleSecret: env['BANK_CONSOLE_SECRET'] } : {}),
    dev: env['BANK_DEV'] === '1',
    ...connectionLimitsFromEnv(env),
  };
}

const describe = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { value: String(e) });

/** Closes the server: stop accepting, let in-flight requests finish (up to `graceMs`), then cut what is left. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections that go idle after their last response are closed as they appear.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.once('close', () => {
      clearInterval(idle);
      clearTimeout(cut);
    });
    server.closeIdleConnections();
  });
}

/**
 * Starts the API on Node: opens the store (SQLite by default), runs `recover()` for executions left unsettled,
 * starts the scheduler, and listens.
 * @throws {DomainError} `store_unavailable` when the database cannot be opened.
 * @example
 * ```ts
 * import { startServer } from '@bank/api/node';
 * const server = await startServer({ port: 0, dbPath: 'bank.db', reviewerTokens: ['s3cret'] });
 * console.log(server.url); // http://127.0.0.1:49152
 * await server.close();
 * ```
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? jsonLogger;
  const limits = resolveConnectionLimits(options); // before opening anything: a bad limit throws here
  const host = options.host ?? DEFAULT_HOST;
  const configured = (options.reviewerTokens ?? []).filter((t) => t.length > 0);
  const generatedReviewerToken = configured.length === 0 ? randomBytes(24).toString('base64url') : undefined;
  const runtime =
    options.runtime ??
    createRuntime({
      store: await openStore(options.dbPath ?? DEFAULT_DB_PATH),
      ...(options.checks === undefined ? {} : { checks: options.checks }),
      onSchedulerError: (error) => log({ time: new Date().toISOString(), level: 'error', msg: 'scheduler error', error: describe(error) }),
      // An operator must see it: the execution is FAILED until someone fixes the cause and redrives it.
      onQuarantine: ({ id, reason }) =>
        log({ time: new Date().toISOString(), level: 'error', msg: 'execution quarantined', applicationId: id, reason }),
    });
  try {
    let recovered: number | null;
    try {
      recovered = await runtime.recover();
    } catch (e) {
      // A store that cannot write now (read-only, full, locked) heals by itself: serve, answer 503 until it does, and
      // let the scheduler's rounds drive what is due. Damage (store_corrupt) and anything unexpected stop the start.
      if (!isDomainError(e) || e.code !== 'store_unavailable') throw e;
      recovered = null;
      log({
        time: new Date().toISOString(),
        level: 'warn',
        msg: 'store unavailable at start; serving, the scheduler retries',
        error: e.message,
      });
    }
    runtime.start();
    const app = createApp({
      runtime,
      reviewerTokens: generatedReviewerToken === undefined ? configured : [generatedReviewerToken],
      submitTokens: options.submitTokens,
      consoleSecret: options.consoleSecret,
      logger: log,
      dev: options.dev,
    });
    const server = createAdaptorServer({
      fetch: app.fetch,
      hostname: host,
      serverOptions: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // Node enforces both timeouts only when it checks, every 30 s by default: check often enough to matter.
        connectionsCheckingInterval: connectionsCheckingIntervalFor(limits),
      },
    }) as Server;
    server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    server.maxConnections = limits.maxConnections;
    const refusals = createRefusalReporter((counts) =>
      log({ time: new Date().toISOString(), level: 'warn', msg: 'connections refused', ...counts }),
    );
    server.on('drop', () => refusals.refused('server_cap'));
    capConnectionsPerClient(server, limits.maxConnectionsPerClient, () => refusals.refused('per_client_cap'));
    server.once('close', () => refusals.flush());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, LISTEN_BACKLOG, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    log({ time: new Date().toISOString(), level: 'info', msg: 'listening', url, recovered, limits });
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      ...(generatedReviewerToken === undefined ? {} : { generatedReviewerToken }),
      close: () =>
        (closing ??= (async () => {
          await closeServer(server, options.shutdownGraceMs ?? 10_000);
          await runtime.close();
        })()),
    };
  } catch (e) {
    await runtime.close().catch(() => {});
    throw e;
  }
}
