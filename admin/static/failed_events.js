// The Failed events page: GET /api/failed-events as a table, each row with a Retry button that
// POSTs /api/failed-events/{id}/retry (202: queued again, or left for the sweeper if the queue
// is down). A retried row stays, marked, until the page is loaded again. A warning shows when the
// scheduler is late (nothing left behind is retried without it).
(function () {
  "use strict";

  var K = window.Klubb;

  function init() {
    var section = document.getElementById("failed-events");
    var table = document.getElementById("failed-events-table");
    var empty = document.getElementById("failed-events-empty");
    var problem = document.getElementById("failed-events-problem");

    function retry(event, button, statusCell) {
      button.setAttribute("loading", "");
      var path = "/api/failed-events/" + encodeURIComponent(event.id) + "/retry";
      K.api("POST", path, {}).then(function (result) {
        button.removeAttribute("loading");
        if (!result.ok) return K.toast(K.errorMessage(result) || K.text("retry_failed"), true);
        button.setAttribute("disabled", "");
        statusCell.textContent = "";
        statusCell.appendChild(K.badge(K.text("retrying"), "info"));
        var queued = result.data && result.data.status === "enqueued";
        K.toast(K.text(queued ? "retried" : "retry_later"));
      });
    }

    function render(events) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      events.forEach(function (event) {
        var row = document.createElement("tr");
        row.setAttribute("data-event", event.id);
        K.cell(row, event.topic);
        K.cell(row, K.formatDate(event.received_at, true), "k-wide");
        K.cell(row, String(event.attempts), "k-num");
        var errorCell = K.cell(row, event.error || "—");
        var button = document.createElement("s-button");
        button.textContent = K.text("retry");
        button.setAttribute("accessibilityLabel", K.text("retry") + " " + event.topic);
        button.addEventListener("click", function () {
          retry(event, button, errorCell);
        });
        K.cell(row, button);
        body.appendChild(row);
      });
      K.setHidden(table, events.length === 0);
      K.setHidden(empty, events.length !== 0);
    }

    K.api("GET", "/api/failed-events").then(function (result) {
      section.removeAttribute("aria-busy");
      if (!result.ok) {
        document.getElementById("failed-events-problem-text").textContent = K.errorMessage(result);
        return K.setHidden(problem, false);
      }
      K.setHidden(document.getElementById("failed-events-scheduler"), result.data.scheduler !== "late");
      render(result.data.events || []);
    });
  }

  K.onReady("failed-events", init);
})();
