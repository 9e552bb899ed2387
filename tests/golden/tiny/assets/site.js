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

  // Tables stack on a phone (site.css): each cell labelled with its column heading.
  function stackTable(table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    var heads = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
      return (th.textContent || "").replace(/[\u2191\u2193\u2195]/g, "").trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        Array.prototype.forEach.call(tr.cells, function (cell, i) {
          if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && heads[i]) {
            cell.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
    table.classList.add("stacked");
  }

  // View controls of an indicator page: level, breakdown and period, kept in the URL hash.
  // Every variant is pre-rendered into #view-data; this only swaps it in.
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function initView() {
    var form = document.getElementById("view-controls");
    if (!form) { return; }
    var el = document.getElementById("view-data");
    var payload = el ? JSON.parse(el.textContent) : { views: {}, periods: {} };
    var breakdown = document.getElementById("view-breakdown");
    var period = document.getElementById("view-period");
    var status = document.getElementById("view-status");
    var originals = {};
    each(".js-plotly-plot", function (div) {
      originals[div.id] = { data: div.data, layout: div.layout };
    });

    function level() {
      var checked = form.querySelector("input[name=view-level]:checked");
      return checked ? checked.value : "";
    }

    function showLevel(id) {
      if (!id) { return; }
      each(".view-level[data-level]", function (node) {
        node.hidden = node.getAttribute("data-level") !== id;
      });
      if (window.Plotly) {
        each(".view-level:not([hidden]) .js-plotly-plot", function (div) {
          window.Plotly.Plots.resize(div);
        });
      }
    }

    function fillTable(id, rows) {
      var table = document.getElementById(id);
      if (!table) { return; }
      var byCode = {};
      rows.forEach(function (r) { byCode[r[0]] = r; });
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr[data-code]"), function (tr) {
        var r = byCode[tr.getAttribute("data-code")] || ["", "", "", "no data", "", "", "", ""];
        Array.prototype.forEach.call(tr.querySelectorAll("[data-col]"), function (td) {
          var col = +td.getAttribute("data-col");
          if (col === 6) {
            td.textContent = "";
            if (r[3] === "[c]") { td.textContent = "[c]"; } else if (r[6]) {
              var span = document.createElement("span");
              span.className = "cmp cmp-" + r[6];
              span.textContent = r[7];
              td.appendChild(span);
            }
          } else {
            td.textContent = r[col];
          }
          if (col === 3) { td.setAttribute("data-sort", r[4]); }
        });
        tr.classList.toggle("is-suppressed", r[3] === "[c]");
      });
    }

    function showVariant(key, when) {
      var view = payload.views[key + "|" + when];
      if (!view) { return false; }
      each(".js-plotly-plot", function (div) {
        var fig = view.figs[div.id] || (div.id === "trend" ? originals[div.id] : null);
        if (fig && window.Plotly) { window.Plotly.react(div, fig.data, fig.layout); }
      });
      Object.keys(view.summaries).forEach(function (id) {
        var p = document.getElementById(id + "-summary");
        if (p) { p.textContent = view.summaries[id]; }
      });
      Object.keys(view.cells).forEach(function (id) { fillTable(id, view.cells[id]); });
      var council = document.getElementById("council-value");
      if (council) { council.textContent = view.council || "Not published"; }
      var ci = document.getElementById("council-ci");
      if (ci) { ci.textContent = view.ci; }
      each(".view-period-text", function (node) { node.textContent = when; });
      // What else names the period: the national figure, the SIMD tables and slope index,
      // and anything true of one period only (data-period-only).
      var national = view.national;
      var nv = document.getElementById("national-value");
      if (nv && national) { nv.textContent = national.value; }
      var nc = document.getElementById("national-cmp");
      if (nc && national) {
        nc.textContent = "";
        if (national.key) {
          var badge = document.createElement("span");
          badge.className = "cmp cmp-" + national.key;
          badge.textContent = national.label;
          nc.appendChild(document.createTextNode(" \u00b7 "));
          nc.appendChild(badge);
        }
      }
      Object.keys(view.rows || {}).forEach(function (id) {
        var table = document.getElementById(id);
        if (!table) { return; }
        Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr, i) {
          var r = view.rows[id][i] || [];
          Array.prototype.forEach.call(tr.cells, function (cell, j) {
            cell.textContent = r[j] !== undefined ? r[j] : "";
          });
          tr.classList.toggle("is-suppressed", r.indexOf("[c]") >= 0);
        });
      });
      var slope = document.getElementById("simd-slope");
      if (slope && view.slope !== undefined) {
        slope.textContent = view.slope;
        slope.hidden = !view.slope;
      }
      var note = document.getElementById("simd-filter-note");
      if (note) { note.hidden = !view.filtered; }
      each("[data-period-only]", function (node) {
        node.hidden = node.getAttribute("data-period-only") !== when;
      });
      each(".view-label-text", function (node) {
        node.textContent = view.label ? ", " + view.label : "";
      });
      if (status) {
        status.textContent = "Showing " + (view.label || "all " + (payload.population || "areas"))
          + ", " + when + ".";
      }
      return true;
    }

    function apply(push) {
      var key = breakdown ? breakdown.value : "";
      var periods = payload.periods[key] || [];
      if (period) {
        Array.prototype.forEach.call(period.options, function (o) {
          o.disabled = periods.length > 0 && periods.indexOf(o.value) < 0;
        });
        if (periods.length && periods.indexOf(period.value) < 0) {
          period.value = periods[periods.length - 1];
        }
      }
      var when = period ? period.value : (periods[periods.length - 1] || "");
      showLevel(level());
      if (!showVariant(key, when) && status) { status.textContent = ""; }
      if (push) {
        var parts = [];
        if (level()) { parts.push("level=" + encodeURIComponent(level())); }
        if (key) { parts.push("breakdown=" + encodeURIComponent(key)); }
        if (period) { parts.push("period=" + encodeURIComponent(period.value)); }
        history.replaceState(null, "", "#" + parts.join("&"));
      }
    }

    function fromHash() {
      var wanted = {};
      location.hash.replace(/^#/, "").split("&").forEach(function (part) {
        var kv = part.split("=");
        if (kv.length === 2) { wanted[kv[0]] = decodeURIComponent(kv[1]); }
      });
      if (!wanted.level && !wanted.breakdown && !wanted.period) { return false; }
      var radio = wanted.level && form.querySelector(
        "input[name=view-level][value='" + wanted.level.replace(/[^A-Za-z0-9_-]/g, "") + "']");
      if (radio) { radio.checked = true; }
      if (breakdown && wanted.breakdown !== undefined) { breakdown.value = wanted.breakdown; }
      if (period && wanted.period) { period.value = wanted.period; }
      return true;
    }

    form.addEventListener("change", function () { apply(true); });
    window.addEventListener("hashchange", function () { if (fromHash()) { apply(false); } });
    fromHash();
    apply(false);
  }

  // Find my area: names, codes and (where configured) postcodes from <slug>/assets/search.js.
  function normal(text) { return (text || "").toUpperCase().replace(/\s+/g, ""); }

  function initSearch() {
    var form = document.getElementById("area-search");
    var index = window.CDASH_SEARCH;
    if (!form || !index) { return; }
    var input = form.querySelector("input");
    var message = form.querySelector(".search-message");
    var list = document.getElementById("area-search-list");
    index.areas.forEach(function (a) {
      var option = document.createElement("option");
      option.value = a[0];
      option.label = a[2] + " " + a[1];
      list.appendChild(option);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = normal(input.value);
      if (!q) { return; }
      var found = null;
      var zone = index.postcodes[q];
      index.areas.forEach(function (a) {
        if (found) { return; }
        if (normal(a[1]) === q || normal(a[0]) === q || (zone && a[1] === zone)) { found = a; }
      });
      if (!found) {
        index.areas.forEach(function (a) {
          if (!found && normal(a[0]).indexOf(q) >= 0) { found = a; }
        });
      }
      if (found) {
        location.href = form.getAttribute("data-root") + found[3];
      } else if (message) {
        message.textContent = "No area matches \u201c" + input.value + "\u201d. Try a place name, "
          + "a data zone code" + (index.has_postcodes ? " or a postcode." : ".");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), stackTable);
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), enhanceTable);
    initView();
    initSearch();
  });
})();
