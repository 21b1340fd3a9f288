// A new campaign: build or choose a segment, write the message per language, an offer, when it
// goes; preview it (per language, with its SMS length and cost), send a test, schedule it.
// The campaign is stored as a draft when first tested or scheduled (again if the form changed).
(function () {
  "use strict";

  var K = window.Klubb;
  var FIELDS = [
    "segment_id", "name", "channel", "message.nb", "message.en", "subject.nb", "subject.en",
    "offer", "offer.kind", "offer.discount", "offer.value", "offer.valid_days", "offer.code",
    "offer.points", "send_at", "date", "time", "test_to", "test_language", "language",
    "price_per_segment",
  ];
  var draft = null; // {id, body}: the draft stored for the form as it was then

  function form() {
    return document.getElementById("campaign-form");
  }

  function field(name, root) {
    return (root || form()).querySelector('[name="' + name + '"]');
  }

  function value(name, root) {
    var el = field(name, root);
    return el ? String(el.value || "").trim() : "";
  }

  function problem(message) {
    document.getElementById("campaign-problem-text").textContent = message || "";
    K.setHidden(document.getElementById("campaign-problem"), !message);
  }

  function refused(result, root) {
    var fields = K.errorFields(result);
    K.showFieldErrors(root || form(), FIELDS, fields);
    problem(Object.keys(fields).length ? K.text("fix_fields") : K.errorMessage(result));
  }

  function offer() {
    var kind = value("offer.kind");
    if (!kind || kind === "none") return null;
    if (kind === "bonus_points") return { kind: kind, points: Number(value("offer.points")) };
    var body = {
      kind: kind,
      discount: value("offer.discount"),
      value: value("offer.value"),
      valid_days: Number(value("offer.valid_days") || 14),
    };
    if (kind === "shared_code") body.code = value("offer.code");
    return body;
  }

  function campaignBody() {
    var body = {
      name: value("name"),
      channel: value("channel"),
      segment_id: value("segment_id") === "none" ? "" : value("segment_id"),
      message: { nb: value("message.nb"), en: value("message.en") },
    };
    if (body.channel === "email") body.subject = { nb: value("subject.nb"), en: value("subject.en") };
    var chosen = offer();
    if (chosen) body.offer = chosen;
    return body;
  }

  // The form's campaign stored as a draft (once per version of the form): its id, or null.
  function stored() {
    var body = campaignBody();
    var key = JSON.stringify(body);
    if (draft && draft.body === key) return Promise.resolve(draft.id);
    return K.api("POST", "/api/campaigns", body).then(function (result) {
      if (!result.ok) {
        refused(result);
        return null;
      }
      draft = { id: result.data.id, body: key };
      return draft.id;
    });
  }

  function sendAt() {
    if (value("when") === "now") return null;
    var date = value("date");
    var time = value("time");
    var moment = new Date(date + "T" + time);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time) || isNaN(moment.getTime())) {
      return undefined;
    }
    return moment.toISOString();
  }

  function showChoices() {
    var kind = value("offer.kind");
    var code = kind === "member_code" || kind === "shared_code";
    form().querySelectorAll(".k-code").forEach(function (el) { K.setHidden(el, !code); });
    form().querySelectorAll(".k-shared").forEach(function (el) { K.setHidden(el, kind !== "shared_code"); });
    form().querySelectorAll(".k-points").forEach(function (el) { K.setHidden(el, kind !== "bonus_points"); });
    form().querySelectorAll(".k-later").forEach(function (el) { K.setHidden(el, value("when") === "now"); });
    form().querySelectorAll(".k-email").forEach(function (el) { K.setHidden(el, value("channel") !== "email"); });
  }

  function segmentCount(id) {
    var line = document.getElementById("segment-count");
    line.textContent = "";
    if (!id || id === "none") return;
    K.api("GET", "/api/segments/" + id + "/members?count=1").then(function (result) {
      if (result.ok) line.textContent = K.text("segment_count", { count: K.formatPoints(result.data.count) });
    });
  }

  function loadSegments(chosen) {
    return K.api("GET", "/api/segments").then(function (result) {
      if (!result.ok) return problem(K.errorMessage(result));
      var select = document.getElementById("campaign-segment");
      select.textContent = "";
      var none = document.createElement("s-option");
      none.setAttribute("value", "none");
      none.textContent = K.text("choose_segment");
      select.appendChild(none);
      result.data.segments.forEach(function (segment) {
        var option = document.createElement("s-option");
        option.setAttribute("value", segment.id);
        option.textContent = segment.name;
        select.appendChild(option);
      });
      if (chosen) {
        select.value = chosen;
        segmentCount(chosen);
      }
    });
  }

  function saveSegment(event) {
    event.preventDefault();
    var segmentForm = document.getElementById("segment-form");
    var filter = {};
    var points = value("min_points", segmentForm);
    if (points !== "") filter.points_balance = { min: Number(points) };
    if (value("language", segmentForm) !== "any") filter.language = value("language", segmentForm);
    if (value("buyer", segmentForm) !== "any") filter.buyer = value("buyer", segmentForm);
    var body = { name: value("name", segmentForm), filter: filter };
    K.api("POST", "/api/segments", body).then(function (result) {
      if (!result.ok) {
        var fields = K.errorFields(result);
        if (fields["filter.points_balance"]) fields.min_points = fields["filter.points_balance"];
        K.showFieldErrors(segmentForm, ["name", "min_points", "language", "buyer"], fields);
        problem(Object.keys(fields).length ? K.text("fix_fields") : K.errorMessage(result));
        return;
      }
      K.showFieldErrors(segmentForm, ["name", "min_points", "language", "buyer"], {});
      problem("");
      K.toast(K.text("segment_saved"));
      loadSegments(result.data.id);
    });
  }

  function showPreview(data) {
    var box = document.getElementById("campaign-preview");
    box.textContent = "";
    ["nb", "en"].forEach(function (language) {
      var found = data.languages[language];
      var heading = document.createElement("s-heading");
      heading.textContent = K.text("language_" + language) + " · " + K.text("recipients", { count: found.recipients });
      box.appendChild(heading);
      if (found.subject) {
        var subject = document.createElement("p");
        subject.className = "k-preview-text";
        subject.textContent = found.subject;
        box.appendChild(subject);
      }
      var text = document.createElement("p");
      text.className = "k-preview-text";
      text.setAttribute("lang", language);
      text.textContent = found.text;
      box.appendChild(text);
      var notes = [];
      if (found.segments) {
        notes.push(K.text("sms_length", {
          characters: found.characters,
          encoding: found.encoding === "gsm7" ? "GSM-7" : "UCS-2",
          segments: found.segments,
        }));
      }
      if (found.example) notes.push(K.text("example"));
      if (notes.length) {
        var note = document.createElement("s-paragraph");
        note.textContent = notes.join(" ");
        box.appendChild(note);
      }
    });
    if (data.cost) {
      var cost = document.createElement("s-paragraph");
      cost.id = "campaign-cost";
      cost.textContent = K.text("cost", {
        amount: K.formatMoney(data.cost.amount, data.cost.currency),
        segments: K.formatPoints(data.cost.segments),
        price: K.formatMoney(data.cost.price_per_segment.amount, data.cost.currency),
      });
      box.appendChild(cost);
    }
  }

  function preview() {
    K.api("POST", "/api/campaigns/preview", campaignBody()).then(function (result) {
      if (!result.ok) return refused(result);
      K.showFieldErrors(form(), FIELDS, {});
      problem("");
      showPreview(result.data);
    });
  }

  function sendTest() {
    stored().then(function (id) {
      if (!id) return;
      var body = { to: value("test_to"), language: value("test_language") };
      K.api("POST", "/api/campaigns/" + id + "/test", body).then(function (result) {
        if (!result.ok) {
          var fields = K.errorFields(result);
          if (fields.to) fields.test_to = fields.to;
          return refused({ data: { error: { message: K.errorMessage(result), fields: fields } } });
        }
        problem("");
        K.toast(K.text("test_sent"));
      });
    });
  }

  function schedule(event) {
    event.preventDefault();
    var at = sendAt();
    if (at === undefined) {
      K.showFieldErrors(form(), ["date", "time"], { date: K.text("bad_time"), time: K.text("bad_time") });
      return problem(K.text("fix_fields"));
    }
    stored().then(function (id) {
      if (!id) return;
      K.api("POST", "/api/campaigns/" + id + "/schedule", { send_at: at }).then(function (result) {
        if (!result.ok) {
          var fields = K.errorFields(result);
          if (fields.send_at) fields.date = fields.send_at;
          return refused({ data: { error: { message: K.errorMessage(result), fields: fields } } });
        }
        K.toast(K.text("scheduled"));
        window.location.href = K.appLink("/campaigns/" + id);
      });
    });
  }

  K.onReady("campaign-edit", function () {
    var tomorrow = new Date(Date.now() + 86400000);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    field("date").value = tomorrow.getFullYear() + "-" + pad(tomorrow.getMonth() + 1) + "-" + pad(tomorrow.getDate());
    loadSegments();
    showChoices();
    form().addEventListener("change", function (event) {
      showChoices();
      if (event.target && event.target.getAttribute("name") === "segment_id") segmentCount(value("segment_id"));
    });
    form().addEventListener("submit", schedule);
    document.getElementById("segment-form").addEventListener("submit", saveSegment);
    document.getElementById("campaign-preview-button").addEventListener("click", preview);
    document.getElementById("campaign-test-button").addEventListener("click", sendTest);
  });
})();
