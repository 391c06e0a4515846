// The page shell every console page shares: landmarks, a skip link, the reviewer bar with sign-out, and the inline
// styles and script under the response's CSP nonce.
import { html as honoHtml, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { CONSOLE_SCRIPT, CONSOLE_STYLE } from './assets.js';

/** Escaped HTML, as the `html` tag builds it. */
export type Html = HtmlEscapedString;

/**
 * The `html` tag of `hono/html` (every interpolated value is escaped unless it is itself `Html`), typed as synchronous:
 * the console never interpolates a promise, so the result is always a string.
 */
export const html = (strings: TemplateStringsArray, ...values: unknown[]): Html => honoHtml(strings, ...values) as Html;

export { raw };

/** Where the console lives, and the path of its cookie. */
export const CONSOLE_PATH = '/console';

/** The reviewer a page is rendered for, and the CSRF token its forms carry. */
export interface Viewer {
  /** The signed-in reviewer. */
  readonly reviewer: string;
  /** The session's CSRF token, sent back with every form. */
  readonly csrf: string;
}

/** The hidden field that carries the CSRF token in every form. */
export const csrfField = (viewer: Viewer): Html => html`<input type="hidden" name="csrf" value="${viewer.csrf}" />`;

/** What a page is made of. */
export interface PageParts {
  /** The document title (the console's name is added). */
  readonly title: string;
  /** The CSP nonce of this response. */
  readonly nonce: string;
  /** The signed-in reviewer, when there is one. */
  readonly viewer?: Viewer | undefined;
  /** The content of `<main>`. */
  readonly main: Html;
}

/**
 * A whole console page: `lang`, a skip link, a header with the reviewer and a sign-out button, `<main>`, a polite live
 * region for announcements, and the inline style and script under `nonce`.
 */
export function page({ title, nonce, viewer, main }: PageParts): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Reviewer console</title>
        <style nonce="${nonce}">
          ${raw(CONSOLE_STYLE)}
        </style>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="bar">
          <a href="${CONSOLE_PATH}/applications">Reviewer console</a>
          ${
            viewer === undefined
              ? ''
              : html`<form method="post" action="${CONSOLE_PATH}/sign-out">
                  ${csrfField(viewer)}<span>Signed in as <strong>${viewer.reviewer}</strong></span
                  ><button type="submit">Sign out</button>
                </form>`
          }
        </header>
        <main id="main" tabindex="-1">${main}</main>
        <div id="live" class="visually-hidden" role="status" aria-live="polite"></div>
        <script nonce="${nonce}">
          ${raw(CONSOLE_SCRIPT)};
        </script>
      </body>
    </html>`;
}

/**
 * The Content-Security-Policy of console pages: nothing but this page's own inline style and script (by nonce),
 * same-origin fetches and form posts, no framing.
 */
export function consoleContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
