"""The fake admin page's markup: its stylesheet, the HTML template (a top bar with the save bar,
the left nav, the app's iframe, toasts and the "Leave page?" dialog) and the script that answers
the stand-in App Bridge's postMessage calls and records them in ``window.__fakeAdmin``.

:func:`devtools.fake_shopify.admin_page.render` fills the template.
"""

from __future__ import annotations

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;
  background:#f1f1f1;color:#303030;height:100vh;display:grid;
  grid-template-rows:56px 1fr;grid-template-columns:240px 1fr}
header{grid-column:1/3;background:#1a1a1a;color:#e3e3e3;display:flex;align-items:center;
  gap:16px;padding:0 16px}
header .logo{font-weight:700;color:#fff}
header .shop{margin-left:auto}
#save-bar{display:none;align-items:center;gap:8px;background:#303030;border-radius:8px;
  padding:6px 12px}
#save-bar.visible{display:flex}
#save-bar button{border:0;border-radius:8px;padding:4px 12px;font:inherit;cursor:pointer}
#save-bar .primary{background:#fff;color:#1a1a1a}
#save-bar .secondary{background:#4a4a4a;color:#fff}
nav{background:#ebebeb;padding:12px 8px;overflow:auto}
nav ul{list-style:none;margin:0;padding:0}
nav a{display:block;padding:6px 10px;border-radius:8px;color:#303030;text-decoration:none}
nav a:hover,nav a:focus{background:#fafafa}
nav a[aria-current=page]{background:#fff;font-weight:600}
nav .section{margin:16px 10px 4px;font-size:12px;color:#616161}
nav .app-nav a{padding-left:22px}
main{position:relative}
main iframe{position:absolute;inset:0;width:100%;height:100%;border:0;background:#f1f1f1}
@media (max-width:768px){
  /* As Shopify's admin on a phone: the app takes the whole width, the nav a strip above it. */
  body{grid-template-columns:1fr;grid-template-rows:56px auto 1fr}
  header{grid-column:1/-1}
  nav{padding:4px 8px;white-space:nowrap;overflow-x:auto}
  nav ul,nav li{display:inline}
  nav a{display:inline-block}
  nav .section{display:none}
}
#leave-dialog{border:0;border-radius:12px;padding:16px;max-width:380px}
#leave-dialog h2{font-size:16px;margin:0 0 8px}
#leave-dialog .actions{display:flex;gap:8px;justify-content:flex-end;margin-top:16px}
#toasts{position:fixed;bottom:24px;left:50%;transform:translateX(-50%);display:flex;
  flex-direction:column;gap:8px;align-items:center;z-index:10}
.toast{background:#1a1a1a;color:#fff;padding:10px 16px;border-radius:10px;
  box-shadow:0 4px 12px rgba(0,0,0,.25)}
.toast.error{background:#8e1f0b}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{app_name} · {shop_name} · Shopify</title>
<style>{style}</style>
</head>
<body>
<header>
  <span class="logo">shopify</span>
  <div id="save-bar" role="region" aria-label="Unsaved changes">
    <span>Unsaved changes</span>
    <button type="button" class="secondary" data-action="discard">Discard</button>
    <button type="button" class="primary" data-action="save">Save</button>
  </div>
  <span class="shop" data-shop-domain="{shop_domain}">{shop_name}</span>
</header>
<nav aria-label="Shopify admin">
  <ul>
    <li><a href="#">Home</a></li>
    <li><a href="#">Orders</a></li>
    <li><a href="#">Products</a></li>
    <li><a href="#">Customers</a></li>
  </ul>
  <div class="section">Apps</div>
  <ul>
    <li><a href="{app_link}" aria-current="page" id="app-home-link">{app_name}</a>
      <ul class="app-nav" id="app-nav"></ul></li>
  </ul>
</nav>
<main>
  <iframe id="app-iframe" name="app-iframe" title="{app_name}" src="{frame_src}"></iframe>
</main>
<div id="toasts" role="status" aria-live="polite"></div>
<dialog id="leave-dialog" aria-labelledby="leave-title">
  <h2 id="leave-title">Leave page with unsaved changes?</h2>
  <p>Leaving this page will delete all unsaved changes.</p>
  <div class="actions">
    <button type="button" id="leave-stay">Stay</button>
    <button type="button" id="leave-go">Leave page</button>
  </div>
</dialog>
{picker}
<script type="application/json" id="fake-admin-config">{config}</script>
<script>{script}</script>
</body>
</html>
"""

SCRIPT = r"""
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("fake-admin-config").textContent);
  var frame = document.getElementById("app-iframe");
  var appOrigin = new URL(cfg.appUrl).origin;
  var P = cfg.prefix;
  var state = { toasts: [], navigations: [], saveBars: {}, appNav: [], tokensIssued: 0 };
  window.__fakeAdmin = state;

  function post(message) { frame.contentWindow.postMessage(message, appOrigin); }

  function freshToken() {
    return fetch(cfg.tokenUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: "{}"
    }).then(function (r) {
      if (!r.ok) { throw new Error("session token request failed: " + r.status); }
      return r.json();
    }).then(function (body) { state.tokensIssued += 1; return body.token; });
  }

  function showToast(message, isError, duration) {
    state.toasts.push({ message: String(message), isError: !!isError });
    var el = document.createElement("div");
    el.className = "toast" + (isError ? " error" : "");
    el.textContent = String(message);
    document.getElementById("toasts").appendChild(el);
    setTimeout(function () { el.remove(); }, duration || 5000);
  }

  function appPath(path) {
    var p = String(path || "/");
    try { var u = new URL(p, cfg.appUrl); p = u.pathname + u.search + u.hash; } catch (e) {}
    return p === "/" ? "" : p;
  }

  // The admin URL for an app path, keeping the language the admin was opened in.
  function adminUrl(path) {
    var url = new URL(cfg.adminBase + appPath(path), window.location.origin);
    if (cfg.locale) { url.searchParams.set("locale", cfg.locale); }
    return url.pathname + url.search + url.hash;
  }

  function updateSaveBar(id, visible) {
    state.saveBars[id || "save-bar"] = !!visible;
    var any = Object.keys(state.saveBars).some(function (k) { return state.saveBars[k]; });
    document.getElementById("save-bar").classList.toggle("visible", any);
  }

  function renderAppNav(items) {
    state.appNav = items || [];
    var list = document.getElementById("app-nav");
    list.textContent = "";
    state.appNav.forEach(function (item) {
      if (item.rel === "home") { return; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.textContent = item.label;
      a.href = adminUrl(item.href);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  document.querySelectorAll("#save-bar button").forEach(function (button) {
    button.addEventListener("click", function () {
      Object.keys(state.saveBars).forEach(function (id) {
        if (state.saveBars[id]) {
          post({ type: P + "save-bar-action", id: id, action: button.dataset.action });
        }
      });
    });
  });

  // Leaving with unsaved changes: while a save bar shows, the admin holds its own links (and
  // App Bridge's saveBar.leaveConfirmation()) behind a "Leave page?" dialog; Stay keeps the page.
  var leaveDialog = document.getElementById("leave-dialog");
  var onLeave = null;
  state.leaveConfirmations = 0;
  function saveBarShown() {
    return Object.keys(state.saveBars).some(function (k) { return state.saveBars[k]; });
  }
  function confirmLeave(then) {
    state.leaveConfirmations += 1;
    onLeave = then;
    leaveDialog.showModal();
  }
  document.getElementById("leave-stay").addEventListener("click", function () {
    onLeave = null;
    leaveDialog.close();
  });
  document.getElementById("leave-go").addEventListener("click", function () {
    var then = onLeave;
    onLeave = null;
    leaveDialog.close();
    if (then) { then(); }
  });
  document.querySelector("nav").addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !saveBarShown()) { return; }
    event.preventDefault();
    confirmLeave(function () { window.location.assign(link.href); });
  });

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== appOrigin) { return; }
    var m = event.data || {};
    if (typeof m.type !== "string" || m.type.indexOf(P) !== 0) { return; }
    var kind = m.type.slice(P.length);
    if (kind === "id-token") {
      freshToken().then(function (token) {
        post({ type: P + "id-token-result", requestId: m.requestId, token: token });
      }, function (err) {
        post({ type: P + "id-token-result", requestId: m.requestId, error: String(err) });
      });
    } else if (kind === "toast") {
      showToast(m.message, m.isError, m.duration);
    } else if (kind === "navigate") {
      var target = adminUrl(m.path);
      state.navigations.push(target);
      history.replaceState(null, "", target);
    } else if (kind === "save-bar") {
      updateSaveBar(m.id, m.visible);
    } else if (kind === "app-nav") {
      renderAppNav(m.items);
    } else if (kind === "title" && m.title) {
      document.title = m.title;
    } else if (kind === "extensions") {
      post({ type: P + "extensions-result", requestId: m.requestId, extensions: cfg.extensions });
    } else if (kind === "leave-confirmation") {
      var answer = function () {
        post({ type: P + "leave-confirmation-result", requestId: m.requestId });
      };
      if (saveBarShown()) { confirmLeave(answer); } else { answer(); }
    }
  });
})();
"""
