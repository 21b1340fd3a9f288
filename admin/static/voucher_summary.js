// The dashboard's "Spend vouchers": how many were issued, used and paused, and what the active
// ones are worth (the liability). The section stays hidden until a voucher was issued.
(function () {
  "use strict";

  var K = window.Klubb;

  function init() {
    var section = document.getElementById("voucher-summary");
    K.api("GET", "/api/vouchers").then(function (result) {
      section.removeAttribute("aria-busy");
      if (!result.ok) return;
      var counts = result.data.counts;
      var issued = Object.keys(counts).reduce(function (sum, state) {
        return state === "failed" ? sum : sum + counts[state];
      }, 0);
      if (!issued) return;
      var shown = {
        issued: K.formatPoints(issued),
        used: K.formatPoints(counts.used || 0),
        disabled: K.formatPoints(counts.disabled || 0),
        liability: K.formatMoney(result.data.liability.active, result.data.currency),
      };
      Object.keys(shown).forEach(function (key) {
        section.querySelector('[data-voucher="' + key + '"]').textContent = shown[key];
      });
      K.setHidden(section, false);
    });
  }

  K.onReady("home", init);
})();
