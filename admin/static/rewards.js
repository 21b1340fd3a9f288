// The Rewards page: the catalogue as a table, and a form to create or edit a reward, saved
// through App Bridge's contextual save bar. Percentages are shown as "10" and sent as "0.1";
// dates are whole days in the merchant's time zone ("until" includes its last day).
(function () {
  "use strict";

  var K = window.Klubb;
  var FIELDS = [
    "title",
    "kind",
    "value",
    "points_cost",
    "minimum_order",
    "code_lifetime_days",
    "limit_per_member",
    "variant_id",
    "on_price_change",
    "starts_at",
    "ends_at",
    "active",
  ];
  var WHOLE = ["points_cost", "code_lifetime_days", "limit_per_member"];
  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

  // "10" -> "0.1" and back, on the decimal string (no float rounding).
  function shiftDecimal(text, places) {
    var parts = text.split(".");
    var digits = parts[0] + (parts[1] || "");
    var point = parts[0].length + places;
    while (point <= 0) {
      digits = "0" + digits;
      point += 1;
    }
    while (digits.length < point) digits += "0";
    var whole = digits.slice(0, point).replace(/^0+(?=\d)/, "");
    var fraction = digits.slice(point).replace(/0+$/, "");
    return fraction ? whole + "." + fraction : whole;
  }

  function dayToIso(text, endOfDay) {
    var m = DATE.exec(text);
    if (!m) return null;
    var y = Number(m[1]);
    var mo = Number(m[2]) - 1;
    var d = Number(m[3]);
    var date = new Date(y, mo, d);
    if (date.getFullYear() !== y || date.getMonth() !== mo || date.getDate() !== d) return null;
    if (endOfDay) date = new Date(y, mo, d + 1);
    return date.toISOString();
  }

  function isoToDay(iso, endOfDay) {
    if (!iso) return "";
    var date = new Date(iso);
    if (endOfDay) date = new Date(date.getTime() - 1);
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function status(reward) {
    var now = Date.now();
    if (!reward.active) return [K.text("inactive"), "neutral"];
    if (reward.starts_at && new Date(reward.starts_at).getTime() > now) {
      return [K.text("scheduled"), "info"];
    }
    if (reward.ends_at && new Date(reward.ends_at).getTime() <= now) {
      return [K.text("ended"), "warning"];
    }
    return [K.text("active"), "success"];
  }

  function gives(reward) {
    var what;
    if (reward.kind === "percentage") {
      var percent = Number(shiftDecimal(reward.value, 2)).toLocaleString(K.language(), {
        maximumFractionDigits: 2,
      });
      what = K.text("amount_off", { amount: percent + " %" });
    } else if (reward.kind === "fixed_amount") {
      what = K.text("amount_off", { amount: K.formatMoney(reward.value, reward.currency) });
    } else if (reward.kind === "free_product") {
      what = K.text("free_product", { product: reward.product_title || reward.variant_id });
      if (reward.paused) what += " · " + K.text("paused_" + reward.paused);
    } else if (reward.kind === "gift_card" || reward.kind === "store_credit") {
      var amount = K.formatMoney(reward.value, reward.currency);
      what = K.text(reward.kind + "_of", { amount: amount });
    } else {
      what = K.text("free_shipping");
    }
    if (reward.minimum_order) {
      var minimum = K.formatMoney(reward.minimum_order, reward.currency);
      what += " · " + K.text("min_order_over", { amount: minimum });
    }
    return what;
  }

  function init() {
    var list = document.getElementById("rewards-list");
    var table = document.getElementById("rewards-table");
    var empty = document.getElementById("rewards-empty");
    var form = document.getElementById("reward-form");
    var heading = document.getElementById("reward-form-heading");
    var banner = document.getElementById("reward-problem");
    var bannerText = document.getElementById("reward-problem-text");
    var newButton = document.getElementById("reward-new");
    var bridge = window.shopify;
    var saveBar = bridge && bridge.saveBar ? bridge.saveBar : null;
    var currency = "";
    var editing = null; // null: the list; {}: a new reward; a reward: editing it
    var snapshot = null;
    var busy = false;

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function showProblem(message) {
      if (message) bannerText.textContent = message;
      K.setHidden(banner, !message);
    }

    function render(rewards) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      rewards.forEach(function (reward) {
        var row = document.createElement("tr");
        K.cell(row, reward.title);
        K.cell(row, gives(reward), "k-wide");
        K.cell(row, K.formatPoints(reward.points_cost), "k-num");
        var state = status(reward);
        K.cell(row, K.badge(state[0], state[1]));
        var actions = document.createElement("s-stack");
        actions.setAttribute("direction", "inline");
        actions.setAttribute("gap", "small");
        var edit = document.createElement("s-button");
        edit.setAttribute("variant", "tertiary");
        edit.textContent = K.text("edit");
        edit.setAttribute("accessibilityLabel", K.text("edit_reward", { title: reward.title }));
        edit.addEventListener("click", function () {
          open(reward);
        });
        var toggle = document.createElement("s-button");
        toggle.setAttribute("variant", "tertiary");
        toggle.textContent = reward.active ? K.text("disable") : K.text("enable");
        toggle.addEventListener("click", function () {
          setActive(reward, !reward.active);
        });
        actions.appendChild(edit);
        actions.appendChild(toggle);
        K.cell(row, actions);
        body.appendChild(row);
      });
      K.setHidden(table, rewards.length === 0);
      K.setHidden(empty, rewards.length !== 0);
    }

    function load() {
      list.setAttribute("aria-busy", "true");
      return K.api("GET", "/api/rewards").then(function (result) {
        list.removeAttribute("aria-busy");
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        render(result.data.rewards);
        // Store credit only where the shop has it (it granted Klubb the scope).
        var credit = document.getElementById("reward-kind-store-credit");
        if (credit && (result.data.kinds || []).indexOf("store_credit") === -1) credit.remove();
      });
    }

    function setActive(reward, active) {
      var call = active
        ? K.api("PUT", "/api/rewards/" + reward.id, { active: true })
        : K.api("POST", "/api/rewards/" + reward.id + "/archive");
      call.then(function (result) {
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        K.toast(active ? K.text("enabled") : K.text("disabled"));
        load();
      });
    }

    function updateValueField() {
      var kind = field("kind").value;
      var value = field("value");
      K.setHidden(value, kind === "free_shipping" || kind === "free_product");
      K.setHidden(document.getElementById("reward-product"), kind !== "free_product");
      K.setHidden(
        document.getElementById("reward-no-return"),
        kind !== "gift_card" && kind !== "store_credit"
      );
      if (kind === "gift_card" || kind === "store_credit") {
        value.setAttribute("label", K.text("value_" + kind));
        value.setAttribute("prefix", currency);
        value.removeAttribute("suffix");
      } else if (kind === "percentage") {
        value.setAttribute("label", K.text("value_percentage"));
        value.setAttribute("suffix", "%");
        value.removeAttribute("prefix");
      } else {
        value.setAttribute("label", K.text("value_fixed"));
        value.setAttribute("prefix", currency);
        value.removeAttribute("suffix");
      }
    }

    function fill(reward) {
      field("title").value = reward.title || "";
      field("kind").value = reward.kind || "fixed_amount";
      var value = reward.value || "";
      if (value && reward.kind === "percentage") value = shiftDecimal(value, 2);
      field("value").value = value;
      field("points_cost").value = reward.points_cost == null ? "" : String(reward.points_cost);
      field("minimum_order").value = reward.minimum_order || "";
      field("variant_id").value = reward.variant_id || "";
      field("on_price_change").value = reward.on_price_change || "follow";
      document.getElementById("reward-product-title").textContent = reward.product_title || "";
      ["code_lifetime_days", "limit_per_member"].forEach(function (name) {
        field(name).value = reward[name] == null ? "" : String(reward[name]);
      });
      field("starts_at").value = isoToDay(reward.starts_at, false);
      field("ends_at").value = isoToDay(reward.ends_at, true);
      field("active").checked = reward.active !== false;
      updateValueField();
    }

    // The form as the API takes it, and the problems found before sending.
    function read() {
      var body = {};
      var problems = {};
      var raw = function (name) {
        var v = field(name).value;
        return String(v == null ? "" : v).trim();
      };
      body.title = raw("title");
      body.kind = field("kind").value;
      var value = raw("value");
      if (body.kind === "free_shipping" || body.kind === "free_product") body.value = null;
      else if (!value) body.value = null;
      else if (body.kind === "percentage" && /^\d+(\.\d+)?$/.test(value)) {
        body.value = shiftDecimal(value, -2);
      } else body.value = value;
      WHOLE.forEach(function (name) {
        var text = raw(name);
        body[name] = text === "" ? null : /^-?\d{1,9}$/.test(text) ? Number(text) : text;
      });
      body.minimum_order = raw("minimum_order") || null;
      var product = body.kind === "free_product";
      body.variant_id = product ? raw("variant_id").replace(/^gid:\/\/shopify\/ProductVariant\//, "") || null : null;
      body.on_price_change = product ? field("on_price_change").value : null;
      ["starts_at", "ends_at"].forEach(function (name) {
        var text = raw(name);
        if (!text) body[name] = null;
        else {
          body[name] = dayToIso(text, name === "ends_at");
          if (!body[name]) problems[name] = K.text("date_error");
        }
      });
      body.active = Boolean(field("active").checked);
      return { body: body, problems: problems };
    }

    function dirty() {
      return snapshot !== null && JSON.stringify(read().body) !== snapshot;
    }

    function updateSaveBar() {
      if (!saveBar) return;
      if (editing && dirty()) saveBar.show("reward-save-bar");
      else saveBar.hide("reward-save-bar");
    }

    function open(reward) {
      editing = reward || {};
      heading.textContent = reward ? K.text("edit_heading") : K.text("new_heading");
      fill(reward || { kind: "fixed_amount", active: true });
      snapshot = JSON.stringify(read().body);
      K.showFieldErrors(form, FIELDS, null);
      showProblem("");
      K.setHidden(list, true);
      K.setHidden(newButton, true);
      K.setHidden(form, false);
      updateSaveBar();
      field("title").focus();
    }

    function close() {
      editing = null;
      snapshot = null;
      updateSaveBar();
      K.setHidden(form, true);
      K.setHidden(list, false);
      K.setHidden(newButton, false);
    }

    function back() {
      if (editing && dirty() && saveBar && saveBar.leaveConfirmation) {
        saveBar.leaveConfirmation().then(close, function () {});
      } else close();
    }

    function save() {
      if (busy || !editing) return;
      var read_ = read();
      var kind = read_.body.kind;
      if (Object.keys(read_.problems).length) {
        K.showFieldErrors(form, FIELDS, read_.problems);
        showProblem(bannerText.getAttribute("data-default") || bannerText.textContent);
        return;
      }
      busy = true;
      form.setAttribute("aria-busy", "true");
      var call = editing.id
        ? K.api("PUT", "/api/rewards/" + editing.id, read_.body)
        : K.api("POST", "/api/rewards", read_.body);
      call.then(function (result) {
        busy = false;
        form.removeAttribute("aria-busy");
        if (result.ok) {
          K.toast(K.text("saved"));
          close();
          load();
          return;
        }
        var fields = K.errorFields(result);
        if (fields.value && kind === "percentage") fields.value = K.text("percent_error");
        K.showFieldErrors(form, FIELDS, fields);
        var unknown = Object.keys(fields).filter(function (name) {
          return FIELDS.indexOf(name) === -1;
        });
        showProblem(
          result.status === 422 && !unknown.length
            ? bannerText.getAttribute("data-default")
            : K.errorMessage(result)
        );
        K.toast(K.text("not_saved"), true);
      });
    }

    bannerText.setAttribute("data-default", bannerText.textContent);
    newButton.addEventListener("click", function () {
      open(null);
    });
    document.getElementById("reward-back").addEventListener("click", back);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });
    FIELDS.forEach(function (name) {
      field(name).addEventListener("input", updateSaveBar);
      field(name).addEventListener("change", updateSaveBar);
    });
    field("kind").addEventListener("change", updateValueField);
    if (saveBar) {
      document.getElementById("reward-save-bar-save").addEventListener("click", save);
      document.getElementById("reward-save-bar-discard").addEventListener("click", close);
    } else {
      K.setHidden(document.getElementById("reward-actions"), false);
      document.getElementById("reward-submit").addEventListener("click", save);
      document.getElementById("reward-discard").addEventListener("click", close);
    }

    // App Bridge's product picker, where the admin has it; else the variant's id is typed.
    var pick = document.getElementById("reward-pick-product");
    if (bridge && typeof bridge.resourcePicker === "function") {
      K.setHidden(pick, false);
      pick.addEventListener("click", function () {
        bridge.resourcePicker({ type: "variant", multiple: false }).then(function (chosen) {
          var variant = chosen && chosen[0];
          if (!variant) return;
          field("variant_id").value = String(variant.id).split("/").pop();
          document.getElementById("reward-product-title").textContent = variant.displayName || variant.title || "";
          updateSaveBar();
        });
      });
    }

    K.api("GET", "/api/shop").then(function (result) {
      if (result.ok && result.data.currency) {
        currency = result.data.currency;
        field("minimum_order").setAttribute("prefix", currency);
        updateValueField();
      }
    });
    load();
  }

  K.onReady("rewards", init);
})();
