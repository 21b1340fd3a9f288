// The campaigns list: every campaign of the shop, newest first, each linking to its page.
(function () {
  "use strict";

  var K = window.Klubb;
  var TONES = { scheduled: "info", sending: "attention", paused: "warning", sent: "success", failed: "critical" };

  function show(list) {
    var table = document.getElementById("campaigns-table");
    var body = table.querySelector("tbody");
    body.textContent = "";
    list.forEach(function (campaign) {
      var row = document.createElement("tr");
      var link = document.createElement("s-link");
      link.setAttribute("href", K.appLink("/campaigns/" + campaign.id));
      link.textContent = campaign.name;
      K.cell(row, link);
      K.cell(row, K.text("channel_" + campaign.channel));
      K.cell(row, K.badge(K.text("state_" + campaign.state), TONES[campaign.state]));
      K.cell(row, K.formatDate(campaign.send_at, true));
      body.appendChild(row);
    });
    K.setHidden(table, list.length === 0);
    K.setHidden(document.getElementById("campaigns-empty"), list.length !== 0);
  }

  K.onReady("campaigns", function () {
    var section = document.getElementById("campaigns-list");
    K.api("GET", "/api/campaigns").then(function (result) {
      section.setAttribute("aria-busy", "false");
      if (!result.ok) {
        document.getElementById("campaigns-problem-text").textContent = K.errorMessage(result);
        K.setHidden(document.getElementById("campaigns-problem"), false);
        return;
      }
      show(result.data.campaigns);
    });
  });
})();
