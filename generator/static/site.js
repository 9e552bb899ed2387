/* council-dashboards: small progressive enhancements. Pages work without this file. */
(function () {
  "use strict";

  // Sortable tables: a button in each column heading; numbers sort by data-sort.
  function cellKey(row, index) {
    var cell = row.children[index];
    if (!cell) { return { text: "", num: NaN }; }
    var raw = cell.getAttribute("data-sort");
    var text = (cell.textContent || "").trim();
    var num = raw !== null ? parseFloat(raw) : parseFloat(text.replace(/[,%]/g, ""));
    return { text: text, num: num };
  }

  function sortTable(table, index, th) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var numeric = th.classList.contains("num");
    rows.sort(function (a, b) {
      var ka = cellKey(a, index), kb = cellKey(b, index);
      if (numeric) {
        var na = isNaN(ka.num), nb = isNaN(kb.num);
        if (na || nb) { return na === nb ? 0 : (na ? 1 : -1); } // blanks and [c] last
        return ascending ? ka.num - kb.num : kb.num - ka.num;
      }
      var c = ka.text.localeCompare(kb.text, "en", { numeric: true });
      return ascending ? c : -c;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  function enhanceTable(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, index, th); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), enhanceTable);
  });
})();
