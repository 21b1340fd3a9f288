// Klubb's embedded admin. No framework: each page's document is an empty shell, and this file
// fills it from /api. App Bridge patches fetch() to add "Authorization: Bearer <session token>"
// (and to retry once with a fresh token on a 401 carrying X-Shopify-Retry-Invalid-Session-Request).
(function () {
  "use strict";

  var SETTINGS = {
    earn_rate: "decimal",
    signup_bonus: "integer",
    welcome_discount_percent: "integer",
    welcome_discount_days: "integer",
    expiry_months: "integer",
    auto_enrol: "boolean",
    pending_days: "integer",
    // Retention periods (privacy): bounds are checked by the API, errors shown beside each field.
    inactive_member_months: "integer",
    webhook_body_days: "integer",
    export_days: "integer",
    audit_months: "integer",
    // Ways to earn beyond orders: the birthday reward, follows, the newsletter.
    birthday_reward: "choice",
    birthday_points: "integer",
    birthday_discount_percent: "integer",
    birthday_code_days: "integer",
    birthday_timing: "choice",
    birthday_change_wait_days: "integer",
    instagram_url: "text",
    instagram_points: "integer",
    facebook_url: "text",
    facebook_points: "integer",
    tiktok_url: "text",
    tiktok_points: "integer",
    newsletter_points: "integer",
    // VIP tiers (the Tiers page has the ladder itself).
    tier_grace_days: "integer",
    tier_counts_adjustments: "boolean",
    // Referrals (the Referrals page has the report).
    referral_enabled: "boolean",
    referral_discount_percent: "integer",
    referral_code_days: "integer",
    referral_points: "integer",
    referral_wait_days: "integer",
    referral_monthly_cap: "integer",
  };

  function app() {
    return window.shopify || null;
  }

  // The page's text (its page-text block, read by common.js); `english` on a page without one.
  function text(key, english, values) {
    var K = window.Klubb;
    var found = K ? K.text(key, values) : key;
    return found === key ? english : found;
  }

  function toast(message, isError) {
    var bridge = app();
    if (bridge && bridge.toast) bridge.toast.show(message, { isError: Boolean(isError) });
  }

  // One JSON call to /api; resolves to {ok, status, data} and never rejects. Accept-Language
  // asks for the error messages in the page's language.
  function api(method, path, body) {
    var language = document.documentElement.lang || "en";
    var options = {
      method: method,
      headers: { Accept: "application/json", "Accept-Language": language },
    };
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
        var message = text(
          "network",
          "Klubb could not be reached. Check your connection and reload the page."
        );
        return { ok: false, status: 0, data: { error: { code: "network", message: message } } };
      }
    );
  }

  function errorMessage(result) {
    var error = result.data && result.data.error;
    return (error && error.message) || text("failed", "Something went wrong. Please try again.");
  }

  // --- Home: a one-line summary of each rule -------------------------------------------------

  // One or many: `key + "_one"` or `key + "_many"` from the page's texts, {count} filled in.
  function counted(key, count, one, many, values) {
    var single = String(count) === "1";
    var all = Object.assign({ count: count }, values || {});
    var english = (single ? one : many).replace(/\{(\w+)\}/g, function (_, name) {
      return all[name];
    });
    return text(key + (single ? "_one" : "_many"), english, all);
  }

  function describe(settings, shop) {
    var currency = (shop && shop.currency) || "";
    // One unit of the shop's money as the rest of the admin writes it ("NOK 1", "1 kr").
    var K = window.Klubb;
    var unit = K && currency ? K.formatMoney("1", currency) : (currency + " 1").trim();
    var none = text("rule_none", "none");
    return {
      earn_rate: counted(
        "rule_earn",
        settings.earn_rate,
        "{count} point per {amount} spent",
        "{count} points per {amount} spent",
        { amount: unit }
      ),
      signup_bonus: settings.signup_bonus
        ? counted("rule_points", settings.signup_bonus, "{count} point", "{count} points")
        : none,
      welcome_discount_percent: settings.welcome_discount_percent
        ? text("rule_welcome", settings.welcome_discount_percent + " % off the first order", {
            percent: settings.welcome_discount_percent,
          })
        : none,
      expiry_months: settings.expiry_months
        ? counted(
            "rule_expiry",
            settings.expiry_months,
            "after {count} month without activity",
            "after {count} months without activity"
          )
        : text("rule_never", "points never expire"),
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

  // --- Settings: the earning rule's live example -----------------------------------------------

  // A plain non-negative decimal as exact digits: "2.50" -> {units: 25n, scale: 1}; else null.
  function decimal(value) {
    var match = /^\s*(\d{1,15})(?:[.,](\d{0,15}))?\s*$/.exec(String(value == null ? "" : value));
    if (!match) return null;
    var fraction = (match[2] || "").replace(/0+$/, "");
    return { units: BigInt(match[1] + fraction), scale: fraction.length };
  }

  function tenTo(n) {
    return BigInt("1" + "0".repeat(n));
  }

  // Half-up to `digits` decimals (what loyalty.core.money.parse_amount does to an order's amounts).
  function roundTo(value, digits) {
    if (value.scale <= digits) return value;
    var drop = tenTo(value.scale - digits);
    return { units: (value.units * 2n + drop) / (drop * 2n), scale: digits };
  }

  // DESIGN.md's earning rule, exactly as loyalty.core.money.points_for: floor(rate x amount). Both
  // are non-negative, so BigInt division (which truncates) is the floor; floats would give
  // 1.15 x 100 = 114.99999999999999 and so one point short.
  function pointsFor(amount, rate) {
    return (amount.units * rate.units) / tenTo(amount.scale + rate.scale);
  }

  // The settings API's rule for a rate: above 0, at most 1000, at most 4 decimals.
  function validRate(rate) {
    if (rate === null || rate.scale > 4) return false;
    return rate.units > 0n && rate.units <= 1000n * tenTo(rate.scale);
  }

  function earnExample(rateValue, amountValue, currency) {
    var language = document.documentElement.lang || "en";
    var rate = decimal(rateValue);
    var amount = decimal(amountValue);
    var none = "Enter a rate and an order amount to see what the order earns.";
    if (!validRate(rate) || amount === null) return text("example_none", none);
    var format = null;
    try {
      if (currency) {
        format = new Intl.NumberFormat(language, { style: "currency", currency: currency });
      }
    } catch (e) {
      format = null; // not an ISO 4217 code
    }
    var digits = format ? format.resolvedOptions().maximumFractionDigits : 2;
    amount = roundTo(amount, digits);
    var number = Number(amount.units) / Math.pow(10, amount.scale);
    var shown = format
      ? format.format(number)
      : number.toLocaleString(language, { minimumFractionDigits: digits });
    var points = pointsFor(amount, rate);
    var values = { amount: shown, points: Number(points).toLocaleString(language) };
    if (points === 1n) {
      return text("example_one", "An order of {amount} earns {points} point", values);
    }
    return text("example", "An order of {amount} earns {points} points", values);
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
    var currency = null; // the shop's, for the live example
    var example = document.getElementById("earn-example");

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function fill(settings) {
      Object.keys(SETTINGS).forEach(function (name) {
        var el = field(name);
        if (SETTINGS[name] === "boolean") el.checked = Boolean(settings[name]);
        else el.value = settings[name] == null ? "" : String(settings[name]);
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
        if (SETTINGS[name] === "text") {
          body[name] = text || null; // empty: none
          return;
        }
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

    function updateExample() {
      if (example) {
        var amount = form.querySelector('[name="example_amount"]');
        var rate = field("earn_rate").value;
        example.textContent = earnExample(rate, amount && amount.value, currency);
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
          updateExample();
          showErrors(null);
          showProblem("");
          updateSaveBar();
          toast(text("saved", "Settings saved"));
        } else if (result.status === 422) {
          var fields = (result.data && result.data.error && result.data.error.fields) || {};
          showErrors(fields);
          var unknown = Object.keys(fields).filter(function (name) {
            return !(name in SETTINGS);
          });
          showProblem(
            unknown.length
              ? errorMessage(result)
              : text("fix_fields", "Correct the fields marked below, then save again.")
          );
          toast(text("not_saved", "Settings not saved"), true);
        } else {
          showProblem(errorMessage(result));
          toast(text("not_saved", "Settings not saved"), true);
        }
      });
    }

    function discard() {
      if (!saved) return;
      fill(saved);
      updateExample();
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
    ["earn_rate", "example_amount"].forEach(function (name) {
      var el = form.querySelector('[name="' + name + '"]');
      if (el) el.addEventListener("input", updateExample);
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
        currency = result.data.currency;
        var suffix = text("per_currency", "per " + currency + " 1", { currency: currency });
        field("earn_rate").setAttribute("suffix", suffix);
        var amount = form.querySelector('[name="example_amount"]');
        if (amount) amount.setAttribute("suffix", currency);
        updateExample();
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
      updateExample();
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
