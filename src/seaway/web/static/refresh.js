// While an element marked data-refresh="<seconds>" is on the page (something runs), fetch the page again
// and swap that element for its new version; stop when the new version no longer asks to refresh.
(function () {
  "use strict";
  function schedule(element) {
    var seconds = Number(element.getAttribute("data-refresh")) || 5;
    window.setTimeout(function () { refresh(element.id); }, seconds * 1000);
  }
  function refresh(id) {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var current = document.getElementById(id);
        if (!fresh || !current) { return; }
        current.replaceWith(fresh);
        if (fresh.hasAttribute("data-refresh")) { schedule(fresh); }
      })
      .catch(function () {
        var current = document.getElementById(id);
        if (current) { schedule(current); }  // a failed fetch (a restart, say) is tried again
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh][id]").forEach(schedule);
  });
})();
