import { CONSOLE_PATH, html, page, type Html } from './layout.js';

/** The sign-in page: one password field for the reviewer token, and the error of a failed attempt, if any. */
export function signInPage(nonce: string, error?: string): Html {
  return page({
    title: 'Sign in',
    nonce,
    main: html`<h1>Sign in to review applications</h1>
      ${error === undefined ? '' : html`<p class="notice error" role="alert" id="sign-in-error">${error}</p>`}
      <form method="post" action="${CONSOLE_PATH}/sign-in">
        <label for="token">Reviewer token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          spellcheck="false"
          ${error === undefined ? '' : html` aria-invalid="true" aria-describedby="sign-in-error"`}
        />
        <div class="actions"><button type="submit" class="primary">Sign in</button></div>
      </form>
      <p class="meta">Your token is sent once to start a session; the browser keeps only a signed session cookie.</p>`,
  });
}
