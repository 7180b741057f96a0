/* A participant's 三评 page: what is typed into a mutual evaluation (forms marked
 * data-keep-draft) is kept in localStorage until the server has recorded it, so a
 * dropped network, an expired session or a reload never loses it; and the
 * "refresh" button of the live notice asks before leaving text that was not sent. */
(function () {
  "use strict";

  function key(form) { return "sanping-keep:" + form.dataset.keepDraft; }

  function fieldsOf(form) {
    var data = {};
    form.querySelectorAll("textarea[name]").forEach(function (t) { data[t.name] = t.value; });
    return data;
  }

  function hasText(form) {
    return Array.prototype.some.call(form.querySelectorAll("textarea[name]"), function (t) { return t.value.trim() !== ""; });
  }

  function store(form) {
    try {
      if (hasText(form)) { localStorage.setItem(key(form), JSON.stringify(fieldsOf(form))); }
      else { localStorage.removeItem(key(form)); }
    } catch (e) { /* private mode or full storage: nothing more to do */ }
  }

  function restore(form) {
    var raw;
    try { raw = localStorage.getItem(key(form)); } catch (e) { return; }
    if (!raw || hasText(form)) { return; }  // the server's text (a refused form) wins
    var fields;
    try { fields = JSON.parse(raw); } catch (e) { localStorage.removeItem(key(form)); return; }
    Object.keys(fields).forEach(function (name) {
      var t = form.querySelector('textarea[name="' + name + '"]');
      if (t) { t.value = fields[name]; }
    });
  }

  function formOf(elt) { return elt && elt.closest ? elt.closest("form[data-keep-draft]") : null; }

  document.addEventListener("input", function (event) {
    var form = formOf(event.target);
    if (form) { store(form); }
  });

  // The server says it recorded the evaluation (HX-Trigger: mutual-saved): forget the draft.
  document.addEventListener("mutual-saved", function (event) {
    var form = formOf(event.target);
    if (form) { try { localStorage.removeItem(key(form)); } catch (e) { /* ignore */ } }
  });

  // A new form came in (a fresh one after sending, or one with errors): keep it in step.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (elt.matches && elt.matches("form[data-keep-draft]")) { restore(elt); }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-refresh-guard]") : null;
    if (!link) { return; }
    var unsent = Array.prototype.some.call(document.querySelectorAll("form[data-keep-draft]"), hasText);
    if (unsent && !window.confirm(link.dataset.confirm)) { event.preventDefault(); }
  });

  function restoreAll() { document.querySelectorAll("form[data-keep-draft]").forEach(restore); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", restoreAll); } else { restoreAll(); }
})();
