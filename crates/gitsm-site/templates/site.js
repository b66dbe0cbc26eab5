/* gitsm site: search and filters for list pages, in plain JavaScript with
   no dependencies. The controls are hidden until this script runs, so a
   page without JavaScript shows the full table. The filter state lives in
   the URL (?q=vpn&status=open&priority=P1): a filtered list can be shared.
   The search covers each record's full text, from the list's search.js. */
(function () {
  'use strict';

  function norm(s) {
    return (s || '').toLowerCase();
  }

  function setup(box) {
    var target = document.getElementById(box.getAttribute('data-filter-for'));
    if (!target) {
      return;
    }
    var items = Array.prototype.slice.call(target.querySelectorAll('[data-id]'));
    /* The list's search.js (when present) holds each record's full text:
       descriptions, notes, resolutions, root causes, workarounds. */
    var full = window.gitsmSearch || {};
    var texts = items.map(function (el) {
      var id = el.getAttribute('data-id');
      var more = Object.prototype.hasOwnProperty.call(full, id) ? full[id] : '';
      return norm(el.textContent) + ' ' + norm(id) + ' ' + more;
    });
    var controls = Array.prototype.slice.call(box.querySelectorAll('input[name], select[name]'));
    var count = box.querySelector('.count');
    var params = new URLSearchParams(window.location.search);
    controls.forEach(function (c) {
      var v = params.get(c.name);
      if (v === null) {
        return;
      }
      if (c.tagName === 'SELECT' && !Array.prototype.some.call(c.options, function (o) { return o.value === v; })) {
        return;
      }
      c.value = v;
    });

    function apply(updateUrl) {
      var state = {};
      controls.forEach(function (c) {
        state[c.name] = c.value.trim();
      });
      var words = norm(state.q).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (el, i) {
        var ok = words.every(function (w) {
          return texts[i].indexOf(w) !== -1;
        });
        var st = state.status;
        if (ok && st) {
          if (st === 'open') {
            ok = el.getAttribute('data-open') === '1';
          } else if (st === 'done') {
            ok = el.getAttribute('data-open') === '0';
          } else {
            ok = el.getAttribute('data-status') === st;
          }
        }
        if (ok && state.priority) {
          ok = el.getAttribute('data-priority') === state.priority;
        }
        el.hidden = !ok;
        if (ok) {
          shown += 1;
        }
      });
      if (count) {
        count.textContent = shown + ' of ' + items.length + ' shown';
      }
      if (updateUrl) {
        var p = new URLSearchParams();
        controls.forEach(function (c) {
          if (c.value.trim()) {
            p.set(c.name, c.value.trim());
          }
        });
        var qs = p.toString();
        try {
          window.history.replaceState(null, '', qs ? '?' + qs : window.location.pathname);
        } catch (e) {
          /* Some browsers refuse history changes on file:// pages. */
        }
      }
    }

    controls.forEach(function (c) {
      c.addEventListener('input', function () { apply(true); });
      c.addEventListener('change', function () { apply(true); });
    });
    box.hidden = false;
    apply(false);
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('[data-filter-for]'), setup);
  });
}());
