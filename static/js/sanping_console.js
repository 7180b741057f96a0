/* The leader's chair console of a 三评 session (templates/sanping/console.html).
 * Everything works without this file (plain forms, htmx polling); it ticks the
 * speaking clock between the server's updates, and marks a member as commented once
 * the leader's comment on them is saved. The clock element carries the server's
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

  tick();
  window.setInterval(tick, 500);
})();
