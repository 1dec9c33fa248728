// scalesim report.html: draws the plots and the events table from the JSON data block.
// Everything taken from the data goes on the page as text (textContent, setAttribute), never as
// markup. Test hooks: #hover=N shows step N's tooltip (bin N for a comparison, run N for a
// sweep); #zoom=FROM,TO zooms to those seconds (a sweep: cost from, to); the root element's
// data-ready says the script finished, data-errors counts errors.
(function () {
  'use strict';
  var root = document.documentElement;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var NS = document.getElementById('svg-namespace').namespaceURI;
  var RUN_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9',
    '#000000', '#8c564b', '#7f7f7f', '#bcbd22', '#17becf', '#9467bd'];

  // ---- DOM helpers ----------------------------------------------------------------------
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, children) {
    var node = document.createElementNS(NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === 'text') node.textContent = String(value);
      else node.setAttribute(key, String(value));
    });
  }
  function append(node, children) {
    if (children === undefined || children === null) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // ---- numbers and times ------------------------------------------------------------------
  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var sign = v < 0 ? '-' : '';
    var a = Math.abs(v);
    if (a === Math.round(a) && a < 1e15) return sign + group(String(a));
    if (a >= 1000) {
      var parts = a.toFixed(1).split('.');
      return sign + group(parts[0]) + (parts[1] !== '0' ? '.' + parts[1] : '');
    }
    if (a >= 1) return sign + trim(a.toFixed(3));
    if (a >= 1e-4) return sign + trim(a.toFixed(Math.min(12, 3 - Math.floor(Math.log10(a)))));
    return sign + a.toExponential(2);
  }
  function trim(text) {
    return text.indexOf('.') < 0 ? text : text.replace(/0+$/, '').replace(/\.$/, '');
  }
  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }
  // Time since the start of the run: "2 d 04:13", "00:42", "00:42:10".
  function clock(t) {
    t = Math.round(t);
    var days = Math.floor(t / 86400);
    var rest = t - days * 86400;
    var text = pad(Math.floor(rest / 3600)) + ':' + pad(Math.floor((rest % 3600) / 60));
    if (rest % 60) text += ':' + pad(rest % 60);
    return (days ? days + ' d ' : '') + text;
  }
  // The wall-clock time of run time t in the start's offset, when the run has a start:
  // "2026-03-02 08:29 UTC", "1995-07-03 09:00 UTC−04:00".
  function wall(data, t) {
    if (!hasClock(data)) return '';
    var shift = data.start_offset_s || 0;
    var iso = new Date((data.start_unix_s + shift + t) * 1000).toISOString();
    return ' · ' + iso.slice(0, 10) + ' ' + iso.slice(11, 19).replace(/:00$/, '') + ' ' + offsetName(shift);
  }
  function duration(s) {
    if (s < 60) return trim(s.toFixed(1)) + ' s';
    if (s <= 3 * 3600) return trim((s / 60).toFixed(1)) + ' min';
    if (s <= 3 * 86400) return trim((s / 3600).toFixed(1)) + ' h';
    return trim((s / 86400).toFixed(1)) + ' days';
  }
  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * power;
  }
  function ticks(lo, hi, count, integer) {
    var step = niceStep((hi - lo) / Math.max(1, count));
    if (integer) step = step < 1 ? 1 : step === 2.5 ? 2 : step;
    var out = [];
    for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
      if (out.length > 50) break;
    }
    return out;
  }
  // Wall-clock ticks between run times lo and hi (s) in the start's own UTC offset, chosen as
  // the PNG plots choose theirs (time_axis.rs): the shortest interval of the ladder whose labels
  // fit side by side in widthPx, ticks on round local times, labels that say what the interval
  // needs. null when the run has no start.
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var LADDER = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200]
    .map(function (s) { return { kind: 's', n: s, nominal: s }; })
    .concat([{ kind: 'd', n: 1, nominal: 86400 }, { kind: 'd', n: 2, nominal: 2 * 86400 },
      { kind: 'w', n: 1, nominal: 7 * 86400 }, { kind: 'm', n: 1, nominal: 30.44 * 86400 },
      { kind: 'm', n: 3, nominal: 91.3 * 86400 }, { kind: 'm', n: 6, nominal: 182.6 * 86400 }])
    .concat([1, 2, 5, 10, 20, 50, 100].map(function (y) { return { kind: 'y', n: y, nominal: y * 365.25 * 86400 }; }));
  function hasClock(data) {
    return data.start_unix_s !== null && data.start_unix_s !== undefined;
  }
  function offsetName(shift) {
    if (!shift) return 'UTC';
    var m = Math.abs(shift) / 60;
    return 'UTC' + (shift < 0 ? '\u2212' : '+') + pad(Math.floor(m / 60)) + ':' + pad(m % 60);
  }
  function wallTicks(data, lo, hi, widthPx) {
    if (!hasClock(data)) return null;
    var shift = data.start_offset_s || 0;
    var base = data.start_unix_s + shift;
    var local = function (t) { return new Date((base + t) * 1000); };
    var sameDay = local(lo).toISOString().slice(0, 10) === local(Math.max(lo, hi - 0.001)).toISOString().slice(0, 10);
    for (var k = 0; k < LADDER.length; k++) {
      var step = LADDER[k];
      if ((hi - lo) / step.nominal > 40) continue;
      var label;
      if (step.kind === 's') {
        label = step.n < 60 ? function (d) { return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()); }
          : sameDay ? function (d) { return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()); }
          : function (d) { return MONTHS[d.getUTCMonth()] + ' ' + d.getUTCDate() + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()); };
      } else if (step.kind === 'd' && step.n === 1) {
        label = function (d) { return DAYS[d.getUTCDay()] + ' ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCDate(); };
      } else if (step.kind === 'd' || step.kind === 'w') {
        label = function (d) { return MONTHS[d.getUTCMonth()] + ' ' + d.getUTCDate(); };
      } else if (step.kind === 'm') {
        label = function (d) { return MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear(); };
      } else {
        label = function (d) { return String(d.getUTCFullYear()); };
      }
      var out = [];
      var add = function (localS) {
        var t = localS - base;
        if (t >= lo - 1e-6 && t <= hi + 1e-6) out.push({ t: t, label: label(new Date(localS * 1000)) });
      };
      var from = base + lo, to = base + hi;
      if (step.kind === 's') {
        for (var x = Math.ceil(from / step.n - 1e-9) * step.n; x <= to + 1e-6 && out.length <= 60; x += step.n) add(x);
      } else if (step.kind === 'd' || step.kind === 'w') {
        for (var day = Math.floor(from / 86400) * 86400; day <= to + 1e-6 && out.length <= 60; day += 86400) {
          var date = new Date(day * 1000);
          if (step.kind === 'w' ? date.getUTCDay() === 1 : (date.getUTCDate() - 1) % step.n === 0) add(day);
        }
      } else {
        var first = new Date(from * 1000);
        var year = first.getUTCFullYear(), month = step.kind === 'm' ? first.getUTCMonth() : 0;
        for (var guard = 0; guard < 2000 && out.length <= 60; guard++) {
          var at = Date.UTC(year, month, 1) / 1000;
          if (at > to + 1e-6) break;
          if (step.kind === 'm' ? month % step.n === 0 : year % step.n === 0) add(at);
          if (step.kind === 'm') { month++; if (month === 12) { month = 0; year++; } } else { year++; }
        }
      }
      var widest = out.reduce(function (w, tick) { return Math.max(w, tick.label.length); }, 0);
      if (out.length > 0 && out.length * (widest * 7 + 18) <= widthPx) return { ticks: out, title: 'time (' + offsetName(shift) + ')' };
    }
    return null;
  }
  function timeUnit(span) {
    if (span <= 3 * 3600) return { s: 60, name: 'minutes' };
    if (span <= 3 * 86400) return { s: 3600, name: 'hours' };
    return { s: 86400, name: 'days' };
  }
  function finiteMax(arrays, i0, i1) {
    var best = -Infinity;
    arrays.forEach(function (values) {
      for (var i = i0; i <= i1; i++) {
        var v = values[i];
        if (v !== null && v > best) best = v;
      }
    });
    return best;
  }
  // Largest i with t[i] <= x, within [0, t.length - 1].
  function binAt(t, x) {
    var lo = 0, hi = t.length - 1;
    if (x <= t[0]) return 0;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (t[mid] <= x) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function hashParam(name) {
    var match = new RegExp('[#&]' + name + '=([^&]*)').exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  // ---- tooltip ----------------------------------------------------------------------------
  function Tooltip(container) {
    var node = h('div', { class: 'tooltip', id: 'tooltip', role: 'status', hidden: 'hidden' });
    container.appendChild(node);
    return {
      node: node,
      show: function (content, x, y, attrs) {
        clear(node);
        append(node, content);
        ['data-bin', 'data-step', 'data-run'].forEach(function (a) { node.removeAttribute(a); });
        setAttrs(node, attrs);
        node.hidden = false;
        var width = container.clientWidth;
        var left = x + 16;
        if (left + node.offsetWidth > width) left = Math.max(0, x - 16 - node.offsetWidth);
        node.style.left = left + 'px';
        node.style.top = Math.max(0, y) + 'px';
      },
      hide: function () { node.hidden = true; }
    };
  }
  function valueTable(rows) {
    return h('table', null, rows.map(function (row) {
      return h('tr', null, [
        h('td', null, [h('span', { class: 'tt-sw', style: 'background:' + row.color }), row.label]),
        h('td', { text: row.value })
      ]);
    }));
  }

  // ---- the time chart: stacked panels on one time axis ------------------------------------
  // cfg: t (bin starts, s), binS, panels [{title, unit, height, series [{id, label, color,
  // min, max, step, dash, scale}], markers}], tooltip(i) -> nodes, legend [{id, label, color,
  // kind}], noun ("run"), clock (start_unix_s and start_offset_s, for wall-clock ticks)
  function TimeChart(container, cfg) {
    var t = cfg.t, n = t.length, binS = cfg.binS;
    var full = [t[0], t[n - 1] + binS];
    var view = full.slice();
    var hidden = {};
    var L = 78, R = 22, TOP = 8;
    var toolbar = h('div', { class: 'toolbar' });
    var legend = h('div', { class: 'legend' });
    var state = h('span', { class: 'zoom-state' });
    var zoomOut = h('button', { type: 'button', text: 'zoom out' });
    var reset = h('button', { type: 'button', text: 'whole ' + (cfg.noun || 'run') });
    toolbar.appendChild(legend);
    toolbar.appendChild(state);
    container.appendChild(toolbar);
    var plot = svg('svg', { class: 'plot', role: 'img', 'aria-label': cfg.label || 'plot' });
    container.appendChild(plot);
    var tip = Tooltip(container);
    var layout = null;
    var hoverBin = null;

    cfg.legend.forEach(function (item) {
      var button = h('button', { type: 'button', 'data-series': item.id, title: 'show or hide' }, [
        h('span', { class: 'key ' + (item.kind || ''), style: 'color:' + item.color }), item.label
      ]);
      button.addEventListener('click', function () {
        hidden[item.id] = !hidden[item.id];
        button.classList.toggle('off', !!hidden[item.id]);
        render();
      });
      legend.appendChild(button);
    });
    append(state, [h('span', { class: 'zoom-text' }), zoomOut, reset]);
    zoomOut.addEventListener('click', function () { zoomAt((view[0] + view[1]) / 2, 2.5); });
    reset.addEventListener('click', function () { setView(full[0], full[1]); });

    function setView(a, b) {
      var minSpan = Math.min(full[1] - full[0], binS * 6);
      if (b - a < minSpan) { var mid = (a + b) / 2; a = mid - minSpan / 2; b = mid + minSpan / 2; }
      if (a < full[0]) { b += full[0] - a; a = full[0]; }
      if (b > full[1]) { a -= b - full[1]; b = full[1]; }
      view = [Math.max(full[0], a), Math.min(full[1], b)];
      tip.hide();
      hoverBin = null;
      render();
    }
    function zoomAt(center, factor) {
      setView(center - (center - view[0]) * factor, center + (view[1] - center) * factor);
    }

    function render() {
      clear(plot);
      var W = Math.max(560, Math.round(container.clientWidth || 1100));
      var plotW = W - L - R;
      var xOf = function (time) { return L + (time - view[0]) / (view[1] - view[0]) * plotW; };
      var i0 = Math.max(0, binAt(t, view[0]));
      var i1 = Math.min(n - 1, binAt(t, view[1] - 1e-9));
      var y = TOP;
      var unit = timeUnit(view[1] - view[0]);
      var clockTicks = wallTicks(cfg.clock || {}, view[0], view[1], plotW);
      var xTicks = clockTicks ? clockTicks.ticks : ticks(view[0] / unit.s, view[1] / unit.s, Math.max(4, Math.floor(plotW / 110)))
        .map(function (v) { return { t: v * unit.s, label: fmt(Math.round(v * 1e6) / 1e6) }; });
      var defs = svg('defs');
      plot.appendChild(defs);
      var panels = [];
      cfg.panels.forEach(function (panel, index) {
        var top = y + 22;
        var height = panel.height;
        var g = svg('g', { class: 'panel', 'data-panel': panel.id });
        plot.appendChild(g);
        g.appendChild(svg('text', { class: 'panel-title', x: L, y: top - 7, text: panel.title }));
        var clipId = 'clip-' + index;
        defs.appendChild(svg('clipPath', { id: clipId }, svg('rect', { x: L, y: top - 1, width: plotW, height: height + 2 })));
        xTicks.forEach(function (tick) {
          var x = xOf(tick.t);
          g.appendChild(svg('line', { class: 'grid', x1: x, x2: x, y1: top, y2: top + height }));
        });
        var yOf = null;
        if (panel.series) {
          var shown = panel.series.filter(function (s) { return !hidden[s.id]; });
          var top_ = finiteMax(shown.map(function (s) { return s.max; }), i0, i1);
          var scale = panel.series[0].scale || 1;
          var yMax = top_ > 0 ? top_ * scale * 1.06 : 1;
          var yTicks = ticks(0, yMax, Math.max(2, Math.floor(height / 38)));
          if (panel.integer) yTicks = ticks(0, yMax, Math.max(2, Math.floor(height / 38)), true);
          yMax = Math.max(yMax, yTicks[yTicks.length - 1]);
          yOf = function (v) { return top + height - v / yMax * height; };
          yTicks.forEach(function (v) {
            var yy = yOf(v);
            g.appendChild(svg('line', { class: 'grid', x1: L, x2: L + plotW, y1: yy, y2: yy }));
            g.appendChild(svg('text', { class: 'tick', x: L - 8, y: yy + 4, 'text-anchor': 'end', text: fmt(v) }));
          });
          var title = svg('text', { class: 'axis-title', 'text-anchor': 'middle', transform: 'translate(' + 16 + ',' + (top + height / 2) + ') rotate(-90)', text: panel.unit });
          g.appendChild(title);
          var clipped = svg('g', { 'clip-path': 'url(#' + clipId + ')' });
          g.appendChild(clipped);
          shown.forEach(function (s) { drawSeries(clipped, s, i0, i1, xOf, yOf); });
        }
        if (panel.markers) {
          var strip = svg('g', { 'clip-path': 'url(#' + clipId + ')' });
          drawMarkers(g, strip, panel, i0, i1, xOf, top, height);
          g.appendChild(strip);
        }
        g.appendChild(svg('rect', { class: 'frame', x: L, y: top, width: plotW, height: height }));
        panels.push({ top: top, height: height, yOf: yOf });
        y = top + height + 10;
      });
      var axisY = y - 10;
      xTicks.forEach(function (tick) {
        var x = xOf(tick.t);
        if (x < L - 1 || x > L + plotW + 1) return;
        plot.appendChild(svg('text', { class: 'tick x-tick', x: x, y: axisY + 17, 'text-anchor': 'middle', text: tick.label }));
      });
      plot.appendChild(svg('text', { class: 'axis-title', x: L + plotW / 2, y: axisY + 38, 'text-anchor': 'middle', text: clockTicks ? clockTicks.title : 'time since the start (' + unit.name + ')' }));
      var H = axisY + 48;
      plot.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
      plot.setAttribute('width', W);
      plot.setAttribute('height', H);
      var top0 = panels[0].top, bottom = panels[panels.length - 1].top + panels[panels.length - 1].height;
      var crosshair = svg('line', { class: 'crosshair', x1: -10, x2: -10, y1: top0, y2: bottom, visibility: 'hidden' });
      plot.appendChild(crosshair);
      var selection = svg('rect', { class: 'selection', x: 0, y: top0, width: 0, height: bottom - top0, visibility: 'hidden' });
      plot.appendChild(selection);
      var overlay = svg('rect', { class: 'overlay', x: L, y: top0, width: plotW, height: bottom - top0 });
      plot.appendChild(overlay);
      plot.setAttribute('data-bins-shown', i1 - i0 + 1);
      layout = { W: W, plotW: plotW, xOf: xOf, top0: top0, bottom: bottom, crosshair: crosshair, selection: selection, panels: panels };
      var zoomed = view[0] > full[0] || view[1] < full[1];
      state.firstChild.textContent = zoomed
        ? 'showing ' + duration(view[1] - view[0]) + ' of ' + duration(full[1] - full[0]) + ' '
        : 'whole ' + (cfg.noun || 'run') + ': ' + duration(full[1] - full[0]) + ' ';
      zoomOut.disabled = !zoomed;
      reset.disabled = !zoomed;
      if (hoverBin !== null) showBin(hoverBin, null);
    }

    function drawSeries(g, s, i0, i1, xOf, yOf) {
      var scale = s.scale || 1;
      var segments = [], current = null;
      for (var i = i0; i <= i1; i++) {
        var hi = s.max[i];
        if (hi === null || hi === undefined) { current = null; continue; }
        var lo = s.min ? s.min[i] : hi;
        if (lo === null || lo === undefined) lo = hi;
        if (!current) { current = []; segments.push(current); }
        current.push([i, lo * scale, hi * scale]);
      }
      var bins = 0;
      segments.forEach(function (segment) {
        var upper = [], lower = [];
        segment.forEach(function (p) {
          var x0 = xOf(t[p[0]]), x1 = xOf(Math.min(t[p[0]] + binS, full[1]));
          if (s.step) {
            upper.push([x0, yOf(p[2])], [x1, yOf(p[2])]);
            lower.push([x0, yOf(p[1])], [x1, yOf(p[1])]);
          } else {
            upper.push([(x0 + x1) / 2, yOf(p[2])]);
            lower.push([(x0 + x1) / 2, yOf(p[1])]);
          }
        });
        bins += segment.length;
        var banded = s.min && segment.some(function (p) { return p[1] !== p[2]; });
        if (banded) {
          var ring = upper.concat(lower.slice().reverse());
          g.appendChild(svg('polygon', { class: 'band', 'data-series': s.id, fill: s.color, 'fill-opacity': s.bandOpacity || 0.22, stroke: 'none', points: ring.map(pt).join(' ') }));
        }
        g.appendChild(svg('polyline', {
          class: 'series', 'data-series': s.id, 'data-points': upper.length, 'data-bins': segment.length,
          stroke: s.color, 'stroke-width': s.width || 1.6, 'stroke-dasharray': s.dash || null,
          points: upper.map(pt).join(' ')
        }));
      });
      return bins;
    }
    function pt(p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }

    function drawMarkers(g, clipped, panel, i0, i1, xOf, top, height) {
      var rows = panel.markers;
      rows.forEach(function (row, r) {
        if (hidden[row.id]) return;
        var cy = top + (r + 0.5) * height / rows.length;
        var d = '';
        var count = 0;
        var lastX = -1e9;
        for (var i = i0; i <= i1; i++) {
          if (!row.counts[i]) continue;
          var x = xOf(t[i] + binS / 2);
          count += row.counts[i];
          if (x - lastX < 1.5) continue;
          lastX = x;
          if (row.shape === 'up') d += 'M' + (x - 4.5).toFixed(1) + ',' + (cy + 4).toFixed(1) + 'h9l-4.5,-8z';
          else if (row.shape === 'down') d += 'M' + (x - 4.5).toFixed(1) + ',' + (cy - 4).toFixed(1) + 'h9l-4.5,8z';
          else d += 'M' + (x - 3).toFixed(1) + ',' + cy.toFixed(1) + 'a3,3 0 1,0 6,0a3,3 0 1,0 -6,0z';
        }
        g.appendChild(svg('text', { class: 'tick', x: L - 8, y: cy + 4, 'text-anchor': 'end', text: row.label }));
        if (d) clipped.appendChild(svg('path', { class: 'markers', 'data-series': row.id, 'data-events': count, d: d, fill: row.color }));
      });
    }

    function showBin(i, mouseY) {
      if (!layout) return;
      hoverBin = i;
      var center = t[i] + binS / 2;
      var x = layout.xOf(Math.max(view[0], Math.min(view[1], center)));
      layout.crosshair.setAttribute('x1', x);
      layout.crosshair.setAttribute('x2', x);
      layout.crosshair.setAttribute('visibility', 'visible');
      var scale = plot.getBoundingClientRect().width / layout.W || 1;
      var yPx = mouseY === null ? layout.top0 * scale + 20 : mouseY;
      var shown = cfg.tooltip(i);
      tip.show(shown.content, x * scale, yPx, shown.attrs);
    }
    function pointer(event) {
      var rect = plot.getBoundingClientRect();
      var scale = layout.W / rect.width;
      return { x: (event.clientX - rect.left) * scale, y: event.clientY - rect.top };
    }
    function timeOf(x) {
      return view[0] + (x - L) / layout.plotW * (view[1] - view[0]);
    }
    var drag = null;
    plot.addEventListener('mousedown', function (event) {
      if (!layout || event.button !== 0) return;
      var p = pointer(event);
      if (p.x < L || p.x > L + layout.plotW) return;
      drag = { x0: p.x };
      event.preventDefault();
    });
    window.addEventListener('mousemove', function (event) {
      if (!layout) return;
      var p = pointer(event);
      if (drag) {
        var a = Math.max(L, Math.min(drag.x0, p.x)), b = Math.min(L + layout.plotW, Math.max(drag.x0, p.x));
        layout.selection.setAttribute('x', a);
        layout.selection.setAttribute('width', b - a);
        layout.selection.setAttribute('visibility', 'visible');
      }
      var rect = plot.getBoundingClientRect();
      var inside = event.clientY >= rect.top && event.clientY <= rect.bottom && p.x >= L && p.x <= L + layout.plotW;
      if (inside) showBin(binAt(t, timeOf(p.x)), p.y);
      else if (!drag && hoverBin !== null && !pinned) { tip.hide(); layout.crosshair.setAttribute('visibility', 'hidden'); hoverBin = null; }
    });
    window.addEventListener('mouseup', function (event) {
      if (!drag || !layout) return;
      var p = pointer(event);
      var x0 = drag.x0;
      drag = null;
      layout.selection.setAttribute('visibility', 'hidden');
      if (Math.abs(p.x - x0) >= 6) {
        var a = timeOf(Math.max(L, Math.min(x0, p.x))), b = timeOf(Math.min(L + layout.plotW, Math.max(x0, p.x)));
        setView(a, b);
      }
    });
    plot.addEventListener('wheel', function (event) {
      if (!layout) return;
      var p = pointer(event);
      if (p.x < L || p.x > L + layout.plotW) return;
      event.preventDefault();
      zoomAt(timeOf(p.x), event.deltaY > 0 ? 1.3 : 1 / 1.3);
    }, { passive: false });
    plot.addEventListener('dblclick', function () { setView(full[0], full[1]); });
    window.addEventListener('resize', function () { render(); });
    var pinned = false;

    render();
    return {
      render: render,
      setView: setView,
      showBin: function (i) { pinned = true; showBin(i, null); },
      full: full,
      view: function () { return view; }
    };
  }

  // ---- a run --------------------------------------------------------------------------------
  function runReport() {
    var requests = data.units !== 'sessions';
    var perMin = requests ? 60 / data.step_s : 1;
    var unit = requests ? 'requests / min' : 'sessions';
    var series = data.series;
    function s(id, label, color, extra) {
      var values = series[id];
      var out = { id: id, label: label, color: color, min: values.min || null, max: values.max };
      Object.keys(extra || {}).forEach(function (k) { out[k] = extra[k]; });
      return out;
    }
    var demand = s('demand', requests ? 'demand' : 'sessions in progress', '#1f77b4', { scale: perMin });
    var capacity = s('capacity', requests ? 'serving capacity' : 'session slots', '#232323', { scale: perMin, step: true, width: 1.4, bandOpacity: 0.08 });
    var unserved = s('unserved', requests ? 'unserved (lost)' : 'rejected starts', '#d62728', { scale: perMin });
    var inService = s('in_service', 'instances in service', '#232323', { step: true, width: 1.8, bandOpacity: 0.15 });
    var desired = s('desired', 'desired', '#9467bd', { step: true, dash: '5 3', bandOpacity: 0.1 });
    var panels = [
      { id: 'demand', title: requests ? 'Demand and serving capacity' : 'Sessions and slots', unit: unit, height: 250, series: [demand, capacity, unserved] },
      { id: 'instances', title: 'Instances', unit: 'instances', height: 180, integer: true, series: [inService, desired] }
    ];
    var legend = [
      { id: 'demand', label: demand.label, color: demand.color, kind: data.bin_steps > 1 ? '' : '' },
      { id: 'capacity', label: capacity.label, color: capacity.color },
      { id: 'unserved', label: unserved.label, color: unserved.color },
      { id: 'in_service', label: inService.label, color: inService.color },
      { id: 'desired', label: 'desired instances', color: desired.color, kind: 'dash' }
    ];
    if (series.latency_p50_s) {
      var p50 = s('latency_p50_s', 'p50', '#50b4aa');
      var p95 = s('latency_p95_s', 'p95', '#147a84');
      var p99 = s('latency_p99_s', 'p99', '#043240');
      panels.push({ id: 'latency', title: 'Latency of the requests completed in the step', unit: 'seconds', height: 170, series: [p50, p95, p99] });
      legend.push({ id: 'latency_p50_s', label: 'latency p50', color: p50.color },
        { id: 'latency_p95_s', label: 'p95', color: p95.color },
        { id: 'latency_p99_s', label: 'p99', color: p99.color });
    }
    var counts = data.event_counts;
    panels.push({ id: 'actions', title: 'Scaling actions', height: 40, markers: [
      { id: 'out', label: 'out', shape: 'up', color: '#2ca02c', counts: counts.out },
      { id: 'in', label: 'in', shape: 'down', color: '#e67300', counts: counts.in }
    ].concat(counts.none.some(function (c) { return c > 0; })
      ? [{ id: 'none', label: 'none', shape: 'dot', color: '#8c8c8c', counts: counts.none }] : []) });
    legend.push({ id: 'out', label: 'scale-out', color: '#2ca02c', kind: 'tri' },
      { id: 'in', label: 'scale-in', color: '#e67300', kind: 'tri down' });
    if (panels[panels.length - 1].markers.length === 3) legend.push({ id: 'none', label: 'decided not to scale', color: '#8c8c8c', kind: 'dot' });

    var events = data.events.map(function (e, index) {
      return { index: index, step: e[0], t: e[1], from: e[2], to: e[3], reason: e[4] };
    });
    var byBin = {};
    events.forEach(function (e) {
      var bin = Math.floor(e.step / data.bin_steps);
      (byBin[bin] = byBin[bin] || []).push(e);
    });
    function direction(e) {
      return e.to > e.from ? ['out', 'scale out'] : e.to < e.from ? ['in', 'scale in'] : ['none', 'no change'];
    }
    var allSeries = [demand, capacity, unserved, inService, desired].concat(panels.length > 3 ? panels[2].series : []);
    var unitOf = { demand: requests ? 'req/min' : 'sessions', capacity: requests ? 'req/min' : 'slots', unserved: requests ? 'req/min' : 'starts', in_service: '', desired: '', latency_p50_s: 's', latency_p95_s: 's', latency_p99_s: 's' };
    function tooltip(i) {
      var first = i * data.bin_steps;
      var last = Math.min(data.steps, first + data.bin_steps) - 1;
      var binEnd = Math.min(data.t_s[i] + data.bin_s, data.steps * data.step_s);
      var head = first === last ? 'step ' + fmt(first) : 'steps ' + fmt(first) + ' – ' + fmt(last);
      var rows = allSeries.map(function (s) {
        var hi = s.max[i], lo = s.min ? s.min[i] : hi;
        var scale = s.scale || 1;
        var value = hi === null ? 'none completed' : (lo === hi || lo === null ? fmt(hi * scale) : fmt(lo * scale) + ' – ' + fmt(hi * scale));
        return { label: s.label, color: s.color, value: value + (hi === null || !unitOf[s.id] ? '' : ' ' + unitOf[s.id]) };
      });
      var content = [
        h('div', { class: 'tt-head', text: head }),
        h('div', { class: 'tt-time', text: 't = ' + clock(data.t_s[i]) + ' – ' + clock(binEnd) + ' since the start' + wall(data, data.t_s[i]) + (first === last ? '' : ' (min – max over the bin)') }),
        valueTable(rows)
      ];
      var listed = byBin[i] || [];
      listed.slice(0, 4).forEach(function (e) {
        var d = direction(e);
        content.push(h('div', { class: 'tt-event' }, [
          h('b', { class: d[0], text: d[1] + ' ' + e.from + ' → ' + e.to }),
          ' decided at t = ' + clock(e.t) + (first === last ? ', the end of this step' : ''),
          h('div', { class: 'tt-reason', text: e.reason })
        ]));
      });
      var total = counts.out[i] + counts.in[i] + counts.none[i];
      var more = total - Math.min(4, listed.length);
      if (more > 0) content.push(h('div', { class: 'tt-more', text: '+ ' + fmt(more) + ' more scaling event' + (more === 1 ? '' : 's') + ' in this bin' + (listed.length < total && listed.length < 4 ? ' (past the ' + fmt(data.events.length) + ' the report lists; see events.csv)' : ': see the table') }));
      return { content: content, attrs: { 'data-bin': i, 'data-step': first } };
    }
    var chart = TimeChart(document.getElementById('chart'), {
      t: data.t_s, binS: data.bin_s, panels: panels, legend: legend, tooltip: tooltip, noun: 'run', clock: data,
      label: 'demand, capacity and instances over time'
    });
    eventsTable(document.getElementById('events-table'), events, direction, function (e) {
      var bin = Math.floor(e.step / data.bin_steps);
      var span = Math.max(data.bin_s * 40, data.step_s * 60);
      chart.setView(e.t - span / 2, e.t + span / 2);
      chart.showBin(bin);
      document.getElementById('plots').scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
    return {
      zoom: function (a, b) { chart.setView(a, b); },
      hover: function (step) {
        var bin = Math.floor(step / data.bin_steps);
        if (bin >= 0 && bin < data.t_s.length) chart.showBin(bin);
      }
    };
  }

  function eventsTable(container, events, direction, onPick) {
    if (!events.length) {
      container.appendChild(h('p', { class: 'note', text: 'The autoscaler took no scaling action in this run.' }));
      return;
    }
    var counts = { out: 0, in: 0, none: 0 };
    events.forEach(function (e) { counts[direction(e)[0]] += 1; });
    var select = h('select', { 'aria-label': 'direction' }, [
      h('option', { value: 'all', text: 'every event (' + fmt(events.length) + ')' }),
      h('option', { value: 'out', text: 'scale-out (' + fmt(counts.out) + ')' }),
      h('option', { value: 'in', text: 'scale-in (' + fmt(counts.in) + ')' })
    ].concat(counts.none ? [h('option', { value: 'none', text: 'no change (' + fmt(counts.none) + ')' })] : []));
    var search = h('input', { type: 'search', placeholder: 'filter reasons', 'aria-label': 'filter reasons' });
    var shownCount = h('span', { class: 'note' });
    container.appendChild(h('div', { class: 'events-controls' }, [select, search, shownCount]));
    var body = h('tbody');
    var table = h('table', { class: 'events', id: 'events-rows' }, [
      h('thead', null, h('tr', null, [
        h('th', { text: 'time since the start' }), h('th', { text: 't_s' }), h('th', { text: 'action' }),
        h('th', { text: 'desired' }), h('th', { text: 'reason' })
      ])),
      body
    ]);
    container.appendChild(h('div', { class: 'events-scroll' }, table));
    var rows = events.map(function (e) {
      var d = direction(e);
      var row = h('tr', { 'data-dir': d[0], 'data-t': e.t }, [
        h('td', { class: 'num', text: clock(e.t) }),
        h('td', { class: 'num', text: String(e.t) }),
        h('td', { class: 'dir-' + d[0], text: d[1] }),
        h('td', { class: 'num', text: e.from + ' → ' + e.to }),
        h('td', { class: 'reason', text: e.reason })
      ]);
      row.addEventListener('click', function () {
        rows.forEach(function (r) { r.classList.remove('selected'); });
        row.classList.add('selected');
        onPick(e);
      });
      body.appendChild(row);
      return row;
    });
    function filter() {
      var dir = select.value, needle = search.value.toLowerCase();
      var shown = 0;
      rows.forEach(function (row, i) {
        var visible = (dir === 'all' || row.getAttribute('data-dir') === dir) &&
          (!needle || events[i].reason.toLowerCase().indexOf(needle) >= 0);
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      shownCount.textContent = shown === rows.length ? '' : fmt(shown) + ' shown';
    }
    select.addEventListener('change', filter);
    search.addEventListener('input', filter);
  }

  // ---- a comparison -----------------------------------------------------------------------
  function compareReport() {
    var bins = data.t_s.length;
    var runs = data.runs.map(function (run, index) {
      return { id: 'run-' + index, label: run.label, color: RUN_COLORS[index % RUN_COLORS.length], max: run.max, mean: run.mean, step: true, width: 1.8 };
    });
    // Runs on different traces (data.demand is null): each run's own demand, in its colour,
    // as long as the run; otherwise the one trace's mean and busiest step, in greys that no
    // run's colour takes.
    var demand = data.demand === null
      ? data.runs.map(function (run, index) {
        return { id: 'demand-' + index, label: 'demand of ' + run.label, short: 'demand', color: runs[index].color, max: run.demand, width: 1.6 };
      })
      : [
        { id: 'demand_max', label: 'demand, busiest step', short: 'demand, busiest step', color: '#c4c4c4', max: data.demand.max, width: 1.2 },
        { id: 'demand_mean', label: 'demand, mean over the bin', short: 'demand, mean', color: '#555555', max: data.demand.mean, width: 1.6 }
      ];
    var legend = demand.concat(runs).map(function (s) { return { id: s.id, label: s.label, color: s.color }; });
    var panels = [
      { id: 'demand', title: data.demand === null ? 'Demand (each run\'s own trace, mean over the bin)' : 'Demand (the same trace for every run)', unit: 'requests / min', height: 200, series: demand },
      { id: 'instances', title: 'Instances in service (most during the bin)', unit: 'instances', height: 280, integer: true, series: runs }
    ];
    function tooltip(i) {
      var rows = demand.map(function (s) {
        var v = s.max[i];
        return { label: data.demand === null ? s.label : s.short, color: s.color, value: v === undefined ? 'past the run\'s end' : fmt(v) + ' req/min' };
      }).concat(runs.map(function (r) {
        return { label: r.label, color: r.color, value: r.mean[i] === null || r.mean[i] === undefined ? 'past the run\'s end' : fmt(r.mean[i]) + ' mean, ' + fmt(r.max[i]) + ' most' };
      }));
      return {
        content: [
          h('div', { class: 'tt-head', text: 'bin ' + fmt(i) + ' of ' + fmt(bins) }),
          h('div', { class: 'tt-time', text: 't = ' + clock(data.t_s[i]) + ' – ' + clock(data.t_s[i] + data.bin_s) + ' since the start' }),
          valueTable(rows)
        ],
        attrs: { 'data-bin': i }
      };
    }
    var chart = TimeChart(document.getElementById('chart'), {
      t: data.t_s, binS: data.bin_s, panels: panels, legend: legend, tooltip: tooltip, noun: 'trace',
      label: 'instances of every run over time'
    });
    return {
      zoom: function (a, b) { chart.setView(a, b); },
      hover: function (bin) { if (bin >= 0 && bin < bins) chart.showBin(bin); }
    };
  }

  // ---- a sweep ------------------------------------------------------------------------------
  function sweepReport() {
    var container = document.getElementById('chart');
    var points = data.points.map(function (p) {
      return { run: p[0], x: p[1], y: p[2], frontier: p[3] === 1, params: p[4] };
    });
    var base = data.baseline ? { x: data.baseline[0], y: data.baseline[1] } : null;
    // The baseline is drawn too, so the axes take it in.
    var extent = base && base.x !== null && base.y !== null ? points.concat([base]) : points;
    var L = 96, R = 24, T = 16, B = 58, H = 520;
    var positive = extent.filter(function (p) { return p.y > 0; }).map(function (p) { return p.y; });
    var yMinPos = positive.length ? Math.min.apply(null, positive) : 0;
    var yMaxAll = extent.length ? Math.max.apply(null, extent.map(function (p) { return p.y; })) : 1;
    var logPossible = positive.length > 1 && yMaxAll / yMinPos >= 100;
    var log = logPossible;
    var xs = extent.map(function (p) { return p.x; });
    var fullX = [Math.min.apply(null, xs), Math.max.apply(null, xs)];
    var padX = Math.max((fullX[1] - fullX[0]) * 0.04, Math.abs(fullX[1]) * 0.005, 1e-9);
    fullX = [fullX[0] - padX, fullX[1] + padX];
    var viewX = fullX.slice(), viewY = null;
    var toolbar = h('div', { class: 'toolbar' });
    var legend = h('div', { class: 'legend' }, [
      h('button', { type: 'button', disabled: 'disabled' }, [h('span', { class: 'key dot', style: 'color:#9a9a9a' }), 'a run']),
      h('button', { type: 'button', disabled: 'disabled' }, [h('span', { class: 'key', style: 'color:#0072b2' }), 'Pareto frontier']),
      h('button', { type: 'button', disabled: 'disabled' }, [h('span', { class: 'key diamond', style: 'color:#d55e00' }), 'recommended run'])
    ].concat(extent !== points ? [h('button', { type: 'button', disabled: 'disabled' }, [h('span', { class: 'key cross', text: '\u2715' }), 'the scenario\'s own policy'])] : []).concat(data.limit !== null ? [h('button', { type: 'button', disabled: 'disabled' }, [h('span', { class: 'key dash', style: 'color:#d55e00' }), 'objective\'s bound'])] : []));
    var state = h('span', { class: 'zoom-state' });
    var logBox = h('input', { type: 'checkbox', id: 'log-y' });
    logBox.checked = log;
    var reset = h('button', { type: 'button', text: 'every run' });
    append(state, logPossible ? [h('label', { for: 'log-y' }, [logBox, ' log scale ']), reset] : [reset]);
    append(toolbar, [legend, state]);
    container.appendChild(toolbar);
    var plot = svg('svg', { class: 'plot', role: 'img', 'aria-label': 'Pareto frontier' });
    container.appendChild(plot);
    var tip = Tooltip(container);
    var layout = null, hovered = null;

    function yDomainFull() {
      if (log) return [yMinPos / 1.6, yMaxAll * 1.6];
      return [0, yMaxAll > 0 ? yMaxAll * 1.06 : 1];
    }
    function transform(v) { return log ? Math.log10(Math.max(v, yMinPos / 1.6)) : v; }
    function render() {
      clear(plot);
      var W = Math.max(560, Math.round(container.clientWidth || 1100));
      var plotW = W - L - R, plotH = H - T - B;
      var yd = viewY || yDomainFull();
      var y0 = transform(yd[0]), y1 = transform(yd[1]);
      var xOf = function (v) { return L + (v - viewX[0]) / (viewX[1] - viewX[0]) * plotW; };
      var yOf = function (v) { return T + plotH - (transform(v) - y0) / (y1 - y0) * plotH; };
      var defs = svg('defs', null, svg('clipPath', { id: 'clip-sweep' }, svg('rect', { x: L - 6, y: T - 6, width: plotW + 12, height: plotH + 12 })));
      plot.appendChild(defs);
      ticks(viewX[0], viewX[1], Math.floor(plotW / 120)).forEach(function (v) {
        var x = xOf(v);
        plot.appendChild(svg('line', { class: 'grid', x1: x, x2: x, y1: T, y2: T + plotH }));
        plot.appendChild(svg('text', { class: 'tick', x: x, y: T + plotH + 18, 'text-anchor': 'middle', text: fmt(v) }));
      });
      var yTicks = log
        ? ticks(Math.floor(y0), Math.ceil(y1), Math.ceil(y1) - Math.floor(y0)).filter(function (e) { return e === Math.round(e) && e >= y0 - 1e-9 && e <= y1 + 1e-9; }).map(function (e) { return Math.pow(10, e); })
        : ticks(yd[0], yd[1], 8);
      yTicks.forEach(function (v) {
        var yy = yOf(v);
        plot.appendChild(svg('line', { class: 'grid', x1: L, x2: L + plotW, y1: yy, y2: yy }));
        plot.appendChild(svg('text', { class: 'tick', x: L - 8, y: yy + 4, 'text-anchor': 'end', text: fmt(v) }));
      });
      plot.appendChild(svg('text', { class: 'axis-title', x: L + plotW / 2, y: H - 14, 'text-anchor': 'middle', text: data.x_label }));
      plot.appendChild(svg('text', { class: 'axis-title', 'text-anchor': 'middle', transform: 'translate(18,' + (T + plotH / 2) + ') rotate(-90)', text: data.y_label + (log ? ' (log scale)' : '') }));
      var g = svg('g', { 'clip-path': 'url(#clip-sweep)' });
      plot.appendChild(g);
      if (data.limit !== null && data.limit !== undefined && data.limit >= yd[0] && data.limit <= yd[1]) {
        var ly = yOf(data.limit);
        g.appendChild(svg('line', { class: 'limit', x1: L, x2: L + plotW, y1: ly, y2: ly }));
        g.appendChild(svg('text', { class: 'limit-label', x: L + plotW - 6, y: ly - 5, 'text-anchor': 'end', text: 'objective: at most ' + fmt(data.limit) }));
      }
      var others = '', frontier = [];
      var drawn = 0;
      points.forEach(function (p) {
        p.px = xOf(p.x);
        p.py = yOf(p.y);
        if (p.frontier) frontier.push(p);
        else others += 'M' + (p.px - 2.6).toFixed(1) + ',' + p.py.toFixed(1) + 'a2.6,2.6 0 1,0 5.2,0a2.6,2.6 0 1,0 -5.2,0z';
        drawn += 1;
      });
      g.appendChild(svg('path', { class: 'runs', d: others, fill: '#9a9a9a', 'fill-opacity': 0.55 }));
      frontier.sort(function (a, b) { return a.x - b.x; });
      g.appendChild(svg('polyline', { class: 'series', 'data-series': 'frontier', 'data-points': frontier.length, points: frontier.map(function (p) { return p.px.toFixed(1) + ',' + p.py.toFixed(1); }).join(' '), stroke: '#0072b2', 'stroke-width': 2 }));
      frontier.forEach(function (p) {
        g.appendChild(svg('circle', { class: 'frontier-point', cx: p.px.toFixed(1), cy: p.py.toFixed(1), r: 4, fill: '#0072b2' }));
      });
      var chosen = points.filter(function (p) { return p.run === data.recommended; })[0];
      if (chosen) {
        var cx = chosen.px, cy = chosen.py;
        g.appendChild(svg('path', { class: 'recommended', d: 'M' + cx + ',' + (cy - 9) + 'l9,9l-9,9l-9,-9z', fill: '#d55e00', stroke: '#fff', 'stroke-width': 1.5 }));
      }
      if (extent !== points) {
        var bx = xOf(base.x), by = yOf(base.y);
        g.appendChild(svg('path', { class: 'baseline', d: 'M' + (bx - 6) + ',' + (by - 6) + 'l12,12m0,-12l-12,12', stroke: '#111', 'stroke-width': 2.5, fill: 'none' }));
      }
      plot.appendChild(svg('rect', { class: 'frame', x: L, y: T, width: plotW, height: plotH }));
      var selection = svg('rect', { class: 'selection', visibility: 'hidden', x: 0, y: 0, width: 0, height: 0 });
      plot.appendChild(selection);
      var ring = svg('circle', { r: 8, fill: 'none', stroke: '#111', 'stroke-width': 1.5, visibility: 'hidden', 'pointer-events': 'none' });
      plot.appendChild(ring);
      plot.appendChild(svg('rect', { class: 'overlay', x: L, y: T, width: plotW, height: plotH }));
      plot.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
      plot.setAttribute('width', W);
      plot.setAttribute('height', H);
      plot.setAttribute('data-points', drawn);
      layout = { W: W, plotW: plotW, plotH: plotH, selection: selection, ring: ring, yd: yd, y0: y0, y1: y1 };
      reset.disabled = viewX[0] === fullX[0] && viewX[1] === fullX[1] && !viewY;
      if (hovered) show(hovered, null);
    }
    function show(p, mouseY) {
      hovered = p;
      layout.ring.setAttribute('cx', p.px);
      layout.ring.setAttribute('cy', p.py);
      layout.ring.setAttribute('visibility', 'visible');
      var rows = data.parameters.map(function (name, k) {
        return { label: name, color: 'transparent', value: fmt(p.params[k]) };
      });
      rows.push({ label: data.x_label, color: '#9a9a9a', value: fmt(p.x) });
      rows.push({ label: data.y_label, color: '#9a9a9a', value: fmt(p.y) });
      var notes = [];
      if (p.frontier) notes.push('on the Pareto frontier');
      if (p.run === data.recommended) notes.push('the recommended run');
      var scale = plot.getBoundingClientRect().width / layout.W || 1;
      tip.show([
        h('div', { class: 'tt-head', text: 'run ' + p.run }),
        notes.length ? h('div', { class: 'tt-time', text: notes.join(', ') }) : null,
        valueTable(rows)
      ], p.px * scale, mouseY === null ? p.py * scale : mouseY, { 'data-run': p.run });
    }
    function pointer(event) {
      var rect = plot.getBoundingClientRect();
      var scale = layout.W / rect.width;
      return { x: (event.clientX - rect.left) * scale, y: (event.clientY - rect.top) * scale, rawY: event.clientY - rect.top };
    }
    function inverse(p) {
      var x = viewX[0] + (p.x - L) / layout.plotW * (viewX[1] - viewX[0]);
      var ty = layout.y0 + (T + layout.plotH - p.y) / layout.plotH * (layout.y1 - layout.y0);
      return [x, log ? Math.pow(10, ty) : ty];
    }
    var drag = null;
    plot.addEventListener('mousedown', function (event) {
      if (!layout || event.button !== 0) return;
      drag = pointer(event);
      event.preventDefault();
    });
    window.addEventListener('mousemove', function (event) {
      if (!layout) return;
      var p = pointer(event);
      if (drag) {
        var x = Math.min(drag.x, p.x), y = Math.min(drag.y, p.y);
        setAttrs(layout.selection, { x: x, y: y, width: Math.abs(p.x - drag.x), height: Math.abs(p.y - drag.y), visibility: 'visible' });
        return;
      }
      if (p.x < L || p.x > L + layout.plotW || p.y < T || p.y > T + layout.plotH) return;
      var best = null, bestD = 14 * 14;
      points.forEach(function (q) {
        var d = (q.px - p.x) * (q.px - p.x) + (q.py - p.y) * (q.py - p.y);
        if (d < bestD) { bestD = d; best = q; }
      });
      if (best) show(best, p.rawY);
      else { tip.hide(); layout.ring.setAttribute('visibility', 'hidden'); hovered = null; }
    });
    window.addEventListener('mouseup', function (event) {
      if (!drag || !layout) return;
      var p = pointer(event), start = drag;
      drag = null;
      layout.selection.setAttribute('visibility', 'hidden');
      if (Math.abs(p.x - start.x) < 6 || Math.abs(p.y - start.y) < 6) return;
      var a = inverse(start), b = inverse(p);
      viewX = [Math.min(a[0], b[0]), Math.max(a[0], b[0])];
      viewY = [Math.max(0, Math.min(a[1], b[1])), Math.max(a[1], b[1])];
      hovered = null;
      tip.hide();
      render();
    });
    plot.addEventListener('wheel', function (event) {
      if (!layout) return;
      event.preventDefault();
      var p = pointer(event), at = inverse(p), f = event.deltaY > 0 ? 1.3 : 1 / 1.3;
      viewX = [at[0] - (at[0] - viewX[0]) * f, at[0] + (viewX[1] - at[0]) * f];
      var yd = layout.yd;
      viewY = log ? [Math.pow(10, Math.log10(at[1]) - (Math.log10(at[1]) - Math.log10(yd[0])) * f), Math.pow(10, Math.log10(at[1]) + (Math.log10(yd[1]) - Math.log10(at[1])) * f)]
        : [Math.max(0, at[1] - (at[1] - yd[0]) * f), at[1] + (yd[1] - at[1]) * f];
      render();
    }, { passive: false });
    function resetView() { viewX = fullX.slice(); viewY = null; hovered = null; tip.hide(); render(); }
    plot.addEventListener('dblclick', resetView);
    reset.addEventListener('click', resetView);
    logBox.addEventListener('change', function () { log = logBox.checked; viewY = null; render(); });
    window.addEventListener('resize', render);
    render();
    return {
      zoom: function (a, b) { viewX = [a, b]; render(); },
      hover: function (run) {
        var p = points.filter(function (q) { return q.run === run; })[0];
        if (p) show(p, null);
      }
    };
  }

  var report = data.kind === 'run' ? runReport() : data.kind === 'compare' ? compareReport() : sweepReport();
  var zoom = hashParam('zoom');
  if (zoom) {
    var bounds = zoom.split(',').map(Number);
    if (bounds.length === 2 && isFinite(bounds[0]) && isFinite(bounds[1]) && bounds[1] > bounds[0]) report.zoom(bounds[0], bounds[1]);
  }
  var hover = hashParam('hover');
  if (hover !== null && /^\d+$/.test(hover)) report.hover(Number(hover));
  root.setAttribute('data-kind', data.kind);
  root.setAttribute('data-ready', '1');
})();
