// The dashboard's one script, served from the package itself. It copies the paper sentence and,
// on pages that show runs, listens to /events to replace a run's row or live card in place.

/** Browser JavaScript (plain ES2017, no module, no dependency). */
export const CLIENT_SCRIPT = `"use strict";
(function () {
  function copyText(text, done) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-done");
    copyText(source ? source.textContent : "", function (ok) {
      if (status) status.textContent = ok ? "Copied." : "Select the sentence and copy it.";
    });
  });
  if (!document.body.hasAttribute("data-live") || !window.EventSource) return;
  function replace(selector, html) {
    var old = document.querySelector(selector);
    if (!old) return false;
    var holder = document.createElement(old.tagName === "TR" ? "tbody" : "div");
    holder.innerHTML = html;
    if (holder.firstElementChild) old.replaceWith(holder.firstElementChild);
    return true;
  }
  var source = new EventSource("/events");
  source.addEventListener("open", function () {
    document.body.setAttribute("data-stream", "open");
  });
  source.addEventListener("run", function (message) {
    var change = JSON.parse(message.data);
    var count = document.getElementById("running-count");
    if (count && typeof change.running === "number") count.textContent = String(change.running);
    var key = change.key;
    if (change.kind === "removed") return;
    replace('tr[data-run="' + key + '"]', change.row);
    if (!replace('[data-live-card="' + key + '"]', change.card) && change.status === "running") {
      var cards = document.getElementById("live-cards");
      if (cards && document.body.getAttribute("data-page") === "live") {
        cards.insertAdjacentHTML("beforeend", change.card);
        var none = document.getElementById("no-live");
        if (none) none.hidden = true;
      }
    }
    if (change.kind === "added") {
      var notice = document.getElementById("new-runs");
      if (notice) notice.hidden = false;
    }
  });
})();
`;
