// The interactive API reference served at /docs: one self-contained page (no CDN, the server may have no
// internet) that reads /openapi.json and renders every operation with a small form to try it. Everything taken
// from the document or a response is inserted with textContent or setAttribute, never as HTML.

/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STYLE = `
:root{color-scheme:light dark;--line:#8884;--muted:#888}
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:62rem;padding:1rem 1.5rem}
header{border-bottom:1px solid var(--line);margin-bottom:1rem;padding-bottom:1rem}
h1{margin:.2rem 0}h2{margin:1.5rem 0 .5rem}
details.op{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.4rem .8rem}
details.op>summary{cursor:pointer;font-family:ui-monospace,monospace}
.method{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase}
.get{color:#2a7ab0}.post{color:#2e9e4f}.put,.patch{color:#b07a2a}.delete{color:#c0392b}
.lock{color:var(--muted);font-size:.85em;margin-left:.5rem}
.summary{font-family:system-ui,sans-serif;color:var(--muted);margin-left:.6rem}
table{border-collapse:collapse;margin:.4rem 0;width:100%}
td,th{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top}
input,textarea{box-sizing:border-box;font:13px ui-monospace,monospace;padding:.3rem;width:100%}
textarea{min-height:6rem}
button{cursor:pointer;font:inherit;margin:.4rem 0;padding:.3rem 1rem}
pre{background:#8881;border-radius:4px;font-size:13px;overflow:auto;padding:.6rem;white-space:pre-wrap}
label{display:block;margin:.3rem 0}
.muted{color:var(--muted)}
`;

/** The page's script, exported so tests can check that it parses. */
export const DOCS_SCRIPT = `
(function () {
  'use strict';
  var doc = null;
  var tokenInput = document.getElementById('token');

  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (key === 'text') node.textContent = String(attrs[key]);
      else if (key === 'onclick') node.addEventListener('click', attrs[key]);
      else node.setAttribute(key, String(attrs[key]));
    }
    var children = Array.prototype.slice.call(arguments, 2);
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      if (child === null || child === undefined) continue;
      if (Array.isArray(child)) children.splice.apply(children, [i + 1, 0].concat(child));
      else node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function resolve(schema) {
    var seen = 0;
    while (schema && typeof schema.$ref === 'string' && seen++ < 20) {
      var parts = schema.$ref.replace(/^#\\//, '').split('/');
      var target = doc;
      for (var i = 0; i < parts.length && target; i++) target = target[parts[i]];
      schema = target;
    }
    return schema || {};
  }

  function refName(schema) {
    return schema && typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : null;
  }

  function typeOf(schema) {
    var name = refName(schema);
    if (name) return name;
    schema = schema || {};
    if (schema.enum) return schema.enum.map(String).join(' | ');
    if (schema.type === 'array') return typeOf(schema.items) + '[]';
    if (Array.isArray(schema.type)) return schema.type.join(' | ');
    return schema.type || (schema.oneOf || schema.anyOf ? 'one of' : 'any');
  }

  function exampleOf(schema, depth) {
    var s = resolve(schema);
    if (s.example !== undefined) return s.example;
    if (s.examples && s.examples.length) return s.examples[0];
    if (depth > 4) return null;
    if (s.enum) return s.enum[0];
    var options = s.oneOf || s.anyOf;
    if (options && options.length) return exampleOf(options[0], depth + 1);
    if (s.type === 'object' || s.properties) {
      var out = {};
      var required = s.required || [];
      for (var key in s.properties || {}) {
        if (required.indexOf(key) >= 0) out[key] = exampleOf(s.properties[key], depth + 1);
      }
      return out;
    }
    if (s.type === 'array') return [];
    if (s.type === 'integer' || s.type === 'number') return 0;
    if (s.type === 'boolean') return false;
    return '';
  }

  function schemaBlock(schema) {
    var name = refName(schema);
    return el('div', null,
      name ? el('p', { 'class': 'muted', text: 'Schema: ' + name + ' (see Schemas below)' }) : null,
      el('pre', { text: JSON.stringify(name ? resolve(schema) : schema, null, 2) }));
  }

  function send(op, inputs, bodyInput, output) {
    var path = op.path.replace(/\\{([^}]+)\\}/g, function (_, name) {
      return encodeURIComponent(inputs['path:' + name] ? inputs['path:' + name].value : '');
    });
    var query = new URLSearchParams();
    var headers = {};
    Object.keys(inputs).forEach(function (key) {
      var value = inputs[key].value;
      if (value === '') return;
      var where = key.slice(0, key.indexOf(':'));
      var name = key.slice(key.indexOf(':') + 1);
      if (where === 'query') query.append(name, value);
      if (where === 'header') headers[name] = value;
    });
    if (tokenInput.value) headers['Authorization'] = 'Bearer ' + tokenInput.value;
    var init = { method: op.method.toUpperCase(), headers: headers };
    if (bodyInput) {
      headers['Content-Type'] = 'application/json';
      init.body = bodyInput.value;
    }
    var qs = query.toString();
    var url = new URL(path.replace(/^\\//, '') + (qs ? '?' + qs : ''), base);
    output.textContent = 'Sending ' + init.method + ' ' + url.pathname + url.search + ' ...';
    fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var lines = ['HTTP ' + res.status + ' ' + res.statusText];
        ['content-type', 'location', 'x-request-id', 'www-authenticate', 'allow'].forEach(function (h) {
          if (res.headers.get(h)) lines.push(h + ': ' + res.headers.get(h));
        });
        var body = text;
        try { body = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON: show as is */ }
        output.textContent = lines.join('\\n') + '\\n\\n' + body;
      });
    }).catch(function (e) {
      output.textContent = 'Request failed: ' + (e && e.message ? e.message : String(e));
    });
  }

  function operation(path, method, op) {
    op.path = path;
    op.method = method;
    var secured = op.security && op.security.length > 0;
    var inputs = {};
    var parts = [];
    if (op.description) parts.push(el('p', { text: op.description }));
    var params = (op.parameters || []).map(function (p) { return p.$ref ? resolve(p) : p; });
    if (params.length) {
      var table = el('table', null, el('tr', null, el('th', { text: 'Parameter' }), el('th', { text: 'In' }),
        el('th', { text: 'Type' }), el('th', { text: 'Description' }), el('th', { text: 'Value' })));
      params.forEach(function (p) {
        var input = el('input', { 'aria-label': p.name, placeholder: p.required ? 'required' : 'optional' });
        var example = p.example !== undefined ? p.example : (p.schema && p.schema.example);
        if (p.in === 'path' && example !== undefined) input.value = String(example);
        inputs[p.in + ':' + p.name] = input;
        table.append(el('tr', null, el('td', { text: p.name + (p.required ? ' *' : '') }), el('td', { text: p.in }),
          el('td', { text: typeOf(p.schema) }), el('td', { text: p.description || (p.schema && p.schema.description) || '' }),
          el('td', null, input)));
      });
      parts.push(el('h4', { text: 'Parameters' }), table);
    }
    var bodyInput = null;
    var body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    if (body) {
      bodyInput = el('textarea', { 'aria-label': 'request body', spellcheck: 'false' });
      bodyInput.value = JSON.stringify(body.example !== undefined ? body.example : exampleOf(body.schema, 0), null, 2);
      parts.push(el('h4', { text: 'Request body (application/json)' }), schemaBlock(body.schema), bodyInput);
    }
    var responses = el('table', null, el('tr', null, el('th', { text: 'Status' }), el('th', { text: 'Description' }),
      el('th', { text: 'Body' })));
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = op.responses[status];
      var content = r.content || {};
      var media = Object.keys(content)[0];
      responses.append(el('tr', null, el('td', { text: status }), el('td', { text: r.description || '' }),
        el('td', { text: media ? media + ': ' + typeOf(content[media].schema) : '' })));
    });
    parts.push(el('h4', { text: 'Responses' }), responses);
    var output = el('pre', { 'aria-live': 'polite', text: 'No request sent yet.' });
    parts.push(el('button', { type: 'button', text: 'Send request', onclick: function () { send(op, inputs, bodyInput, output); } }), output);
    return el('details', { 'class': 'op', id: op.operationId || (method + path) },
      el('summary', null, el('span', { 'class': 'method ' + method, text: method }), path,
        el('span', { 'class': 'summary', text: op.summary || '' }),
        secured ? el('span', { 'class': 'lock', text: '[bearer token]' }) : null),
      parts);
  }

  var base = new URL('./', location.href);
  fetch(new URL('openapi.json', base)).then(function (res) {
    if (!res.ok) throw new Error('GET openapi.json answered ' + res.status);
    return res.json();
  }).then(function (d) {
    doc = d;
    document.title = (d.info && d.info.title) || document.title;
    document.getElementById('title').textContent = document.title + (d.info && d.info.version ? ' ' + d.info.version : '');
    document.getElementById('description').textContent = (d.info && d.info.description) || '';
    var ops = document.getElementById('ops');
    ops.textContent = '';
    var byTag = {};
    Object.keys(d.paths || {}).forEach(function (path) {
      ['get', 'post', 'put', 'patch', 'delete'].forEach(function (method) {
        var op = d.paths[path][method];
        if (!op) return;
        var tag = (op.tags && op.tags[0]) || 'other';
        (byTag[tag] = byTag[tag] || []).push(operation(path, method, op));
      });
    });
    Object.keys(byTag).forEach(function (tag) {
      ops.append(el('h2', { text: tag }));
      byTag[tag].forEach(function (node) { ops.append(node); });
    });
    var schemas = document.getElementById('schemas');
    var components = (d.components && d.components.schemas) || {};
    schemas.append(el('h2', { text: 'Schemas' }));
    Object.keys(components).forEach(function (name) {
      schemas.append(el('details', { 'class': 'op', id: 'schema-' + name }, el('summary', { text: name }),
        el('pre', { text: JSON.stringify(components[name], null, 2) })));
    });
  }).catch(function (e) {
    document.getElementById('ops').textContent = 'Could not load the API description: ' + (e && e.message ? e.message : String(e));
  });
})();
`;

/** The HTML of the `/docs` page; `nonce` authorises its inline style and script under the page's CSP. */
export function docsPage(nonce: string, title: string): string {
  const n = escapeHtml(nonce);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${n}">${STYLE}</style>
</head>
<body>
<header>
<h1 id="title">${escapeHtml(title)}</h1>
<p id="description" class="muted"></p>
<label>Bearer token for reviewer routes (kept in this page only)
<input id="token" type="password" autocomplete="off" spellcheck="false"></label>
</header>
<main id="ops"><p>Loading the API description…</p></main>
<section id="schemas"></section>
<script nonce="${n}">${DOCS_SCRIPT}</script>
</body>
</html>
`;
}

/** The Content-Security-Policy of the `/docs` page: its own inline code, and requests to this origin only. */
export function docsContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
