/** The HTTP load the http, edge and pg cases share: autocannon on `POST /applications` with the Spock body. */
import autocannon from 'autocannon';

/** Concurrent connections of every HTTP load. */
export const CONNECTIONS = 50;

/** The body every load submits. */
export const BODY = JSON.stringify({ name: 'Spock', address: '123 Enterprise Street' });

/** What one load measured. */
export interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * Loads `POST /applications` of one server, or of several (connection i goes to server i mod n), for `seconds`.
 * @throws {Error} when any request failed, so a figure never hides errors.
 */
export async function loadSubmits(urls: string | readonly string[], seconds: number): Promise<Load> {
  const list = typeof urls === 'string' ? [urls] : urls;
  const result = await autocannon({
    // autocannon 9 takes an array of URLs (client i uses url[i % n]); its types only know a string.
    url: (list.length === 1 ? `${list[0]}/applications` : list.map((u) => `${u}/applications`)) as unknown as string,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${list.join(', ')}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.total / seconds, p50: result.latency.p50, p99: result.latency.p99 };
}
