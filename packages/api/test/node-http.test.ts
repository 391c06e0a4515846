// The shared HTTP cases (http-cases.ts) against the Node server: `node dist/serve.js` as a child process on a SQLite
// file in a temporary folder; a restart is a SIGKILL and a new process on the same file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeHttpCases, reviewerTokens, type HttpTarget } from './http-cases.js';
import { assertBuilt, serve } from './served.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-api-http-cases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startNode(): Promise<HttpTarget> {
  assertBuilt();
  const env = { BANK_DB: join(dir, 'bank.db'), BANK_REVIEWER_TOKENS: await reviewerTokens() };
  const started = async (): Promise<HttpTarget> => {
    const server = await serve(env);
    const kill = async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    };
    return {
      url: server.url,
      restart: async () => {
        await kill();
        return started();
      },
      stop: kill,
    };
  };
  return started();
}

describeHttpCases('the Node server (node dist/serve.js on SQLite)', startNode);
