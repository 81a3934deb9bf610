/* Ticket queue keys: j/k move between rows, r opens the ticket to reply, n to add an internal note,
   x selects the row for a bulk action, ? shows the list of keys. Keys typed into a field are left alone. */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) { return false; }
    if (target.type === "checkbox") { return false; }  // a row's selection box keeps the queue's keys
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

    function toggle() {
      if (current < 0) { select(0); }
      var box = rows[current] && rows[current].querySelector("[data-bulk-select]");
      if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
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
      else if (event.key === "x") { toggle(); }
      else if (event.key === "?" && help) { help.hidden = !help.hidden; }
      else if (event.key === "Escape" && help && !help.hidden) { help.hidden = true; }
      else { handled = false; }
      if (handled) { event.preventDefault(); }
    });
  }

  /* Bulk actions: the form works without this; here the select-all box appears and the count is said. */
  function setUpBulk(form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-bulk-select]"));
    var all = form.querySelector("[data-bulk-all]");
    var fallback = form.querySelector("[data-bulk-all-fallback]");
    var count = form.querySelector("[data-bulk-count]");
    var template = form.getAttribute("data-count-template") || "";

    function update() {
      var checked = boxes.filter(function (box) { return box.checked; }).length;
      if (all) {
        all.checked = checked > 0 && checked === boxes.length;
        all.indeterminate = checked > 0 && checked < boxes.length;
      }
      if (count) { count.textContent = checked ? template.replace("{num}", String(checked)) : ""; }
    }

    if (all) {
      all.hidden = false;
      if (fallback) { fallback.hidden = true; }
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-bulk-select")) { update(); }
    });
    update();
  }

  var table = document.querySelector("[data-queue]");
  if (table) { setUp(table); }
  var bulk = document.querySelector("[data-bulk-form]");
  if (bulk) { setUpBulk(bulk); }
}());
