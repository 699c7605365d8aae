// Sortable, filterable, paged tables with CSV download; everything works offline.
// Without JavaScript every row is shown, in the order the report chose.
(function () {
  "use strict";
  var FORMULA = /^[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/;

  function fmt(n) { return n.toLocaleString("en-US"); }

  function value(td) {
    return td.hasAttribute("data-v") ? td.getAttribute("data-v") : td.textContent.trim();
  }

  function csvCell(text, numeric) {
    if (numeric && text !== "" && isFinite(Number(text))) return text;
    if (FORMULA.test(text)) text = "'" + text; // a spreadsheet would run it as a formula
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function setup(box) {
    var table = box.querySelector("table");
    if (!table) return;
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var size = parseInt(table.getAttribute("data-page-size"), 10) || 25;
    var tools = box.querySelector(".tools"), pager = box.querySelector(".pager");
    var filter = box.querySelector("[data-filter]"), count = box.querySelector(".count");
    var where = pager.querySelector(".where");
    var prev = pager.querySelector("[data-prev]"), next = pager.querySelector("[data-next]");
    var page = 0, visible = rows;
    tools.hidden = false;
    filter.parentNode.hidden = rows.length <= 10; // a short table needs no filter

    function show() {
      var pages = Math.max(1, Math.ceil(visible.length / size));
      if (page >= pages) page = pages - 1;
      var from = page * size, to = from + size;
      var shown = new Set(visible.slice(from, to));
      rows.forEach(function (r) { r.hidden = !shown.has(r); });
      pager.hidden = visible.length <= size;
      where.textContent = fmt(visible.length ? from + 1 : 0) + "–" + fmt(Math.min(to, visible.length)) + " of " + fmt(visible.length);
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
      count.textContent = visible.length === rows.length ? fmt(rows.length) + (rows.length === 1 ? " row" : " rows")
        : fmt(visible.length) + " of " + fmt(rows.length) + " rows match";
    }

    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.classList.add("sortable");
      // The whole header cell sorts, not only its label (the button keeps it reachable by keyboard).
      th.addEventListener("click", function () {
        var numeric = th.classList.contains("num");
        var desc = th.getAttribute("aria-sort") === "descending" ? false
          : th.getAttribute("aria-sort") === "ascending" ? true : numeric;
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        var keyed = rows.map(function (r, i) {
          var v = value(r.cells[col]);
          return { r: r, i: i, v: numeric ? (v === "" || isNaN(Number(v)) ? null : Number(v)) : v.toLowerCase() };
        });
        keyed.sort(function (a, b) {
          if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1; // unknown last
          var c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
          return (desc ? -c : c) || a.i - b.i;
        });
        rows = keyed.map(function (k) { return k.r; });
        rows.forEach(function (r) { tbody.appendChild(r); });
        applyFilter();
      });
    });

    function applyFilter() {
      var q = filter.value.trim().toLowerCase();
      visible = q ? rows.filter(function (r) { return r.textContent.toLowerCase().indexOf(q) >= 0; }) : rows;
      show();
    }
    filter.addEventListener("input", function () { page = 0; applyFilter(); });
    prev.addEventListener("click", function () { page -= 1; show(); });
    next.addEventListener("click", function () { page += 1; show(); });

    box.querySelector("[data-csv]").addEventListener("click", function (e) {
      var numeric = heads.map(function (h) { return h.classList.contains("num"); });
      var lines = [heads.map(function (h) { return csvCell(h.textContent.trim(), false); }).join(",")];
      visible.forEach(function (r) {
        lines.push(Array.prototype.map.call(r.cells, function (td, i) { return csvCell(value(td), numeric[i]); }).join(","));
      });
      var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = e.currentTarget.getAttribute("data-csv");
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    });
    applyFilter();
    // A table wider than the screen says so (a shadow at the edge, and a line under the title).
    var scroller = box.querySelector(".scroll");
    var hint = document.createElement("p");
    hint.className = "scroll-hint";
    hint.textContent = "Scroll sideways for more columns \u2192";
    scroller.parentNode.insertBefore(hint, scroller);
    function widthCheck() { box.classList.toggle("scrolls", scroller.scrollWidth > scroller.clientWidth + 1); }
    widthCheck();
    window.addEventListener("resize", widthCheck);
  }

  Array.prototype.forEach.call(document.querySelectorAll("div.table"), setup);
})();
