/* Manual prices: a double-click on a price opens its edit form (the "Edit price" button does the same by keyboard). */
(function () {
  "use strict";
  document.querySelectorAll("[data-price-display]").forEach(function (price) {
    var details = document.querySelector('[data-price-edit="' + price.getAttribute("data-item") + '"]');
    if (!details) { return; }
    price.addEventListener("dblclick", function () {
      details.open = true;
      var input = details.querySelector("[data-price-input]");
      if (input) { input.focus(); input.select(); }
    });
  });
  document.querySelectorAll("details[data-price-edit]").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (!details.open) { return; }
      var input = details.querySelector("[data-price-input]");
      if (input) { input.focus(); }
    });
  });
  var error = document.querySelector("[data-telesales-error]");
  if (error) { error.focus(); }
})();
