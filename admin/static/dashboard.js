// The admin home's dashboard: the period's figures from /api/analytics (key metrics, members
// vs non-members, four charts drawn with the vendored Chart.js, each with a table and a CSV
// download) and a period picker. (The launcher's status and the setup guide: setup_guide.js.)
(function () {
  "use strict";

  var K = window.Klubb;
  var COLOURS = {
    members: "#005bd3",
    non_members: "#616161",
    new_members: "#005bd3",
    points_issued: "#047b5d",
    points_redeemed: "#005bd3",
    points_expired: "#8e5b00",
    outstanding_points: "#303030",
  };
  // Each chart: its series (a key of the API's daily rows, with the label's text key) and type.
  var CHARTS = {
    revenue: {
      money: true,
      stacked: true,
      series: [
        ["member_revenue", "revenue_members", "members"],
        ["guest_revenue", "revenue_non_members", "non_members"],
      ],
    },
    orders: {
      stacked: true,
      whole: true, // counts: no ticks at 0.5 orders
      series: [
        ["member_orders", "orders_members", "members"],
        ["guest_orders", "orders_non_members", "non_members"],
      ],
    },
    new_members: { whole: true, series: [["new_members", "new_members", "new_members"]] },
    points: {
      series: [
        ["points_issued", "points_issued", "points_issued"],
        ["points_redeemed", "points_redeemed", "points_redeemed"],
        ["points_expired", "points_expired", "points_expired"],
        ["outstanding_points", "outstanding_points", "outstanding_points", "line"],
      ],
    },
  };

  function percent(value) {
    if (value == null) return K.text("none");
    return Number(value).toLocaleString(K.language(), {
      style: "percent",
      maximumFractionDigits: 1,
    });
  }

  function decimal(value) {
    if (value == null) return K.text("none");
    return Number(value).toLocaleString(K.language(), { maximumFractionDigits: 2 });
  }

  function money(value, currency) {
    return value == null ? K.text("none") : K.formatMoney(value, currency);
  }

  // --- Figures ---------------------------------------------------------------------------------

  function setMetric(name, value, note) {
    var card = document.querySelector('[data-metric="' + name + '"]');
    card.querySelector(".k-value").textContent = value;
    card.querySelector(".k-note").textContent = note || "";
  }

  function renderMetrics(data) {
    var currency = data.currency;
    var members = data.members;
    var others = data.non_members;
    var points = data.points;
    setMetric("members_revenue_share", percent(data.members_revenue_share), K.text("share_of_revenue"));
    setMetric(
      "average_order_value",
      money(members.average_order_value, currency),
      K.text("vs_non_members", { value: money(others.average_order_value, currency) })
    );
    setMetric(
      "orders_per_customer",
      decimal(members.orders_per_customer),
      K.text("vs_non_members", { value: decimal(others.orders_per_customer) })
    );
    setMetric(
      "repeat_purchase_rate",
      percent(members.repeat_purchase_rate),
      K.text("vs_non_members", { value: percent(others.repeat_purchase_rate) })
    );
    setMetric("new_members", K.formatPoints(data.new_members), "");
    setMetric("redemption_rate", percent(points.redemption_rate), K.text("of_issued"));
    setMetric(
      "outstanding",
      K.text("points_count", { points: K.formatPoints(points.outstanding) }),
      points.outstanding_value == null
        ? K.text("no_point_value")
        : K.text("worth", { amount: money(points.outstanding_value, currency) })
    );
  }

  function renderComparison(data) {
    var rows = {
      revenue: function (s) {
        return money(s.revenue, data.currency);
      },
      orders: function (s) {
        return K.formatPoints(s.orders);
      },
      average_order_value: function (s) {
        return money(s.average_order_value, data.currency);
      },
      customers: function (s) {
        return K.formatPoints(s.customers);
      },
      orders_per_customer: function (s) {
        return decimal(s.orders_per_customer);
      },
      repeat_purchase_rate: function (s) {
        return percent(s.repeat_purchase_rate);
      },
    };
    Object.keys(rows).forEach(function (name) {
      var row = document.querySelector('#comparison tr[data-row="' + name + '"]');
      while (row.children.length > 1) row.removeChild(row.lastChild);
      ["members", "non_members", "all"].forEach(function (segment) {
        K.cell(row, rows[name](data[segment]), "k-num");
      });
    });
  }

  // --- Charts, their tables and CSV downloads --------------------------------------------------

  var charts = {};
  var current = null;

  function show(chart, value, data) {
    return CHARTS[chart].money ? money(value, data.currency) : K.formatPoints(value);
  }

  function renderTable(chart, data) {
    var spec = CHARTS[chart];
    var table = document.getElementById("table-" + chart);
    var head = table.querySelector("thead");
    var body = table.querySelector("tbody");
    head.textContent = "";
    body.textContent = "";
    var headRow = document.createElement("tr");
    [["day", "day"]].concat(spec.series).forEach(function (series, index) {
      var th = document.createElement("th");
      th.scope = "col";
      if (index) th.className = "k-num";
      th.textContent = K.text(series[1]);
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    data.days.forEach(function (day) {
      var row = document.createElement("tr");
      row.setAttribute("data-day", day.day);
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = K.formatDate(day.day);
      row.appendChild(th);
      spec.series.forEach(function (series) {
        K.cell(row, show(chart, day[series[0]], data), "k-num");
      });
      body.appendChild(row);
    });
  }

  // Chart.js (71 KB gzipped) is fetched once the figures are on screen, off the page's
  // critical path: the metrics and tables paint first, the charts follow.
  var chartLibrary = null;
  function withChartLibrary() {
    if (window.Chart) return Promise.resolve(true);
    if (!chartLibrary) {
      chartLibrary = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = document.getElementById("dashboard").getAttribute("data-chart-library");
        script.onload = function () {
          resolve(true);
        };
        script.onerror = function () {
          chartLibrary = null; // the next load tries again; the tables still show the figures
          resolve(false);
        };
        document.head.appendChild(script);
      });
    }
    return chartLibrary;
  }

  function renderChart(chart, data) {
    var spec = CHARTS[chart];
    var labels = data.days.map(function (day) {
      return new Date(day.day).toLocaleDateString(K.language(), {
        month: "short",
        day: "numeric",
        timeZone: "UTC",
      });
    });
    var datasets = spec.series.map(function (series) {
      var line = series[3] === "line";
      return {
        type: line ? "line" : "bar",
        label: K.text(series[1]),
        data: data.days.map(function (day) {
          return Number(day[series[0]]);
        }),
        backgroundColor: COLOURS[series[2]],
        borderColor: COLOURS[series[2]],
        yAxisID: line ? "total" : "y",
        order: line ? 0 : 1,
      };
    });
    var scales = {
      x: { stacked: Boolean(spec.stacked) },
      y: { stacked: Boolean(spec.stacked), beginAtZero: true },
    };
    if (spec.whole) scales.y.ticks = { precision: 0 };
    if (chart === "points") scales.total = { position: "right", grid: { drawOnChartArea: false } };
    if (charts[chart]) charts[chart].destroy();
    if (!window.Chart) return;
    charts[chart] = new window.Chart(document.getElementById("chart-" + chart), {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        // Ticks grouped as the tables are ("1 400" in Norwegian).
        locale: K.language(),
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var key = spec.series[item.datasetIndex][0];
                return item.dataset.label + ": " + show(chart, data.days[item.dataIndex][key], data);
              },
            },
          },
        },
        scales: scales,
      },
    });
  }

  function csvCell(value) {
    var text = value == null ? "" : String(value);
    return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function downloadCsv(chart) {
    if (!current) return;
    var columns = ["day"].concat(
      CHARTS[chart].series.map(function (series) {
        return series[0];
      })
    );
    var lines = [columns.join(",")].concat(
      current.days.map(function (day) {
        return columns.map(function (name) {
          return csvCell(day[name]);
        }).join(",");
      })
    );
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" });
    var period = current.period.from + "-" + current.period.to;
    K.saveBlob(blob, "klubb-" + chart + "-" + period + ".csv");
    K.toast(K.text("downloaded"));
  }

  // --- The period ------------------------------------------------------------------------------

  function showFieldErrors(fields) {
    ["from", "to"].forEach(function (name) {
      var input = document.getElementById("period-" + name);
      var error = document.getElementById("period-" + name + "-error");
      var message = fields && fields[name];
      error.textContent = message || "";
      K.setHidden(error, !message);
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }

  function showProblem(message) {
    document.getElementById("dashboard-problem-text").textContent = message || "";
    K.setHidden(document.getElementById("dashboard-problem"), !message);
  }

  function render(data) {
    current = data;
    var from = document.getElementById("period-from");
    var to = document.getElementById("period-to");
    from.value = data.period.from;
    to.value = data.period.to;
    if (!to.max) {
      from.max = data.period.to;
      to.max = data.period.to;
    }
    document.getElementById("dashboard-period").textContent =
      K.formatDate(data.period.from) + " – " + K.formatDate(data.period.to) + " (" +
      data.period.time_zone + ")";
    renderMetrics(data);
    renderComparison(data);
    Object.keys(CHARTS).forEach(function (chart) {
      renderTable(chart, data);
    });
    withChartLibrary().then(function (ready) {
      Object.keys(CHARTS).forEach(function (chart) {
        renderChart(chart, data);
      });
      if (ready) document.getElementById("dashboard").setAttribute("data-charts", "drawn");
    });
  }

  function load(query) {
    var section = document.getElementById("dashboard");
    section.setAttribute("aria-busy", "true");
    return K.api("GET", "/api/analytics" + (query ? "?" + query : "")).then(function (result) {
      section.removeAttribute("aria-busy");
      if (result.ok) {
        showFieldErrors(null);
        showProblem("");
        render(result.data);
        section.setAttribute("data-loaded", result.data.period.from + "/" + result.data.period.to);
      } else if (result.status === 422) {
        showFieldErrors(K.errorFields(result));
        showProblem(K.text("fix_period"));
      } else {
        showProblem(K.errorMessage(result));
      }
    });
  }

  function init() {
    var form = document.getElementById("period");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = new URLSearchParams();
      ["from", "to"].forEach(function (name) {
        var value = document.getElementById("period-" + name).value;
        if (value) query.set(name, value);
      });
      load(query.toString());
    });
    document.querySelectorAll(".k-csv").forEach(function (button) {
      button.addEventListener("click", function () {
        downloadCsv(button.getAttribute("data-chart"));
      });
    });
    load("");
  }

  K.onReady("home", init);
})();
