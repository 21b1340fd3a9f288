/* Klubb launcher: the only script that runs before the shopper interacts. On the first click it
   loads the panel's script and stylesheet, then opens the panel. On the loyalty page it loads
   them at once (the panel renders itself into [data-klubb-page]). No cookies, no other origins. */
(function () {
  "use strict";
  if (window.KlubbLauncher) return;
  window.KlubbLauncher = true;
  var root = document.getElementById("klubb-root");
  var page = document.querySelector("[data-klubb-page]");
  var loading = null;

  function add(tag, props) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      for (var k in props) node[k] = props[k];
      node.onload = resolve;
      node.onerror = reject;
      document.head.appendChild(node);
    });
  }

  function load(from) {
    if (!loading) {
      loading = Promise.all([
        add("link", { rel: "stylesheet", href: from.dataset.css }),
        add("script", { src: from.dataset.panel, async: true })
      ]).catch(function (err) {
        loading = null;
        throw err;
      });
    }
    return loading;
  }

  // The app block names the assets; the proxy's loyalty page (/apps/klubb) uses the embed's.
  var from = page && (page.dataset.panel ? page : root);
  if (from) load(from);
  if (!root) return;
  var button = root.querySelector(".klubb-launcher");
  // A friend arrived through a member's referral link (?ref=CODE): keep the code for the visit
  // (sessionStorage, not a cookie) and open the panel, whose guest view shows the offer.
  var ref = /[?&]ref=([A-Za-z0-9]{4,16})(?:&|$)/.exec(window.location.search);
  if (ref) {
    try {
      window.sessionStorage.setItem("klubb-ref", ref[1].toUpperCase());
    } catch (e) {
      /* storage off: the panel reads the address itself */
    }
  }
  function open() {
    if (button.getAttribute("aria-busy")) return;
    button.setAttribute("aria-busy", "true");
    load(root).then(
      function () {
        button.removeAttribute("aria-busy");
        window.KlubbPanel.open(root, button);
      },
      function () {
        button.removeAttribute("aria-busy");
      }
    );
  }
  button.addEventListener("click", open);
  if (ref && !page) open();
})();
