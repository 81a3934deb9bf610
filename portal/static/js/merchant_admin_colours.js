// Live preview of the portal colours and their WCAG AA contrast with white text.
(function () {
  "use strict";
  var form = document.querySelector("[data-colours-form]");
  var preview = document.querySelector("[data-preview]");
  if (!form || !preview) { return; }
  var inputs = { primary: form.elements.primary_color, accent: form.elements.accent_color };

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrastWithWhite(hex) {
    return 1.05 / (luminance(hex) + 0.05);
  }

  function update() {
    Object.keys(inputs).forEach(function (key) {
      var input = inputs[key];
      if (!input) { return; }
      var value = (input.value || "").toLowerCase();
      if (!/^#[0-9a-f]{6}$/.test(value)) { return; }
      preview.style.setProperty("--preview-" + key, value);
      var item = form.querySelector('[data-contrast-for="' + key + '"]');
      if (!item) { return; }
      var ratio = contrastWithWhite(value);
      var ok = ratio >= 4.5;
      var text = item.getAttribute(ok ? "data-ok-text" : "data-low-text");
      item.textContent = text.replace("{ratio}", ratio.toFixed(2));
      item.classList.toggle("contrast__item--low", !ok);
    });
  }

  Object.keys(inputs).forEach(function (key) {
    if (inputs[key]) { inputs[key].addEventListener("input", update); }
  });
  update();
})();
