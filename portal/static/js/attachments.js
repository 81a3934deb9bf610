/* Check the chosen attachments in the browser (count and size) so that a refused upload keeps the message. */
(function () {
  "use strict";

  function problem(input) {
    var files = input.files || [];
    if (files.length > Number(input.getAttribute("data-max-files"))) {
      return input.getAttribute("data-too-many");
    }
    var limit = Number(input.getAttribute("data-max-bytes"));
    for (var i = 0; i < files.length; i += 1) {
      if (files[i].size > limit) {
        return input.getAttribute("data-too-large").replace("{name}", files[i].name);
      }
    }
    return "";
  }

  function check(input) {
    var notice = document.getElementById(input.id + "-check");
    var text = problem(input);
    input.setCustomValidity(text);
    input.setAttribute("aria-invalid", text ? "true" : "false");
    if (notice) {
      notice.textContent = text;
      notice.hidden = !text;
    }
    return !text;
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () { check(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
