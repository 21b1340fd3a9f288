// The Members page: search and filters (applied as you type), a sortable keyset-paged table,
// and the CSV export of the filtered list (downloaded through fetch, which carries the token).
(function () {
  "use strict";

  var K = window.Klubb;
  var FILTERS = ["query", "status", "tier", "min_balance", "max_balance", "sort"];
  // A filter at its default stays out of the page's address; any other value is kept there.
  var DEFAULTS = { status: "current", tier: "all", sort: "-joined_at" };
  var TONES = { active: "success", restricted: "warning", anonymised: "neutral" };

  function init() {
    var form = document.getElementById("members-filter");
    var results = document.getElementById("members-results");
    var table = document.getElementById("members-table");
    var empty = document.getElementById("members-empty");
    var problem = document.getElementById("members-problem");
    var problemText = document.getElementById("members-problem-text");
    var previous = document.getElementById("members-previous");
    var next = document.getElementById("members-next");
    var pageNumber = document.getElementById("members-page-number");
    var cursors = [""]; // the `after` of each page seen so far; the last is the current page
    var following = null;
    var sequence = 0;
    var timer = null;
    var hasTiers = false; // the shop has VIP tiers: a Tier column and filter

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function filters() {
      var query = new URLSearchParams();
      FILTERS.forEach(function (name) {
        var value = String(field(name).value == null ? "" : field(name).value).trim();
        if (value && !((name === "status" || name === "tier") && value === "all")) {
          query.set(name, value);
        }
      });
      return query;
    }

    function setDisabled(button, disabled) {
      if (disabled) button.setAttribute("disabled", "");
      else button.removeAttribute("disabled");
    }

    function render(members) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      members.forEach(function (member) {
        var row = document.createElement("tr");
        var name = [member.first_name, member.last_name].filter(Boolean).join(" ");
        var label = name || member.email || K.text("no_name");
        if (member.status === "anonymised") {
          // A member who left or was erased: nothing to open, and no customer id to open it by.
          K.cell(row, K.text("former_member"));
        } else {
          var link = document.createElement("s-link");
          link.setAttribute("href", K.appLink("/members/" + member.customer_id));
          link.textContent = label;
          K.cell(row, link);
        }
        K.cell(row, member.email || "", "k-wide");
        K.cell(row, member.phone || "", "k-wide");
        K.cell(row, K.formatPoints(member.points_balance), "k-num");
        K.cell(row, K.badge(K.text(member.status), TONES[member.status]));
        if (hasTiers) K.cell(row, member.tier ? member.tier.name : "—");
        K.cell(row, K.formatDate(member.joined_at), "k-wide");
        K.cell(row, K.formatDate(member.last_activity_at), "k-wide");
        body.appendChild(row);
      });
      K.setHidden(table, members.length === 0);
      K.setHidden(empty, members.length !== 0);
    }

    function showProblem(message) {
      problemText.textContent = message || "";
      K.setHidden(problem, !message);
    }

    function load() {
      var mine = ++sequence;
      var query = filters();
      var after = cursors[cursors.length - 1];
      if (after) query.set("after", after);
      results.setAttribute("aria-busy", "true");
      K.api("GET", "/api/members?" + query.toString()).then(function (result) {
        if (mine !== sequence) return; // a newer search is under way
        results.removeAttribute("aria-busy");
        if (!result.ok) {
          var fields = K.errorFields(result);
          K.showFieldErrors(form, FILTERS, fields);
          showProblem(result.status === 422 ? K.text("fix_filters") : K.errorMessage(result));
          render([]);
          K.setHidden(empty, true);
          return;
        }
        K.showFieldErrors(form, FILTERS, null);
        showProblem("");
        following = result.data.next;
        render(result.data.members);
        setDisabled(previous, cursors.length < 2);
        setDisabled(next, !following);
        pageNumber.textContent = K.text("page", { number: K.formatPoints(cursors.length) });
      });
    }

    // The filters live in the page's address (App Bridge carries it to the admin's address
    // bar), so a reload or a shared link opens the same list.
    function rememberFilters() {
      var here = new URLSearchParams(window.location.search);
      FILTERS.forEach(function (name) {
        var value = String(field(name).value == null ? "" : field(name).value).trim();
        if (value && value !== DEFAULTS[name]) here.set(name, value);
        else here.delete(name);
      });
      var query = here.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    }

    function restoreFilters() {
      var here = new URLSearchParams(window.location.search);
      FILTERS.forEach(function (name) {
        if (here.has(name)) field(name).value = here.get(name);
      });
    }

    function restart() {
      cursors = [""];
      rememberFilters();
      load();
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(restart, 300);
    }

    function exportCsv() {
      var button = document.getElementById("members-export");
      button.setAttribute("loading", "");
      K.api("GET", "/api/members.csv?" + filters().toString(), undefined, {
        Accept: "text/csv",
      }).then(function (result) {
        if (!result.ok || !result.response) {
          button.removeAttribute("loading");
          return K.toast(K.errorMessage(result) || K.text("export_failed"), true);
        }
        // A download the server broke off midway rejects here: no partial file is saved.
        return result.response.blob().then(
          function (blob) {
            button.removeAttribute("loading");
            K.saveBlob(blob, "klubb-members.csv");
            K.toast(K.text("exported"));
          },
          function () {
            button.removeAttribute("loading");
            K.toast(K.text("export_failed"), true);
          }
        );
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      restart();
    });
    FILTERS.forEach(function (name) {
      field(name).addEventListener("input", later);
      field(name).addEventListener("change", later);
    });
    next.addEventListener("click", function () {
      if (!following) return;
      cursors.push(following);
      load();
    });
    previous.addEventListener("click", function () {
      if (cursors.length < 2) return;
      cursors.pop();
      load();
    });
    document.getElementById("members-export").addEventListener("click", exportCsv);
    // The shop's tiers fill the Tier filter; a shop without tiers shows neither filter nor column.
    K.api("GET", "/api/tiers").then(function (result) {
      var tiers = result.ok ? result.data.tiers : [];
      var select = field("tier");
      tiers.forEach(function (tier) {
        var option = document.createElement("s-option");
        option.setAttribute("value", tier.id);
        option.textContent = tier.name;
        select.appendChild(option);
      });
      hasTiers = tiers.length > 0;
      K.setHidden(select, !hasTiers);
      K.setHidden(document.getElementById("members-tier-column"), !hasTiers);
      restoreFilters(); // after the tiers, so a tier filter finds its option
      restart();
    });
  }

  K.onReady("members", init);
})();
