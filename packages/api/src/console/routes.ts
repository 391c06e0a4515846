// The reviewer console under /console: server-rendered pages on the same runtime as the JSON API, so it runs
// wherever the app runs (Node, workerd). Signed-in state is a signed, HttpOnly, SameSite=Strict cookie; every form
// post also needs the session's CSRF token and a same-site request.
import { applicationPath, isDomainError, renderApplicationSvg, type Application, type Runtime } from '@bank/core';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createTokenMatcher } from '../auth.js';
import type { Logger, RequestVariables } from '../logger.js';
import { classify, HttpProblem } from '../problem.js';
import { applicationPage, applicationUrl, confirmPage, decisionText, errorPage, type Notice } from './application-page.js';
import { CONSOLE_PATH, consoleContentSecurityPolicy, type Html, type Viewer } from './layout.js';
import { ALL_STATES, DEFAULT_STATE, listPage, listResults, type ListView } from './list-page.js';
import { isCrossSite } from './same-origin.js';
import { createSessions, hasSessionSecret, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, type Session } from './session.js';
import { signInPage } from './sign-in-page.js';

/** What the console needs: the runtime, the reviewer credentials it signs in against, a logger. */
export interface ConsoleDeps {
  /** The durable runtime the API serves. */
  readonly runtime: Runtime;
  /** The configured reviewer credentials (`BANK_REVIEWER_TOKENS` entries); none locks the console. */
  readonly reviewerTokens: readonly string[];
  /**
   * Mixed into the key that signs sessions (`BANK_CONSOLE_SECRET`). Needed when every reviewer credential is a
   * `sha256:` digest; without it and without a plain token the console refuses to sign anyone in.
   */
  readonly consoleSecret?: string | undefined;
  /** Where server failures are logged. */
  readonly logger: Logger;
  /** The clock sessions expire by (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

/** How many applications one page of the list shows. */
export const CONSOLE_PAGE_SIZE = 20;

/** The largest form body the console accepts. */
export const MAX_FORM_BYTES = 16 * 1024;

type ConsoleEnv = { Variables: RequestVariables & { nonce: string; session: Session | undefined; viewer: Viewer | undefined } };
type ConsoleContext = Context<ConsoleEnv>;

const newNonce = (): string => {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
};

const isHttps = (c: ConsoleContext) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

const formText = (form: Record<string, unknown>, name: string): string | undefined => {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
};

/** The console's routes, to be mounted at `/` of the app (they all live under {@link CONSOLE_PATH}). */
export function consoleRoutes(deps: ConsoleDeps) {
  const { runtime, logger } = deps;
  const now = deps.now ?? Date.now;
  const sessions = createSessions(deps.reviewerTokens, deps.consoleSecret);
  const canSign = hasSessionSecret(deps.reviewerTokens, deps.consoleSecret);
  const matches = createTokenMatcher(deps.reviewerTokens);
  const app = new Hono<ConsoleEnv>();

  const render = (c: ConsoleContext, body: Html, status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 500 | 503 = 200) =>
    c.html(body, status);

  const forbidden = (c: ConsoleContext, detail: string) =>
    render(c, errorPage(c.get('nonce'), c.get('viewer'), 'Not allowed', detail), 403);

  // Every console response: a fresh nonce for its inline style and script, and the headers that keep it to itself.
  const pageHeaders: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    c.set('nonce', newNonce());
    const session = await sessions.verify(getCookie(c, SESSION_COOKIE), now());
    c.set('session', session);
    c.set('viewer', session === undefined ? undefined : { reviewer: session.reviewer, csrf: await sessions.csrfToken(session) });
    await next();
    c.header('Content-Security-Policy', consoleContentSecurityPolicy(c.get('nonce')));
    // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form post.
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Frame-Options', 'DENY');
  };

  // Form posts: bounded, form-encoded, and sent from this site (the browser says so) before anything reads them.
  const formPost: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    if (isCrossSite(c.req.raw)) return forbidden(c, 'This form was sent from another site.');
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
      return render(c, errorPage(c.get('nonce'), c.get('viewer'), 'Unsupported form', 'Send the form from the console.'), 415);
    }
    return bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: () => {
        throw new HttpProblem('payload_too_large', `a console form is at most ${MAX_FORM_BYTES} bytes`);
      },
    })(c, next);
  };

  // Pages behind sign-in: a page sends the browser to sign in; a poll or a post says 401.
  const signedIn: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    if (c.get('session') !== undefined) return next();
    if (c.req.method === 'GET' && c.req.query('fragment') === undefined) return c.redirect(CONSOLE_PATH, 303);
    return render(c, signInPage(c.get('nonce'), 'Your session has ended. Sign in again.'), 401);
  };

  // Every post made in a session carries its CSRF token, which a page on another site cannot read.
  const csrf: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    const form = await c.req.parseBody();
    if (!(await sessions.checkCsrf(c.get('session')!, formText(form, 'csrf')))) {
      return forbidden(c, 'This form is out of date or was not sent from the console. Reload the page and try again.');
    }
    return next();
  };

  app.use(CONSOLE_PATH, pageHeaders, formPost);
  app.use(`${CONSOLE_PATH}/*`, pageHeaders, formPost);

  app.onError((error, c) => {
    const failure = classify(error);
    if (failure.status >= 500) {
      const e = failure.error;
      logger({
        time: new Date().toISOString(),
        level: 'error',
        msg: 'request failed',
        requestId: c.get('requestId'),
        code: failure.code,
        error: { name: e.name, message: e.message, stack: e.stack },
      });
    }
    const nonce = c.get('nonce') ?? newNonce();
    c.header('Content-Security-Policy', consoleContentSecurityPolicy(nonce));
    for (const [name, value] of Object.entries(failure.headers)) if (name !== 'WWW-Authenticate') c.header(name, value);
    const detail = failure.status === 404 ? 'There is no such application.' : failure.detail;
    return c.html(errorPage(nonce, c.get('viewer'), failure.title, detail), failure.status);
  });

  const listView = async (c: ConsoleContext): Promise<ListView> => {
    const state = c.req.query('state') || DEFAULT_STATE;
    const cursor = c.req.query('cursor') || undefined;
    const page = await runtime.list({ state: state === ALL_STATES ? undefined : state, cursor, limit: CONSOLE_PAGE_SIZE });
    return { state, cursor, page };
  };

  const showApplication = async (c: ConsoleContext, application: Application, notice: Notice | undefined, status: 200 | 409 = 200) => {
    const history = await runtime.history(application.id);
    const view = {
      application,
      history,
      graphSvg: renderApplicationSvg(application, history),
      // The top-level states in the order entered: the path in words, beside the picture.
      path: applicationPath(application, history).visited.filter((id) => !id.includes('.')),
      notice,
    };
    return render(c, applicationPage(c.get('nonce'), c.get('viewer')!, view), status);
  };

  return app
    .get(CONSOLE_PATH, (c) =>
      c.get('session') === undefined ? render(c, signInPage(c.get('nonce'))) : c.redirect(`${CONSOLE_PATH}/applications`, 303),
    )
    .post(`${CONSOLE_PATH}/sign-in`, async (c) => {
      const token = formText(await c.req.parseBody(), 'token') ?? '';
      // Every credential is compared in constant time, so a wrong guess learns nothing but "wrong".
      const reviewer = token.length > 0 ? await matches(token) : undefined;
      if (reviewer === undefined) return render(c, signInPage(c.get('nonce'), 'That reviewer token is not valid.'), 401);
      if (!canSign) {
        // Every credential is a digest, which is no secret: a session signed from them could be forged.
        const detail = 'The console is not configured: the reviewer tokens are all sha256 digests; set BANK_CONSOLE_SECRET.';
        return render(c, signInPage(c.get('nonce'), detail), 500);
      }
      setCookie(c, SESSION_COOKIE, await sessions.issue(reviewer, now()), {
        path: CONSOLE_PATH,
        httpOnly: true,
        sameSite: 'Strict',
        secure: isHttps(c),
        maxAge: SESSION_MAX_AGE_SECONDS,
      });
      return c.redirect(`${CONSOLE_PATH}/applications`, 303);
    })
    .post(
      `${CONSOLE_PATH}/sign-out`,
      async (c, next) => (c.get('session') === undefined ? next() : csrf(c, next)),
      (c) => {
        deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH, secure: isHttps(c), httpOnly: true, sameSite: 'Strict' });
        return c.redirect(CONSOLE_PATH, 303);
      },
    )
    .get(`${CONSOLE_PATH}/applications`, signedIn, async (c) => {
      const view = await listView(c);
      if (c.req.query('fragment') !== undefined) return render(c, listResults(view));
      return render(c, listPage(c.get('nonce'), c.get('viewer')!, view));
    })
    .get(`${CONSOLE_PATH}/applications/:id`, signedIn, async (c) => {
      const application = await runtime.get(c.req.param('id'));
      const decided = c.req.query('decided') !== undefined && application.review !== undefined;
      return showApplication(
        c,
        application,
        decided ? { kind: 'status', text: `Decision recorded: ${decisionText(application)}.` } : undefined,
      );
    })
    .post(`${CONSOLE_PATH}/applications/:id/review`, signedIn, csrf, async (c) => {
      const id = c.req.param('id');
      const form = await c.req.parseBody();
      const decision = formText(form, 'decision');
      const taskToken = formText(form, 'taskToken');
      const note = formText(form, 'note')?.trim() || undefined;
      if ((decision !== 'APPROVE' && decision !== 'REJECT') || taskToken === undefined || taskToken.length === 0) {
        return render(
          c,
          errorPage(c.get('nonce'), c.get('viewer'), 'Invalid input', 'Choose Approve or Reject on the application page.'),
          400,
        );
      }
      const reviewer = c.get('session')!.reviewer;
      if (formText(form, 'confirm') !== 'yes') {
        return render(c, confirmPage(c.get('nonce'), c.get('viewer')!, await runtime.get(id), { decision, taskToken, note }));
      }
      try {
        // The task token the reviewer saw: a page that is out of date is a conflict, never a decision on something else.
        await runtime.review(id, decision, { reviewer, note, taskToken });
      } catch (error) {
        if (!isDomainError(error) || error.code !== 'conflict') throw error;
        const current = await runtime.get(id);
        const text =
          current.review === undefined
            ? `This application changed since you opened it and is now ${current.state}. Nothing was decided.`
            : `${current.review.reviewer === reviewer ? 'You' : 'Another reviewer'} already decided: ${decisionText(current)}. Your decision was not recorded.`;
        return showApplication(c, current, { kind: 'alert', text }, 409);
      }
      return c.redirect(`${applicationUrl(id)}?decided=1`, 303);
    });
}
