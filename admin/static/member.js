// One member: balance, profile, consents, points history (with links to Shopify orders, opened
// in the top window), the activity log, and a manual adjustment with a required reason.
(function () {
  "use strict";

  var K = window.Klubb;
  var TONES = { active: "success", restricted: "warning", anonymised: "neutral" };
  var WELCOME_TONES = { issued: "info", used: "success", expired: "neutral" };

  function actor(value) {
    var text = String(value || "system");
    if (text === "system") return K.text("system");
    if (text.indexOf("staff") === 0) {
      var id = text.split(":")[1];
      return id ? K.text("staff_member", { id: id }) : K.text("staff");
    }
    if (text.indexOf("member") === 0) return K.text("member");
    return text;
  }

  // "nb" → "norsk bokmål" (in the page's language); the code itself where Intl cannot name it.
  function languageName(code) {
    if (!code) return "";
    try {
      return new Intl.DisplayNames([K.language()], { type: "language" }).of(code) || code;
    } catch (e) {
      return code;
    }
  }

  function init() {
    var page = document.getElementById("member-page");
    var customerId = page.getAttribute("data-customer-id");
    var shop = page.getAttribute("data-shop");
    var body = document.getElementById("member-body");
    var problem = document.getElementById("member-problem");
    var problemText = document.getElementById("member-problem-text");
    var form = document.getElementById("adjust-form");
    var base = "/api/members/" + encodeURIComponent(customerId);
    var pendingKey = null; // one Idempotency-Key per adjustment, reused if it is retried
    var busy = false;

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function showProblem(message) {
      problemText.textContent = message || "";
      K.setHidden(problem, !message);
    }

    function setFact(name, value) {
      var el = document.querySelector('[data-profile="' + name + '"]');
      if (el) el.textContent = value || "—";
    }

    function renderDetail(member) {
      document.getElementById("member-balance").textContent = K.formatPoints(member.points_balance);
      document.getElementById("member-lifetime").textContent = K.formatPoints(
        member.lifetime_points || 0
      );
      renderTier(member.tier, member.next_tier);
      var status = document.getElementById("member-status");
      status.textContent = K.text(member.status);
      status.setAttribute("tone", TONES[member.status] || "neutral");
      var erased = member.status === "anonymised";
      form.querySelectorAll("s-number-field, s-text-field, s-button").forEach(function (el) {
        if (erased) el.setAttribute("disabled", "");
        else el.removeAttribute("disabled");
      });
      renderLedger(member.ledger || []);
      renderWelcome(member.welcome_code);
    }

    // The welcome code and what became of it; the order that used it links to Shopify.
    function renderWelcome(welcome) {
      K.setHidden(document.getElementById("welcome-none"), Boolean(welcome));
      K.setHidden(document.getElementById("welcome-facts"), !welcome);
      if (!welcome) return;
      function fact(name) {
        var el = document.querySelector('[data-welcome="' + name + '"]');
        el.textContent = "";
        return el;
      }
      fact("code").textContent = welcome.code;
      fact("percentage").textContent = K.text("welcome_percent", { percent: welcome.percentage });
      fact("state").appendChild(
        K.badge(K.text("welcome_" + welcome.state), WELCOME_TONES[welcome.state] || "neutral")
      );
      fact("issued_at").textContent = welcome.issued_at ? K.formatDate(welcome.issued_at) : "—";
      fact("ends_at").textContent = welcome.ends_at ? K.formatDate(welcome.ends_at) : K.text("no_end");
      var used = fact("used");
      used.textContent = welcome.used_at ? K.formatDate(welcome.used_at) : "—";
      if (welcome.order_id) {
        var link = document.createElement("s-link");
        link.setAttribute("href", "https://" + shop + "/admin/orders/" + welcome.order_id);
        link.setAttribute("target", "_top");
        link.textContent = K.text("order", { number: welcome.order_id });
        used.appendChild(document.createTextNode(" · "));
        used.appendChild(link);
      }
    }

    // The member's VIP tier and what the next one still takes (absent: the shop has no tiers).
    function renderTier(tier, next) {
      var el = document.getElementById("member-tier");
      if (!tier && !next) return K.setHidden(el, true);
      var words = tier ? K.text("tier", { name: tier.name }) : K.text("no_tier");
      if (next) {
        var remaining =
          next.basis === "spend"
            ? K.formatMoney(next.remaining, next.currency)
            : K.text("remaining_" + next.basis, { count: K.formatPoints(next.remaining) });
        words += " · " + K.text("to_next", { remaining: remaining, name: next.name });
      }
      el.textContent = words;
      K.setHidden(el, false);
    }

    function renderProfile(profile) {
      var name = [profile.first_name, profile.last_name].filter(Boolean).join(" ");
      page.setAttribute("heading", name || profile.email || K.text("no_name"));
      document.title = (name || K.text("no_name")) + " · Klubb";
      setFact("name", name);
      setFact("email", profile.email);
      setFact("phone", profile.phone);
      setFact("language", languageName(profile.language));
      setFact("birthday", profile.birthday ? K.formatDate(profile.birthday) : "");
      setFact("joined_at", K.formatDate(profile.joined_at));
      setFact("last_activity_at", K.formatDate(profile.last_activity_at));
      ["email", "sms"].forEach(function (channel) {
        var el = document.querySelector('[data-consent="' + channel + '"]');
        var on = profile[channel + "_consent"];
        el.textContent = "";
        el.appendChild(K.badge(on ? K.text("yes") : K.text("no"), on ? "success" : "neutral"));
      });
      var history = document.getElementById("consent-history");
      history.textContent = "";
      (profile.consent_history || []).forEach(function (event) {
        var item = document.createElement("li");
        item.textContent =
          K.formatDate(event.created_at, true) +
          ": " +
          K.text(event.channel) +
          " " +
          (event.granted ? K.text("granted") : K.text("withdrawn")) +
          " (" +
          event.source +
          ")";
        history.appendChild(item);
      });
      K.setHidden(history, !history.children.length);
    }

    function renderLedger(entries) {
      var table = document.getElementById("ledger-table");
      var tbody = table.querySelector("tbody");
      tbody.textContent = "";
      entries.forEach(function (entry) {
        var row = document.createElement("tr");
        K.cell(row, K.formatDate(entry.created_at, true));
        var sign = entry.points > 0 ? "+" : "";
        K.cell(
          row,
          sign + K.formatPoints(entry.points),
          "k-num " + (entry.points < 0 ? "k-negative" : "k-positive")
        );
        K.cell(row, K.text("kind_" + entry.kind));
        // The API says each reason in the page's language; an order's is left out here, as
        // the Order column links it.
        var reason = entry.order_id ? "" : entry.reason_label || entry.reason || "";
        if (entry.available_at && new Date(entry.available_at).getTime() > Date.now()) {
          var until = K.text("pending_until", { date: K.formatDate(entry.available_at) });
          reason += (reason ? " · " : "") + until;
        }
        K.cell(row, reason);
        if (entry.order_id) {
          var link = document.createElement("s-link");
          link.setAttribute("href", "https://" + shop + "/admin/orders/" + entry.order_id);
          link.setAttribute("target", "_top");
          link.textContent = entry.order_name || K.text("order", { number: entry.order_id });
          K.cell(row, link, "k-wide");
        } else {
          K.cell(row, "", "k-wide");
        }
        K.cell(row, actor(entry.actor), "k-wide");
        tbody.appendChild(row);
      });
      K.setHidden(table, entries.length === 0);
      K.setHidden(document.getElementById("ledger-empty"), entries.length !== 0);
    }

    function renderAudit(entries) {
      var tbody = document.querySelector("#audit-table tbody");
      tbody.textContent = "";
      entries.forEach(function (entry) {
        var row = document.createElement("tr");
        K.cell(row, K.formatDate(entry.created_at, true));
        K.cell(row, actor(entry.actor_type + (entry.actor_id ? ":" + entry.actor_id : "")));
        // The API labels each action and its detail in the page's language; the code stays
        // on hover.
        var what = entry.action_label || entry.action;
        var detail = entry.detail_label ? " (" + entry.detail_label + ")" : "";
        K.cell(row, what + detail).title = entry.action;
        tbody.appendChild(row);
      });
    }

    function load() {
      body.setAttribute("aria-busy", "true");
      return Promise.all([K.api("GET", base), K.api("GET", base + "/profile")]).then(
        function (results) {
          body.removeAttribute("aria-busy");
          var failed = results.filter(function (r) {
            return !r.ok;
          })[0];
          if (failed) {
            showProblem(failed.status === 404 ? K.text("not_found") : K.errorMessage(failed));
            K.setHidden(body, true);
            return;
          }
          renderDetail(results[0].data);
          renderProfile(results[1].data);
          return K.api("GET", base + "/audit?limit=20").then(function (result) {
            if (result.ok) renderAudit(result.data.entries);
          });
        }
      );
    }

    function adjust() {
      if (busy) return;
      var points = String(field("points").value == null ? "" : field("points").value).trim();
      var reason = String(field("reason").value == null ? "" : field("reason").value);
      var debt = field("allow_debt");
      var payload = {
        points: /^-?\d{1,9}$/.test(points) ? Number(points) : points,
        reason: reason,
        allow_debt: Boolean(debt.checked),
      };
      pendingKey = pendingKey || K.idempotencyKey();
      busy = true;
      form.setAttribute("aria-busy", "true");
      K.api("POST", base + "/adjustments", payload, { "Idempotency-Key": pendingKey }).then(
        function (result) {
          busy = false;
          form.removeAttribute("aria-busy");
          if (result.ok) {
            pendingKey = null;
            field("points").value = "";
            field("reason").value = "";
            debt.checked = false;
            K.setHidden(debt, true);
            K.showFieldErrors(form, ["points", "reason"], null);
            K.toast(K.text("adjusted"));
            load();
            return;
          }
          // Removing more than the balance needs the staff member's explicit "owes points".
          if (result.data && result.data.error && result.data.error.code === "balance_below_zero") {
            K.setHidden(debt, false);
          }
          K.showFieldErrors(form, ["points", "reason"], K.errorFields(result));
          if (result.status !== 422) showProblem(K.errorMessage(result));
          K.toast(K.text("not_adjusted"), true);
        }
      );
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      adjust();
    });
    form.addEventListener("input", function () {
      if (!busy) pendingKey = null; // a changed adjustment is a new one
    });
    load();
  }

  K.onReady("member", init);
})();
