// The spend vouchers page: the rules (create, delete), and the vouchers issued with their state
// and what the active ones are worth. The API's errors are shown beside their fields.
(function () {
  "use strict";

  var K = window.Klubb;
  var FIELDS = ["name", "threshold", "period", "period_days", "voucher_kind", "voucher_amount"];
  var SHOWN_AT = { "voucher.kind": "voucher_kind", "voucher.amount": "voucher_amount", voucher: "voucher_amount" };

  function init() {
    var form = document.getElementById("rule-form");
    var currency = "";

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function value(name) {
      var v = field(name).value;
      return String(v == null ? "" : v).trim();
    }

    function periodText(rule) {
      return K.text("period_" + rule.period, { days: rule.period_days });
    }

    function voucherText(kind, amount, cur) {
      return K.text("kind_" + kind, { amount: K.formatMoney(amount, cur || currency) });
    }

    function loadRules() {
      return K.api("GET", "/api/voucher-rules").then(function (result) {
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        currency = result.data.currency;
        var table = document.getElementById("rules-table");
        var body = table.querySelector("tbody");
        body.textContent = "";
        result.data.rules.forEach(function (rule) {
          var row = document.createElement("tr");
          K.cell(row, rule.name);
          K.cell(row, K.text("spend_in", { amount: K.formatMoney(rule.threshold, currency), period: periodText(rule) }));
          K.cell(row, voucherText(rule.voucher.kind, rule.voucher.amount), "k-wide");
          K.cell(row, K.formatPoints(rule.vouchers_issued), "k-num k-wide");
          var remove = document.createElement("s-button");
          remove.setAttribute("variant", "tertiary");
          remove.setAttribute("tone", "critical");
          remove.setAttribute("accessibilityLabel", K.text("delete_rule", { name: rule.name }));
          remove.textContent = K.text("delete");
          remove.addEventListener("click", function () {
            K.api("DELETE", "/api/voucher-rules/" + rule.id).then(function (res) {
              K.toast(res.ok ? K.text("deleted") : K.errorMessage(res), !res.ok);
              loadRules();
            });
          });
          K.cell(row, remove);
          body.appendChild(row);
        });
        K.setHidden(table, !result.data.rules.length);
        K.setHidden(document.getElementById("rules-empty"), Boolean(result.data.rules.length));
      });
    }

    function loadVouchers() {
      return K.api("GET", "/api/vouchers").then(function (result) {
        if (!result.ok) return;
        var cur = result.data.currency;
        var said = JSON.parse(document.getElementById("liability-text").textContent);
        document.getElementById("vouchers-liability").textContent = said
          .replace("{active}", K.formatMoney(result.data.liability.active, cur))
          .replace("{disabled}", K.formatMoney(result.data.liability.disabled, cur));
        var table = document.getElementById("vouchers-table");
        var body = table.querySelector("tbody");
        body.textContent = "";
        result.data.vouchers.forEach(function (v) {
          var row = document.createElement("tr");
          K.cell(row, v.member_name || v.customer_id);
          var what = voucherText(v.kind, v.amount, v.currency);
          if (v.code) what += " · " + v.code;
          else if (v.last_characters) what += " · " + K.text("ending", { chars: v.last_characters });
          K.cell(row, what);
          K.cell(row, v.period, "k-wide");
          var tone = { active: "success", disabled: "warning", failed: "critical" }[v.state];
          K.cell(row, K.badge(K.text("state_" + v.state), tone));
          K.cell(row, K.formatDate(v.issued_at), "k-wide");
          body.appendChild(row);
        });
        K.setHidden(table, !result.data.vouchers.length);
        K.setHidden(document.getElementById("vouchers-empty"), Boolean(result.data.vouchers.length));
      });
    }

    function submit(event) {
      if (event) event.preventDefault();
      var days = value("period_days");
      var body = {
        name: value("name"),
        threshold: value("threshold"),
        period: value("period") || "calendar_year",
        period_days: value("period") === "rolling_days" && days ? Number(days) : null,
        voucher: { kind: value("voucher_kind") || "gift_card", amount: value("voucher_amount") },
      };
      K.api("POST", "/api/voucher-rules", body).then(function (result) {
        var fields = K.errorFields(result);
        var shown = {};
        Object.keys(fields).forEach(function (name) {
          shown[SHOWN_AT[name] || name] = fields[name];
        });
        K.showFieldErrors(form, FIELDS, shown);
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        K.toast(K.text("saved"));
        form.reset();
        loadRules();
      });
    }

    form.addEventListener("submit", submit);
    document.getElementById("rule-submit").addEventListener("click", submit);
    loadRules();
    loadVouchers();
  }

  K.onReady("vouchers", init);
})();
