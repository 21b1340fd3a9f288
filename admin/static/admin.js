// Klubb's embedded admin. No framework: each page's document is an empty shell, and this file
// fills it from /api. App Bridge patches fetch() to add "Authorization: Bearer <session token>"
// (and to retry once with a fresh token on a 401 carrying X-Shopify-Retry-Invalid-Session-Request).
(function () {
  "use strict";

  var SETTINGS = {
    earn_rate: "decimal",
    signup_bonus: "integer",
    welcome_discount_percent: "integer",
    expiry_months: "integer",
    auto_enrol: "boolean",
    pending_days: "integer",
  };

  function app() {
    return window.shopify || null;
  }

  function toast(message, isError) {
    var bridge = app();
    if (bridge && bridge.toast) bridge.toast.show(message, { isError: Boolean(isError) });
  }

  // One JSON call to /api; resolves to {ok, status, data} and never rejects.
  function api(method, path, body) {
    var options = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            return { ok: response.ok, status: response.status, data: data };
          });
      },
      function () {
        // No answer at all (offline, or App Bridge could not get a session token).
        var message = "Klubb could not be reached. Check your connection and reload the page.";
        return { ok: false, status: 0, data: { error: { code: "network", message: message } } };
      }
    );
  }

  function errorMessage(result) {
    var error = result.data && result.data.error;
    return (error && error.message) || "Something went wrong. Please try again.";
  }

  // --- Home: a one-line summary of each rule -------------------------------------------------

  function plural(count, one, many) {
    return count + " " + (String(count) === "1" ? one : many);
  }

  function describe(settings, shop) {
    var currency = (shop && shop.currency) || "";
    return {
      earn_rate: plural(settings.earn_rate, "point", "points") + " per " + currency + " 1 spent",
      signup_bonus: settings.signup_bonus ? plural(settings.signup_bonus, "point", "points") : "none",
      welcome_discount_percent: settings.welcome_discount_percent
        ? settings.welcome_discount_percent + " % off the first order"
        : "none",
      expiry_months: settings.expiry_months
        ? "after " + plural(settings.expiry_months, "month", "months") + " without activity"
        : "points never expire",
    };
  }

  function initHome() {
    Promise.all([api("GET", "/api/settings"), api("GET", "/api/shop")]).then(function (results) {
      if (!results[0].ok) return toast(errorMessage(results[0]), true);
      var lines = describe(results[0].data, results[1].ok ? results[1].data : null);
      document.querySelectorAll("[data-summary]").forEach(function (item) {
        item.textContent = lines[item.getAttribute("data-summary")] || "";
      });
    });
  }

  // --- Settings: load, edit, save -------------------------------------------------------------

  function initSettings() {
    var form = document.getElementById("settings-form");
    var banner = document.getElementById("settings-problem");
    var bannerText = document.getElementById("settings-problem-text");
    var bridge = app();
    var saveBar = bridge && bridge.saveBar && document.getElementById("settings-save-bar");
    var saved = null; // the settings as the server last confirmed them
    var busy = false;

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function fill(settings) {
      Object.keys(SETTINGS).forEach(function (name) {
        var el = field(name);
        if (SETTINGS[name] === "boolean") el.checked = Boolean(settings[name]);
        else el.value = String(settings[name]);
      });
    }

    // The form's values as the API takes them; what is not a plain number is sent as typed, so
    // that the server names the problem beside the field.
    function read() {
      var body = {};
      Object.keys(SETTINGS).forEach(function (name) {
        var el = field(name);
        if (SETTINGS[name] === "boolean") {
          body[name] = Boolean(el.checked);
          return;
        }
        var text = String(el.value == null ? "" : el.value).trim();
        body[name] = SETTINGS[name] === "integer" && /^-?\d{1,9}$/.test(text) ? Number(text) : text;
      });
      return body;
    }

    function dirty() {
      if (!saved) return false;
      var now = read();
      return Object.keys(SETTINGS).some(function (name) {
        return String(now[name]) !== String(saved[name]);
      });
    }

    function showErrors(fields) {
      Object.keys(SETTINGS).forEach(function (name) {
        var el = field(name);
        var message = (fields && fields[name]) || "";
        if (message) el.setAttribute("error", message);
        else el.removeAttribute("error");
      });
    }

    function showProblem(text) {
      if (text) {
        bannerText.textContent = text;
        banner.hidden = false;
        banner.removeAttribute("hidden");
      } else {
        banner.hidden = true;
        banner.setAttribute("hidden", "");
      }
    }

    function updateSaveBar() {
      if (saveBar) {
        if (dirty()) bridge.saveBar.show("settings-save-bar");
        else bridge.saveBar.hide("settings-save-bar");
      }
    }

    function save() {
      if (busy || !saved) return;
      busy = true;
      form.setAttribute("aria-busy", "true");
      api("PUT", "/api/settings", read()).then(function (result) {
        busy = false;
        form.removeAttribute("aria-busy");
        if (result.ok) {
          saved = result.data;
          fill(saved);
          showErrors(null);
          showProblem("");
          updateSaveBar();
          toast("Settings saved");
        } else if (result.status === 422) {
          var fields = (result.data && result.data.error && result.data.error.fields) || {};
          showErrors(fields);
          var unknown = Object.keys(fields).filter(function (name) {
            return !(name in SETTINGS);
          });
          showProblem(
            unknown.length
              ? errorMessage(result)
              : "Correct the fields marked below, then save again."
          );
          toast("Settings not saved", true);
        } else {
          showProblem(errorMessage(result));
          toast("Settings not saved", true);
        }
      });
    }

    function discard() {
      if (!saved) return;
      fill(saved);
      showErrors(null);
      showProblem("");
      updateSaveBar();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      discard();
    });
    Object.keys(SETTINGS).forEach(function (name) {
      field(name).addEventListener("input", updateSaveBar);
      field(name).addEventListener("change", updateSaveBar);
    });
    // Polaris buttons are custom elements: route their clicks to the form explicitly.
    document.getElementById("settings-submit").addEventListener("click", function (event) {
      event.preventDefault();
      save();
    });
    document.getElementById("settings-discard").addEventListener("click", function (event) {
      event.preventDefault();
      discard();
    });
    if (saveBar) {
      document.getElementById("settings-save-bar-save").addEventListener("click", save);
      document.getElementById("settings-save-bar-discard").addEventListener("click", discard);
    } else {
      document.getElementById("settings-actions").hidden = false;
    }

    api("GET", "/api/shop").then(function (result) {
      if (result.ok && result.data.currency) {
        field("earn_rate").setAttribute("suffix", "per " + result.data.currency + " 1");
      }
    });
    api("GET", "/api/settings").then(function (result) {
      form.removeAttribute("aria-busy");
      if (!result.ok) {
        showProblem(errorMessage(result));
        return;
      }
      saved = result.data;
      fill(saved);
    });
  }

  // --- A document load whose id_token was refused: fetch a fresh one and load again, once. ----

  function initSessionExpired() {
    var bridge = app();
    var url = new URL(window.location.href);
    if (!bridge || !bridge.idToken || url.searchParams.get("klubb_retry") === "1") return;
    bridge.idToken().then(function (token) {
      url.searchParams.set("id_token", token);
      url.searchParams.set("klubb_retry", "1");
      window.location.replace(url.toString());
    });
  }

  var pages = { home: initHome, settings: initSettings, "session-expired": initSessionExpired };

  function start() {
    var init = pages[document.body.getAttribute("data-page")];
    if (init) init();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
