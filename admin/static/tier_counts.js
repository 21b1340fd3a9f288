// The dashboard's "Members per tier": each VIP tier with its members, and those in none.
// The section stays hidden for a shop without tiers.
(function () {
  "use strict";

  var K = window.Klubb;

  function init() {
    var section = document.getElementById("tier-counts");
    K.api("GET", "/api/tiers").then(function (result) {
      section.removeAttribute("aria-busy");
      if (!result.ok || !result.data.tiers.length) return;
      var body = document.querySelector("#tier-counts-table tbody");
      body.textContent = "";
      var rows = result.data.tiers
        .slice()
        .reverse()
        .map(function (tier) {
          return [tier.name, tier.members];
        });
      rows.push([K.text("no_tier"), result.data.members_without_tier]);
      rows.forEach(function (pair) {
        var row = document.createElement("tr");
        var head = document.createElement("th");
        head.setAttribute("scope", "row");
        head.textContent = pair[0];
        row.appendChild(head);
        K.cell(row, K.formatPoints(pair[1]), "k-num");
        body.appendChild(row);
      });
      K.setHidden(section, false);
    });
  }

  K.onReady("home", init);
})();
