// The Import page: check a CSV file (a dry run), show the mapping and what each row will do,
// then apply it. Big files run as a job: the page polls the import until it is done.
// Row values from the file are only ever set with textContent.
(function () {
  "use strict";

  var K = window.Klubb;
  var TONES = {
    new_member: "success",
    change: "info",
    unchanged: "neutral",
    skipped: "warning",
    error: "critical",
  };
  var POLL_MS = 1000;
  var MAX_BYTES = 4 * 1024 * 1024; // loyalty.imports.parse.MAX_FILE_BYTES

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] == null ? all : String(values[name]);
    });
  }

  function init() {
    var form = document.getElementById("import-form");
    var fileInput = document.getElementById("import-file");
    var fileError = document.getElementById("import-file-error");
    var checkButton = document.getElementById("import-check");
    var applyButton = document.getElementById("import-apply");
    var againButton = document.getElementById("import-again");
    var result = document.getElementById("import-result");
    var problem = document.getElementById("import-problem");
    var problemText = document.getElementById("import-problem-text");
    var heading = document.getElementById("import-heading");
    var sourceText = document.getElementById("import-source");
    var mapping = document.getElementById("import-mapping");
    var progressBox = document.getElementById("import-progress-box");
    var progress = document.getElementById("import-progress");
    var progressText = document.getElementById("import-progress-text");
    var counts = document.getElementById("import-counts");
    var earlier = document.getElementById("import-earlier");
    var rowsTable = document.getElementById("import-rows");
    var more = document.getElementById("import-more");
    var checked = null; // the dry run the Apply button would apply: {file, mode, source}
    var busy = false;

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function value(name) {
      var el = field(name);
      return el && el.value != null ? String(el.value) : "";
    }

    function setBusy(button, on) {
      busy = on;
      if (on) button.setAttribute("loading", "");
      else button.removeAttribute("loading");
    }

    function showFileError(message) {
      fileError.textContent = message || "";
      K.setHidden(fileError, !message);
      if (message) fileInput.setAttribute("aria-invalid", "true");
      else fileInput.removeAttribute("aria-invalid");
    }

    function showFieldErrors(fields) {
      showFileError(fields.file);
      K.showFieldErrors(form, ["mode", "source"], fields);
    }

    function showProblem(message) {
      problemText.textContent = message || "";
      K.setHidden(problem, !message);
    }

    function forgetCheck() {
      checked = null;
      K.setHidden(applyButton, true);
    }

    function send(file, mode, source, dryRun) {
      var body = new FormData();
      body.append("file", file, file.name);
      body.append("mode", mode);
      body.append("dry_run", dryRun ? "true" : "false");
      if (source && source !== "auto") body.append("source", source);
      return K.api("POST", "/api/imports", body);
    }

    function get(path) {
      return K.api("GET", path);
    }

    // The row's error (or note) in the page's language; the server's English as a fallback.
    function rowProblem(row) {
      var said = row.error || row.note;
      if (!said) return "";
      var key = "err_" + said.code;
      var translated = K.text(key);
      if (translated === key) return said.message;
      var line = /(\d+)/.exec(said.message || "");
      return format(translated, { line: line ? line[1] : "?" });
    }

    function renderMapping(run) {
      var body = mapping.querySelector("tbody");
      body.textContent = "";
      (run.mapping || []).forEach(function (column) {
        var tr = document.createElement("tr");
        K.cell(tr, column.column);
        K.cell(tr, K.text("field_" + (column.field || "none")));
        body.appendChild(tr);
      });
    }

    function points(value) {
      return value == null ? "—" : K.formatPoints(value);
    }

    function renderRows(run) {
      var body = rowsTable.querySelector("tbody");
      body.textContent = "";
      (run.rows || []).forEach(function (row) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-line", String(row.line));
        if (row.outcome === "error") tr.className = "k-row-error";
        K.cell(tr, row.line, "k-num");
        K.cell(tr, row.email || "");
        K.cell(tr, row.customer_id || "", "k-wide");
        // After applying, a change is said in the past ("Balance changed"), not as a plan.
        var applied = !run.dry_run && row.outcome === "change" ? "_applied" : "";
        K.cell(tr, K.badge(K.text("outcome_" + row.outcome + applied), TONES[row.outcome]));
        K.cell(tr, points(row.points_from), "k-num");
        K.cell(tr, points(row.points_to), "k-num");
        K.cell(tr, rowProblem(row), "k-problem");
        body.appendChild(tr);
      });
      K.setHidden(rowsTable, !(run.rows || []).length);
      var shown = (run.rows || []).length;
      K.setHidden(more, !run.next_after_line);
      more.textContent = run.next_after_line ? format(K.text("more_rows"), { shown: shown }) : "";
    }

    function render(run) {
      K.setHidden(result, false);
      heading.textContent = K.text(run.dry_run ? "dry_run_heading" : "applied_heading");
      var label = run.source.key === "generic" ? K.text("other_csv") : run.source.label;
      sourceText.textContent =
        format(K.text("detected"), { source: label }) + " · " + K.text("mode_" + run.mode);
      renderMapping(run);
      var running = run.status === "queued" || run.status === "running";
      K.setHidden(progressBox, !running);
      if (running) {
        var total = run.total_rows || 0;
        progress.value = total ? Math.round((100 * run.processed_rows) / total) : 0;
        progressText.textContent = format(K.text("progress"), {
          done: K.formatPoints(run.processed_rows),
          total: K.formatPoints(total),
        });
      }
      var summary = run.dry_run ? "summary" : "summary_applied";
      counts.textContent = running ? "" : format(K.text(summary), run.counts || {});
      K.setHidden(earlier, !run.earlier_import);
      earlier.textContent = run.earlier_import ? K.text("earlier") : "";
      if (run.status === "failed") showProblem(K.text("import_failed"));
      if (!running) renderRows(run);
    }

    function follow(run, then) {
      render(run);
      if (run.status !== "queued" && run.status !== "running") {
        then(run);
        return;
      }
      window.setTimeout(function () {
        get("/api/imports/" + run.id).then(function (answer) {
          if (!answer.ok) {
            showProblem((answer.data && answer.data.error && answer.data.error.message) || K.text("failed"));
            then(null);
            return;
          }
          follow(answer.data, then);
        });
      }, POLL_MS);
    }

    function run(dryRun, button) {
      if (busy) return;
      showProblem("");
      var file = dryRun ? fileInput.files && fileInput.files[0] : checked && checked.file;
      if (!file) {
        showFieldErrors({ file: K.text("choose_file") });
        return;
      }
      if (file.size > MAX_BYTES) {
        // Caught here: the server would refuse it after the whole upload (413).
        showFieldErrors({ file: K.text("too_big") });
        return;
      }
      var mode = dryRun ? value("mode") : checked.mode;
      var source = dryRun ? value("source") : checked.source;
      setBusy(button, true);
      send(file, mode, source, dryRun).then(function (answer) {
        if (!answer.ok) {
          setBusy(button, false);
          var fields = K.errorFields(answer);
          showFieldErrors(fields);
          var message = K.errorMessage(answer);
          if (Object.keys(fields).length) message = K.text("fix_fields");
          K.setHidden(result, false);
          showProblem(message);
          K.toast(dryRun ? message : K.text("not_applied"), true);
          return;
        }
        showFieldErrors({});
        follow(answer.data, function (finished) {
          setBusy(button, false);
          if (!finished) return;
          if (finished.dry_run && finished.status === "done") {
            checked = { file: file, mode: finished.mode, source: finished.source.key };
            K.setHidden(applyButton, false);
            K.setHidden(againButton, true);
            K.toast(K.text("checked"));
          } else if (!finished.dry_run) {
            forgetCheck();
            K.setHidden(againButton, false);
            K.toast(K.text(finished.status === "done" ? "applied" : "not_applied"), finished.status !== "done");
          }
        });
      });
    }

    checkButton.addEventListener("click", function () {
      run(true, checkButton);
    });
    applyButton.addEventListener("click", function () {
      run(false, applyButton);
    });
    againButton.addEventListener("click", function () {
      form.reset();
      fileInput.value = "";
      forgetCheck();
      K.setHidden(againButton, true);
      K.setHidden(result, true);
      fileInput.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(true, checkButton);
    });
    // A different file, mode or source must be checked again before it can be applied.
    form.addEventListener("change", forgetCheck);
    form.addEventListener("input", forgetCheck);
    fileInput.addEventListener("change", function () {
      showFileError("");
    });
  }

  K.onReady("import", init);
})();
