// The admin home's setup guide and the launcher's status. Four steps, each ticked from what is
// known: the launcher (the theme app extension's app embed) on and the loyalty-page block added
// in the live theme, from App Bridge's shopify.app.extensions(); a first reward and the program
// settings saved, from /api/setup-guide. The merchant can put the guide away and bring it back
// (PUT /api/setup-guide), so it never nags once the club runs.
(function () {
  "use strict";

  var K = window.Klubb;
  var STEPS = ["embed", "page", "reward", "program"];

  function config() {
    try {
      return JSON.parse(document.getElementById("home-config").textContent);
    } catch (e) {
      return {};
    }
  }

  // "on", "off" or "unknown" for the embed and the page block, from the live theme.
  function themeState(settings) {
    var unknown = { embed: "unknown", page: "unknown" };
    var bridge = window.shopify;
    if (!bridge || !bridge.app || typeof bridge.app.extensions !== "function") {
      return Promise.resolve(unknown);
    }
    return bridge.app.extensions().then(
      function (extensions) {
        var blocks = [];
        (extensions || []).forEach(function (extension) {
          if (extension.type !== "theme_app_extension") return;
          if (settings.extension_handle && extension.handle !== settings.extension_handle) return;
          blocks = blocks.concat(extension.activations || []);
        });
        function on(handle) {
          return blocks.some(function (block) {
            return block.handle === handle && block.status === "active";
          })
            ? "on"
            : "off";
        }
        return { embed: on(settings.embed_handle), page: on(settings.page_handle) };
      },
      function () {
        return unknown;
      }
    );
  }

  function showEmbed(state) {
    var status = document.getElementById("embed-status");
    status.setAttribute("data-status", state);
    status.textContent = K.text("embed_" + state);
    K.setHidden(document.getElementById("embed-link"), state === "on");
  }

  function showGuide(done, dismissed) {
    var guide = document.getElementById("setup-guide");
    var count = 0;
    STEPS.forEach(function (name) {
      var step = guide.querySelector('[data-step="' + name + '"]');
      var finished = done[name] === true;
      if (finished) count += 1;
      step.setAttribute("data-done", finished ? "true" : "false");
      // A done step's action keeps its room (dashboard.css), so nothing below it moves.
      step.querySelector(".k-step-state").textContent = K.text(finished ? "step_done" : "step_todo");
    });
    document.getElementById("setup-progress").textContent = K.text("setup_progress", {
      done: count,
      total: STEPS.length,
    });
    K.setHidden(guide, dismissed);
    K.setHidden(document.getElementById("setup-restore"), !dismissed);
  }

  function init() {
    var settings = config();
    var done = {};
    var dismissed = true;
    Promise.all([themeState(settings), K.api("GET", "/api/setup-guide")]).then(function (results) {
      var theme = results[0];
      var server = results[1];
      showEmbed(theme.embed);
      done.embed = theme.embed === "on";
      done.page = theme.page === "on";
      if (server.ok) {
        done.reward = server.data.reward_created;
        done.program = server.data.program_reviewed;
        dismissed = server.data.dismissed;
        showGuide(done, dismissed);
      }
    });

    function put(value) {
      K.api("PUT", "/api/setup-guide", { dismissed: value }).then(function (result) {
        if (!result.ok) return K.toast(K.errorMessage(result), true);
        dismissed = result.data.dismissed;
        showGuide(done, dismissed);
        var focus = dismissed ? "setup-restore-link" : "setup-heading";
        var target = document.getElementById(focus);
        if (target) target.focus();
      });
    }
    document.getElementById("setup-dismiss").addEventListener("click", function () {
      put(true);
    });
    document.getElementById("setup-restore-link").addEventListener("click", function (event) {
      event.preventDefault();
      put(false);
    });
  }

  K.onReady("home", init);
})();
