/* The meeting-room projector of a 三评 session (templates/sanping/projector.html).
 * Polls the session's state every 2 s and redraws the stage, the speaking order and the
 * current speaker; ticks the speaking clock every 250 ms from the server's
 * clock_seconds and clock_started_at, corrected by the difference between the
 * server's clock and this computer's (server_now_ms), so a wrong clock on the
 * projector's computer does not matter. Read-only: it never posts anything. */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var root = document.getElementById("projector");
  if (!root) { return; }
  var clockEl = document.getElementById("clock");
  var clock = readClock(clockEl);

  function readClock(el) {
    var started = el.dataset.startedMs;
    return {
      seconds: parseInt(el.dataset.seconds || "0", 10) || 0,
      startedMs: started ? parseInt(started, 10) : null,
      // server time minus this computer's time, as of the page load or the last poll
      offsetMs: (parseInt(el.dataset.nowMs || "0", 10) || Date.now()) - Date.now()
    };
  }

  function format(total) {
    total = Math.max(0, Math.floor(total));
    var m = Math.floor(total / 60), s = total % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function elapsed() {
    if (clock.startedMs === null) { return clock.seconds; }
    var serverNow = Date.now() + clock.offsetMs;
    return clock.seconds + Math.max(0, Math.floor((serverNow - clock.startedMs) / 1000));
  }

  function tick() {
    var text = format(elapsed());
    if (clockEl.textContent !== text) { clockEl.textContent = text; }
    clockEl.classList.toggle("stopped", clock.startedMs === null);
  }

  function setNotice(text) { document.getElementById("notice").textContent = text || ""; }

  function render(state) {
    document.getElementById("stage-now").textContent = state.stage_label;
    document.querySelectorAll("#stages li").forEach(function (li) {
      var value = parseInt(li.dataset.stage, 10);
      li.className = value === state.stage ? "active" : value < state.stage ? "done" : "";
    });

    var current = null;
    var order = document.getElementById("order");
    var items = state.order.map(function (row) {
      var li = document.createElement("li");
      if (row.id === state.current) { li.className = "current"; current = row; }
      else if (row.spoke) { li.className = "spoke"; }
      var pos = document.createElement("span");
      pos.className = "pos";
      pos.textContent = row.position + ".";
      var name = document.createElement("span");
      name.textContent = row.name;
      li.appendChild(pos);
      li.appendChild(name);
      return li;
    });
    if (!items.length) {
      var empty = document.createElement("li");
      empty.textContent = order.dataset.empty;
      items.push(empty);
    }
    order.replaceChildren.apply(order, items);

    document.getElementById("speaker").textContent = current ? current.name : "";
    document.getElementById("speaker-label").hidden = !current;

    clockEl.hidden = !state.clock_visible;
    clock = {
      seconds: state.clock_seconds,
      startedMs: state.clock_started_ms,
      offsetMs: state.server_now_ms - Date.now()
    };
    tick();
  }

  function poll() {
    fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Poll": "1" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) {
          setNotice(root.dataset.msgExpired);
          return null;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        if (state) { render(state); setNotice(""); }
      })
      .catch(function () { setNotice(root.dataset.msgOffline); })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  var fullscreen = document.getElementById("fullscreen");
  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
  } else if (fullscreen) {
    fullscreen.hidden = true;
  }

  tick();
  window.setInterval(tick, 250);
  window.setTimeout(poll, POLL_MS);
})();
