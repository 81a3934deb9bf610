/* One-click copy of a value shown on staff pages: buttons with data-copy; without JS the value stays selectable text. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (button.hasAttribute("data-copy-ready")) { return; }
    button.setAttribute("data-copy-ready", "");
    button.hidden = false;
    var status = button.parentNode.querySelector("[data-copy-status]");
    var timer = null;
    function say(text) {
      if (!status) { return; }
      status.textContent = text;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(
        function () { say(status && status.getAttribute("data-copied")); },
        function () { say(status && status.getAttribute("data-failed")); }
      );
    });
  });
})();
