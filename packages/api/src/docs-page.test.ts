// Runs the /docs page's script against a minimal DOM (just what the script uses) with fetch wired to the app, so
// the rendering and the "try it" forms are tested without a browser.
import { describe, expect, it } from 'vitest';
import { DOCS_SCRIPT } from './docs-page.js';
import { createHarness, REVIEWER_TOKEN, SPOCK, type Harness } from './testing/harness.js';

class FakeNode {
  readonly attributes: Record<string, string> = {};
  children: (FakeNode | string)[] = [];
  value = '';
  private readonly listeners: (() => void)[] = [];

  constructor(readonly tag: string) {}

  get textContent(): string {
    return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
  }

  set textContent(text: string) {
    this.children = [String(text)];
  }

  append(...nodes: (FakeNode | string)[]): void {
    this.children.push(...nodes);
  }

  setAttribute(name: string, value: string): void {
    this.attributes[name] = value;
  }

  addEventListener(type: string, listener: () => void): void {
    if (type === 'click') this.listeners.push(listener);
  }

  click(): void {
    for (const listener of this.listeners) listener();
  }

  /** Every descendant element, depth first. */
  all(): FakeNode[] {
    return this.children.flatMap((c) => (typeof c === 'string' ? [] : [c, ...c.all()]));
  }

  find(predicate: (node: FakeNode) => boolean): FakeNode {
    const found = this.all().find(predicate);
    if (!found) throw new Error('no such node');
    return found;
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

/** Loads the page's script with fetch answered by the app, and waits for it to render. */
async function loadPage(h: Harness) {
  const byId: Record<string, FakeNode> = Object.fromEntries(
    ['token', 'title', 'description', 'ops', 'schemas'].map((id) => [id, new FakeNode(id === 'token' ? 'input' : 'div')]),
  );
  const document = {
    title: 'docs',
    getElementById: (id: string) => byId[id],
    createElement: (tag: string) => new FakeNode(tag),
  };
  const sent: Request[] = [];
  const fetch = async (url: URL, init?: RequestInit) => {
    const request = new Request(url, init);
    sent.push(request.clone());
    return h.app.request(request);
  };
  const location = { href: 'http://bank.test/docs' };
  new Function('document', 'fetch', 'location', 'Node', DOCS_SCRIPT)(document, fetch, location, FakeNode);
  await until(() => byId['ops']!.all().some((n) => n.tag === 'details'));
  const operation = (operationId: string) => byId['ops']!.find((n) => n.tag === 'details' && n.attributes['id'] === operationId);
  return { byId, document, sent, operation };
}

const sendFrom = async (operation: FakeNode) => {
  const output = operation.find((n) => n.tag === 'pre' && n.attributes['aria-live'] === 'polite');
  operation.find((n) => n.tag === 'button').click();
  await until(() => output.textContent.startsWith('HTTP '));
  return output.textContent;
};

describe('the /docs page script', () => {
  it('renders every operation of the OpenAPI document, grouped by tag, and every schema', async () => {
    const page = await loadPage(createHarness());
    const operations = page.byId['ops']!.all().filter((n) => n.tag === 'details');
    expect(operations.map((n) => n.attributes['id']).sort()).toStrictEqual(
      [
        'checkAddress',
        'checkName',
        'getApplication',
        'getApplicationGraph',
        'getApplicationHistory',
        'getWorkflowGraph',
        'health',
        'listApplications',
        'readiness',
        'redriveApplication',
        'reviewApplication',
        'runDataCheck',
        'submitApplication',
      ].sort(),
    );
    expect(
      page.byId['ops']!.all()
        .filter((n) => n.tag === 'h2')
        .map((n) => n.textContent),
    ).toStrictEqual(['applications', 'checks', 'graphs', 'meta']);
    expect(page.document.title).toBe('bank-workflows API');
    expect(page.operation('listApplications').textContent).toContain('[bearer token]');
    expect(page.operation('submitApplication').textContent).not.toContain('[bearer token]');
    expect(
      page
        .operation('listApplications')
        .all()
        .filter((n) => n.tag === 'input')
        .map((n) => n.attributes['aria-label']),
    ).toStrictEqual(['state', 'status', 'limit', 'cursor']);
    const schemas = page.byId['schemas']!.all()
      .filter((n) => n.tag === 'details')
      .map((n) => n.attributes['id']);
    expect(schemas).toEqual(expect.arrayContaining(['schema-Application', 'schema-ApplicationInput', 'schema-Problem']));
  });

  it('sends a request from an operation form with its example body', async () => {
    const h = createHarness();
    const page = await loadPage(h);
    const submit = page.operation('submitApplication');
    const body = submit.find((n) => n.tag === 'textarea');
    expect(JSON.parse(body.value)).toStrictEqual(SPOCK);
    const output = await sendFrom(submit);
    expect(output).toMatch(/^HTTP 201/);
    expect(output).toContain('"state": "APPROVED"');
    expect(output).toMatch(/location: \/applications\/app_/);
    const request = page.sent.at(-1)!;
    expect([request.method, new URL(request.url).pathname, request.headers.get('content-type')]).toStrictEqual([
      'POST',
      '/applications',
      'application/json',
    ]);
    expect(await h.everything()).toHaveLength(1);
  });

  it('fills path and query parameters and sends the bearer token', async () => {
    const h = createHarness();
    const created = await h.submit(SPOCK);
    const page = await loadPage(h);
    const get = page.operation('getApplication');
    get.find((n) => n.tag === 'input' && n.attributes['aria-label'] === 'id').value = created.id;
    expect(await sendFrom(get)).toMatch(/^HTTP 401/);
    page.byId['token']!.value = REVIEWER_TOKEN;
    const output = await sendFrom(get);
    expect(output).toMatch(/^HTTP 200/);
    expect(output).toContain(created.id);
    expect(page.sent.at(-1)!.headers.get('authorization')).toBe(`Bearer ${REVIEWER_TOKEN}`);

    const list = page.operation('listApplications');
    list.find((n) => n.tag === 'input' && n.attributes['aria-label'] === 'state').value = 'APPROVED';
    list.find((n) => n.tag === 'input' && n.attributes['aria-label'] === 'limit').value = '5';
    expect(await sendFrom(list)).toMatch(/^HTTP 200/);
    expect(new URL(page.sent.at(-1)!.url).search).toBe('?state=APPROVED&limit=5');
  });

  it('shows problems as they come', async () => {
    const page = await loadPage(createHarness());
    const check = page.operation('checkName');
    check.find((n) => n.tag === 'textarea').value = '{"name": ""}';
    const output = await sendFrom(check);
    expect(output).toMatch(/^HTTP 400/);
    expect(output).toContain('content-type: application/problem+json');
    expect(output).toContain('"code": "invalid_input"');
  });
});
