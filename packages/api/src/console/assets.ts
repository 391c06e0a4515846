// The console's styles and its one small script, inlined in every page under the page's CSP nonce: no extra
// requests, no build step. The script only enhances: every form works without it.

/** The console's styles: one column that reads at 320 px, visible focus, contrast of at least 4.5:1. */
export const CONSOLE_STYLE = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
a{color:#0b57d0}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.skip{position:absolute;left:.5rem;top:-3rem;background:#fff;padding:.5rem;z-index:2}
.skip:focus{top:.5rem}
header.bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;background:#0f2744;color:#fff}
header.bar a{color:#fff;font-weight:600;text-decoration:none}
header.bar form{display:flex;gap:.5rem;align-items:center;margin:0}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
button,.button{font:inherit;padding:.45rem 1rem;border-radius:6px;border:1px solid #0f2744;background:#fff;color:#0f2744;cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:#0b57d0;border-color:#0b57d0;color:#fff}
button.approve{background:#146c2e;border-color:#146c2e;color:#fff}
button.reject{background:#b3261e;border-color:#b3261e;color:#fff}
header.bar button{border-color:#fff;background:#0f2744;color:#fff;padding:.25rem .75rem}
input,select,textarea{font:inherit;padding:.4rem;border:1px solid #555;border-radius:4px;max-width:100%}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
.filters label{margin:0}
.filters>div{flex:0 1 22rem;min-width:0}
.filters select{width:100%}
.apps{list-style:none;padding:0;margin:0}
.apps li{border:1px solid #c4c7cc;border-radius:6px;padding:.6rem .8rem;margin:.5rem 0}
.apps li.new{border-color:#0b57d0;box-shadow:0 0 0 2px #0b57d0}
.apps a{font-weight:600;font-size:1.05rem}
.meta{color:#4a4a4a;font-size:.9rem;overflow-wrap:anywhere;margin:.1rem 0 0}
.state{display:inline-block;font-size:.8rem;font-weight:700;padding:0 .4rem;border-radius:4px;border:1px solid currentColor;color:#4a4a4a}
.state-APPROVED,.state-REVIEW_APPROVED{color:#146c2e}
.state-REJECTED,.state-REVIEW_REJECTED,.state-FLAGGED_WITH_UNPROCESSABLE_DATA{color:#b3261e}
.state-FLAGGED_FOR_REVIEW{color:#8a4b00}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.checks{padding-left:1.2rem}
figure{margin:0}
figure svg{max-width:100%;height:auto;display:block}
.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #c4c7cc}
.timeline li{position:relative;padding:0 0 .6rem 1rem;overflow-wrap:anywhere}
.timeline li::before{content:"";position:absolute;left:-.5rem;top:.45rem;width:.7rem;height:.7rem;border-radius:50%;background:#0f2744}
.timeline time{display:block;color:#4a4a4a;font-size:.85rem;font-variant-numeric:tabular-nums}
.notice{border-left:5px solid #0b57d0;background:#eef3fd;padding:.6rem .8rem;margin:1rem 0}
.notice.error{border-color:#b3261e;background:#fcefee}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
textarea{width:100%;min-height:4rem}
nav.pager{display:flex;gap:1rem;margin:1rem 0}
dialog{border:1px solid #0f2744;border-radius:8px;max-width:min(30rem,calc(100vw - 2rem))}
dialog::backdrop{background:#0008}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

/**
 * The console's script. A review form opens a native `<dialog>` to confirm (without the script, the server shows a
 * confirmation page instead); a list polls its fragment every few seconds, adds what is new and says so politely.
 */
export const CONSOLE_SCRIPT = `
(function () {
  'use strict';
  var form = document.querySelector('form[data-confirm]');
  var dialog = document.getElementById('confirm-dialog');
  if (form && dialog && typeof dialog.showModal === 'function') {
    var decision = null;
    form.addEventListener('submit', function (event) {
      var submitter = event.submitter;
      if (!submitter || !submitter.value) return;
      event.preventDefault();
      decision = submitter.value;
      var verb = decision === 'APPROVE' ? 'approve' : 'reject';
      document.getElementById('confirm-text').textContent =
        'Do you want to ' + verb + ' the application of ' + form.getAttribute('data-applicant') + '?';
      var yes = document.getElementById('confirm-yes');
      yes.textContent = 'Yes, ' + verb;
      yes.className = decision === 'APPROVE' ? 'approve' : 'reject';
      dialog.returnValue = '';
      dialog.showModal();
    });
    dialog.addEventListener('close', function () {
      if (dialog.returnValue !== 'confirm' || !decision) return;
      var add = function (name, value) {
        var input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      };
      add('decision', decision);
      add('confirm', 'yes');
      form.submit();
    });
  }

  var results = document.getElementById('results');
  var live = document.getElementById('live');
  var source = results && results.getAttribute('data-poll');
  if (!results || !live || !source) return;
  var ids = function (root) {
    return Array.prototype.map.call(root.querySelectorAll('li[data-id]'), function (li) {
      return li.getAttribute('data-id');
    });
  };
  var stopped = false;
  function poll() {
    if (stopped || document.hidden) return;
    fetch(source, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 401) {
          stopped = true;
          live.textContent = 'Your session has ended. Sign in again to see new applications.';
          return null;
        }
        return res.ok ? res.text() : null;
      })
      .then(function (text) {
        if (text === null) return;
        var template = document.createElement('template');
        template.innerHTML = text;
        var fresh = template.content.getElementById('results');
        if (!fresh) return;
        var before = ids(results);
        var added = ids(fresh).filter(function (id) { return before.indexOf(id) < 0; });
        if (added.length === 0 && before.length === ids(fresh).length) return;
        var list = results.querySelector('ul.apps');
        var freshList = fresh.querySelector('ul.apps');
        if (list && freshList && results.contains(document.activeElement)) {
          // Keep the reviewer's focus where it is: only add the new entries.
          added.forEach(function (id) {
            var item = freshList.querySelector('li[data-id="' + id + '"]');
            if (item) list.appendChild(item);
          });
        } else {
          results.replaceChildren.apply(results, Array.prototype.slice.call(fresh.childNodes));
        }
        added.forEach(function (id) {
          var item = results.querySelector('li[data-id="' + id + '"]');
          if (item) item.classList.add('new');
        });
        if (added.length > 0) {
          live.textContent = added.length === 1 ? '1 new application.' : added.length + ' new applications.';
        }
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  setInterval(poll, Number(results.getAttribute('data-poll-ms')) || 5000);
})();
`;
