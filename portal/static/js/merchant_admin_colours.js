// Live preview of the portal colours: the text colours buyers will see on them, and their WCAG AA contrast.
// The server renders the values theme.css would use as data- attributes; edits recompute them the same way
// (portal/services/colours.py: readable_on, text_on_white).
(function () {
  "use strict";
  var form = document.querySelector("[data-colours-form]");
  var preview = document.querySelector("[data-preview]");
  if (!form || !preview) { return; }
  var inputs = { primary: form.elements.primary_color, accent: form.elements.accent_color };
  var WHITE = "#ffffff";
  var BLACK = "#000000";

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    var high = Math.max(luminance(a), luminance(b));
    var low = Math.min(luminance(a), luminance(b));
    return (high + 0.05) / (low + 0.05);
  }

  function readableOn(hex) {
    return contrast(hex, WHITE) >= contrast(hex, BLACK) ? WHITE : BLACK;
  }

  function textOnWhite(hex) {
    while (contrast(hex, WHITE) < 4.5) {
      hex = "#" + [1, 3, 5].map(function (i) {
        var v = Math.floor(parseInt(hex.substr(i, 2), 16) * 0.85);
        return (v < 16 ? "0" : "") + v.toString(16);
      }).join("");
    }
    return hex;
  }

  function apply(values) {
    preview.style.setProperty("--preview-primary", values.primary);
    preview.style.setProperty("--preview-on-primary", values.onPrimary);
    preview.style.setProperty("--preview-primary-text", values.primaryText);
    preview.style.setProperty("--preview-accent", values.accent);
    preview.style.setProperty("--preview-on-accent", values.onAccent);
  }

  function report(key, colour) {
    var item = form.querySelector('[data-contrast-for="' + key + '"]');
    if (!item) { return; }
    var text = readableOn(colour);
    var ratio = contrast(colour, text);
    var ok = ratio >= 4.5;
    var message = item.getAttribute(!ok ? "data-low-text" : (text === BLACK ? "data-ok-black-text" : "data-ok-white-text"));
    var sign = item.parentNode.getAttribute("data-decimal-sign") || ".";
    item.textContent = message.replace("{ratio}", ratio.toFixed(2).replace(".", sign));
    item.setAttribute("data-text", text);
    item.classList.toggle("contrast__item--low", !ok);
  }

  function valueOf(key) {
    var value = ((inputs[key] && inputs[key].value) || "").toLowerCase();
    return /^#[0-9a-f]{6}$/.test(value) ? value : null;
  }

  function update() {
    var primary = valueOf("primary") || preview.dataset.primary;
    var accent = valueOf("accent") || preview.dataset.accent;
    apply({ primary: primary, onPrimary: readableOn(primary), primaryText: textOnWhite(primary), accent: accent,
            onAccent: readableOn(accent) });
    preview.dataset.onPrimary = readableOn(primary);
    report("primary", primary);
    report("accent", accent);
  }

  apply({
    primary: preview.dataset.primary, onPrimary: preview.dataset.onPrimary,
    primaryText: preview.dataset.primaryText, accent: preview.dataset.accent, onAccent: preview.dataset.onAccent
  });
  Object.keys(inputs).forEach(function (key) {
    if (inputs[key]) { inputs[key].addEventListener("input", update); }
  });
})();
