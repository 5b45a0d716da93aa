// The person's exchange page. Once every chosen file is uploaded, the page
// reloads so the list shows the new files; while a file is still being
// checked, the list is fetched again every few seconds and replaced in place
// (its container is a polite live region), until every file has its verdict.
(function () {
  "use strict";
  var POLL_MS = 3000;

  function pending(root) { return root.querySelector("[data-upload-verdict=pending]") !== null; }

  function poll() {
    var box = document.querySelector("[data-uploads-box]");
    if (!box || !pending(box)) { return; }
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-uploads-box]");
          if (fresh) { box.innerHTML = fresh.innerHTML; }
          poll();
        })
        .catch(function () { /* the page still works; a reload shows the state */ });
    }, POLL_MS);
  }

  document.addEventListener("tus:all-done", function () { window.location.reload(); });
  document.addEventListener("DOMContentLoaded", poll);
})();
