// The Stamp cards page: the cards as a table (members with stamps, rewards issued and used),
// and a form to create or edit one; products and collections are chosen with App Bridge's
// resource picker (shopify.resourcePicker), and only their ids are sent.
(function () {
  "use strict";

  var K = window.Klubb;
  var FIELDS = ["name", "stamps_required", "repeatable", "product_ids", "reward_kind", "reward_value"];

  function numeric(gid) {
    return String(gid).split("/").pop();
  }

  function init() {
    var list = document.getElementById("cards-list");
    var table = document.getElementById("cards-table");
    var empty = document.getElementById("cards-empty");
    var form = document.getElementById("card-form");
    var heading = document.getElementById("card-form-heading");
    var banner = document.getElementById("card-problem");
    var newButton = document.getElementById("card-new");
    var bridge = window.shopify;
    var currency = "";
    var editing = null;
    var chosen = { products: [], collections: [], free: null };
    var busy = false;

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function gives(card) {
      var r = card.reward;
      if (r.kind === "free_product") return K.text("free_product");
      if (r.kind === "percentage") return K.text("amount_off", { amount: r.percentage + " %" });
      return K.text("amount_off", { amount: K.formatMoney(r.amount, currency) });
    }

    function status(card) {
      if (card.paused === "product_deleted") return [K.text("paused_product"), "warning"];
      if (card.paused === "collection_deleted") return [K.text("paused_collection"), "warning"];
      return [K.text("running"), "success"];
    }

    function render(cards) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      cards.forEach(function (card) {
        var row = document.createElement("tr");
        K.cell(row, card.name);
        K.cell(row, gives(card), "k-wide");
        K.cell(row, String(card.stamps_required), "k-num k-wide");
        K.cell(row, String(card.members_with_stamps), "k-num k-wide");
        K.cell(
          row,
          K.text("issued_used", { issued: card.rewards_issued, used: card.rewards_used }),
          "k-wide"
        );
        var state = status(card);
        K.cell(row, K.badge(state[0], state[1]));
        var actions = document.createElement("s-stack");
        actions.setAttribute("direction", "inline");
        actions.setAttribute("gap", "small");
        var edit = document.createElement("s-button");
        edit.setAttribute("variant", "tertiary");
        edit.textContent = K.text("edit");
        edit.setAttribute("accessibilityLabel", K.text("edit_card", { name: card.name }));
        edit.addEventListener("click", function () {
          open(card);
        });
        var end = document.createElement("s-button");
        end.setAttribute("variant", "tertiary");
        end.setAttribute("tone", "critical");
        end.textContent = K.text("end");
        end.setAttribute("accessibilityLabel", K.text("end_card", { name: card.name }));
        end.addEventListener("click", function () {
          K.api("DELETE", "/api/stamp-cards/" + card.id).then(function (result) {
            if (!result.ok) return K.toast(K.errorMessage(result), true);
            K.toast(K.text("ended"));
            load();
          });
        });
        var people = document.createElement("s-button");
        people.setAttribute("variant", "tertiary");
        people.textContent = K.text("members");
        people.addEventListener("click", function () {
          showMembers(card);
        });
        actions.appendChild(people);
        actions.appendChild(edit);
        actions.appendChild(end);
        K.cell(row, actions);
        body.appendChild(row);
      });
      K.setHidden(table, cards.length === 0);
      K.setHidden(empty, cards.length !== 0);
    }

    function load() {
      list.setAttribute("aria-busy", "true");
      return K.api("GET", "/api/stamp-cards").then(function (result) {
        list.removeAttribute("aria-busy");
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        render(result.data.stamp_cards);
      });
    }

    // The members holding stamps on one card, below the list.
    function showMembers(card) {
      var section = document.getElementById("card-members");
      var membersTable = document.getElementById("card-members-table");
      K.api("GET", "/api/stamp-cards/" + card.id + "/members").then(function (result) {
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        var body = membersTable.querySelector("tbody");
        body.textContent = "";
        result.data.members.forEach(function (m) {
          var row = document.createElement("tr");
          var link = document.createElement("s-link");
          link.setAttribute("href", K.appLink("/members/" + m.customer_id));
          link.textContent = m.name || m.customer_id;
          K.cell(row, link);
          K.cell(row, String(m.stamps), "k-num");
          K.cell(row, K.text("issued_used", { issued: m.rewards_issued, used: m.rewards_used }));
          body.appendChild(row);
        });
        document.getElementById("card-members-heading").textContent = K.text("members_of", {
          name: card.name,
        });
        K.setHidden(membersTable, result.data.members.length === 0);
        K.setHidden(document.getElementById("card-members-empty"), result.data.members.length !== 0);
        K.setHidden(section, false);
      });
    }

    function names(items) {
      return items.length
        ? items.map(function (i) { return i.title || numeric(i.id); }).join(", ")
        : K.text("none_chosen");
    }

    function showChosen() {
      document.getElementById("picked-products").textContent = names(chosen.products);
      document.getElementById("picked-collections").textContent = names(chosen.collections);
      document.getElementById("picked-free").textContent = chosen.free
        ? K.text("chosen_product", { title: chosen.free.title || numeric(chosen.free.id) })
        : K.text("none_chosen");
      var kind = field("reward_kind").value;
      K.setHidden(document.getElementById("free-product-row"), kind !== "free_product");
      K.setHidden(field("reward_value"), kind === "free_product");
      field("reward_value").setAttribute("label", kind === "percentage" ? "%" : currency || "");
    }

    function pick(type, key, multiple) {
      if (!bridge || !bridge.resourcePicker) return;
      var current = key === "free" ? (chosen.free ? [chosen.free] : []) : chosen[key];
      bridge
        .resourcePicker({
          type: type,
          multiple: multiple,
          action: "select",
          selectionIds: current.map(function (i) { return { id: i.id }; }),
        })
        .then(function (selection) {
          if (!selection) return;
          var picked = selection.map(function (r) { return { id: r.id, title: r.title }; });
          if (key === "free") chosen.free = picked[0] || null;
          else {
            chosen[key] = picked;
            K.showFieldErrors(form, ["product_ids"], null);
            K.setHidden(field("product_ids"), true);
          }
          showChosen();
        });
    }

    function open(card) {
      editing = card || {};
      heading.textContent = card ? K.text("edit_heading") : K.text("new_heading");
      var c = card || { stamps_required: 10, repeatable: true, reward: { kind: "free_product" } };
      field("name").value = c.name || "";
      field("stamps_required").value = String(c.stamps_required || "");
      field("repeatable").checked = c.repeatable !== false;
      field("reward_kind").value = c.reward.kind;
      field("reward_value").value = c.reward.amount || (c.reward.percentage ? String(c.reward.percentage) : "");
      var ids = function (kind, list_) {
        return (list_ || []).map(function (id) { return { id: "gid://shopify/" + kind + "/" + id }; });
      };
      chosen = {
        products: ids("Product", c.product_ids),
        collections: ids("Collection", c.collection_ids),
        free: c.reward.product_id ? { id: "gid://shopify/Product/" + c.reward.product_id } : null,
      };
      K.showFieldErrors(form, FIELDS, null);
      K.setHidden(banner, true);
      K.setHidden(list, true);
      K.setHidden(newButton, true);
      K.setHidden(form, false);
      showChosen();
      field("name").focus();
    }

    function close() {
      editing = null;
      K.setHidden(form, true);
      K.setHidden(list, false);
      K.setHidden(newButton, false);
    }

    function read() {
      var kind = field("reward_kind").value;
      var value = String(field("reward_value").value || "").trim();
      var reward = { kind: kind };
      if (kind === "free_product") reward.product_id = chosen.free ? numeric(chosen.free.id) : null;
      else if (kind === "percentage") reward.percentage = /^\d{1,3}$/.test(value) ? Number(value) : value;
      else reward.amount = value.replace(",", ".");
      var stamps = String(field("stamps_required").value || "").trim();
      return {
        name: String(field("name").value || "").trim(),
        stamps_required: /^\d{1,6}$/.test(stamps) ? Number(stamps) : stamps,
        repeatable: Boolean(field("repeatable").checked),
        product_ids: chosen.products.map(function (i) { return numeric(i.id); }),
        collection_ids: chosen.collections.map(function (i) { return numeric(i.id); }),
        reward: reward,
      };
    }

    function save() {
      if (busy || !editing) return;
      busy = true;
      form.setAttribute("aria-busy", "true");
      var body = read();
      var call = editing.id
        ? K.api("PUT", "/api/stamp-cards/" + editing.id, body)
        : K.api("POST", "/api/stamp-cards", body);
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
        var shown = {};
        Object.keys(fields).forEach(function (name) {
          var to = name.indexOf("reward") === 0 ? "reward_value" : name.split("[")[0];
          if (to === "collection_ids") to = "product_ids";
          shown[to] = fields[name];
        });
        K.setHidden(field("product_ids"), !shown.product_ids);
        K.showFieldErrors(form, FIELDS, shown);
        K.setHidden(banner, false);
        K.toast(K.text("not_saved"), true);
      });
    }

    newButton.addEventListener("click", function () {
      open(null);
    });
    document.getElementById("card-back").addEventListener("click", close);
    document.getElementById("card-discard").addEventListener("click", close);
    document.getElementById("card-submit").addEventListener("click", save);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });
    document.getElementById("pick-products").addEventListener("click", function () {
      pick("product", "products", true);
    });
    document.getElementById("pick-collections").addEventListener("click", function () {
      pick("collection", "collections", true);
    });
    document.getElementById("pick-free").addEventListener("click", function () {
      pick("product", "free", false);
    });
    field("reward_kind").addEventListener("change", showChosen);
    K.api("GET", "/api/shop").then(function (result) {
      if (result.ok && result.data.currency) currency = result.data.currency;
      load();
    });
  }

  K.onReady("stamp-cards", init);
})();
