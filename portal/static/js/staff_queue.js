/* Ticket queue keys: j/k move between rows, r opens the ticket to reply, n to add an internal note,
   ? shows the list of keys. Keys typed into a field are left alone. */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) { return false; }
    return Boolean(target.isContentEditable || target.closest("input, textarea, select, [contenteditable]"));
  }

  function setUp(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-ticket]"));
    var help = document.querySelector("[data-queue-keys]");
    var current = -1;

    function select(index) {
      if (!rows.length) { return; }
      index = Math.max(0, Math.min(rows.length - 1, index));
      if (current >= 0) { rows[current].removeAttribute("aria-selected"); }
      current = index;
      rows[current].setAttribute("aria-selected", "true");
      rows[current].querySelector("th a").focus();
    }

    function open(hash) {
      if (current < 0) { select(0); }
      var link = rows[current] && rows[current].querySelector("th a");
      if (link) { window.location.assign(link.getAttribute("href") + hash); }
    }

    rows.forEach(function (row, index) {
      row.addEventListener("focusin", function () {
        if (current >= 0 && current !== index) { rows[current].removeAttribute("aria-selected"); }
        current = index;
        row.setAttribute("aria-selected", "true");
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
      var handled = true;
      if (event.key === "j") { select(current + 1); }
      else if (event.key === "k") { select(current < 0 ? 0 : current - 1); }
      else if (event.key === "r") { open("#reply"); }
      else if (event.key === "n") { open("#note"); }
      else if (event.key === "?" && help) { help.hidden = !help.hidden; }
      else if (event.key === "Escape" && help && !help.hidden) { help.hidden = true; }
      else { handled = false; }
      if (handled) { event.preventDefault(); }
    });
  }

  var table = document.querySelector("[data-queue]");
  if (table) { setUp(table); }
}());
