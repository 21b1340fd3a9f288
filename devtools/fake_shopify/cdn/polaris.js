/*
 * Klubb's stand-in for https://cdn.shopify.com/shopifycloud/polaris.js (tests and dev only).
 *
 * Small custom elements with the attribute names of Polaris web components, tidy enough to
 * look at and usable by keyboard and screen reader: s-page, s-section, s-stack, s-box,
 * s-heading, s-paragraph, s-text, s-link, s-button, s-banner, s-badge, s-divider, s-spinner,
 * s-app-nav, s-text-field, s-text-area, s-number-field, s-email-field, s-checkbox, s-select and
 * s-option.
 * Form fields are form-associated (ElementInternals) and render a real <label> and control in
 * an open shadow root, so they submit with a <form> and getByLabel() finds them.
 */
(function () {
  "use strict";
  if (!window.customElements || window.customElements.get("s-page")) { return; }

  var BASE = ":host{font:14px/1.45 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif;" +
    "color:#303030}[hidden]{display:none!important}";
  var SPACE = { none: "0", "small-300": "2px", "small-200": "4px", "small-100": "6px",
    small: "8px", base: "12px", large: "16px", "large-100": "20px", "large-200": "24px" };
  var TONES = { info: ["#eaf4ff", "#00527c"], success: ["#cdfee1", "#0c5132"],
    warning: ["#fff1e3", "#5e4200"], critical: ["#fee8eb", "#8e1f0b"], auto: ["#f1f1f1", "#303030"],
    neutral: ["#e3e3e3", "#303030"] };
  var uid = 0;

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function depth(el) {
    var n = 0;
    for (var p = el.parentElement; p; p = p.parentElement) { if (p.tagName === "S-SECTION") { n += 1; } }
    return n;
  }

  class Base extends HTMLElement {
    constructor(focusable) {
      super();
      this.attachShadow({ mode: "open", delegatesFocus: !!focusable });
    }
    connectedCallback() { this.render(); }
    attributeChangedCallback() { if (this.shadowRoot.childNodes.length) { this.render(); } }
    attr(name, fallback) { var v = this.getAttribute(name); return v === null ? fallback : v; }
    flag(name) { return this.hasAttribute(name) && this.getAttribute(name) !== "false"; }
    paint(css, markup) { this.shadowRoot.innerHTML = "<style>" + BASE + css + "</style>" + markup; }
    render() {}
  }

  function simple(tag, css, markup, attrs) {
    customElements.define(tag, class extends Base {
      static get observedAttributes() { return attrs || []; }
      render() { this.paint(css, typeof markup === "function" ? markup(this) : markup); }
    });
  }

  simple("s-page", ":host{display:block;max-width:var(--s-page-width,1000px);margin:0 auto;" +
    "padding:20px 16px}header{display:flex;align-items:center;gap:8px;margin-bottom:16px}" +
    "h1{font-size:20px;margin:0;flex:1}.body{display:grid;gap:16px}",
    function (el) {
      return "<header><slot name='breadcrumb-actions'></slot><h1>" + esc(el.attr("heading", "")) +
        "</h1><slot name='secondary-actions'></slot><slot name='primary-action'></slot></header>" +
        "<div class='body'><slot></slot><slot name='aside'></slot></div>";
    }, ["heading"]);

  simple("s-section", ":host{display:block;background:#fff;border-radius:12px;padding:16px;" +
    "box-shadow:0 1px 0 rgba(0,0,0,.07),0 0 0 1px #e3e3e3}h2,h3{font-size:14px;margin:0 0 12px}" +
    ".body{display:grid;gap:12px}",
    function (el) {
      var level = Math.min(6, 2 + depth(el));
      var heading = el.attr("heading", "");
      return "<section aria-label='" + esc(heading || el.attr("accessibilitylabel", "")) + "'>" +
        (heading ? "<h" + level + ">" + esc(heading) + "</h" + level + ">" : "") +
        "<div class='body'><slot></slot></div></section>";
    }, ["heading", "accessibilitylabel"]);

  // Like Polaris: an inline stack wraps its children when space runs out; a block stack (the
  // default, BlockStack's successor) never wraps, since a wrapping column makes Chromium size its
  // items at min-content and cards grow tall.
  simple("s-stack", ":host{display:block}", function (el) {
    var inline = el.attr("direction", "block") === "inline";
    return "<div style='display:flex;flex-wrap:" + (inline ? "wrap" : "nowrap") +
      ";flex-direction:" + (inline ? "row" : "column") +
      ";gap:" + (SPACE[el.attr("gap", "none")] || "0") + ";align-items:" +
      esc(el.attr("alignitems", inline ? "center" : "stretch")) + ";justify-content:" +
      esc(el.attr("justifycontent", "flex-start")) + "'><slot></slot></div>";
  }, ["direction", "gap", "alignitems", "justifycontent"]);

  simple("s-box", ":host{display:block}", function (el) {
    var bg = { subdued: "#f7f7f7", strong: "#ebebeb", base: "#fff" }[el.attr("background", "")] || "transparent";
    return "<div style='padding:" + (SPACE[el.attr("padding", "none")] || "0") + ";background:" + bg +
      ";border-radius:" + (el.attr("borderradius", "") ? "8px" : "0") + ";border:" +
      (el.attr("border", "") ? "1px solid #e3e3e3" : "0") + "'><slot></slot></div>";
  }, ["padding", "background", "borderradius", "border"]);

  simple("s-heading", ":host{display:block}h2,h3,h4,h5,h6{font-size:14px;margin:0}", function (el) {
    var level = Math.min(6, 2 + depth(el));
    return "<h" + level + "><slot></slot></h" + level + ">";
  });

  simple("s-paragraph", ":host{display:block}p{margin:0}", "<p><slot></slot></p>");

  simple("s-text", ":host{display:inline}.strong{font-weight:600}.subdued{color:#616161}" +
    ".critical{color:#8e1f0b}.success{color:#0c5132}", function (el) {
    var cls = [el.attr("type", ""), el.attr("tone", ""), el.attr("color", "")].join(" ");
    return "<span class='" + esc(cls) + "'><slot></slot></span>";
  }, ["type", "tone", "color"]);

  simple("s-badge", ":host{display:inline-block}span{display:inline-block;border-radius:8px;" +
    "padding:1px 8px;font-size:12px;font-weight:550}", function (el) {
    var tone = TONES[el.attr("tone", "neutral")] || TONES.neutral;
    return "<span style='background:" + tone[0] + ";color:" + tone[1] + "'><slot></slot></span>";
  }, ["tone"]);

  simple("s-divider", ":host{display:block}hr{border:0;border-top:1px solid #e3e3e3;margin:4px 0}", "<hr>");
  simple("s-spinner", ":host{display:inline-block}", function (el) {
    return "<span role='status' aria-label='" + esc(el.attr("accessibilitylabel", "Loading")) + "'>…</span>";
  }, ["accessibilitylabel"]);
  simple("s-app-nav", ":host{display:none}", "<slot></slot>");

  simple("s-link", ":host{display:inline}a{color:#005bd3}a:focus-visible{outline:2px solid #005bd3;" +
    "outline-offset:2px}", function (el) {
    var target = el.attr("target", "");
    return "<a part='link' href='" + esc(el.attr("href", "#")) + "'" +
      (target ? " target='" + esc(target) + "'" : "") + "><slot></slot></a>";
  }, ["href", "target"]);

  simple("s-banner", ":host{display:block}.banner{border-radius:12px;padding:12px 16px;display:flex;" +
    "gap:12px}.text{flex:1}strong{display:block;margin-bottom:4px}button{border:0;background:none;" +
    "cursor:pointer;font:inherit}", function (el) {
    var toneName = el.attr("tone", "auto");
    var tone = TONES[toneName] || TONES.auto;
    var heading = el.attr("heading", "");
    return "<div class='banner' role='" + (toneName === "critical" ? "alert" : "status") +
      "' style='background:" + tone[0] + ";color:" + tone[1] + "'><div class='text'>" +
      (heading ? "<strong>" + esc(heading) + "</strong>" : "") + "<slot></slot></div>" +
      (el.flag("dismissible") ? "<button type='button' aria-label='Dismiss'>✕</button>" : "") + "</div>";
  }, ["tone", "heading", "dismissible"]);
  customElements.whenDefined("s-banner").then(function () {
    document.addEventListener("click", function (event) {
      var host = event.composedPath()[0];
      var root = host && host.getRootNode && host.getRootNode();
      if (root && root.host && root.host.tagName === "S-BANNER" && host.tagName === "BUTTON") {
        root.host.hidden = true;
        root.host.dispatchEvent(new Event("dismiss", { bubbles: true }));
      }
    }, true);
  });

  customElements.define("s-button", class extends Base {
    static get formAssociated() { return true; }
    static get observedAttributes() {
      return ["variant", "tone", "type", "disabled", "loading", "href", "target"];
    }
    constructor() { super(true); this.internals = this.attachInternals(); }
    render() {
      var variant = this.attr("variant", "auto");
      var critical = this.attr("tone", "") === "critical";
      var primary = variant === "primary";
      var bg = primary ? (critical ? "#c70a24" : "#303030") : variant === "tertiary" ? "transparent" : "#fff";
      var css = ":host{display:inline-block}.b{font:inherit;font-weight:550;border-radius:8px;" +
        "padding:6px 12px;cursor:pointer;text-decoration:none;display:inline-block;border:0;" +
        "background:" + bg + ";color:" + (primary ? "#fff" : critical ? "#8e1f0b" : "#303030") + ";" +
        (variant === "tertiary" ? "" : "box-shadow:0 0 0 1px #c9c9c9 inset") + "}" +
        ".b:focus-visible{outline:2px solid #005bd3;outline-offset:1px}.b[disabled]{opacity:.5;cursor:default}";
      var busy = this.flag("loading");
      var inner = busy ? "<span aria-hidden='true'>…</span><slot></slot>" : "<slot></slot>";
      var href = this.attr("href", "");
      var markup = href
        ? "<a class='b' part='button' href='" + esc(href) + "'" +
          (this.hasAttribute("target") ? " target='" + esc(this.getAttribute("target")) + "'" : "") +
          ">" + inner + "</a>"
        : "<button class='b' part='button' type='button'" + (this.flag("disabled") ? " disabled" : "") +
          (busy ? " aria-busy='true'" : "") + ">" + inner + "</button>";
      this.paint(css, markup);
      var button = this.shadowRoot.querySelector("button");
      var self = this;
      if (button) {
        button.addEventListener("click", function () {
          var form = self.internals.form;
          var type = self.attr("type", "button");
          if (!form || self.flag("disabled") || busy) { return; }
          if (type === "submit") { form.requestSubmit(); } else if (type === "reset") { form.reset(); }
        });
      }
    }
  });

  class Field extends Base {
    static get formAssociated() { return true; }
    static get observedAttributes() {
      return ["label", "name", "value", "error", "details", "placeholder", "min", "max", "step",
        "prefix", "suffix", "required", "disabled", "readonly", "labelaccessibilityvisibility"];
    }
    constructor(kind) {
      super(true);
      this.kind = kind;
      this.internals = this.attachInternals();
      this.fieldId = "f" + (++uid);
      this._value = null;
    }
    get value() { return this._value === null ? this.attr("value", "") : this._value; }
    set value(v) { this._value = v == null ? "" : String(v); this.sync(); }
    get name() { return this.attr("name", ""); }
    get form() { return this.internals.form; }
    formResetCallback() { this._value = null; this.render(); }
    attributeChangedCallback(name) {
      if (name === "value") { this._value = null; }
      if (this.shadowRoot.childNodes.length) { this.render(); }
    }
    control(id, described) {
      var type = { number: "number", email: "email" }[this.kind] || "text";
      var extra = ["min", "max", "step", "placeholder"].map(function (a) {
        return this.hasAttribute(a) ? " " + a + "='" + esc(this.getAttribute(a)) + "'" : "";
      }, this).join("");
      return "<input id='" + id + "' part='input' type='" + type + "'" + extra + described +
        (this.kind === "number" ? " inputmode='decimal'" : "") +
        (this.flag("required") ? " required" : "") + (this.flag("disabled") ? " disabled" : "") +
        (this.flag("readonly") ? " readonly" : "") + ">";
    }
    render() {
      var id = this.fieldId;
      var error = this.attr("error", "");
      var details = this.attr("details", "");
      var described = [details ? id + "-d" : "", error ? id + "-e" : ""].filter(Boolean).join(" ");
      var hidden = this.attr("labelaccessibilityvisibility", "") === "exclusive";
      var attrs = (described ? " aria-describedby='" + described + "'" : "") +
        (error ? " aria-invalid='true'" : "");
      this.paint(":host{display:block}:host(:not(:last-child)){margin-bottom:12px}" +
        "label{display:block;margin-bottom:4px}.sr{position:absolute;" +
        "width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}.row{display:flex;align-items:center;" +
        "gap:6px;border:1px solid " + (error ? "#c70a24" : "#8a8a8a") + ";border-radius:8px;" +
        "padding:0 10px;background:#fff}.row:focus-within{outline:2px solid #005bd3}" +
        "input,select{flex:1;border:0;outline:0;font:inherit;padding:6px 0;background:transparent;" +
        "min-width:0}.details{color:#616161;margin:4px 0 0}.error{color:#8e1f0b;margin:4px 0 0}" +
        ".check{display:flex;gap:8px;align-items:center}.check label{margin:0}" +
        ".check input{flex:none;width:16px;height:16px;margin:0}",
        this.layout(id, attrs, hidden, details, error));
      this.wire();
    }
    layout(id, attrs, hidden, details, error) {
      return "<label for='" + id + "'" + (hidden ? " class='sr'" : "") + ">" + esc(this.attr("label", "")) +
        "</label><div class='row'>" +
        (this.hasAttribute("prefix") ? "<span aria-hidden='true'>" + esc(this.getAttribute("prefix")) + "</span>" : "") +
        this.control(id, attrs) +
        (this.hasAttribute("suffix") ? "<span>" + esc(this.getAttribute("suffix")) + "</span>" : "") +
        "</div>" + this.notes(id, details, error);
    }
    notes(id, details, error) {
      return (details ? "<p class='details' id='" + id + "-d'>" + esc(details) + "</p>" : "") +
        (error ? "<p class='error' id='" + id + "-e'>" + esc(error) + "</p>" : "");
    }
    input() { return this.shadowRoot.querySelector("input,select,textarea"); }
    wire() {
      var input = this.input();
      var self = this;
      input.value = this.value;
      input.addEventListener("input", function () { self._value = input.value; self.sync(false); });
      input.addEventListener("change", function () {
        self._value = input.value; self.sync(false);
        self.dispatchEvent(new Event("change", { bubbles: true }));
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && input.tagName === "INPUT" && self.form) {
          event.preventDefault();
          self.form.requestSubmit();
        }
      });
      this.sync(false);
    }
    sync(push) {
      var input = this.input();
      if (input && push !== false) { input.value = this.value; }
      this.internals.setFormValue(this.value);
      if (input) { this.internals.setValidity(input.validity, input.validationMessage, input); }
    }
  }

  customElements.define("s-text-field", class extends Field { constructor() { super("text"); } });
  customElements.define("s-number-field", class extends Field { constructor() { super("number"); } });
  customElements.define("s-text-area", class extends Field {
    static get observedAttributes() { return Field.observedAttributes.concat(["rows"]); }
    constructor() { super("textarea"); }
    control(id, described) {
      return "<textarea id='" + id + "' part='input' rows='" + esc(this.attr("rows", "4")) + "'" +
        described + (this.flag("required") ? " required" : "") +
        (this.flag("disabled") ? " disabled" : "") + " style='flex:1;border:0;outline:0;" +
        "font:inherit;padding:6px 0;resize:vertical;background:transparent'></textarea>";
    }
  });
  customElements.define("s-email-field", class extends Field { constructor() { super("email"); } });

  customElements.define("s-checkbox", class extends Field {
    static get observedAttributes() { return ["label", "name", "checked", "value", "details", "error", "disabled"]; }
    constructor() { super("checkbox"); this._checked = null; }
    get checked() { return this._checked === null ? this.flag("checked") : this._checked; }
    set checked(v) { this._checked = !!v; this.sync(); }
    get value() { return this.attr("value", "on"); }
    set value(v) { this.setAttribute("value", v); }
    formResetCallback() { this._checked = null; this.render(); }
    attributeChangedCallback(name) {
      if (name === "checked") { this._checked = null; }
      if (this.shadowRoot.childNodes.length) { this.render(); }
    }
    layout(id, attrs, hidden, details, error) {
      return "<div class='check'><input type='checkbox' id='" + id + "'" + attrs +
        (this.flag("disabled") ? " disabled" : "") + "><label for='" + id + "'>" +
        esc(this.attr("label", "")) + "</label></div>" + this.notes(id, details, error);
    }
    wire() {
      var input = this.input();
      var self = this;
      input.checked = this.checked;
      input.addEventListener("change", function () {
        self._checked = input.checked; self.sync(false);
        self.dispatchEvent(new Event("change", { bubbles: true }));
      });
      this.sync(false);
    }
    sync(push) {
      var input = this.input();
      if (input && push !== false) { input.checked = this.checked; }
      this.internals.setFormValue(this.checked ? this.value : null);
    }
  });

  customElements.define("s-option", class extends HTMLElement {
    connectedCallback() { this.hidden = true; }
  });

  customElements.define("s-select", class extends Field {
    constructor() { super("select"); }
    connectedCallback() {
      var self = this;
      this.render();
      if (!this.observer) {
        this.observer = new MutationObserver(function () { self.render(); });
        this.observer.observe(this, { childList: true, subtree: true, attributes: true, characterData: true });
      }
    }
    get value() {
      if (this._value !== null) { return this._value; }
      if (this.hasAttribute("value")) { return this.getAttribute("value"); }
      var chosen = this.querySelector("s-option[selected]") || this.querySelector("s-option");
      return chosen ? chosen.getAttribute("value") || chosen.textContent.trim() : "";
    }
    set value(v) { this._value = v == null ? "" : String(v); this.sync(); }
    control(id, described) {
      var placeholder = this.attr("placeholder", "");
      var options = Array.prototype.map.call(this.querySelectorAll("s-option"), function (opt) {
        var value = opt.getAttribute("value") || opt.textContent.trim();
        return "<option value='" + esc(value) + "'" + (opt.hasAttribute("disabled") ? " disabled" : "") +
          ">" + esc(opt.textContent.trim()) + "</option>";
      }).join("");
      return "<select id='" + id + "' part='input'" + described + (this.flag("disabled") ? " disabled" : "") +
        (this.flag("required") ? " required" : "") + ">" +
        (placeholder ? "<option value='' disabled>" + esc(placeholder) + "</option>" : "") + options + "</select>";
    }
  });
})();
