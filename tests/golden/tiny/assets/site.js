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
  // The page holds its default view; every other view is a script of its own
  // (views/<indicator>/<n>.js, listed in #view-data's "files"), loaded the first time it is
  // shown. window.CdashViews.show(key, period, done) shows any view ("" is all households);
  // window.CdashViews.load(key, period, done) only loads it. done(view or null).
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function initView() {
    var form = document.getElementById("view-controls");
    if (!form) { return; }
    var el = document.getElementById("view-data");
    var payload = el ? JSON.parse(el.textContent) : { views: {}, periods: {} };
    payload.views = payload.views || {};
    payload.files = payload.files || {};
    var breakdown = document.getElementById("view-breakdown");
    var period = document.getElementById("view-period");
    var status = document.getElementById("view-status");
    var originals = {};
    each(".js-plotly-plot", function (div) {
      originals[div.id] = { data: div.data, layout: div.layout };
    });
    var loading = {};
    var shown = 0;

    window.CdashView = function (record) {
      if (record && record.key) { payload.views[record.key] = record.view; }
    };

    // The default view, as the page itself shows it.
    function pageView() {
      var view = { figs: {}, summaries: {}, cells: {}, label: "" };
      Object.keys(originals).forEach(function (id) {
        view.figs[id] = originals[id];
        var p = document.getElementById(id + "-summary");
        if (p) { view.summaries[id] = p.textContent; }
      });
      each(".view-level table.data", function (table) {
        var section = table.closest("section[id]");
        if (!section) { return; }
        var rows = [];
        Array.prototype.forEach.call(table.querySelectorAll("tbody tr[data-code]"), function (tr) {
          var r = [tr.getAttribute("data-code"), "", "", "", "", "", "", ""];
          Array.prototype.forEach.call(tr.querySelectorAll("[data-col]"), function (td) {
            var col = +td.getAttribute("data-col");
            if (col === 6) {
              var span = td.querySelector(".cmp");
              r[6] = span ? span.className.replace(/^.*cmp-/, "") : "";
              r[7] = span ? span.textContent : "";
            } else {
              r[col] = td.textContent;
            }
            if (col === 3) { r[4] = td.getAttribute("data-sort") || ""; }
          });
          rows.push(r);
        });
        view.cells[section.id] = rows;
      });
      var council = document.getElementById("council-value");
      view.council = council ? council.textContent : "";
      if (view.council === "Not published") { view.council = ""; }
      var ci = document.getElementById("council-ci");
      view.ci = ci ? ci.textContent : "";
      // What else names the period (draw): the national figure, SIMD tables and slope.
      var nv = document.getElementById("national-value");
      if (nv) {
        var badge = document.querySelector("#national-cmp .cmp");
        view.national = {
          value: nv.textContent,
          key: badge ? badge.className.replace(/^.*cmp-/, "") : "",
          label: badge ? badge.textContent : ""
        };
      }
      view.rows = {};
      ["table-simd", "table-simd-decile"].forEach(function (id) {
        var table = document.getElementById(id);
        if (!table) { return; }
        view.rows[id] = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
          return Array.prototype.map.call(tr.cells, function (c) { return c.textContent; });
        });
      });
      var slope = document.getElementById("simd-slope");
      if (slope) { view.slope = slope.textContent; }
      view.filtered = false;
      return view;
    }
    payload.views[payload["default"]] = pageView();

    function loadView(name, done) {
      if (payload.views[name]) { done(payload.views[name]); return; }
      var src = payload.files[name];
      if (!src) { done(null); return; }
      if (loading[name]) { loading[name].push(done); return; }
      loading[name] = [done];
      var script = document.createElement("script");
      script.src = src;
      script.onload = script.onerror = function () {
        var waiting = loading[name];
        delete loading[name];
        waiting.forEach(function (fn) { fn(payload.views[name] || null); });
      };
      document.head.appendChild(script);
    }

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

    function draw(view, when) {
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
    }

    // Show a view, loading it first if need be; a later choice wins over a slow load.
    function showVariant(key, when, done) {
      var ticket = ++shown;
      loadView(key + "|" + when, function (view) {
        if (ticket !== shown) { return; }
        if (view) { draw(view, when); }
        if (done) { done(view); }
      });
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
      showVariant(key, when, function (view) {
        if (!view && status) { status.textContent = ""; }
      });
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

    window.CdashViews = {
      show: showVariant,
      load: function (key, when, done) { loadView(key + "|" + when, done || function () {}); },
      views: function () { return Object.keys(payload.files).concat([payload["default"]]); }
    };
    form.addEventListener("change", function () { apply(true); });
    window.addEventListener("hashchange", function () { if (fromHash()) { apply(false); } });
    fromHash();
    apply(false);
  }

  // Find my area: names, codes and (where configured) postcodes from <slug>/assets/search.js,
  // loaded the first time a reader uses the box (a script, so that it works from disk).
  function normal(text) { return (text || "").toUpperCase().replace(/\s+/g, ""); }

  function loadScript(src, done) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = function () { done(true); };
    script.onerror = function () { done(false); };
    document.head.appendChild(script);
  }

  function initSearch() {
    var form = document.getElementById("area-search");
    if (!form) { return; }
    var input = form.querySelector("input");
    var message = form.querySelector(".search-message");
    var list = document.getElementById("area-search-list");
    var waiting = null;

    function withIndex(fn) {
      if (window.CDASH_SEARCH) { fn(window.CDASH_SEARCH); return; }
      if (waiting) { waiting.push(fn); return; }
      var src = form.getAttribute("data-index");
      if (!src) { return; }
      waiting = [fn];
      loadScript(src, function () {
        var queued = waiting;
        if (!window.CDASH_SEARCH) { return; }
        fill(window.CDASH_SEARCH);
        queued.forEach(function (f) { f(window.CDASH_SEARCH); });
      });
    }

    function fill(index) {
      index.areas.forEach(function (a) {
        var option = document.createElement("option");
        option.value = a[0];
        option.label = a[2] + " " + a[1];
        list.appendChild(option);
      });
    }

    input.addEventListener("focus", function () { withIndex(function () {}); });
    input.addEventListener("input", function () { withIndex(function () {}); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = normal(input.value);
      if (!q) { return; }
      withIndex(function (index) { find(index, q); });
    });

    function find(index, q) {
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
    }
  }

  // Filters (interventions, priority areas): a form[data-filter] names its list; each
  // select or checked box keeps only the [data-filter-item]s whose data-<name> matches.
  function initFilter(form) {
    var target = document.querySelector(form.getAttribute("data-filter"));
    if (!target) { return; }
    var items = target.querySelectorAll("[data-filter-item]");
    var count = form.querySelector(".filter-count");
    function apply() {
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var keep = Array.prototype.every.call(form.elements, function (el) {
          if (!el.name || (el.type === "checkbox" && !el.checked) || !el.value) { return true; }
          return item.getAttribute("data-" + el.name) === el.value;
        });
        item.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      if (count) { count.textContent = shown + " of " + items.length + " shown"; }
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  // Breakdown variants inlined in a page (the unmet-need page's family type): a
  // form[data-variants] select shows the [data-variant] blocks of its value, hides the rest.
  function initVariants(form) {
    var select = form.querySelector("select");
    var status = form.querySelector(".variant-status");
    if (!select) { return; }
    function apply() {
      Array.prototype.forEach.call(document.querySelectorAll("[data-variant]"), function (node) {
        node.hidden = node.getAttribute("data-variant") !== select.value;
      });
      if (window.Plotly) {
        Array.prototype.forEach.call(
          document.querySelectorAll("[data-variant]:not([hidden]) .js-plotly-plot"),
          function (div) { window.Plotly.Plots.resize(div); }
        );
      }
      if (status) {
        status.textContent = "Showing: " + select.options[select.selectedIndex].text;
      }
    }
    select.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-variants]"), initVariants);
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), stackTable);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-filter]"), initFilter);
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), enhanceTable);
    initView();
    initSearch();
  });
})();
