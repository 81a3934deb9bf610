/* Order page: open the Correios history in a dialog and carrier pages in a sandboxed frame. */
(function () {
  "use strict";

  // Give up on the history after this long and offer the public Correios page instead.
  var HISTORY_TIMEOUT_MS = 8000;
  // While the portal is still fetching the history, ask again this often.
  var POLL_MS = 1000;

  function setStatus(dialog, key) {
    var status = dialog.querySelector(".tracking-dialog__status");
    status.textContent = key ? status.getAttribute("data-" + key + "-text") : "";
    status.hidden = !key;
  }

  function renderEvents(list, events) {
    list.replaceChildren();
    events.forEach(function (event) {
      var item = document.createElement("li");
      item.className = "tracking-event";
      item.setAttribute("data-tracking-event", "");
      var when = document.createElement("time");
      when.className = "tracking-event__when";
      when.dateTime = event.when || "";
      when.textContent = event.when_display || "";
      item.appendChild(when);
      [["description", event.description], ["detail", event.detail], ["place", event.place]].forEach(function (part) {
        if (!part[1]) { return; }
        var span = document.createElement("span");
        span.className = "tracking-event__" + part[0];
        span.textContent = part[1];
        item.appendChild(span);
      });
      list.appendChild(item);
    });
  }

  function showPublicLink(dialog, url) {
    var wrapper = dialog.querySelector(".tracking-dialog__public");
    var link = dialog.querySelector("[data-public-link]");
    if (url && /^https:\/\//.test(url)) {
      link.href = url;
      wrapper.hidden = false;
    } else {
      wrapper.hidden = true;
    }
  }

  function openCorreios(trigger, dialog) {
    var list = dialog.querySelector("[data-event-list]");
    var deadline = Date.now() + HISTORY_TIMEOUT_MS;
    var opened = (dialog.openedCount = (dialog.openedCount || 0) + 1);
    list.replaceChildren();
    showPublicLink(dialog, null);
    setStatus(dialog, "loading");
    dialog.showModal();

    function giveUp() {
      setStatus(dialog, "unavailable");
      showPublicLink(dialog, trigger.getAttribute("data-public-url"));
    }

    // The portal answers at once from its copy; while the worker asks Correios (`refreshing`), ask again.
    function ask() {
      var left = deadline - Date.now();
      if (left <= 0) { giveUp(); return; }
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = controller ? window.setTimeout(function () { controller.abort(); }, left) : null;
      fetch(trigger.getAttribute("data-json-url"), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        if (opened !== dialog.openedCount) { return; }
        var events = Array.isArray(data.events) ? data.events : [];
        var waiting = data.refreshing === true && Date.now() + POLL_MS < deadline;
        renderEvents(list, events);
        if (waiting && !events.length) {
          setStatus(dialog, "loading");
        } else if (!data.available) {
          setStatus(dialog, waiting ? "loading" : "unavailable");
        } else {
          setStatus(dialog, events.length ? null : "empty");
        }
        showPublicLink(dialog, data.public_url);
        if (waiting) {
          window.setTimeout(ask, POLL_MS);
        } else if (data.refreshing === true && !events.length) {
          giveUp();
        }
      }).catch(function () {
        if (opened === dialog.openedCount) { giveUp(); }
      }).finally(function () {
        if (timer !== null) { window.clearTimeout(timer); }
      });
    }
    ask();
  }

  function openEmbed(trigger, region) {
    var url = trigger.getAttribute("data-embed-url");
    if (!url || !/^https:\/\//.test(url)) { return false; }
    var frame = region.querySelector("iframe");
    if (!frame) {
      frame = document.createElement("iframe");
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-popups");
      frame.setAttribute("referrerpolicy", "no-referrer");
      frame.setAttribute("title", region.querySelector("h3").textContent);
      region.insertBefore(frame, region.querySelector(".tracking-frame__out"));
    }
    frame.src = url;
    region.hidden = false;
    region.focus();
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("tracking-dialog");
    var region = document.getElementById("tracking-frame");

    document.querySelectorAll("a[data-tracking='correios']").forEach(function (trigger) {
      if (!dialog || typeof dialog.showModal !== "function") { return; }
      trigger.addEventListener("click", function (event) {
        event.preventDefault();
        openCorreios(trigger, dialog);
      });
    });

    document.querySelectorAll("a[data-tracking='embed']").forEach(function (trigger) {
      if (!region) { return; }
      trigger.addEventListener("click", function (event) {
        if (openEmbed(trigger, region)) { event.preventDefault(); }
      });
    });

    if (dialog) {
      dialog.querySelectorAll("[data-dialog-close]").forEach(function (button) {
        button.addEventListener("click", function () { dialog.close(); });
      });
      dialog.addEventListener("click", function (event) {
        if (event.target === dialog) { dialog.close(); }
      });
    }
  });
}());
