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
  button.addEventListener("click", function () {
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
  });
})();
