/*
 * Klubb's stand-in for https://cdn.shopify.com/shopifycloud/app-bridge.js (tests and dev only).
 *
 * Like App Bridge it reads data-api-key from its own <script> tag and defines window.shopify:
 * config {apiKey, shop, host, locale}, idToken() (a fresh session token from the admin that
 * frames the app), a fetch() that adds "Authorization: Bearer <session token>" to same-origin
 * requests (and retries once when the answer carries X-Shopify-Retry-Invalid-Session-Request),
 * toast.show(), saveBar.show()/hide()/toggle()/leaveConfirmation(), <ui-save-bar> and
 * <form data-save-bar>,
 * app.extensions() (the theme app extension's blocks and their status in the live theme),
 * resourcePicker({type, multiple, selectionIds}) (the fake admin's picker over the shop's
 * products or collections: resolves to the selection, or undefined when cancelled).
 * It talks to the fake admin (devtools/fake_shopify/admin_page.py) by postMessage; loaded
 * outside a frame it does not throw: idToken() rejects and fetch() passes requests through.
 */
(function () {
  "use strict";
  if (window.shopify && window.shopify.__fake) { return; }

  var PREFIX = "klubb:fake-app-bridge:";
  var TOKEN_TIMEOUT_MS = 10000;
  var SHOPIFY_PARAMS = ["embedded", "hmac", "host", "id_token", "locale", "session", "shop",
    "timestamp"];

  var script = document.currentScript || document.querySelector("script[data-api-key]");
  var params = new URLSearchParams(window.location.search);
  var framed = false;
  try { framed = window.parent !== window; } catch (e) { framed = true; }
  // The admin's origin is the referrer of the first load; after a navigation inside the frame
  // the referrer is the app itself, so fall back to "*" (replies are still checked by source).
  var parentOrigin = "*";
  try {
    var referrer = document.referrer ? new URL(document.referrer).origin : "";
    if (referrer && referrer !== window.location.origin) { parentOrigin = referrer; }
  } catch (e) {}

  var config = {
    apiKey: (script && script.getAttribute("data-api-key")) || "",
    shop: params.get("shop") || "",
    host: params.get("host") || "",
    locale: params.get("locale") || document.documentElement.lang || "en"
  };

  var pending = {};
  var sequence = 0;

  function send(message) {
    if (!framed) { return false; }
    try { window.parent.postMessage(message, parentOrigin); return true; } catch (e) { return false; }
  }

  window.addEventListener("message", function (event) {
    if (!framed || event.source !== window.parent) { return; }
    var m = event.data || {};
    if (typeof m.type !== "string" || m.type.indexOf(PREFIX) !== 0) { return; }
    var kind = m.type.slice(PREFIX.length);
    if (kind === "id-token-result") {
      var waiting = pending[m.requestId];
      if (!waiting) { return; }
      delete pending[m.requestId];
      clearTimeout(waiting.timer);
      if (m.token) { waiting.resolve(m.token); } else {
        waiting.reject(new Error(m.error || "App Bridge: no session token"));
      }
    } else if (kind === "extensions-result") {
      var asked = pending[m.requestId];
      if (!asked) { return; }
      delete pending[m.requestId];
      clearTimeout(asked.timer);
      asked.resolve(m.extensions || []);
    } else if (kind === "resource-picker-result") {
      var picking = pending[m.requestId];
      if (!picking) { return; }
      delete pending[m.requestId];
      picking.resolve(m.selection || undefined);
    } else if (kind === "leave-confirmation-result") {
      var leaving = pending[m.requestId];
      if (!leaving) { return; }
      delete pending[m.requestId];
      leaving.resolve();
    } else if (kind === "save-bar-action") {
      saveBarAction(m.id, m.action);
    }
  });

  function idToken() {
    if (!framed) {
      return Promise.reject(new Error("App Bridge: the app is not embedded in the Shopify admin"));
    }
    return new Promise(function (resolve, reject) {
      var id = "t" + (++sequence);
      var timer = setTimeout(function () {
        delete pending[id];
        reject(new Error("App Bridge: timed out waiting for a session token"));
      }, TOKEN_TIMEOUT_MS);
      pending[id] = { resolve: resolve, reject: reject, timer: timer };
      send({ type: PREFIX + "id-token", requestId: id });
    });
  }

  // app.extensions(): the app's extensions and where they are active, from the admin.
  function extensions() {
    if (!framed) {
      return Promise.reject(new Error("App Bridge: the app is not embedded in the Shopify admin"));
    }
    return new Promise(function (resolve, reject) {
      var id = "x" + (++sequence);
      var timer = setTimeout(function () {
        delete pending[id];
        reject(new Error("App Bridge: timed out waiting for the extensions"));
      }, TOKEN_TIMEOUT_MS);
      pending[id] = { resolve: resolve, reject: reject, timer: timer };
      send({ type: PREFIX + "extensions", requestId: id });
    });
  }

  // resourcePicker(): the admin's picker; resolves to the chosen resources, undefined on cancel.
  function resourcePicker(options) {
    if (!framed) {
      return Promise.reject(new Error("App Bridge: the app is not embedded in the Shopify admin"));
    }
    var opts = options || {};
    return new Promise(function (resolve) {
      var id = "r" + (++sequence);
      pending[id] = { resolve: resolve };
      send({ type: PREFIX + "resource-picker", requestId: id, resourceType: opts.type || "product",
        multiple: !!opts.multiple, selectionIds: opts.selectionIds || [] });
    });
  }

  // -- fetch ---------------------------------------------------------------------------------
  var nativeFetch = window.fetch ? window.fetch.bind(window) : null;

  function targetUrl(input) {
    var raw = typeof input === "string" || input instanceof URL ? String(input) : input.url;
    try { return new URL(raw, window.location.href); } catch (e) { return null; }
  }

  function withToken(input, init, token) {
    var source = (init && init.headers) || (input instanceof Request ? input.headers : undefined);
    var headers = new Headers(source);
    headers.set("Authorization", "Bearer " + token);
    var next = Object.assign({}, init || {}, { headers: headers });
    return input instanceof Request ? [new Request(input, next), undefined] : [input, next];
  }

  function patchedFetch(input, init) {
    var url = targetUrl(input);
    var headers = new Headers((init && init.headers) ||
      (input instanceof Request ? input.headers : undefined));
    if (!framed || !url || url.origin !== window.location.origin || headers.has("Authorization")) {
      return nativeFetch(input, init);
    }
    var body = init && init.body;
    var replayable = !(input instanceof Request) &&
      !(typeof ReadableStream !== "undefined" && body instanceof ReadableStream);
    return idToken().then(function (token) {
      var args = withToken(input, init, token);
      return nativeFetch(args[0], args[1]);
    }).then(function (response) {
      if (!replayable || response.headers.get("X-Shopify-Retry-Invalid-Session-Request") !== "1") {
        return response;
      }
      return idToken().then(function (token) {
        var args = withToken(input, init, token);
        return nativeFetch(args[0], args[1]);
      });
    });
  }

  if (nativeFetch) { window.fetch = patchedFetch; }

  // -- toast, save bar, navigation ---------------------------------------------------------
  var toastCount = 0;
  var toast = {
    show: function (message, options) {
      var opts = options || {};
      toastCount += 1;
      send({ type: PREFIX + "toast", message: String(message), isError: !!opts.isError,
        duration: opts.duration || 5000 });
      return "toast-" + toastCount;
    },
    hide: function () {}
  };

  var saveBarVisible = {};
  function setSaveBar(id, visible) {
    var key = id || "save-bar";
    saveBarVisible[key] = !!visible;
    send({ type: PREFIX + "save-bar", id: key, visible: !!visible });
    return Promise.resolve();
  }
  var saveBar = {
    show: function (id) { return setSaveBar(id, true); },
    hide: function (id) { return setSaveBar(id, false); },
    toggle: function (id) { return setSaveBar(id, !saveBarVisible[id || "save-bar"]); },
    // Shopify: "resolved when there is no visible save bar or user confirms to leave"; the
    // admin asks (Stay leaves the promise pending).
    leaveConfirmation: function () {
      var shown = Object.keys(saveBarVisible).some(function (k) { return saveBarVisible[k]; });
      if (!shown || !framed) { return Promise.resolve(); }
      return new Promise(function (resolve) {
        var id = "l" + (++sequence);
        pending[id] = { resolve: resolve };
        send({ type: PREFIX + "leave-confirmation", requestId: id });
      });
    }
  };

  function saveBarAction(id, action) {
    var element = document.getElementById(id);
    if (element && element.tagName === "UI-SAVE-BAR") {
      var buttons = Array.prototype.slice.call(element.querySelectorAll("button"));
      var primary = buttons.filter(function (b) { return b.getAttribute("variant") === "primary"; })[0];
      var other = buttons.filter(function (b) { return b !== primary; })[0];
      var target = action === "save" ? primary : other;
      if (target) { target.click(); }
      return;
    }
    var form = document.querySelector('form[data-save-bar][data-fake-save-bar-id="' + id + '"]');
    if (!form) { return; }
    if (action === "save") { form.requestSubmit(); } else {
      form.reset();
      setSaveBar(id, false);
    }
  }

  if (window.customElements && !window.customElements.get("ui-save-bar")) {
    window.customElements.define("ui-save-bar", class extends HTMLElement {
      connectedCallback() { this.style.display = "none"; }
      show() { return setSaveBar(this.id, true); }
      hide() { return setSaveBar(this.id, false); }
      toggle() { return saveBar.toggle(this.id); }
      get showing() { return !!saveBarVisible[this.id]; }
    });
  }

  function watchForms() {
    var forms = document.querySelectorAll("form[data-save-bar]");
    Array.prototype.forEach.call(forms, function (form, index) {
      if (form.dataset.fakeSaveBarId) { return; }
      var id = form.id || "form-save-bar-" + index;
      form.dataset.fakeSaveBarId = id;
      var dirty = function () { setSaveBar(id, true); };
      form.addEventListener("input", dirty);
      form.addEventListener("change", dirty);
      form.addEventListener("submit", function () { setSaveBar(id, false); });
      form.addEventListener("reset", function () { setSaveBar(id, false); });
    });
  }

  function appPath() {
    var query = new URLSearchParams(window.location.search);
    SHOPIFY_PARAMS.forEach(function (name) { query.delete(name); });
    var rest = query.toString();
    return window.location.pathname + (rest ? "?" + rest : "") + window.location.hash;
  }

  function reportLocation() { send({ type: PREFIX + "navigate", path: appPath() }); }

  function reportNav() {
    var links = document.querySelectorAll("s-app-nav s-link, s-app-nav a, ui-nav-menu a");
    var items = Array.prototype.map.call(links, function (link) {
      return { label: (link.textContent || "").trim(), href: link.getAttribute("href") || "/",
        rel: link.getAttribute("rel") || "" };
    });
    if (items.length) { send({ type: PREFIX + "app-nav", items: items }); }
  }

  function navigate(path) {
    window.location.assign(path);
  }

  function onReady() {
    watchForms();
    reportNav();
    reportLocation();
    if (document.title) { send({ type: PREFIX + "title", title: document.title }); }
  }

  window.shopify = {
    __fake: true,
    config: config,
    environment: { embedded: framed, mobile: false, pos: false },
    origin: parentOrigin,
    idToken: idToken,
    app: { extensions: extensions },
    resourcePicker: resourcePicker,
    toast: toast,
    saveBar: saveBar,
    navigate: navigate,
    loading: function () {},
    ready: Promise.resolve()
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
  window.addEventListener("popstate", reportLocation);
  // Address bar sync as App Bridge does it: the app's pushState and replaceState reach the admin.
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(history, arguments);
      reportLocation();
      return result;
    };
  });
})();
