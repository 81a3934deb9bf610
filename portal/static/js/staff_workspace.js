/* Ticket workspace: insert a text module into the reply in one click, and show the chosen action's form. */
(function () {
  "use strict";

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || 0;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var glue = before && !/\n$/.test(before) ? "\n" : "";
    textarea.value = before + glue + text + after;
    var caret = (before + glue + text).length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function announce(notice, button) {
    var missing = button.getAttribute("data-missing") || "";
    var text = notice.getAttribute("data-inserted-text").replace("{title}", button.getAttribute("data-title"));
    if (missing) {
      text += " " + notice.getAttribute("data-missing-text").replace("{names}", missing);
      notice.classList.add("placeholder-warning");
    } else {
      notice.classList.remove("placeholder-warning");
    }
    notice.textContent = text;
  }

  function setUpModules(root) {
    var textarea = document.getElementById(root.getAttribute("data-target"));
    var notice = root.querySelector("[data-module-notice]");
    if (!textarea || !notice) { return; }
    root.querySelectorAll("[data-module-text]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        insertAtCursor(textarea, button.getAttribute("data-module-text"));
        announce(notice, button);
      });
    });
  }

  function setUpActions(menu) {
    var select = menu.querySelector("select");
    var forms = document.querySelectorAll("[data-action-form]");
    function show(focus) {
      forms.forEach(function (form) {
        form.hidden = form.getAttribute("data-action-form") !== select.value;
      });
      var chosen = document.querySelector('[data-action-form="' + select.value + '"]');
      if (chosen && focus) {
        var first = chosen.querySelector("input:not([type=hidden]), select, textarea, button");
        if (first) { first.focus(); }
      }
    }
    select.addEventListener("change", function () { show(false); });
    menu.addEventListener("submit", function (event) {
      event.preventDefault();
      show(true);
    });
    // A choice made while the page was still loading (before this ran) still opens its form.
    if (select.value) { show(false); }
  }

  // Arriving from the queue's r (#reply) or n (#note) key: the answer box is ready to type in.
  function focusAnswer() {
    var body = document.getElementById("reply-body");
    if (!body || body.readOnly) { return; }
    if (window.location.hash === "#note") {
      var internal = document.querySelector('input[name="visibility"][value="internal"]');
      if (internal) { internal.checked = true; internal.dispatchEvent(new Event("change", { bubbles: true })); }
    }
    if (window.location.hash === "#note" || window.location.hash === "#reply") { body.focus(); }
  }

  document.querySelectorAll("[data-modules]").forEach(setUpModules);
  document.querySelectorAll("[data-actions-menu]").forEach(setUpActions);
  // After the load: scrolling to the fragment would otherwise take the focus back.
  window.addEventListener("load", focusAnswer);
})();
