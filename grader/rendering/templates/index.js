/* Batch summary: sort the table by a header, filter rows by text and status. No external code. */
(function () {
  "use strict";
  var table = document.getElementById("candidates");
  if (!table || !table.tBodies.length) { return; }
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var search = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var shown = document.getElementById("shown-count");

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

  function sortBy(col) {
    var th = headers[col];
    var type = th.getAttribute("data-type") || "text";
    // Numbers start best-first (descending), text A-Z; a second click reverses.
    var current = th.getAttribute("aria-sort");
    var dir = current === "none" || !current ? (type === "num" ? "descending" : "ascending")
      : (current === "ascending" ? "descending" : "ascending");
    headers.forEach(function (h) { if (h.hasAttribute("aria-sort")) { h.setAttribute("aria-sort", "none"); } });
    th.setAttribute("aria-sort", dir);
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
    if (button) { button.addEventListener("click", function () { sortBy(col); }); }
  });

  function applyFilter() {
    var needle = search ? search.value.trim().toLowerCase() : "";
    var wanted = status ? status.value : "";
    var count = 0;
    Array.prototype.forEach.call(tbody.rows, function (row) {
      var text = row.getAttribute("data-search") || "";
      var okText = !needle || text.indexOf(needle) !== -1;
      var okStatus = !wanted || (wanted === "flagged" ? row.getAttribute("data-flagged") === "1"
        : row.getAttribute("data-status") === wanted);
      row.hidden = !(okText && okStatus);
      if (!row.hidden) { count += 1; }
    });
    if (shown) { shown.textContent = String(count); }
  }

  if (search) { search.addEventListener("input", applyFilter); }
  if (status) { status.addEventListener("change", applyFilter); }
  applyFilter();
}());
