/* Batch summary: sort by a header, filter by text, status and flag chips, pick rows to compare,
   and (on the web app's page) follow the progress of jobs still grading. No external code. */
(function () {
  "use strict";
  var table = document.getElementById("candidates");
  if (!table || !table.tBodies.length) { return; }
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var search = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var shown = document.getElementById("shown-count");
  var compare = document.getElementById("compare-link");
  var picked = document.getElementById("picked-count");
  var flags = {};
  var storageKey = "thg-summary:" + window.location.pathname;
  var sorted = { col: -1, dir: "none" };

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function key(row, col, type) {
    var cell = row.cells[col];
    if (!cell) { return null; }
    var raw = cell.getAttribute("data-value");
    if (raw === null) { raw = cell.textContent || ""; }
    if (type === "num") {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    raw = raw.trim().toLowerCase();
    return raw === "" ? null : raw;
  }

  function sortBy(col, dir) {
    var th = headers[col];
    if (!th || !th.querySelector("button")) { return; }
    var type = th.getAttribute("data-type") || "text";
    // Numbers start best-first (descending), text A-Z; a second click reverses.
    if (!dir) {
      var current = th.getAttribute("aria-sort");
      dir = current === "none" || !current ? (type === "num" ? "descending" : "ascending")
        : (current === "ascending" ? "descending" : "ascending");
    }
    headers.forEach(function (h) { if (h.hasAttribute("aria-sort")) { h.setAttribute("aria-sort", "none"); } });
    th.setAttribute("aria-sort", dir);
    sorted = { col: col, dir: dir };
    var sign = dir === "ascending" ? 1 : -1;
    var keyed = Array.prototype.map.call(tbody.rows, function (row, i) {
      return { row: row, key: key(row, col, type), i: i };
    });
    keyed.sort(function (a, b) {
      if (a.key === b.key) { return a.i - b.i; }
      if (a.key === null) { return 1; }  /* blanks last, whichever the direction */
      if (b.key === null) { return -1; }
      return (a.key < b.key ? -1 : 1) * sign;
    });
    keyed.forEach(function (k) { tbody.appendChild(k.row); });
  }

  headers.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (button) { button.addEventListener("click", function () { sortBy(col); save(); }); }
  });

  function activeFlags() { return Object.keys(flags).filter(function (k) { return flags[k]; }); }

  function applyFilter() {
    var needle = search ? search.value.trim().toLowerCase() : "";
    var wanted = status ? status.value : "";
    var chosen = activeFlags();
    var count = 0;
    each(tbody.rows, function (row) {
      var text = row.getAttribute("data-search") || "";
      var rowFlags = (row.getAttribute("data-flags") || "").split(" ");
      var okText = !needle || text.indexOf(needle) !== -1;
      var okStatus = !wanted || (wanted === "flagged" ? row.getAttribute("data-flagged") === "1"
        : wanted === "reviewed" ? row.getAttribute("data-reviewed") === "1"
          : row.getAttribute("data-status") === wanted);
      var okFlags = chosen.every(function (f) { return rowFlags.indexOf(f) !== -1; });
      row.hidden = !(okText && okStatus && okFlags);
      if (!row.hidden) { count += 1; }
    });
    each(document.querySelectorAll(".flag-filter"), function (chip) {
      chip.setAttribute("aria-pressed", flags[chip.getAttribute("data-flag")] ? "true" : "false");
    });
    if (shown) { shown.textContent = String(count); }
  }

  function toggleFlag(kind) { flags[kind] = !flags[kind]; applyFilter(); save(); }

  each(document.querySelectorAll("[data-flag]"), function (chip) {
    chip.addEventListener("click", function () { toggleFlag(chip.getAttribute("data-flag")); });
  });

  function updateCompare() {
    if (!compare) { return; }
    var keys = [];
    each(tbody.querySelectorAll("input.pick:checked"), function (box) { keys.push(encodeURIComponent(box.value)); });
    if (picked) { picked.textContent = String(keys.length); }
    var ok = keys.length >= 2 && keys.length <= 4;
    compare.setAttribute("aria-disabled", ok ? "false" : "true");
    /* The web app renders the comparison on the server (?c=), a batch folder's page picks columns (#c=). */
    var base = compare.getAttribute("data-base");
    var mark = compare.getAttribute("data-query") ? (base.indexOf("?") === -1 ? "?c=" : "&c=") : "#c=";
    compare.href = base + (keys.length ? mark + keys.join(",") : "");
    compare.title = ok ? "" : "check 2 to 4 graded rows";
    if (ok && message) { message.textContent = ""; }
    return keys.length;
  }
  var message = document.getElementById("compare-message");
  if (compare) {
    compare.addEventListener("click", function (event) {
      if (compare.getAttribute("aria-disabled") === "true") {
        event.preventDefault();
        var count = updateCompare();
        if (message) {
          message.textContent = "Check 2 to 4 graded candidates to compare (" + count + " checked).";
        }
      }
    });
    each(tbody.querySelectorAll("input.pick"), function (box) {
      box.addEventListener("change", function () { updateCompare(); save(); });
    });
  }

  /* The table's state survives a reload (the web app's page reloads when a job finishes). */
  function save() {
    try {
      var picks = [];
      each(tbody.querySelectorAll("input.pick:checked"), function (box) { picks.push(box.value); });
      window.sessionStorage.setItem(storageKey, JSON.stringify({
        text: search ? search.value : "", status: status ? status.value : "", flags: activeFlags(),
        sort: sorted, picks: picks
      }));
    } catch (e) { /* storage unavailable: nothing to keep */ }
  }

  function restore() {
    var state = null;
    try { state = JSON.parse(window.sessionStorage.getItem(storageKey) || "null"); } catch (e) { state = null; }
    if (!state) { return; }
    if (search && typeof state.text === "string") { search.value = state.text; }
    if (status && typeof state.status === "string") {
      each(status.options, function (o) { if (o.value === state.status) { status.value = state.status; } });
    }
    (state.flags || []).forEach(function (f) { flags[f] = true; });
    (state.picks || []).forEach(function (value) {
      each(tbody.querySelectorAll("input.pick"), function (box) { if (box.value === value) { box.checked = true; } });
    });
    if (state.sort && state.sort.col >= 0) { sortBy(state.sort.col, state.sort.dir); }
  }

  if (search) { search.addEventListener("input", function () { applyFilter(); save(); }); }
  if (status) { status.addEventListener("change", function () { applyFilter(); save(); }); }
  restore();
  applyFilter();
  updateCompare();

  /* The web app: poll the jobs still grading; show "cell i of n"; reload when one finishes. */
  var poll = table.getAttribute("data-poll");
  if (!poll || !window.fetch) { return; }
  function tick() {
    window.fetch(poll, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var finished = false;
        (data.jobs || []).forEach(function (job) {
          var row = tbody.querySelector('tr[data-job="' + job.id + '"]');
          if (!row) { return; }
          if (row.getAttribute("data-status") !== job.row_status) { finished = true; return; }
          var text = row.querySelector(".progress-text");
          if (text) { text.textContent = job.progress || ""; }
        });
        if (finished) { save(); window.location.reload(); return; }
        if (data.pending) { window.setTimeout(tick, 1500); }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
}());
