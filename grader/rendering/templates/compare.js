/* Comparison page: show the candidates named in the address (#c=a,b), order criteria by their spread. */
(function () {
  "use strict";
  var match = /[#&]c=([^&]*)/.exec(window.location.hash || "");
  var wanted = match ? match[1].split(",").map(function (k) { return decodeURIComponent(k); }).filter(Boolean) : [];
  var cells = document.querySelectorAll("[data-key]");
  var known = {};
  Array.prototype.forEach.call(cells, function (el) { known[el.getAttribute("data-key")] = true; });
  var shown = wanted.filter(function (k) { return known[k]; });
  if (shown.length) {
    Array.prototype.forEach.call(cells, function (el) {
      el.hidden = shown.indexOf(el.getAttribute("data-key")) === -1;
    });
    var names = [];
    Array.prototype.forEach.call(document.querySelectorAll("#compare thead th[data-key]"), function (th) {
      if (!th.hidden) { names.push(th.textContent.trim()); }
    });
    var title = document.getElementById("compare-title");
    if (title) { title.textContent = "Comparison: " + names.join(", "); document.title = title.textContent; }
  }
  var table = document.getElementById("compare-criteria");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.tBodies);
  rows.forEach(function (body, i) {
    var values = [];
    Array.prototype.forEach.call(body.querySelectorAll("td[data-score]"), function (td) {
      var v = parseFloat(td.getAttribute("data-score"));
      if (!td.hidden && !isNaN(v)) { values.push(v); }
    });
    var spread = values.length ? Math.max.apply(null, values) - Math.min.apply(null, values) : 0;
    body.setAttribute("data-spread", String(spread));
    body.setAttribute("data-order", String(i));
    var label = body.querySelector(".spread-value");
    if (label) { label.textContent = String(Math.round(spread * 100) / 100); }
  });
  rows.sort(function (a, b) {
    var d = parseFloat(b.getAttribute("data-spread")) - parseFloat(a.getAttribute("data-spread"));
    return d !== 0 ? d : parseInt(a.getAttribute("data-order"), 10) - parseInt(b.getAttribute("data-order"), 10);
  });
  rows.forEach(function (body) { table.appendChild(body); });
}());
