// Upload progress: with JavaScript the form is sent by XHR and a progress bar
// follows the bytes; without it the ordinary form post works the same way.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files.length || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress");
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action") || window.location.pathname);
      request.upload.addEventListener("progress", function (e) {
        if (bar && e.lengthComputable) { bar.hidden = false; bar.value = Math.round(100 * e.loaded / e.total); }
      });
      request.addEventListener("load", function () {
        window.location.assign(request.responseURL || window.location.href);
      });
      request.addEventListener("error", function () { form.submit(); });
      request.send(new FormData(form));
    });
  });
});
