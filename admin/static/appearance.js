// Widget appearance: load /api/appearance, edit colours, launcher texts and position with a
// live preview, warn about WCAG AA contrast as the merchant types, save with App Bridge's save
// bar. The contrast formula is the same as loyalty/members/appearance.py's (the API warns too).
(function () {
  "use strict";

  var K = window.Klubb;
  var COLORS = ["accent_color", "accent_text_color", "background_color", "text_color"];
  var FIELDS = COLORS.concat(["position", "launcher_text.en", "launcher_text.nb"]);
  // [foreground, background, minimum, text key]: loyalty.members.appearance.CONTRAST_PAIRS.
  var PAIRS = [
    ["accent_text_color", "accent_color", 4.5, "pair_accent_text"],
    ["text_color", "background_color", 4.5, "pair_text"],
    ["accent_color", "background_color", 3, "pair_accent"],
  ];
  var HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

  function full(hex) {
    var text = String(hex || "").trim().toLowerCase();
    if (!HEX.test(text)) return null;
    if (text.length === 4) text = "#" + text[1] + text[1] + text[2] + text[2] + text[3] + text[3];
    return text;
  }

  function luminance(hex) {
    var rgb = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }

  function ratio(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  // The pairs below their minimum, as {fields, ratio, minimum, message} like the API's warnings.
  function warnings(values) {
    var out = [];
    PAIRS.forEach(function (pair) {
      var fg = full(values[pair[0]]);
      var bg = full(values[pair[1]]);
      if (!fg || !bg) return;
      var r = Math.floor(ratio(fg, bg) * 100) / 100;
      if (r < pair[2]) {
        out.push({
          fields: [pair[0], pair[1]],
          ratio: r,
          minimum: pair[2],
          message: K.text("contrast")
            .replace("{what}", K.text(pair[3]))
            .replace("{ratio}", r.toFixed(2))
            .replace("{minimum}", String(pair[2])),
        });
      }
    });
    return out;
  }

  window.KlubbContrast = { ratio: ratio, warnings: warnings };

  function init() {
    var form = document.getElementById("appearance-form");
    var banner = document.getElementById("appearance-problem");
    var bannerText = document.getElementById("appearance-problem-text");
    var warning = document.getElementById("contrast-warning");
    var warningList = document.getElementById("contrast-list");
    var preview = document.getElementById("preview");
    var language = document.getElementById("preview-language");
    var previewText = JSON.parse(document.getElementById("preview-text").textContent);
    var currency = null; // the shop's, from /api/shop
    var bridge = window.shopify || null;
    var saveBar = bridge && bridge.saveBar && document.getElementById("appearance-save-bar");
    var saved = null;
    var busy = false;

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function swatch(name) {
      return form.querySelector('.k-swatch[data-for="' + name + '"]');
    }

    function fill(data) {
      COLORS.forEach(function (name) {
        field(name).value = data[name];
        swatch(name).value = data[name];
      });
      field("position").value = data.position;
      field("launcher_text.en").value = data.launcher_text.en || "";
      field("launcher_text.nb").value = data.launcher_text.nb || "";
    }

    function read() {
      var body = { position: field("position").value, launcher_text: {} };
      COLORS.forEach(function (name) {
        body[name] = String(field(name).value || "").trim();
      });
      ["en", "nb"].forEach(function (lang) {
        var text = String(field("launcher_text." + lang).value || "").trim();
        if (text) body.launcher_text[lang] = text;
      });
      return body;
    }

    function same(a, b) {
      return JSON.stringify(a) === JSON.stringify(b);
    }

    function dirty() {
      if (!saved) return false;
      var now = read();
      var before = {};
      Object.keys(now).forEach(function (name) {
        before[name] = saved[name];
      });
      return !same(now, before);
    }

    function draw() {
      var values = read();
      var color = function (name) {
        return full(values[name]) || (saved && saved[name]) || "#000000";
      };
      var head = preview.querySelector(".k-preview-head");
      var body = preview.querySelector(".k-preview-body");
      var button = preview.querySelector(".k-preview-button");
      var launcher = document.getElementById("preview-launcher");
      var bar = preview.querySelector(".k-preview-bar span");
      head.style.background = button.style.background = launcher.style.background = color("accent_color");
      head.style.color = button.style.color = launcher.style.color = color("accent_text_color");
      body.style.background = color("background_color");
      body.style.color = color("text_color");
      bar.style.background = color("accent_color");
      preview.classList.toggle("k-left", values.position === "left");
      var lang = previewText[language.value] ? language.value : K.language();
      launcher.textContent = values.launcher_text[lang] || K.text("launcher_default_" + lang);
      drawTexts(lang);

      var found = warnings(values);
      warningList.replaceChildren.apply(
        warningList,
        found.map(function (w) {
          var item = document.createElement("li");
          item.textContent = w.message;
          return item;
        })
      );
      K.setHidden(warning, found.length === 0);
    }

    // The panel in the preview language, its example numbers formatted for that language.
    function drawTexts(lang) {
      var texts = previewText[lang];
      preview.setAttribute("lang", lang);
      preview.querySelectorAll("[data-preview]").forEach(function (el) {
        var key = el.getAttribute("data-preview");
        if (key !== "progress") el.textContent = texts[key];
      });
      document.getElementById("preview-points").textContent = K.formatPoints(1250, lang);
      var progress = preview.querySelector('[data-preview="progress"]');
      progress.textContent = currency
        ? texts.progress
            .replace("{points}", K.formatPoints(250, lang))
            .replace("{amount}", K.formatMoney("50", currency, lang))
        : "";
    }

    function showErrors(fields) {
      FIELDS.forEach(function (name) {
        var el = field(name);
        var message = (fields && fields[name]) || "";
        if (message) el.setAttribute("error", message);
        else el.removeAttribute("error");
      });
    }

    function showProblem(text) {
      if (text) bannerText.textContent = text;
      K.setHidden(banner, !text);
    }

    function changed() {
      COLORS.forEach(function (name) {
        var value = full(field(name).value);
        if (value) swatch(name).value = value;
      });
      draw();
      if (saveBar) {
        if (dirty()) bridge.saveBar.show("appearance-save-bar");
        else bridge.saveBar.hide("appearance-save-bar");
      }
    }

    function save() {
      if (busy || !saved) return;
      busy = true;
      form.setAttribute("aria-busy", "true");
      K.api("PUT", "/api/appearance", read()).then(function (result) {
        busy = false;
        form.removeAttribute("aria-busy");
        if (result.ok) {
          saved = result.data;
          fill(saved);
          showErrors(null);
          showProblem("");
          changed();
          K.toast(K.text("saved"));
        } else {
          var fields = K.errorFields(result);
          showErrors(fields);
          var known = Object.keys(fields).every(function (name) {
            return FIELDS.indexOf(name) !== -1;
          });
          showProblem(result.status === 422 && known ? K.text("fix_fields") : K.errorMessage(result));
          K.toast(K.text("not_saved"), true);
        }
      });
    }

    function discard() {
      if (!saved) return;
      fill(saved);
      showErrors(null);
      showProblem("");
      changed();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });
    FIELDS.forEach(function (name) {
      field(name).addEventListener("input", changed);
      field(name).addEventListener("change", changed);
    });
    COLORS.forEach(function (name) {
      swatch(name).addEventListener("input", function () {
        field(name).value = swatch(name).value;
        changed();
      });
    });
    language.addEventListener("change", draw);
    document.getElementById("appearance-submit").addEventListener("click", save);
    document.getElementById("appearance-discard").addEventListener("click", discard);
    if (saveBar) {
      document.getElementById("appearance-save-bar-save").addEventListener("click", save);
      document.getElementById("appearance-save-bar-discard").addEventListener("click", discard);
    } else {
      K.setHidden(document.getElementById("appearance-actions"), false);
    }

    Promise.all([K.api("GET", "/api/appearance"), K.api("GET", "/api/shop")]).then(
      function (results) {
        form.removeAttribute("aria-busy");
        var result = results[0];
        if (!result.ok) return showProblem(K.errorMessage(result));
        // Without the shop's currency the example reward is left out, not guessed.
        currency = results[1].ok ? results[1].data.currency : null;
        saved = result.data;
        fill(saved);
        draw();
      }
    );
  }

  K.onReady("appearance", init);
})();
