// Resumable uploads for the cloud area (tus-js-client, vendor/tus.min.js).
// The form works without JavaScript (a plain POST for small files); with it,
// each chosen file goes to the form's tus endpoint in chunks with a progress
// bar, can be paused and resumed, and continues after a reload or a broken
// connection: tus-js-client keeps each upload's address in localStorage under
// the file's fingerprint (name, type, size, modification time, endpoint), so
// choosing the same file again resumes where the server stopped.
// CSRF: the endpoint is session-bound; the token from the form's hidden
// csrfmiddlewaretoken field goes along as the X-CSRFToken header.
(function () {
  "use strict";

  function text(form, name) { return form.getAttribute("data-text-" + name) || ""; }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1).replace(".", ","); }

  function setup(form) {
    if (!window.tus || !window.tus.isSupported) { return; }  // the plain form stays
    var input = form.querySelector("input[type=file]");
    var start = form.querySelector("[data-tus-start]");
    var pause = form.querySelector("[data-tus-pause]");
    var resume = form.querySelector("[data-tus-resume]");
    var progressBox = form.querySelector("[data-tus-progress]");
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-tus-status]");
    var endpoint = new URL(form.getAttribute("data-tus-endpoint"), window.location.href).href;
    var chunkSize = parseInt(form.getAttribute("data-tus-chunk-size"), 10) || 8388608;
    var token = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
    var queue = [];
    var current = null;

    function say(message) { status.textContent = message; }

    function show(element, visible) { element.hidden = !visible; }

    function buttons(state) {  // idle | running | paused
      show(start, state === "idle");
      show(pause, state === "running");
      show(resume, state === "paused");
      input.disabled = state !== "idle";
    }

    function next() {
      if (!queue.length) {
        current = null;
        buttons("idle");
        form.dispatchEvent(new CustomEvent("tus:all-done", { bubbles: true }));
        return;
      }
      var file = queue.shift();
      show(progressBox, true);
      bar.value = 0;
      current = new window.tus.Upload(file, {
        endpoint: endpoint,
        chunkSize: chunkSize,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        headers: { "X-CSRFToken": token },
        metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress: function (sent, total) {
          var percent = total ? Math.floor(100 * sent / total) : 100;
          bar.value = percent;
          bar.setAttribute("aria-valuetext", percent + " %");
          // Announced politely; the live region is updated at most every 10 %.
          var step = Math.floor(percent / 10);
          if (step !== current.lastStep) {
            current.lastStep = step;
            say(format(text(form, "progress"), {
              name: file.name, percent: percent, sent: megabytes(sent), total: megabytes(total)
            }));
          }
        },
        onSuccess: function () {
          say(format(text(form, "done"), { name: file.name }));
          form.dispatchEvent(new CustomEvent("tus:done", { bubbles: true, detail: { name: file.name, url: current.url } }));
          next();
        },
        onError: function (error) {
          var response = error && error.originalResponse;
          var body = response ? response.getBody() : "";
          say(format(text(form, "failed"), { name: file.name }) + " " + (body || text(form, "retry")));
          buttons("paused");
          resume.focus();
        }
      });
      current.lastStep = -1;
      current.findPreviousUploads().then(function (previous) {
        if (previous.length) {
          current.resumeFromPreviousUpload(previous[0]);
          say(format(text(form, "resuming"), { name: file.name }));
        }
        buttons("running");
        current.start();
      });
    }

    form.addEventListener("submit", function (event) {
      if (!input.files.length) { return; }  // the server answers the empty form
      event.preventDefault();
      queue = Array.prototype.slice.call(input.files);
      next();
    });
    pause.addEventListener("click", function () {
      if (!current) { return; }
      current.abort();  // keeps the upload on the server; resume continues it
      buttons("paused");
      say(text(form, "paused"));
      resume.focus();
    });
    resume.addEventListener("click", function () {
      if (!current) { return; }
      buttons("running");
      say(text(form, "resumed"));
      current.start();
      pause.focus();
    });

    // After a reload: name the unfinished uploads of this endpoint, so the person
    // knows that choosing the same file again continues instead of starting over.
    window.tus.defaultOptions.urlStorage.findAllUploads().then(function (uploads) {
      var names = uploads.filter(function (upload) {
        return upload.uploadUrl && upload.uploadUrl.indexOf(endpoint) === 0;
      }).map(function (upload) { return (upload.metadata && upload.metadata.filename) || "?"; });
      if (names.length) { say(format(text(form, "unfinished"), { names: names.join(", ") })); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-tus-endpoint]").forEach(setup);
  });
})();
