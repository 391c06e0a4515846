// The browser's own word on where a form post came from, checked before any CSRF token: `Sec-Fetch-Site` when the
// browser sends it (every current one does), else `Origin`. Clients that send neither (curl, old browsers) still need
// the session's CSRF token, which a cross-site page cannot read.

/**
 * Whether a request says it was sent from another site: `Sec-Fetch-Site` other than `same-origin` or `none` (typed or
 * bookmarked), or without it an `Origin` (`null` included) whose host is not the host the request was sent to.
 */
export function isCrossSite(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  try {
    return new URL(origin).host !== new URL(request.url).host;
  } catch {
    return true; // `null` (a sandboxed frame, a privacy redirect) or garbage: not this site.
  }
}
