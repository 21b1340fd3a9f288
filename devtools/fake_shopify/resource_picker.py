"""App Bridge's resource picker on the fake admin: ``shopify.resourcePicker({type, multiple,
selectionIds})`` from the app frame opens a dialog over it listing the shop's products or
collections (as the page was loaded), with the earlier selection ticked. Select answers the
chosen resources (``id``, ``title``, ``handle``) as App Bridge does; Cancel answers
``undefined``. ``window.__fakeAdmin.pickers`` counts the times it opened (tests).
"""

from __future__ import annotations

from .state import FakeShop


def picker_resources(shop: FakeShop) -> dict[str, list[dict[str, str]]]:
    """The shop's products and collections as the picker lists them, by title."""
    return {
        "product": sorted(
            ({"id": p.gid, "title": p.title, "handle": p.handle} for p in shop.products.values()),
            key=lambda r: r["title"],
        ),
        "collection": sorted(
            (
                {"id": c.gid, "title": c.title, "handle": c.handle}
                for c in shop.collections.values()
            ),
            key=lambda r: r["title"],
        ),
    }


PICKER_STYLE = """
#picker-dialog{border:0;border-radius:12px;padding:16px;width:min(420px,90vw)}
#picker-dialog h2{font-size:16px;margin:0 0 8px}
#picker-dialog ul{list-style:none;margin:0;padding:0;max-height:50vh;overflow:auto}
#picker-dialog li{padding:6px 0;border-bottom:1px solid #ebebeb}
#picker-dialog .actions{display:flex;gap:8px;justify-content:flex-end;margin-top:16px}
"""

PICKER_HTML = """<dialog id="picker-dialog" aria-labelledby="picker-title">
  <h2 id="picker-title">Select</h2>
  <ul id="picker-list"></ul>
  <div class="actions">
    <button type="button" id="picker-cancel">Cancel</button>
    <button type="button" id="picker-select">Select</button>
  </div>
</dialog>"""

PICKER_SCRIPT = r"""
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("fake-admin-config").textContent);
  var frame = document.getElementById("app-iframe");
  var appOrigin = new URL(cfg.appUrl).origin;
  var P = cfg.prefix;
  var dialog = document.getElementById("picker-dialog");
  var list = document.getElementById("picker-list");
  var asked = null;
  window.__fakeAdmin.pickers = 0;

  function answer(selection) {
    if (!asked) { return; }
    frame.contentWindow.postMessage(
      { type: P + "resource-picker-result", requestId: asked.requestId, selection: selection },
      appOrigin
    );
    asked = null;
    dialog.close();
  }

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== appOrigin) { return; }
    var m = event.data || {};
    if (m.type !== P + "resource-picker") { return; }
    var kind = m.resourceType === "collection" ? "collection" : "product";
    var chosen = (m.selectionIds || []).map(function (s) { return s && s.id; });
    asked = m;
    window.__fakeAdmin.pickers += 1;
    document.getElementById("picker-title").textContent =
      kind === "collection" ? "Select collections" : "Select products";
    list.textContent = "";
    (cfg.resources[kind] || []).forEach(function (r) {
      var li = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = m.multiple === false ? "radio" : "checkbox";
      box.name = "picked";
      box.value = r.id;
      box.checked = chosen.indexOf(r.id) >= 0;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + r.title));
      li.appendChild(label);
      list.appendChild(li);
    });
    dialog.showModal();
  });
  document.getElementById("picker-cancel").addEventListener("click", function () {
    answer(undefined);
  });
  dialog.addEventListener("cancel", function () { answer(undefined); });
  document.getElementById("picker-select").addEventListener("click", function () {
    var kind = /collections/.test(document.getElementById("picker-title").textContent)
      ? "collection" : "product";
    var picked = Array.prototype.filter.call(list.querySelectorAll("input"), function (b) {
      return b.checked;
    }).map(function (b) { return b.value; });
    answer((cfg.resources[kind] || []).filter(function (r) { return picked.indexOf(r.id) >= 0; }));
  });
})();
"""
