// The deployment page, live: log lines from the task log's event stream are appended as they come, and the
// page's live parts (state, gate callouts, steps; marked data-live) are refreshed from the page itself when
// something changed. Without this script the page is complete, only still.
"use strict";

(function () {
  const log = document.getElementById("log");
  if (!log) {
    return;
  }
  const task = log.dataset.task;
  let first = Number(log.dataset.first);
  let last = Number(log.dataset.last);
  const REFRESH_AFTER_MS = 500;
  const EARLIER_PAGE = 500;

  function lineElement(line) {
    const span = document.createElement("span");
    span.className = line.level;
    // The server prints times in UTC; so does the page.
    span.textContent = new Date(line.at).toISOString().slice(11, 19) + "  " + line.message;
    return span;
  }

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  }

  function append(line) {
    if (line.id <= last) {
      return; // already shown (a reconnect may send it again)
    }
    const follow = atBottom();
    log.append(lineElement(line), "\n");
    last = line.id;
    if (!first) {
      first = line.id;
    }
    document.getElementById("log-empty").hidden = true;
    if (follow) {
      log.scrollTop = log.scrollHeight;
    }
  }

  // -- the page's live parts ------------------------------------------------------------------------
  let refreshTimer = null;

  async function refresh() {
    refreshTimer = null;
    let response;
    try {
      response = await fetch(window.location.pathname, { credentials: "same-origin" });
    } catch (unreachable) {
      return; // the next event tries again
    }
    if (!response.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const part of document.querySelectorAll("[data-live][id]")) {
      const replacement = fresh.getElementById(part.id);
      if (replacement && replacement.innerHTML !== part.innerHTML) {
        part.innerHTML = replacement.innerHTML;
      }
    }
  }

  function refreshSoon() {
    if (refreshTimer === null) {
      refreshTimer = window.setTimeout(refresh, REFRESH_AFTER_MS);
    }
  }

  // -- following the log ----------------------------------------------------------------------------
  function follow() {
    const stream = new EventSource(`/api/v1/tasks/${encodeURIComponent(task)}/log/stream?after=${last}`);
    stream.addEventListener("log", (event) => {
      append(JSON.parse(event.data));
      refreshSoon();
    });
    stream.addEventListener("state", refreshSoon);
    stream.addEventListener("end", () => {
      stream.close();
      log.dataset.follow = "false";
      refreshSoon();
    });
    stream.addEventListener("error", () => {
      // The browser would reconnect from where the stream began; reconnect from the last line seen.
      stream.close();
      if (log.dataset.follow === "true") {
        window.setTimeout(follow, 2000);
      }
    });
  }

  if (log.dataset.follow === "true") {
    follow();
  }

  // -- earlier lines, on demand ----------------------------------------------------------------------
  const earlier = document.getElementById("log-earlier");
  const button = document.getElementById("log-load-earlier");
  const count = document.getElementById("log-earlier-count");
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const url = `/api/v1/tasks/${encodeURIComponent(task)}/log?before=${first}&limit=${EARLIER_PAGE}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) {
        return;
      }
      const page = await response.json();
      const lines = document.createDocumentFragment();
      for (const line of page.lines) {
        lines.append(lineElement(line), "\n");
      }
      log.prepend(lines);
      if (page.lines.length) {
        first = page.lines[0].id;
      }
      count.textContent = String(page.earlier);
      earlier.hidden = page.earlier === 0;
    } finally {
      button.disabled = false;
    }
  });
})();
