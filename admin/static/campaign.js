// One campaign's page: its state and counts, what it brought (attributed revenue, codes
// redeemed, clicks), store visits by minutes after the message (a Chart.js bar chart, as the
// dashboard draws them, with the same figures as a table), pause and resume.
(function () {
  "use strict";

  var K = window.Klubb;
  var TONES = { scheduled: "info", sending: "attention", paused: "warning", sent: "success", failed: "critical" };
  var chart = null;

  function id() {
    try {
      return JSON.parse(document.getElementById("campaign-config").textContent).id;
    } catch (e) {
      return "";
    }
  }

  function problem(message) {
    document.getElementById("campaign-problem-text").textContent = message || "";
    K.setHidden(document.getElementById("campaign-problem"), !message);
  }

  function figure(key, content) {
    document.getElementById("figure-" + key).textContent = content;
  }

  function label(bar) {
    if (bar.to_minutes == null) return K.text("minutes_on", { from: bar.from_minutes });
    return K.text("minutes", { from: bar.from_minutes, to: bar.to_minutes });
  }

  function drawVisits(bars) {
    var body = document.querySelector("#table-visits tbody");
    body.textContent = "";
    bars.forEach(function (bar) {
      var row = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = label(bar);
      row.appendChild(th);
      K.cell(row, K.formatPoints(bar.count), "k-num");
      body.appendChild(row);
    });
    if (!window.Chart) return;
    if (chart) chart.destroy();
    chart = new window.Chart(document.getElementById("chart-visits"), {
      type: "bar",
      data: {
        labels: bars.map(label),
        datasets: [
          {
            label: K.text("visits"),
            data: bars.map(function (bar) { return bar.count; }),
            backgroundColor: "#005bd3",
          },
        ],
      },
      options: {
        locale: K.language(),
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function show(campaign) {
    document.getElementById("campaign-name").textContent = campaign.name;
    var state = document.getElementById("campaign-state");
    state.textContent = "";
    state.appendChild(K.badge(K.text("state_" + campaign.state), TONES[campaign.state]));
    var when = campaign.finished_at
      ? K.text("sent_at", { time: K.formatDate(campaign.finished_at, true) })
      : K.text("sends_at", { time: K.formatDate(campaign.send_at, true) });
    document.getElementById("campaign-when").textContent = campaign.send_at ? when : "";
    var counts = campaign.counts;
    ["audience", "sent", "delivered", "failed", "skipped", "redeemed"].forEach(function (key) {
      figure(key, K.formatPoints(counts[key]));
    });
    figure("clicks", K.formatPoints(campaign.clicks.members));
    figure("revenue", K.formatMoney(campaign.revenue_attributed.amount, campaign.revenue_attributed.currency));
    figure("visits", K.formatPoints(campaign.store_visits.count));
    var attribution = campaign.attribution;
    document.getElementById("campaign-window").textContent = K.text("window", {
      hours: attribution.hours,
      online: K.formatMoney(attribution.online.revenue.amount, attribution.online.revenue.currency),
      pos: K.formatMoney(attribution.pos.revenue.amount, attribution.pos.revenue.currency),
    });
    var codes = document.getElementById("campaign-codes");
    K.setHidden(codes, !campaign.codes);
    if (campaign.codes) codes.textContent = K.text("codes", campaign.codes);
    K.setHidden(document.getElementById("campaign-pause"), ["scheduled", "sending"].indexOf(campaign.state) < 0);
    K.setHidden(document.getElementById("campaign-resume"), campaign.state !== "paused");
    drawVisits(campaign.store_visits.minutes_after_send);
  }

  function load() {
    return K.api("GET", "/api/campaigns/" + id()).then(function (result) {
      document.getElementById("campaign-status").setAttribute("aria-busy", "false");
      if (!result.ok) return problem(K.errorMessage(result));
      problem("");
      show(result.data);
    });
  }

  function control(action, done) {
    K.api("POST", "/api/campaigns/" + id() + "/" + action).then(function (result) {
      if (!result.ok) return problem(K.errorMessage(result));
      K.toast(K.text(done));
      show(result.data);
    });
  }

  K.onReady("campaign", function () {
    document.getElementById("campaign-pause").addEventListener("click", function () {
      control("pause", "paused");
    });
    document.getElementById("campaign-resume").addEventListener("click", function () {
      control("resume", "resumed");
    });
    load();
  });
})();
