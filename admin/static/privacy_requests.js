// The Privacy requests page: GET /api/privacy-requests as a table with each request's due date,
// a flag as the 30-day deadline nears (due soon, overdue), and the export's download (fetched
// with the session token, then saved from a blob: a plain link would carry no token).
(function () {
  "use strict";

  var K = window.Klubb;
  var TONES = { open: "info", due_soon: "warning", overdue: "critical", completed: "success" };
  var FLAGGED = { due_soon: true, overdue: true };
  // Shopify's requests must be answered within 30 days; what a member did in the club (their
  // own download, leaving) was done at once and has no deadline to show.
  var FROM_SHOPIFY = { data_request: true, customer_redact: true, shop_redact: true };

  function init() {
    var section = document.getElementById("privacy-requests");
    var table = document.getElementById("privacy-requests-table");
    var empty = document.getElementById("privacy-requests-empty");
    var attention = document.getElementById("privacy-requests-attention");
    var problem = document.getElementById("privacy-requests-problem");

    function download(request, button) {
      button.setAttribute("loading", "");
      var path = "/api/privacy-requests/" + encodeURIComponent(request.id) + "/export";
      K.api("GET", path).then(function (result) {
        if (!result.ok || !result.response) {
          button.removeAttribute("loading");
          return K.toast(K.errorMessage(result) || K.text("download_failed"), true);
        }
        // The answer was read as JSON by K.api; save exactly that document.
        var blob = new Blob([JSON.stringify(result.data, null, 2)], { type: "application/json" });
        button.removeAttribute("loading");
        K.saveBlob(blob, "klubb-data-request-" + request.id + ".json");
        K.toast(K.text("downloaded"));
      });
    }

    function render(requests) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      var flagged = 0;
      requests.forEach(function (request) {
        var row = document.createElement("tr");
        row.setAttribute("data-request", request.id);
        row.setAttribute("data-status", request.status);
        K.cell(row, K.text(request.kind));
        K.cell(row, K.formatDate(request.received_at, true), "k-wide");
        K.cell(row, FROM_SHOPIFY[request.kind] ? K.formatDate(request.due_at) : "—");
        K.cell(row, K.badge(K.text(request.status), TONES[request.status]));
        if (request.export_available) {
          var button = document.createElement("s-button");
          button.setAttribute("variant", "tertiary");
          button.textContent = K.text("download");
          button.addEventListener("click", function () {
            download(request, button);
          });
          K.cell(row, button);
        } else {
          // Only a data request has an export; once retention deleted it, say so.
          K.cell(row, request.kind === "data_request" ? K.text("no_export") : "—");
        }
        if (FLAGGED[request.status]) flagged += 1;
        body.appendChild(row);
      });
      K.setHidden(table, requests.length === 0);
      K.setHidden(empty, requests.length !== 0);
      if (flagged) {
        document.getElementById("privacy-requests-attention-text").textContent = K.text(
          "attention",
          { count: flagged }
        );
      }
      K.setHidden(attention, flagged === 0);
    }

    K.api("GET", "/api/privacy-requests").then(function (result) {
      section.removeAttribute("aria-busy");
      if (!result.ok) {
        document.getElementById("privacy-requests-problem-text").textContent =
          K.errorMessage(result);
        return K.setHidden(problem, false);
      }
      render(result.data.requests || []);
    });
  }

  K.onReady("privacy-requests", init);
})();
