/* Autosave for forms marked data-autosave (htmx posts them as the person types).
 * What is typed is kept in localStorage until the server confirms it, so a dropped
 * network, an expired session or a conflict never loses text: the form says it was
 * not saved, and the draft comes back when the page is opened again.
 * Messages come from the form's data-msg-* attributes (translated by the server). */
(function () {
  "use strict";

  function draftKey(form) { return "sanping-draft:" + form.dataset.draftKey; }

  function fieldsOf(form) {
    var data = {};
    form.querySelectorAll("textarea[name]").forEach(function (t) { data[t.name] = t.value; });
    return data;
  }

  function setStatus(form, text, tone) {
    var el = form.querySelector(".save-status");
    if (!el) { return; }
    el.textContent = text || "";
    el.className = "save-status small " + (tone || "text-muted");
    form.dataset.saveState = tone === "text-danger" ? "failed" : tone === "text-success" ? "saved" : "pending";
  }

  function store(form) {
    try { localStorage.setItem(draftKey(form), JSON.stringify({ fields: fieldsOf(form), at: Date.now() })); }
    catch (e) { /* private mode or full storage: the server save still runs */ }
  }

  function restore(form) {
    var raw = localStorage.getItem(draftKey(form));
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { localStorage.removeItem(draftKey(form)); return; }
    var changed = false;
    Object.keys(draft.fields || {}).forEach(function (name) {
      var t = form.querySelector('textarea[name="' + name + '"]');
      if (t && t.value !== draft.fields[name]) { t.value = draft.fields[name]; changed = true; }
    });
    if (changed) {
      setStatus(form, form.dataset.msgRestored, "text-warning");
    } else {
      localStorage.removeItem(draftKey(form));
    }
  }

  function formOf(elt) { return elt && elt.closest ? elt.closest("form[data-autosave]") : null; }

  document.addEventListener("input", function (event) {
    var form = formOf(event.target);
    if (!form) { return; }
    store(form);
    setStatus(form, form.dataset.msgUnsaved, "text-muted");
  });

  function afterRequest(event) {
    var form = formOf(event.detail.elt);
    if (!form) { return; }
    var xhr = event.detail.xhr;
    if (event.detail.successful) {
      var raw = localStorage.getItem(draftKey(form));
      // Forget the draft only if nothing was typed while the request was on its way.
      if (raw && JSON.stringify(JSON.parse(raw).fields) === JSON.stringify(fieldsOf(form))) {
        localStorage.removeItem(draftKey(form));
      }
      return;
    }
    var message;
    if (!xhr || xhr.status === 0) { message = form.dataset.msgOffline; }
    else if (xhr.status === 401 || xhr.status === 403) { message = form.dataset.msgExpired; }
    else if (xhr.status === 409 || xhr.status === 400) { message = xhr.responseText + " " + form.dataset.msgKept; }
    else { message = form.dataset.msgFailed; }
    setStatus(form, message, "text-danger");
  }

  document.addEventListener("htmx:afterRequest", afterRequest);
  document.addEventListener("htmx:sendError", afterRequest);

  document.addEventListener("htmx:afterSwap", function (event) {
    var form = formOf(event.detail.target);
    if (form) { form.dataset.saveState = "saved"; }
  });

  function restoreAll() { document.querySelectorAll("form[data-autosave]").forEach(restore); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", restoreAll); } else { restoreAll(); }
})();
