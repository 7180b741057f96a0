/* The leader's chair console of a 三评 session (templates/sanping/console.html).
 * Everything works without this file (plain forms, htmx polling); it ticks the
 * speaking clock between the server's updates, marks a member as commented once the
 * leader's comment on them is saved, and saves any text still waiting for its autosave
 * before a button leaves the page (next speaker, next stage), so a quick click after
 * typing never leaves the notes unsaved on the server. The clock element carries the server's
 * clock_seconds, clock_started_at (epoch ms) and its "now", so the time shown does not
 * depend on this device's clock. An htmx swap of #clock replaces the element, and the
 * next tick reads the new one. */
(function () {
  "use strict";

  function format(total) {
    total = Math.max(0, Math.floor(total));
    var m = Math.floor(total / 60), s = total % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    document.querySelectorAll("[data-clock]").forEach(function (el) {
      if (el.dataset.offsetMs === undefined) {
        el.dataset.offsetMs = String((parseInt(el.dataset.nowMs || "0", 10) || Date.now()) - Date.now());
      }
      var seconds = parseInt(el.dataset.seconds || "0", 10) || 0;
      if (el.dataset.running === "1" && el.dataset.startedMs) {
        var serverNow = Date.now() + parseInt(el.dataset.offsetMs, 10);
        seconds += Math.max(0, Math.floor((serverNow - parseInt(el.dataset.startedMs, 10)) / 1000));
      }
      var text = format(seconds);
      if (el.textContent !== text) { el.textContent = text; }
    });
  }

  // A comment saved (autosave): the member is no longer "without a comment".
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var card = event.detail.successful && elt && elt.closest ? elt.closest("[data-comment-card]") : null;
    var badge = card ? card.querySelector("[data-no-comment]") : null;
    if (!badge) { return; }
    badge.remove();
    card.classList.remove("border-warning");
    var count = document.querySelector("[data-commented]");
    if (count && count.dataset.template) {
      var n = (parseInt(count.dataset.commented, 10) || 0) + 1;
      count.dataset.commented = String(n);
      count.textContent = count.dataset.template.replace("__N__", String(n));
    }
  });

  // Leaving the page (a plain form: next speaker, next stage...) while an autosave is
  // still waiting: save first, then go on; if the save fails, stay, with its message.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-autosave") || form.hasAttribute("hx-post") || form.dataset.flushed) { return; }
    var pending = Array.prototype.filter.call(document.querySelectorAll("form[data-autosave]"), function (f) {
      return f.dataset.saveState === "pending";
    });
    if (!pending.length) { return; }
    event.preventDefault();
    var submitter = event.submitter, left = pending.length, failed = false;
    pending.forEach(function (f) {
      f.addEventListener("htmx:afterRequest", function (done) {
        failed = failed || !done.detail.successful;
        left -= 1;
        if (left === 0 && !failed) {
          form.dataset.flushed = "1";
          if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
        }
      }, { once: true });
      f.requestSubmit();
    });
  }, true);

  tick();
  window.setInterval(tick, 500);
})();
