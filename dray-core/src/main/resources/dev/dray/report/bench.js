// Draws a dray queue bench report (strategies compared, static and dynamic side by side) from
// window.DRAY_DATA with Apache ECharts. Each chart's element carries what it drew (data-series,
// data-points), so a headless browser's DOM dump can check the page really shows the data.
(function () {
  'use strict';
  var COLORS = { 'simple': '#e15759', 'chunk': '#f28e2b', 'skip-locked': '#4e79a7' };
  var d = window.DRAY_DATA;

  var esc = window.DRAY_FORMAT.esc;
  var num = window.DRAY_FORMAT.num;

  function color(run) { return COLORS[run.strategy] || '#76b7b2'; }

  function draw(id, series, xAxis, yAxis) {
    var el = document.getElementById(id);
    var c = echarts.init(el, null, { renderer: 'svg' });
    window.addEventListener('resize', function () { c.resize(); });
    c.setOption({
      animation: false,
      grid: { left: 70, right: 20, top: 30, bottom: 45 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return num(v); } },
      xAxis: xAxis,
      yAxis: yAxis,
      series: series
    });
    el.dataset.series = String(series.length);
    el.dataset.points = String(series.reduce(function (s, x) {
      return s + x.data.filter(function (v) { return v !== null; }).length;
    }, 0));
  }

  function valueAxis(name, log) {
    return { type: log ? 'log' : 'value', name: name, axisLabel: { formatter: function (v) { return num(v); } } };
  }

  function line(run, points) {
    return { type: 'line', name: run.strategy, showSymbol: false, data: points, itemStyle: { color: color(run) }, lineStyle: { color: color(run) } };
  }

  // jobs/s over windows of a twentieth of the run (0.1 to 1 s), so 100 ms samples do not jitter
  function rate(run) {
    var s = run.samples;
    var points = [];
    var from = 0;
    var window = s.length ? Math.min(1, Math.max(0.1, s[s.length - 1][0] / 20)) : 1;
    for (var i = 1; i < s.length; i++) {
      var span = s[i][0] - s[from][0];
      if (span >= window - 0.01 || i === s.length - 1) {
        if (span > 0) { points.push([s[i][0], Math.round((s[i][1] - s[from][1]) / span)]); }
        from = i;
      }
    }
    return points;
  }

  function percentiles(values, floor) {
    return values.map(function (v, p) { return [p, Math.max(v, floor)]; });
  }

  function drawMode(mode) {
    var runs = d.runs.filter(function (r) { return r.mode === mode; });
    document.querySelectorAll('.mode-' + mode).forEach(function (el) { el.hidden = runs.length === 0; });
    if (runs.length === 0) { return; }
    var seconds = { type: 'value', name: 'seconds', nameLocation: 'middle', nameGap: 25, min: 0, axisLabel: { formatter: function (v) { return num(v); } } };
    var percent = { type: 'value', name: 'percentile', nameLocation: 'middle', nameGap: 25, min: 0, max: 100 };
    draw('chart-throughput-' + mode, runs.map(function (r) { return line(r, rate(r)); }), seconds, valueAxis('jobs/s'));
    draw('chart-backlog-' + mode, runs.map(function (r) {
      return line(r, r.samples.map(function (s) { return [s[0], Math.max(0, s[2] - s[1])]; }));
    }), seconds, valueAxis('jobs'));
    draw('chart-commit-' + mode, runs.map(function (r) { return line(r, percentiles(r.commitMs, 0.001)); }), percent, valueAxis('ms', true));
    draw('chart-wait-' + mode, runs.map(function (r) { return line(r, percentiles(r.enqueueToClaimMs, 0.001)); }), percent, valueAxis('ms', true));
    draw('chart-batch-' + mode, runs.map(function (r) { return line(r, percentiles(r.jobsPerCommit, 1)); }), percent, valueAxis('jobs', true));
  }

  function drawBars(id, name, pick) {
    var strategies = [];
    d.runs.forEach(function (r) { if (strategies.indexOf(r.strategy) < 0) { strategies.push(r.strategy); } });
    var modes = ['static', 'dynamic'].filter(function (m) { return d.runs.some(function (r) { return r.mode === m; }); });
    var series = modes.map(function (m) {
      return {
        type: 'bar', name: m, label: { show: true, position: 'top', formatter: function (p) { return num(p.value); } },
        data: strategies.map(function (s) {
          var run = d.runs.filter(function (r) { return r.mode === m && r.strategy === s; })[0];
          return run ? pick(run.result) : null;
        })
      };
    });
    draw(id, series, { type: 'category', data: strategies }, valueAxis(name));
  }

  function figures() {
    var keys = [];
    d.runs.forEach(function (r) { Object.keys(r.result).forEach(function (k) { if (keys.indexOf(k) < 0) { keys.push(k); } }); });
    var header = '<tr><th></th>' + d.runs.map(function (r) { return '<th>' + esc(r.strategy + ' ' + r.mode) + '</th>'; }).join('') + '</tr>';
    var rows = keys.filter(function (k) { return k !== 'strategy' && k !== 'mode'; }).map(function (k) {
      return '<tr><td>' + esc(k) + '</td>' + d.runs.map(function (r) {
        var v = r.result[k];
        return typeof v === 'number' ? '<td class="num">' + num(v) + '</td>' : '<td>' + esc(v === undefined ? '' : v) + '</td>';
      }).join('') + '</tr>';
    }).join('');
    document.getElementById('figures').innerHTML = header + rows;
    var settings = Object.keys(d.settings).map(function (k) {
      return '<tr><td>' + esc(k) + '</td><td>' + esc(d.settings[k]) + '</td></tr>';
    }).join('');
    document.getElementById('settings').innerHTML = settings;
  }

  document.getElementById('title').textContent = 'dray queue bench: ' + d.title;
  document.getElementById('headline').textContent = d.runs.length + ' runs · started '
    + new Date(d.startedAtEpochMillis).toISOString();
  drawMode('static');
  drawMode('dynamic');
  drawBars('chart-leftover', 'jobs', function (r) { return r.leftover; });
  drawBars('chart-overall', 'jobs/s', function (r) { return r.throughput_per_s; });
  figures();
  document.body.dataset.rendered = '1';
})();
