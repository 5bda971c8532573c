// Draws a dray job report (or the live status page) from window.DRAY_DATA with Apache ECharts.
// After drawing, each chart's element carries what it drew (data-bars, data-points), so a
// headless browser's DOM dump can check the page really shows the data.
(function () {
  'use strict';
  var PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1',
    '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
    '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#aec7e8'];
  var THROTTLE_FILL = 'rgba(110, 110, 110, 0.18)';
  var charts = {};
  var body = document.body;

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'svg' });
      window.addEventListener('resize', function () { charts[id].resize(); });
    }
    return charts[id];
  }

  var esc = window.DRAY_FORMAT.esc;
  var num = window.DRAY_FORMAT.num;

  function throttleAreas(d) {
    return d.throttles.map(function (t) {
      return [{ xAxis: t.start, name: t.reason }, { xAxis: Math.max(t.end, t.start + 0.001) }];
    });
  }

  function markArea(d) {
    return {
      silent: false,
      itemStyle: { color: THROTTLE_FILL },
      label: { show: false },
      tooltip: { formatter: function (p) { return 'throttled: ' + esc(p.name); } },
      data: throttleAreas(d)
    };
  }

  function noteLines(d) {
    return {
      symbol: 'none',
      silent: false,
      lineStyle: { color: '#b00020', type: 'dashed' },
      label: { formatter: function (p) { return p.name; }, fontSize: 10, position: 'insideEndTop' },
      tooltip: { formatter: function (p) { return esc(p.name); } },
      data: d.notes.map(function (n) { return { xAxis: n.t, name: n.text }; })
    };
  }

  function groupsOf(d) {
    var names = [];
    var index = {};
    d.tasks.forEach(function (t) {
      if (!(t.group in index)) { index[t.group] = names.length; names.push(t.group); }
    });
    return { names: names, index: index };
  }

  function drawTimeline(d) {
    var groups = groupsOf(d);
    var lanes = [];
    for (var i = 0; i < d.workers; i++) { lanes.push('worker ' + i); }
    var drawn = 0;
    function renderItem(params, api) {
      var lane = api.value(0);
      var from = api.coord([api.value(1), lane]);
      var to = api.coord([api.value(2), lane]);
      var height = api.size([0, 1])[1] * 0.7;
      var shape = echarts.graphic.clipRectByRect(
        { x: from[0], y: from[1] - height / 2, width: Math.max(to[0] - from[0], 1), height: height },
        { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
      if (!shape) { return null; }
      drawn++;
      return { type: 'rect', shape: shape, style: api.style() };
    }
    var series = groups.names.map(function (name, g) {
      return {
        type: 'custom',
        name: name,
        renderItem: renderItem,
        encode: { x: [1, 2], y: 0 },
        itemStyle: { color: PALETTE[g % PALETTE.length] },
        data: d.tasks.filter(function (t) { return t.group === name; }).map(function (t) {
          return {
            value: [t.worker, t.start, t.end, t.rows, t.retries],
            task: t,
            itemStyle: t.outcome === 'failed' ? { color: '#b00020' } : undefined
          };
        })
      };
    });
    if (series.length === 0) {
      series.push({ type: 'custom', name: 'no tasks', renderItem: renderItem, data: [] });
    }
    series[0].markArea = markArea(d);
    series[0].markLine = noteLines(d);
    var c = chart('chart-timeline');
    c.setOption({
      animation: false,
      grid: { left: 80, right: 30, top: 40, bottom: 60 },
      legend: { type: 'scroll', top: 0 },
      tooltip: {
        trigger: 'item',
        formatter: function (p) {
          var t = p.data && p.data.task;
          if (!t) { return esc(p.name || ''); }
          return esc(t.label) + '<br>worker ' + t.worker + ' · ' + num(t.rows) + ' rows · '
            + num(t.end - t.start) + ' s · ' + t.retries + ' retries'
            + (t.throttledSeconds > 0 ? ' · held back ' + num(t.throttledSeconds) + ' s before' : '')
            + (t.outcome === 'ok' ? '' : ' · ' + esc(t.outcome));
        }
      },
      dataZoom: [{ type: 'slider', xAxisIndex: 0, bottom: 10, height: 18 }, { type: 'inside', xAxisIndex: 0 }],
      xAxis: { type: 'value', min: 0, max: Math.max(d.elapsedSeconds, 0.001), name: 's', axisLabel: { formatter: function (v) { return num(v); } } },
      yAxis: { type: 'category', data: lanes, inverse: true },
      series: series
    }, true);
    var el = document.getElementById('chart-timeline');
    el.dataset.bars = String(drawn);
    el.dataset.tasks = String(d.tasks.length);
    el.dataset.throttles = String(d.throttles.length);
    el.dataset.groups = String(groups.names.length);
  }

  function drawLine(id, d, points, name, step) {
    var c = chart(id);
    c.setOption({
      animation: false,
      grid: { left: 80, right: 30, top: 20, bottom: 30 },
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return num(v); } },
      xAxis: { type: 'value', min: 0, max: Math.max(d.elapsedSeconds, 0.001), name: 's', axisLabel: { formatter: function (v) { return num(v); } } },
      yAxis: { type: 'value', name: name, axisLabel: { formatter: function (v) { return num(v); } } },
      series: [{
        type: 'line', name: name, showSymbol: false, step: step ? 'end' : false,
        data: points, markArea: markArea(d), markLine: noteLines(d)
      }]
    }, true);
    document.getElementById(id).dataset.points = String(points.length);
  }

  function drawCharts(d) {
    drawTimeline(d);
    drawLine('chart-rate', d, d.samples.map(function (s) { return [s.t, s.rowsPerSecond]; }), 'rows/s', false);
    var chunk = d.samples.filter(function (s) { return s.chunkRows !== null && s.chunkRows !== undefined; });
    document.getElementById('section-chunk').hidden = chunk.length === 0;
    if (chunk.length > 0) {
      drawLine('chart-chunk', d, chunk.map(function (s) { return [s.t, s.chunkRows]; }), 'rows/chunk', true);
    }
    var lag = d.samples.filter(function (s) { return s.applyLagSeconds !== null && s.applyLagSeconds !== undefined; });
    document.getElementById('section-lag').hidden = lag.length === 0;
    if (lag.length > 0) {
      drawLine('chart-lag', d, lag.map(function (s) { return [s.t, s.applyLagSeconds]; }), 'lag s', false);
    }
  }

  function flatten(prefix, value, rows) {
    if (value === null || value === undefined) { return; }
    if (Array.isArray(value)) {
      if (value.length <= 8 && value.every(function (v) { return typeof v !== 'object' || v === null; })) {
        rows.push([prefix, value.join(', ')]);
      } else {
        rows.push([prefix, value.length + ' entries']);
      }
    } else if (typeof value === 'object') {
      Object.keys(value).forEach(function (k) { flatten(prefix ? prefix + '.' + k : k, value[k], rows); });
    } else {
      rows.push([prefix, value]);
    }
  }

  function table(id, header, rows) {
    var html = header ? '<tr>' + header.map(function (h) { return '<th>' + esc(h) + '</th>'; }).join('') + '</tr>' : '';
    html += rows.map(function (r) {
      return '<tr>' + r.map(function (v) {
        return typeof v === 'number' ? '<td class="num">' + num(v) + '</td>' : '<td>' + esc(v) + '</td>';
      }).join('') + '</tr>';
    }).join('');
    document.getElementById(id).innerHTML = html;
  }

  function drawTables(d) {
    var summary = [];
    flatten('', d.summary, summary);
    table('summary', null, summary.length ? summary : [['status', 'running']]);
    var groups = {};
    d.tasks.forEach(function (t) {
      var g = groups[t.group] || (groups[t.group] = { tasks: 0, rows: 0, busy: 0, longest: 0 });
      g.tasks++; g.rows += t.rows; g.busy += t.end - t.start; g.longest = Math.max(g.longest, t.end - t.start);
    });
    table('groups', ['table / partition', 'tasks', 'rows', 'busy s', 'longest task s'],
      Object.keys(groups).map(function (k) { var g = groups[k]; return [k, g.tasks, g.rows, g.busy, g.longest]; }));
    table('throttles', ['from s', 'to s', 'reason'], d.throttles.map(function (t) { return [t.start, t.end, t.reason]; }));
    table('notes', ['at s', 'event'], d.notes.map(function (n) { return [n.t, n.text]; }));
    var settings = [];
    flatten('', d.settings, settings);
    table('settings', null, settings);
  }

  function drawHeadline(d) {
    document.getElementById('title').textContent = 'dray ' + d.kind + ': ' + d.title;
    document.title = 'dray ' + d.kind + ' report';
    var rows = d.samples.length ? d.samples[d.samples.length - 1].rows : 0;
    rows = Math.max(rows, d.tasks.reduce(function (s, t) { return s + t.rows; }, 0));
    var throttled = d.throttles.reduce(function (s, t) { return s + (t.end - t.start); }, 0);
    var outcome = d.finished ? (d.outcome === 'ok' ? '<span class="ok">finished</span>' : '<span class="failed">failed: ' + esc(d.outcome) + '</span>') : 'running';
    document.getElementById('headline').innerHTML = outcome + ' · started ' + esc(new Date(d.startedAtEpochMillis).toISOString())
      + ' · ' + num(d.elapsedSeconds) + ' s · ' + d.tasks.length + ' tasks on ' + d.workers + ' workers · '
      + num(rows) + ' rows · throttled ' + num(throttled) + ' s';
  }

  function render(d) {
    drawHeadline(d);
    drawCharts(d);
    drawTables(d);
    body.dataset.rendered = String(Number(body.dataset.rendered || 0) + 1);
  }

  function post(path) {
    return fetch(path, { method: 'POST' }).then(function (r) { return r.json(); }).then(function (state) {
      document.getElementById('control-state').textContent = JSON.stringify(state);
      return poll();
    });
  }

  function showControls(d) {
    var state = d.controls;
    document.getElementById('control-panel').hidden = !state || d.finished;
    if (!state) { return; }
    document.getElementById('control-state').textContent = (state.paused ? 'paused' : 'running')
      + ' · chunk rows ' + (state.chunkRows === null ? '-' : state.chunkRows)
      + ' · max rows/s ' + (state.maxRowsPerSecond || 'none')
      + ' · workers ' + (state.workers === null || state.workers === undefined ? '-' : state.workers);
    var actions = document.getElementById('actions');
    if (actions.childElementCount !== state.actions.length) {
      actions.innerHTML = '';
      state.actions.forEach(function (name) {
        var b = document.createElement('button');
        b.textContent = name;
        b.addEventListener('click', function () { post(name); });
        actions.appendChild(b);
      });
    }
  }

  function poll() {
    return fetch('status').then(function (r) { return r.json(); }).then(function (d) {
      render(d);
      showControls(d);
      if (d.finished) { clearInterval(timer); }
    }).catch(function () { /* the job ended and the server went away */ });
  }

  render(window.DRAY_DATA);
  var timer;
  if (body.dataset.mode === 'live') {
    showControls(window.DRAY_DATA);
    document.getElementById('btn-throttle').addEventListener('click', function () { post('throttle'); });
    document.getElementById('btn-unthrottle').addEventListener('click', function () { post('unthrottle'); });
    document.getElementById('btn-chunk').addEventListener('click', function () {
      post('chunk-size?rows=' + encodeURIComponent(document.getElementById('in-chunk').value));
    });
    document.getElementById('btn-rate').addEventListener('click', function () {
      post('max-rows-per-second?n=' + encodeURIComponent(document.getElementById('in-rate').value));
    });
    document.getElementById('btn-workers').addEventListener('click', function () {
      post('workers?n=' + encodeURIComponent(document.getElementById('in-workers').value));
    });
    timer = setInterval(poll, 1000);
  }
})();
