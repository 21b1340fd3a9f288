// The Backfill page: shows /api/backfill's state (polled while a run is under way) and starts
// a run with the merchant's options. Texts come from the page's JSON block (common.js).
(function () {
  "use strict";

  var K = window.Klubb;
  var POLL_MS = 3000;
  var timer = null;

  // Steps of the bar: queued 0, customers 1, orders 2 (then 3 once applied), done 4.
  function step(state) {
    if (state.status === "completed") return 4;
    if (state.status === "none" || state.status === "queued") return 0;
    return state.phase === "orders" ? 2 : 1;
  }

  function statusText(state) {
    if (state.status === "running") return K.text("running_" + state.phase);
    if (state.status === "failed") return K.text("failed_status");
    return K.text(state.status);
  }

  function show(state) {
    document.getElementById("backfill-status").textContent = statusText(state);
    var finished = document.getElementById("backfill-finished");
    finished.textContent = state.finished_at
      ? K.text("finished_at", { date: K.formatDate(state.finished_at, true) })
      : "";
    K.setHidden(finished, !state.finished_at);
    var bar = document.getElementById("backfill-bar");
    bar.value = step(state);
    bar.setAttribute("aria-valuetext", statusText(state));
    var counts = state.counts || {};
    document.querySelectorAll("[data-count]").forEach(function (el) {
      el.textContent = K.formatPoints(counts[el.getAttribute("data-count")] || 0);
    });
    var banner = document.getElementById("backfill-error");
    document.getElementById("backfill-error-text").textContent = state.error || "";
    K.setHidden(banner, !state.error);
    var button = document.getElementById("backfill-start");
    if (state.status === "queued" || state.status === "running") button.setAttribute("disabled", "");
    else button.removeAttribute("disabled");
    if (state.options) {
      var form = document.getElementById("backfill-form");
      var all = state.options.orders_since === "all";
      form.querySelector('[name="all_orders"]').checked = all;
      if (!all) form.querySelector('[name="orders_since"]').value = String(state.options.orders_since);
      form.querySelector('[name="award_points"]').checked = Boolean(state.options.award_points);
      form.querySelector('[name="signup_bonus"]').checked = Boolean(state.options.signup_bonus);
      syncWindow(form);
    }
    clearTimeout(timer);
    if (state.status === "queued" || state.status === "running") {
      timer = setTimeout(load, POLL_MS);
    }
  }

  function load() {
    K.api("GET", "/api/backfill").then(function (result) {
      if (result.ok) show(result.data);
      else document.getElementById("backfill-status").textContent = K.errorMessage(result);
    });
  }

  function options(form) {
    var body = {
      award_points: Boolean(form.querySelector('[name="award_points"]').checked),
      signup_bonus: Boolean(form.querySelector('[name="signup_bonus"]').checked),
    };
    if (form.querySelector('[name="all_orders"]').checked) {
      body.orders_since = "all";
    } else {
      var raw = String(form.querySelector('[name="orders_since"]').value || "").trim();
      body.orders_since = /^\d+$/.test(raw) ? Number(raw) : raw;
    }
    return body;
  }

  function start(event) {
    if (event) event.preventDefault();
    var form = document.getElementById("backfill-form");
    var names = ["orders_since", "award_points", "signup_bonus"];
    K.showFieldErrors(form, names, {});
    K.api("POST", "/api/backfill", options(form)).then(function (result) {
      if (result.ok) {
        K.toast(K.text("started"));
        show(result.data);
      } else if (result.status === 409) {
        K.toast(K.text("running"), true);
        load();
      } else {
        K.showFieldErrors(form, names, K.errorFields(result));
        K.toast(K.errorMessage(result), true);
      }
    });
  }

  // "All past orders" makes the number of days irrelevant.
  function syncWindow(form) {
    var all = form.querySelector('[name="all_orders"]').checked;
    var days = form.querySelector('[name="orders_since"]');
    if (all) days.setAttribute("disabled", "");
    else days.removeAttribute("disabled");
  }

  K.onReady("backfill", function () {
    var form = document.getElementById("backfill-form");
    form.querySelector('[name="all_orders"]').addEventListener("change", function () {
      syncWindow(form);
    });
    form.addEventListener("submit", start);
    load();
  });
})();
