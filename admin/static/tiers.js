// The VIP tiers page: the ladder as a table (members per tier), a form to create or edit a tier,
// a form to reorder the ladder with its thresholds (and what it counts), and deleting a tier
// with where its members go. Changes are saved through App Bridge's contextual save bar; the
// API's errors are shown beside their fields.
(function () {
  "use strict";

  var K = window.Klubb;
  var FIELDS = [
    "name",
    "basis",
    "threshold",
    "period",
    "earn_multiplier",
    "entry_bonus",
    "perks_en",
    "perks_nb",
    "reward_points",
    "reward_every",
  ];
  // The API's field -> the form's field that shows its error.
  var SHOWN_AT = { perks: "perks_en", recurring_reward: "reward_points", _ladder: "name" };

  function init() {
    var list = document.getElementById("tiers-list");
    var table = document.getElementById("tiers-table");
    var empty = document.getElementById("tiers-empty");
    var counts = document.getElementById("tiers-counts");
    var form = document.getElementById("tier-form");
    var ladderForm = document.getElementById("ladder-form");
    var rowsBox = document.getElementById("ladder-rows");
    var newButton = document.getElementById("tier-new");
    var ladderOpen = document.getElementById("ladder-open");
    var deleteBox = document.getElementById("tier-delete");
    var bridge = window.shopify;
    var saveBar = bridge && bridge.saveBar ? bridge.saveBar : null;
    var tiers = [];
    var currency = "";
    var editing = null; // null: the list; {}: a new tier; a tier: editing it
    var draft = null; // the ladder being reordered: [{tier, threshold}]
    var snapshot = null;
    var deleting = null;
    var busy = false;

    function field(name, where) {
      return (where || form).querySelector('[name="' + name + '"]');
    }

    function raw(name, where) {
      var v = field(name, where).value;
      return String(v == null ? "" : v).trim();
    }

    function needs(tier) {
      if (tier.basis === "spend") return K.formatMoney(tier.threshold, tier.currency);
      var n = Number(tier.threshold);
      var key = tier.basis + (n === 1 ? "_one" : "_many");
      return K.text(key, { count: K.formatPoints(n) });
    }

    function perksText(perks) {
      if (!perks) return "";
      if (typeof perks === "string") return perks;
      return perks[K.language()] || perks.en || perks.nb || "";
    }

    function show(view) {
      K.setHidden(list, view !== "list");
      K.setHidden(form, view !== "form");
      K.setHidden(ladderForm, view !== "ladder");
      K.setHidden(newButton, view !== "list");
    }

    function button(label, accessible, onClick, tone) {
      var el = document.createElement("s-button");
      el.setAttribute("variant", "tertiary");
      if (tone) el.setAttribute("tone", tone);
      el.textContent = label;
      if (accessible) el.setAttribute("accessibilityLabel", accessible);
      el.addEventListener("click", onClick);
      return el;
    }

    function render() {
      var body = table.querySelector("tbody");
      body.textContent = "";
      tiers.forEach(function (tier) {
        var row = document.createElement("tr");
        K.cell(row, tier.name);
        K.cell(row, needs(tier));
        K.cell(row, "×" + Number(tier.earn_multiplier).toLocaleString(K.language()), "k-num k-wide");
        K.cell(row, perksText(tier.perks) || K.text("none"), "k-wide");
        K.cell(row, K.formatPoints(tier.members || 0), "k-num");
        var actions = document.createElement("s-stack");
        actions.setAttribute("direction", "inline");
        actions.setAttribute("gap", "small");
        actions.appendChild(
          button(K.text("edit"), K.text("edit_tier", { name: tier.name }), function () {
            open(tier);
          })
        );
        actions.appendChild(
          button(K.text("delete"), K.text("delete_tier", { name: tier.name }), function () {
            askDelete(tier);
          }, "critical")
        );
        K.cell(row, actions);
        body.appendChild(row);
      });
      K.setHidden(table, tiers.length === 0);
      K.setHidden(empty, tiers.length !== 0);
      K.setHidden(ladderOpen, tiers.length === 0);
      K.setHidden(counts, tiers.length === 0);
      if (tiers.length) {
        counts.textContent = K.text("counts", {
          basis: K.text("basis_" + tiers[0].basis),
          period: K.text("period_" + tiers[0].period),
        });
      }
    }

    function load() {
      list.setAttribute("aria-busy", "true");
      return K.api("GET", "/api/tiers").then(function (result) {
        list.removeAttribute("aria-busy");
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        tiers = result.data.tiers;
        currency = result.data.currency;
        render();
      });
    }

    // --- one tier: create or edit ---------------------------------------------------------

    function thresholdUnit(where, name, basis) {
      var el = field(name, where);
      el.removeAttribute("prefix");
      el.removeAttribute("suffix");
      if (basis === "spend") {
        el.setAttribute("prefix", currency);
        el.setAttribute("step", "0.01");
      } else {
        el.setAttribute("suffix", K.text("suffix_" + basis));
        el.setAttribute("step", "1");
      }
    }

    function fill(tier) {
      var others = tiers.filter(function (t) {
        return t.id !== tier.id;
      });
      var common = others[0];
      field("name").value = tier.name || "";
      field("basis").value = tier.basis || (common ? common.basis : "points");
      field("period").value = tier.period || (common ? common.period : "lifetime");
      // Every tier counts the same: only a ladder of one can change it here.
      ["basis", "period"].forEach(function (name) {
        if (common) field(name).setAttribute("disabled", "");
        else field(name).removeAttribute("disabled");
      });
      field("threshold").value = tier.threshold == null ? "" : String(tier.threshold);
      field("earn_multiplier").value = tier.earn_multiplier || "1";
      field("entry_bonus").value = String(tier.entry_bonus || 0);
      var perks = tier.perks || "";
      field("perks_en").value = typeof perks === "string" ? perks : perks.en || "";
      field("perks_nb").value = typeof perks === "string" ? "" : perks.nb || "";
      var reward = tier.recurring_reward;
      field("reward_points").value = reward ? String(reward.points) : "";
      field("reward_every").value = reward ? reward.every : "month";
      thresholdUnit(form, "threshold", field("basis").value);
    }

    function whole(text) {
      return /^-?\d{1,12}$/.test(text) ? Number(text) : text;
    }

    function read() {
      var basis = field("basis").value;
      var body = { name: raw("name"), basis: basis, period: field("period").value };
      var threshold = raw("threshold");
      body.threshold = basis === "spend" ? threshold : whole(threshold);
      body.earn_multiplier = raw("earn_multiplier") || "1";
      body.entry_bonus = whole(raw("entry_bonus") || "0");
      var en = raw("perks_en");
      var nb = raw("perks_nb");
      body.perks = en && nb ? { en: en, nb: nb } : en || nb || null;
      var points = raw("reward_points");
      body.recurring_reward = points ? { points: whole(points), every: field("reward_every").value } : null;
      return body;
    }

    function dirty() {
      if (editing) return snapshot !== null && JSON.stringify(read()) !== snapshot;
      if (draft) return snapshot !== null && JSON.stringify(readLadder()) !== snapshot;
      return false;
    }

    function updateSaveBar() {
      if (!saveBar) return;
      if (editing && dirty()) saveBar.show("tier-save-bar");
      else saveBar.hide("tier-save-bar");
      if (draft && dirty()) saveBar.show("ladder-save-bar");
      else saveBar.hide("ladder-save-bar");
    }

    function problem(id, message) {
      var banner = document.getElementById(id + "-problem");
      var text = document.getElementById(id + "-problem-text");
      if (!text.getAttribute("data-default")) text.setAttribute("data-default", text.textContent);
      text.textContent = message || text.getAttribute("data-default");
      K.setHidden(banner, !message);
    }

    function showErrors(fields) {
      var shown = {};
      Object.keys(fields || {}).forEach(function (name) {
        shown[SHOWN_AT[name] || name] = fields[name];
      });
      K.showFieldErrors(form, FIELDS, fields ? shown : null);
      return Object.keys(shown).filter(function (name) {
        return FIELDS.indexOf(name) === -1;
      });
    }

    function open(tier) {
      editing = tier || {};
      document.getElementById("tier-form-heading").textContent = K.text(tier ? "edit_heading" : "new_heading");
      fill(tier || {});
      snapshot = JSON.stringify(read());
      showErrors(null);
      problem("tier", "");
      show("form");
      updateSaveBar();
      field("name").focus();
    }

    function close() {
      editing = null;
      draft = null;
      snapshot = null;
      updateSaveBar();
      show("list");
    }

    function back() {
      if (dirty() && saveBar && saveBar.leaveConfirmation) {
        saveBar.leaveConfirmation().then(close, function () {});
      } else close();
    }

    function answered(result, view, onError) {
      busy = false;
      (view === "tier" ? form : ladderForm).removeAttribute("aria-busy");
      if (result.ok) {
        K.toast(K.text(view === "tier" ? "saved" : "ladder_saved"));
        close();
        load();
        return;
      }
      var unknown = onError(K.errorFields(result));
      var fixFields = document.getElementById(view + "-problem-text").getAttribute("data-default");
      problem(view, result.status === 422 && !unknown.length ? fixFields : K.errorMessage(result));
      K.toast(K.text("not_saved"), true);
    }

    function save() {
      if (busy || !editing) return;
      busy = true;
      form.setAttribute("aria-busy", "true");
      var body = read();
      if (editing.id && tiers.length > 1) {
        delete body.basis; // the ladder's: changed for all tiers at once
        delete body.period;
      }
      var call = editing.id
        ? K.api("PUT", "/api/tiers/" + editing.id, body)
        : K.api("POST", "/api/tiers", body);
      call.then(function (result) {
        answered(result, "tier", showErrors);
      });
    }

    // --- the ladder: order, thresholds, what it counts -------------------------------------

    function ladderRow(item, index) {
      var tier = item.tier;
      var row = document.createElement("li");
      row.className = "k-ladder-row";
      var number = document.createElement("s-number-field");
      number.setAttribute("name", "tiers[" + index + "].threshold");
      number.setAttribute("label", K.text("threshold_of", { name: tier.name }));
      number.setAttribute("min", "0");
      number.value = item.threshold;
      number.addEventListener("input", function () {
        item.threshold = String(number.value == null ? "" : number.value).trim();
        updateSaveBar();
      });
      row.appendChild(number);
      var moves = document.createElement("s-stack");
      moves.setAttribute("direction", "inline");
      moves.setAttribute("gap", "small");
      if (index > 0) moves.appendChild(button("↑", K.text("move_up", { name: tier.name }), function () { move(index, -1); }));
      if (index < draft.length - 1) moves.appendChild(button("↓", K.text("move_down", { name: tier.name }), function () { move(index, 1); }));
      row.appendChild(moves);
      return row;
    }

    function drawLadder(focus) {
      rowsBox.textContent = "";
      draft.forEach(function (item, index) {
        rowsBox.appendChild(ladderRow(item, index));
      });
      var basis = field("basis", ladderForm).value;
      draft.forEach(function (item, index) {
        thresholdUnit(ladderForm, "tiers[" + index + "].threshold", basis);
      });
      if (focus) {
        var target = rowsBox.querySelector('[accessibilityLabel="' + focus + '"]');
        if (target) target.focus();
      }
      updateSaveBar();
    }

    function move(index, by) {
      var item = draft.splice(index, 1)[0];
      draft.splice(index + by, 0, item);
      var key = by < 0 ? "move_up" : "move_down";
      drawLadder(K.text(key, { name: item.tier.name }));
    }

    function readLadder() {
      var basis = field("basis", ladderForm).value;
      return {
        basis: basis,
        period: field("period", ladderForm).value,
        tiers: draft.map(function (item) {
          return { id: item.tier.id, threshold: basis === "spend" ? item.threshold : whole(item.threshold) };
        }),
      };
    }

    function openLadder() {
      draft = tiers.map(function (tier) {
        return { tier: tier, threshold: String(tier.threshold) };
      });
      field("basis", ladderForm).value = tiers[0].basis;
      field("period", ladderForm).value = tiers[0].period;
      drawLadder();
      snapshot = JSON.stringify(readLadder());
      problem("ladder", "");
      show("ladder");
      updateSaveBar();
      field("basis", ladderForm).focus();
    }

    function saveLadder() {
      if (busy || !draft) return;
      busy = true;
      ladderForm.setAttribute("aria-busy", "true");
      K.api("PUT", "/api/tiers/ladder", readLadder()).then(function (result) {
        answered(result, "ladder", function (fields) {
          var names = ["basis", "period"].concat(draft.map(function (_, i) { return "tiers[" + i + "].threshold"; }));
          K.showFieldErrors(ladderForm, names, fields);
          return Object.keys(fields).filter(function (name) {
            return names.indexOf(name) === -1;
          });
        });
      });
    }

    // --- deleting, with where the members go -----------------------------------------------

    function askDelete(tier) {
      deleting = tier;
      var index = tiers.indexOf(tier);
      var below = index > 0 ? tiers[index - 1] : null;
      document.getElementById("tier-delete-section").setAttribute("heading", K.text("delete_heading", { name: tier.name }));
      var n = tier.members || 0;
      document.getElementById("tier-delete-members").textContent = K.text(n === 1 ? "delete_members_one" : "delete_members_many", { count: K.formatPoints(n) });
      var select = field("move_to", deleteBox);
      select.textContent = "";
      var first = document.createElement("s-option");
      first.setAttribute("value", "below"); // the API's default: no move_to
      first.textContent = below ? K.text("delete_below", { name: below.name }) : K.text("delete_none");
      select.appendChild(first);
      tiers.forEach(function (other) {
        if (other === tier || other === below) return;
        var option = document.createElement("s-option");
        option.setAttribute("value", other.id);
        option.textContent = other.name;
        select.appendChild(option);
      });
      select.value = "below";
      K.setHidden(deleteBox, false);
      document.getElementById("tier-delete-cancel").focus();
    }

    function confirmDelete() {
      if (busy || !deleting) return;
      busy = true;
      var target = field("move_to", deleteBox).value;
      var path = "/api/tiers/" + deleting.id;
      if (target && target !== "below") path += "?move_to=" + encodeURIComponent(target);
      K.api("DELETE", path).then(function (result) {
        busy = false;
        if (!result.ok) {
          var fields = K.errorFields(result);
          K.showFieldErrors(deleteBox, ["move_to"], fields);
          return K.toast(K.errorMessage(result), true);
        }
        K.toast(K.text("deleted"));
        deleting = null;
        K.setHidden(deleteBox, true);
        load();
      });
    }

    // --- wiring -----------------------------------------------------------------------------

    newButton.addEventListener("click", function () {
      open(null);
    });
    ladderOpen.addEventListener("click", openLadder);
    document.getElementById("tier-back").addEventListener("click", back);
    document.getElementById("ladder-back").addEventListener("click", back);
    document.getElementById("tier-delete-confirm").addEventListener("click", confirmDelete);
    document.getElementById("tier-delete-cancel").addEventListener("click", function () {
      deleting = null;
      K.setHidden(deleteBox, true);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });
    ladderForm.addEventListener("submit", function (event) {
      event.preventDefault();
      saveLadder();
    });
    FIELDS.forEach(function (name) {
      field(name).addEventListener("input", updateSaveBar);
      field(name).addEventListener("change", updateSaveBar);
    });
    field("basis").addEventListener("change", function () {
      thresholdUnit(form, "threshold", field("basis").value);
    });
    ["basis", "period"].forEach(function (name) {
      field(name, ladderForm).addEventListener("change", function () {
        if (name === "basis") drawLadder();
        updateSaveBar();
      });
    });
    if (saveBar) {
      document.getElementById("tier-save-bar-save").addEventListener("click", save);
      document.getElementById("tier-save-bar-discard").addEventListener("click", close);
      document.getElementById("ladder-save-bar-save").addEventListener("click", saveLadder);
      document.getElementById("ladder-save-bar-discard").addEventListener("click", close);
    } else {
      K.setHidden(document.getElementById("tier-actions"), false);
      K.setHidden(document.getElementById("ladder-actions"), false);
      document.getElementById("tier-submit").addEventListener("click", save);
      document.getElementById("tier-discard").addEventListener("click", close);
      document.getElementById("ladder-submit").addEventListener("click", saveLadder);
      document.getElementById("ladder-discard").addEventListener("click", close);
    }
    load();
  }

  K.onReady("tiers", init);
})();
