/**
 * The server side of case 4, in its own process: `api` is the real Node server (`startServer` from
 * `@bank/api/node`) on a temp SQLite file; `floor` is a bare Hono route on the same Node adapter that validates the
 * same body with zod and returns a fixed JSON. Sends `{ port }` to its parent, then serves until told to stop.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ApplicationInputSchema } from '@bank/checks';
import { startServer } from '@bank/api/node';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';

const mode = process.argv[2];
const dbPath = process.argv[3];

async function startFloor(): Promise<{ port: number; close: () => Promise<void> }> {
  const app = new Hono();
  app.post('/applications', async (c) => {
    const parsed = ApplicationInputSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ type: 'about:blank', title: 'invalid input' }, 400);
    return c.json({ id: 'app_fixed', state: 'APPROVED', name: parsed.data.name, address: parsed.data.address }, 201);
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function main() {
  const server =
    mode === 'floor'
      ? await startFloor()
      : // Request logging is switched off: a JSON line per request on a pipe would be measured instead of the server.
        await startServer({ port: 0, dbPath: dbPath ?? 'bench-http.db', reviewerTokens: ['bench'], logger: () => {} });
  process.on('message', (message) => {
    if (message === 'stop') void server.close().then(() => process.exit(0));
  });
  process.send?.({ port: server.port });
}

main().catch((e: unknown) => {
  process.stderr.write(`http server failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
