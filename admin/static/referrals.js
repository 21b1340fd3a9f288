// The Referrals page: GET /api/referrals as counts per state, the points paid, and a table of
// the newest referrals (referrer, the friend's email, when, state, points).
(function () {
  "use strict";

  var K = window.Klubb;
  var STATES = ["signed_up", "ordered", "rewarded", "not_eligible", "capped"];
  var TONES = {
    signed_up: "info",
    ordered: "attention",
    rewarded: "success",
    not_eligible: "critical",
    capped: "warning",
  };

  function init() {
    var section = document.getElementById("referrals");
    var table = document.getElementById("referrals-table");

    function render(report) {
      var counts = document.getElementById("referrals-counts");
      counts.textContent = "";
      STATES.forEach(function (state) {
        counts.appendChild(K.badge(K.text(state) + ": " + (report.counts[state] || 0), TONES[state]));
      });
      document.getElementById("referrals-paid").textContent = K.text("points_paid", {
        points: report.points_paid,
      });
      var body = table.querySelector("tbody");
      body.textContent = "";
      report.referrals.forEach(function (referral) {
        var row = document.createElement("tr");
        row.setAttribute("data-referral", referral.id);
        row.setAttribute("data-state", referral.state);
        var who = referral.referrer.name || referral.referrer.customer_id;
        K.cell(row, who);
        K.cell(row, referral.friend_email || K.text("erased"));
        K.cell(row, K.formatDate(referral.created_at, true), "k-wide");
        K.cell(row, K.badge(K.text(referral.state), TONES[referral.state]));
        K.cell(row, String(referral.points));
        body.appendChild(row);
      });
      K.setHidden(table, report.referrals.length === 0);
      K.setHidden(document.getElementById("referrals-empty"), report.referrals.length !== 0);
    }

    K.api("GET", "/api/referrals").then(function (result) {
      section.removeAttribute("aria-busy");
      if (!result.ok) {
        document.getElementById("referrals-problem-text").textContent = K.errorMessage(result);
        return K.setHidden(document.getElementById("referrals-problem"), false);
      }
      render(result.data);
    });
  }

  K.onReady("referrals", init);
})();
