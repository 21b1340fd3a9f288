// Helpers shared by the Rewards and Members pages (rewards.js, members.js, member.js).
// Texts come from the page's <script type="application/json" id="page-text"> (kept in the
// templates, for translation); merchant and member text is only ever set with textContent.
(function () {
  "use strict";

  var texts = null;

  // The page's language, as the server chose it (<html lang>): for Intl and for the API.
  function language() {
    return document.documentElement.lang || "en";
  }

  // The page's text for `key`, its {name} placeholders filled from `values` (as text).
  function text(key, values) {
    if (texts === null) {
      var node = document.getElementById("page-text");
      try {
        texts = node ? JSON.parse(node.textContent) : {};
      } catch (e) {
        texts = {};
      }
    }
    var found = texts[key] || key;
    return found.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  function toast(message, isError) {
    var bridge = window.shopify;
    if (bridge && bridge.toast) bridge.toast.show(message, { isError: Boolean(isError) });
  }

  // One call to /api (a JSON body, or FormData for an upload); resolves to
  // {ok, status, data, response} and never rejects. App Bridge
  // adds the session token to fetch(); Accept-Language asks for messages in the page's language.
  function api(method, path, body, headers) {
    var options = {
      method: method,
      headers: { Accept: "application/json", "Accept-Language": language() },
    };
    Object.keys(headers || {}).forEach(function (name) {
      options.headers[name] = headers[name];
    });
    if (body instanceof FormData) {
      options.body = body; // a file upload: the browser sets the multipart Content-Type
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          return { ok: response.ok, status: response.status, data: null, response: response };
        }
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            return { ok: response.ok, status: response.status, data: data, response: response };
          });
      },
      function () {
        var error = { code: "network", message: text("network") };
        return { ok: false, status: 0, data: { error: error }, response: null };
      }
    );
  }

  // Save a blob as a file: downloads go through fetch (it carries the session token), so a
  // plain link cannot be used.
  function saveBlob(blob, filename) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = filename;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 1000);
  }

  function errorMessage(result) {
    var error = result.data && result.data.error;
    return (error && error.message) || text("failed");
  }

  function errorFields(result) {
    return (result.data && result.data.error && result.data.error.fields) || {};
  }

  // A link to another page of the app that keeps the embedded context (never the token).
  function appLink(path) {
    var here = new URLSearchParams(window.location.search);
    var query = new URLSearchParams();
    ["embedded", "shop", "host", "locale"].forEach(function (name) {
      if (here.get(name)) query.set(name, here.get(name));
    });
    return path + "?" + query.toString();
  }

  // A time, or a calendar day ("2026-05-17", shown as that day wherever the browser is).
  function formatDate(iso, withTime) {
    if (!iso) return "—";
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "—";
    var options = { year: "numeric", month: "short", day: "numeric" };
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) options.timeZone = "UTC";
    if (withTime) {
      options.hour = "2-digit";
      options.minute = "2-digit";
    }
    return date.toLocaleString(language(), options);
  }

  // 1250 as "1,250" / "1 250", in the page's language or in `lang` if given.
  function formatPoints(value, lang) {
    return Number(value).toLocaleString(lang || language());
  }

  // A decimal string of money in the page's language, or in `lang` if given ("NOK 50" /
  // "50 kr"); cents only if any.
  function formatMoney(value, currency, lang) {
    var number = Number(value);
    var cents = number % 1 === 0 ? 0 : 2;
    try {
      return number.toLocaleString(lang || language(), {
        style: "currency",
        currency: currency,
        minimumFractionDigits: cents,
        maximumFractionDigits: Math.max(cents, 4),
      });
    } catch (e) {
      return currency + " " + value; // not an ISO 4217 code
    }
  }

  // Sets (or clears) the error attribute of each named field from a {name: message} map.
  function showFieldErrors(form, names, fields) {
    names.forEach(function (name) {
      var el = form.querySelector('[name="' + name + '"]');
      if (!el) return;
      if (fields && fields[name]) el.setAttribute("error", fields[name]);
      else el.removeAttribute("error");
    });
  }

  function setHidden(el, hidden) {
    el.hidden = hidden;
    if (hidden) el.setAttribute("hidden", "");
    else el.removeAttribute("hidden");
  }

  function cell(row, content, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content == null ? "" : String(content);
    row.appendChild(td);
    return td;
  }

  function badge(label, tone) {
    var el = document.createElement("s-badge");
    if (tone) el.setAttribute("tone", tone);
    el.textContent = label;
    return el;
  }

  function idempotencyKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function onReady(page, init) {
    function start() {
      if (document.body.getAttribute("data-page") === page) init();
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }

  window.Klubb = {
    api: api,
    appLink: appLink,
    badge: badge,
    cell: cell,
    errorFields: errorFields,
    errorMessage: errorMessage,
    formatDate: formatDate,
    formatMoney: formatMoney,
    formatPoints: formatPoints,
    idempotencyKey: idempotencyKey,
    language: language,
    onReady: onReady,
    saveBlob: saveBlob,
    setHidden: setHidden,
    showFieldErrors: showFieldErrors,
    text: text,
    toast: toast,
  };
})();
