// imgslim report: treemaps and the layer browser, drawn from the JSON island `#data`.
// No network, no libraries. `#selftest` in the URL checks the page and writes the result into
// `#selftest-result` (the browser test reads it).
(function () {
  'use strict';
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message || e)); });
  var started = performance.now();
  var data = JSON.parse(document.getElementById('data').textContent);
  var categories = data.categories || [];
  var PALETTE = ['#e4572e', '#f3a712', '#76b041', '#17bebb', '#8e6c8a', '#db2b39', '#c9a227', '#5c80bc', '#b5838d', '#6d597a', '#ff8c61', '#4d9078'];
  var NEUTRAL = { d: '#c5d1de', f: '#9fb3c8', l: '#d9e2ec', o: '#e4e7eb' };

  function human(b) {
    var units = ['B', 'kB', 'MB', 'GB', 'TB'];
    var i = 0;
    while (b >= 1000 && i < units.length - 1) { b /= 1000; i++; }
    // as the text reports write sizes: decimal units, one decimal below 100
    return (i === 0 ? String(b) : b.toFixed(b >= 100 ? 0 : 1)) + ' ' + units[i];
  }

  function load(rows) {
    var nodes = rows.map(function (r) {
      return { parent: r[0], name: r[1], bytes: r[2], files: r[3], cat: r[4], layer: r[5], kind: r[6], children: [], byCat: null, byLayer: null };
    });
    nodes.forEach(function (n, i) { if (n.parent >= 0) nodes[n.parent].children.push(i); });
    // the category and layer holding most of each directory's bytes, bottom-up (children follow parents)
    for (var i = nodes.length - 1; i >= 0; i--) {
      var n = nodes[i];
      if (!n.byCat) { n.byCat = {}; n.byLayer = {}; }
      if (n.kind !== 'd') {
        if (n.cat >= 0) n.byCat[n.cat] = (n.byCat[n.cat] || 0) + n.bytes;
        if (n.layer >= 0) n.byLayer[n.layer] = (n.byLayer[n.layer] || 0) + n.bytes;
      }
      if (n.parent >= 0) {
        var p = nodes[n.parent];
        if (!p.byCat) { p.byCat = {}; p.byLayer = {}; }
        Object.keys(n.byCat).forEach(function (k) { p.byCat[k] = (p.byCat[k] || 0) + n.byCat[k]; });
        Object.keys(n.byLayer).forEach(function (k) { p.byLayer[k] = (p.byLayer[k] || 0) + n.byLayer[k]; });
      }
    }
    nodes.forEach(function (n) { n.children.sort(function (a, b) { return nodes[b].bytes - nodes[a].bytes; }); });
    return nodes;
  }

  function pathOf(nodes, i) {
    var parts = [];
    while (i > 0) { parts.push(nodes[i].name); i = nodes[i].parent; }
    return '/' + parts.reverse().join('/');
  }

  function dominant(map, total) {
    var best = null, bytes = 0;
    Object.keys(map).forEach(function (k) { if (map[k] > bytes) { best = k; bytes = map[k]; } });
    return best !== null && bytes * 2 >= total ? Number(best) : -1;
  }

  function colourOf(view, n) {
    if (view.colour === 'layer') {
      var l = n.kind === 'd' ? dominant(n.byLayer, n.bytes) : n.layer;
      return l < 0 ? NEUTRAL.o : 'hsl(' + ((l * 67) % 360) + ',55%,66%)';
    }
    var c = n.kind === 'd' ? dominant(n.byCat, n.bytes) : n.cat;
    return c >= 0 ? PALETTE[c % PALETTE.length] : (NEUTRAL[n.kind] || NEUTRAL.f);
  }

  // squarified treemap (Bruls, Huizing, van Wijk): items [{i, v}] largest first
  function worst(row, side, scale) {
    var sum = 0, max = 0, min = Infinity;
    row.forEach(function (r) { var a = r.v * scale; sum += a; max = Math.max(max, a); min = Math.min(min, a); });
    var s2 = sum * sum, w2 = side * side;
    return Math.max(w2 * max / s2, s2 / (w2 * min));
  }
  function place(row, rect, scale, out) {
    var area = row.reduce(function (a, r) { return a + r.v * scale; }, 0);
    if (rect.w >= rect.h) {
      var cw = area / rect.h, y = rect.y;
      row.forEach(function (r) { var h = r.v * scale / cw; out.push({ i: r.i, x: rect.x, y: y, w: cw, h: h }); y += h; });
      return { x: rect.x + cw, y: rect.y, w: rect.w - cw, h: rect.h };
    }
    var rh = area / rect.w, x = rect.x;
    row.forEach(function (r) { var w = r.v * scale / rh; out.push({ i: r.i, x: x, y: rect.y, w: w, h: rh }); x += w; });
    return { x: rect.x, y: rect.y + rh, w: rect.w, h: rect.h - rh };
  }
  function squarify(items, rect) {
    var out = [];
    var total = items.reduce(function (a, r) { return a + r.v; }, 0);
    if (!total || rect.w <= 0 || rect.h <= 0) return out;
    var scale = rect.w * rect.h / total, row = [], k = 0;
    while (k < items.length) {
      var side = Math.min(rect.w, rect.h);
      if (!row.length || worst(row.concat([items[k]]), side, scale) <= worst(row, side, scale)) { row.push(items[k]); k++; }
      else { rect = place(row, rect, scale, out); row = []; }
    }
    if (row.length) place(row, rect, scale, out);
    return out;
  }

  var views = {};
  function cell(view, i, r, depth) {
    var n = view.nodes[i];
    var el = document.createElement('div');
    var base = n.kind === 'o' ? pathOf(view.nodes, n.parent) : '';
    var path = n.kind === 'o' ? (base === '/' ? '' : base) + '/' + n.name : pathOf(view.nodes, i);
    el.className = 'cell' + (n.kind === 'd' ? ' dir' : '') + ' depth' + depth;
    el.style.left = r.x + 'px'; el.style.top = r.y + 'px';
    el.style.width = Math.max(0, r.w) + 'px'; el.style.height = Math.max(0, r.h) + 'px';
    el.style.background = colourOf(view, n);
    el.setAttribute('data-path', path);
    el.setAttribute('data-bytes', String(n.bytes));
    el.setAttribute('data-node', String(i));
    var what = n.cat >= 0 ? ' · ' + categories[n.cat] : '';
    el.title = path + ' · ' + human(n.bytes) + (n.kind === 'd' || n.kind === 'o' ? ' · ' + n.files + ' files' : '') + what;
    if (r.w > 36 && r.h > 13) {
      var label = document.createElement('span');
      label.className = 'label';
      label.textContent = n.name + ' ' + human(n.bytes);
      el.appendChild(label);
    }
    return el;
  }

  function draw(id) {
    var view = views[id];
    var box = document.getElementById('treemap-' + id);
    box.textContent = '';
    var W = box.clientWidth || 800, H = box.clientHeight || 480;
    var cur = view.nodes[view.current];
    var items = cur.children.filter(function (c) { return view.nodes[c].bytes > 0; }).map(function (c) { return { i: c, v: view.nodes[c].bytes }; });
    // three levels: each directory cell holds its children while there is room for them
    function fill(parent, i, rect, depth) {
      var items = view.nodes[i].children.filter(function (c) { return view.nodes[c].bytes > 0; }).map(function (c) { return { i: c, v: view.nodes[c].bytes }; });
      squarify(items, rect).forEach(function (r) {
        var el = cell(view, r.i, r, depth);
        parent.appendChild(el);
        if (depth < 3 && view.nodes[r.i].kind === 'd' && r.w > 30 && r.h > 30) fill(el, r.i, { x: 2, y: 15, w: r.w - 6, h: r.h - 19 }, depth + 1);
      });
    }
    fill(box, view.current, { x: 0, y: 0, w: W, h: H }, 1);
    var legend = document.getElementById('legend-' + id);
    if (legend) {
      legend.textContent = '';
      var root = view.nodes[view.current];
      var keys = Object.keys(view.colour === 'layer' ? root.byLayer : root.byCat);
      keys.sort(function (a, b) { var m = view.colour === 'layer' ? root.byLayer : root.byCat; return m[b] - m[a]; });
      keys.slice(0, 12).forEach(function (k) {
        var span = document.createElement('span');
        var m = view.colour === 'layer' ? root.byLayer : root.byCat;
        span.style.setProperty('--c', view.colour === 'layer' ? 'hsl(' + ((k * 67) % 360) + ',55%,66%)' : PALETTE[k % PALETTE.length]);
        span.textContent = (view.colour === 'layer' ? 'layer ' + k : categories[k]) + ' ' + human(m[k]);
        legend.appendChild(span);
      });
    }
    // the path above as buttons
    var crumbs = document.getElementById('crumbs-' + id);
    crumbs.textContent = '';
    var chain = [], k = view.current;
    while (true) { chain.unshift(k); if (k === 0) break; k = view.nodes[k].parent; }
    chain.forEach(function (c) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = c === 0 ? '/' : view.nodes[c].name + '/';
      b.setAttribute('data-node', String(c));
      b.addEventListener('click', function () { view.current = c; draw(id); });
      crumbs.appendChild(b);
    });
    crumbs.setAttribute('data-path', pathOf(view.nodes, view.current));
  }

  function zoom(id, node) {
    var view = views[id];
    // zoom to the directory clicked, or to the one holding the file clicked
    while (node > 0 && view.nodes[node].kind !== 'd') node = view.nodes[node].parent;
    if (node >= 0 && view.nodes[node].children.length) { view.current = node; draw(id); }
  }

  Object.keys(data.trees || {}).forEach(function (id) {
    views[id] = { nodes: load(data.trees[id]), current: 0, colour: 'category' };
    var box = document.getElementById('treemap-' + id);
    box.addEventListener('click', function (e) {
      var el = e.target.closest('.cell');
      if (el) zoom(id, Number(el.getAttribute('data-node')));
    });
    draw(id);
  });
  document.querySelectorAll('button[data-colour]').forEach(function (b) {
    b.addEventListener('click', function () {
      var id = b.getAttribute('data-for');
      views[id].colour = b.getAttribute('data-colour');
      document.querySelectorAll('button[data-for="' + id + '"]').forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
      draw(id);
    });
  });
  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { Object.keys(views).forEach(draw); }, 100);
  });

  // the layer browser
  var layers = data.layers || [];
  function showLayer(i) {
    var l = layers[i];
    var box = document.getElementById('layer-files');
    if (!l || !box) return;
    document.querySelectorAll('tr[data-layer]').forEach(function (tr) { tr.classList.toggle('selected', Number(tr.getAttribute('data-layer')) === i); });
    var c = l.changes;
    var html = '<h3>Layer ' + i + '</h3><p>added ' + c.added_files + ' files (' + human(c.added_bytes) + '), modified ' + c.modified_files +
      ' (' + human(c.modified_bytes) + '), removed ' + c.removed_files + ' (' + human(c.removed_bytes) + ')' +
      (l.files.length < c.added_files + c.modified_files + c.removed_files ? '; the ' + l.files.length + ' largest:' : '') + '</p>';
    box.innerHTML = html;
    var table = document.createElement('table');
    table.innerHTML = '<thead><tr><th></th><th>size</th><th>path</th></tr></thead>';
    var body = document.createElement('tbody');
    l.files.forEach(function (f) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-path', f[1]);
      tr.setAttribute('data-bytes', String(f[2]));
      tr.setAttribute('data-change', f[0]);
      var m = document.createElement('td'); m.textContent = f[0];
      var s = document.createElement('td'); s.className = 'n'; s.textContent = human(f[2]);
      var p = document.createElement('td'); p.className = 'path'; p.textContent = f[1];
      tr.appendChild(m); tr.appendChild(s); tr.appendChild(p);
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
  }
  document.querySelectorAll('tr[data-layer]').forEach(function (tr) {
    var i = Number(tr.getAttribute('data-layer'));
    tr.addEventListener('click', function (e) { if (!e.target.closest('a')) showLayer(i); });
    tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); showLayer(i); } });
  });
  var rendered = performance.now() - started;

  if (location.hash === '#selftest') {
    var result = { errors: errors, render_ms: rendered, trees: {}, layer: null, zoom: null };
    Object.keys(views).forEach(function (id) {
      var cells = document.querySelectorAll('#treemap-' + id + ' .cell');
      var top = document.querySelectorAll('#treemap-' + id + ' .cell.depth1');
      var sum = 0;
      top.forEach(function (c) { sum += Number(c.getAttribute('data-bytes')); });
      result.trees[id] = {
        cells: cells.length, top_cells: top.length, top_bytes: sum, root_bytes: views[id].nodes[0].bytes,
        sample: Array.prototype.slice.call(top, 0, 8).map(function (c) { return [c.getAttribute('data-path'), Number(c.getAttribute('data-bytes'))]; })
      };
    });
    var rows = document.querySelectorAll('tr[data-layer]');
    if (rows.length) {
      var most = 0;
      layers.forEach(function (l, i) { if (l.files.length > layers[most].files.length) most = i; });
      rows[most].click();
      var listed = document.querySelectorAll('#layer-files tr[data-path]');
      result.layer = { index: most, rows: listed.length, selected: document.querySelectorAll('tr[data-layer].selected').length,
        first: listed.length ? [listed[0].getAttribute('data-change'), listed[0].getAttribute('data-path'), Number(listed[0].getAttribute('data-bytes'))] : null };
    }
    var ids = Object.keys(views);
    if (ids.length) {
      var dir = document.querySelector('#treemap-' + ids[0] + ' .cell.dir.depth1');
      if (dir) {
        dir.click();
        result.zoom = { clicked: dir.getAttribute('data-path'), now: document.getElementById('crumbs-' + ids[0]).getAttribute('data-path'),
          cells: document.querySelectorAll('#treemap-' + ids[0] + ' .cell').length };
      }
    }
    result.errors = errors;
    var out = document.getElementById('selftest-result');
    out.textContent = JSON.stringify(result);
    out.hidden = false;
  }
})();
