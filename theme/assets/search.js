/* greenroom search: the header box (results as you type) and the full results page.
 *
 * The index is split into small files written by src/search/mod.rs; each is a script calling
 * __greenroomSearch(name, data), so it loads from file:// as well as from a server. A query
 * loads the manifest, the term shards its words fall in, and the display chunks of the hits it
 * shows. Text reaches the page only through textContent and text nodes.
 *
 * Query analysis mirrors src/search/analyze.rs: change both together. */
(function () {
  'use strict';

  var form = document.querySelector('form.site-search');
  var input = document.getElementById('site-search-input');
  if (!form || !input) return;
  var indexBase = form.getAttribute('data-search-index') || 'search/';
  var searchPage = form.getAttribute('data-search-page') || 'search/index.html';
  var rootPrefix = indexBase.replace(/search\/$/, '');

  /* ------------------------------------------------------------------ loading */

  var loaded = {};
  var pending = {};

  window.__greenroomSearch = function (name, data) {
    loaded[name] = data;
  };

  function load(name, path) {
    if (loaded[name]) return Promise.resolve(loaded[name]);
    if (pending[name]) return pending[name];
    pending[name] = new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = indexBase + path;
      script.async = true;
      script.onload = function () {
        script.remove();
        if (loaded[name]) resolve(loaded[name]);
        else reject(new Error('search index file ' + path + ' did not load'));
      };
      script.onerror = function () {
        script.remove();
        delete pending[name];
        reject(new Error('search index file ' + path + ' is missing'));
      };
      document.head.appendChild(script);
    });
    return pending[name];
  }

  var manifest = null;
  function loadManifest() {
    return load('manifest', 'manifest.js').then(function (data) {
      if (!manifest) {
        manifest = data;
        manifest.stopSet = {};
        data.stop.forEach(function (word) { manifest.stopSet[word] = true; });
      }
      return manifest;
    });
  }

  /* ------------------------------------------------------------------ analysis */

  var SEPARATOR = /[^\p{Alphabetic}\p{N}_.]+/u;

  function words(text) {
    return text.split(SEPARATOR)
      .map(function (w) { return w.replace(/^\.+|\.+$/g, ''); })
      .filter(function (w) { return w.length > 0; })
      .map(function (w) { return w.toLowerCase(); });
  }

  function foldPlural(term) {
    var chars = Array.from(term).length;
    if (chars > 4 && term.endsWith('ies')) return term.slice(0, -3) + 'y';
    if (term.endsWith('sses')) return term.slice(0, -2);
    if (chars > 3 && term.endsWith('s') && !term.endsWith('ss') && !term.endsWith('us') &&
        !term.endsWith('is')) return term.slice(0, -1);
    return term;
  }

  /* Query words: raw (for highlighting) and as index terms. */
  function analyse(query) {
    var raw = words(query);
    var terms = [];
    raw.forEach(function (w) {
      if (manifest.stopSet[w]) return;
      var t = foldPlural(w);
      if (terms.indexOf(t) < 0) terms.push(t);
    });
    return { raw: raw, terms: terms };
  }

  /* ------------------------------------------------------------------ matching */

  var shardKeys = {};

  function shardOf(term) {
    var shards = manifest.shards;
    var lo = 0, hi = shards.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (shards[mid] <= term) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  /* Shards holding the term and, when it is long enough to expand, the words it starts. */
  var MAX_EXPANSION_SHARDS = 3;
  function shardsFor(term) {
    var first = shardOf(term);
    if (term.length < 2) return [first];
    var last = shardOf(term + '\uffff');
    if (last - first + 1 > MAX_EXPANSION_SHARDS) last = first;
    var list = [];
    for (var i = first; i <= last; i++) list.push(i);
    return list;
  }

  function keysOf(n) {
    if (!shardKeys[n]) shardKeys[n] = Object.keys(loaded['t' + n]).sort();
    return shardKeys[n];
  }

  function lowerBound(keys, term) {
    var lo = 0, hi = keys.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (keys[mid] < term) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /* Scores of one query term: the best match per document (the exact word, else the heaviest
   * word it starts). */
  function termScores(term, shards) {
    var scores = new Map();
    var total = manifest.documents;
    shards.forEach(function (n) {
      var data = loaded['t' + n];
      var keys = keysOf(n);
      for (var i = lowerBound(keys, term); i < keys.length; i++) {
        var key = keys[i];
        if (key !== term && (term.length < 2 || key.indexOf(term) !== 0)) break;
        var factor = key === term ? 1 : 0.35 + 0.4 * term.length / key.length;
        var list = data[key];
        var idf = 1 + Math.log(total / (list[0] + 1));
        var doc = 0;
        for (var p = 1; p < list.length; p += 2) {
          doc += list[p];
          var s = factor * idf * list[p + 1] / 100;
          var old = scores.get(doc);
          if (old === undefined || s > old) scores.set(doc, s);
        }
      }
    });
    return scores;
  }

  /* All hits of a query, best first: [{doc, score}]. */
  function search(query) {
    return loadManifest().then(function () {
      var analysed = analyse(query);
      if (!analysed.terms.length) return { hits: [], raw: analysed.raw };
      var wanted = analysed.terms.map(shardsFor);
      var loads = [];
      wanted.forEach(function (list) {
        list.forEach(function (n) { loads.push(load('t' + n, 't/' + n + '.js')); });
      });
      return Promise.all(loads).then(function () {
        var sum = new Map();
        var matched = new Map();
        analysed.terms.forEach(function (term, i) {
          termScores(term, wanted[i]).forEach(function (s, doc) {
            sum.set(doc, (sum.get(doc) || 0) + s);
            matched.set(doc, (matched.get(doc) || 0) + 1);
          });
        });
        var count = analysed.terms.length;
        var hits = [];
        sum.forEach(function (s, doc) {
          var coord = matched.get(doc) / count;
          hits.push({ doc: doc, score: s * coord * coord });
        });
        hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
        return { hits: hits, raw: analysed.raw };
      });
    });
  }

  /* Display records for hits: [title, href, kind, owner, context, text, fromDocs]. */
  function records(hits) {
    var chunk = manifest.chunk;
    var loads = [];
    var seen = {};
    hits.forEach(function (hit) {
      var n = Math.floor(hit.doc / chunk);
      if (!seen[n]) { seen[n] = true; loads.push(load('d' + n, 'd/' + n + '.js')); }
    });
    return Promise.all(loads).then(function () {
      return hits.map(function (hit) {
        var r = loaded['d' + Math.floor(hit.doc / chunk)][hit.doc % chunk];
        return {
          doc: hit.doc, title: r[0], href: r[1], kind: r[2], owner: r[3], context: r[4],
          text: r[5], fromDocs: r[6] === 1
        };
      });
    });
  }

  /* ------------------------------------------------------------------ drawing */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  /* Appends text to node with the words that start with a query word in <mark>. */
  var WORD = /[\p{Alphabetic}\p{N}_]+/gu;
  function highlighted(node, text, raw) {
    var last = 0;
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      var lower = match[0].toLowerCase();
      var hit = raw.some(function (w) {
        var bare = w.replace(/\./g, '');
        return bare.length > 0 && (lower.indexOf(bare) === 0 || lower === foldPlural(bare));
      });
      if (!hit) continue;
      if (match.index > last) node.appendChild(document.createTextNode(text.slice(last, match.index)));
      node.appendChild(el('mark', null, match[0]));
      last = match.index + match[0].length;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
    return node;
  }

  /* The part of a text around its first matching word. */
  function excerpt(text, raw, size) {
    if (text.length <= size) return text;
    var lower = text.toLowerCase();
    var at = -1;
    raw.forEach(function (w) {
      var i = lower.indexOf(w);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    var start = Math.max(0, at - Math.floor(size / 3));
    if (at < 0 || start === 0) return text.slice(0, size).replace(/\s+\S*$/, '') + '…';
    var cut = text.slice(start, start + size);
    cut = cut.replace(/^\S*\s+/, '').replace(/\s+\S*$/, '');
    return '…' + cut + '…';
  }

  var KIND_NAMES = {
    component: 'Component', api: 'API', resource: 'Resource', system: 'System',
    domain: 'Domain', group: 'Group', user: 'User', location: 'Location', template: 'Template'
  };
  function kindName(kind) { return KIND_NAMES[kind] || kind; }

  function hitBody(node, record, raw, snippetSize) {
    var head = el('span', 'search-hit-head');
    var badge = record.fromDocs ? el('span', 'badge kind badge-docs', 'Docs')
      : el('span', 'badge kind kind-' + record.kind, kindName(record.kind));
    head.appendChild(badge);
    head.appendChild(highlighted(el('span', 'search-hit-title'), record.title, raw));
    node.appendChild(head);
    var meta = el('span', 'search-hit-meta');
    meta.appendChild(document.createTextNode(record.context));
    if (record.owner) {
      meta.appendChild(el('span', 'search-hit-sep', ' · '));
      meta.appendChild(document.createTextNode('owner ' + record.owner));
    }
    node.appendChild(meta);
    if (record.text) {
      node.appendChild(highlighted(el('span', 'search-hit-text'),
        excerpt(record.text, raw, snippetSize), raw));
    }
    return node;
  }

  function pageUrl(query, params) {
    var parts = ['q=' + encodeURIComponent(query)];
    (params || []).forEach(function (p) {
      parts.push(encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]));
    });
    return searchPage + '?' + parts.join('&');
  }

  /* ------------------------------------------------------------------ the header box */

  var SHOWN = 8;
  var panel = el('div', 'search-panel');
  panel.id = 'search-panel';
  panel.setAttribute('role', 'listbox');
  panel.setAttribute('aria-label', 'Search results');
  panel.hidden = true;
  form.appendChild(panel);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'search-panel');
  input.setAttribute('aria-expanded', 'false');

  var options = [];
  var active = -1;
  var generation = 0;

  function open(isOpen) {
    panel.hidden = !isOpen;
    input.setAttribute('aria-expanded', isOpen ? 'true' : 'false');
  }

  function setActive(index) {
    if (active >= 0 && options[active]) options[active].classList.remove('active');
    active = index;
    if (active >= 0 && options[active]) {
      options[active].classList.add('active');
      input.setAttribute('aria-activedescendant', options[active].id);
      options[active].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function showMessage(text) {
    panel.textContent = '';
    options = [];
    active = -1;
    panel.appendChild(el('p', 'search-panel-message', text));
    open(true);
  }

  function update() {
    var query = input.value.trim();
    var mine = ++generation;
    if (!query) { open(false); panel.textContent = ''; options = []; active = -1; return; }
    search(query).then(function (result) {
      if (mine !== generation) return null;
      var top = result.hits.slice(0, SHOWN);
      return records(top).then(function (list) {
        if (mine !== generation) return;
        panel.textContent = '';
        options = [];
        active = -1;
        panel.setAttribute('data-query', query);
        if (!list.length) { showMessage('No results for “' + query + '”'); return; }
        list.forEach(function (record, i) {
          var a = el('a', 'search-hit');
          a.id = 'search-option-' + i;
          a.setAttribute('role', 'option');
          a.href = rootPrefix + record.href;
          hitBody(a, record, result.raw, 140);
          a.addEventListener('mousemove', function () { if (active !== i) setActive(i); });
          panel.appendChild(a);
          options.push(a);
        });
        var all = el('a', 'search-all',
          'See all ' + result.hits.length + ' result' + (result.hits.length === 1 ? '' : 's') + ' →');
        all.href = pageUrl(query);
        all.id = 'search-option-all';
        all.setAttribute('role', 'option');
        panel.appendChild(all);
        options.push(all);
        open(true);
      });
    }).catch(function (error) {
      if (mine === generation) showMessage('Search is unavailable: ' + error.message);
    });
  }

  input.addEventListener('input', update);
  function reopen() {
    if (input.value.trim() && options.length) open(true);
  }
  input.addEventListener('focus', function () {
    loadManifest().catch(function () { /* reported when a query runs */ });
    reopen();
  });
  input.addEventListener('click', reopen);
  input.addEventListener('keydown', function (event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (panel.hidden) {
        event.preventDefault();
        if (options.length) { open(true); setActive(0); } else if (input.value.trim()) update();
        return;
      }
      event.preventDefault();
      if (!options.length) return;
      var step = event.key === 'ArrowDown' ? 1 : -1;
      var next = active + step;
      if (next < -1) next = options.length - 1;
      if (next >= options.length) next = -1;
      setActive(next);
    } else if (event.key === 'Escape') {
      if (!panel.hidden) { open(false); setActive(-1); }
      else if (input.value) { input.value = ''; update(); }
      else input.blur();
      event.preventDefault();
    }
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (active >= 0 && options[active]) { window.location.href = options[active].href; return; }
    var query = input.value.trim();
    if (query) window.location.href = pageUrl(query);
  });
  document.addEventListener('mousedown', function (event) {
    if (!form.contains(event.target)) open(false);
  });
  document.addEventListener('keydown', function (event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' ||
        t.isContentEditable)) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  /* ------------------------------------------------------------------ the results page */

  var pageInput = document.getElementById('search-page-input');
  var layout = document.getElementById('search-layout');
  if (!pageInput || !layout) return;
  var facetsEl = document.getElementById('search-facets');
  var countEl = document.getElementById('search-count');
  var hitsEl = document.getElementById('search-hits');
  var moreButton = document.getElementById('search-more');
  var PAGE = 20;
  var FACETS = [
    { key: 'source', name: 'Found in' },
    { key: 'kind', name: 'Kind' },
    { key: 'type', name: 'Type' },
    { key: 'owner', name: 'Owner' }
  ];
  var params = new URLSearchParams(window.location.search);
  var chosen = {};
  FACETS.forEach(function (f) { chosen[f.key] = params.getAll(f.key); });
  pageInput.value = params.get('q') || '';
  layout.hidden = false;
  var pageGeneration = 0;
  var shownCount = PAGE;
  var current = [];
  var currentRaw = [];

  function loadFacets() {
    return load('facets', 'facets.js');
  }

  /* Facet values of a hit: its entity is the last one starting at or before it. */
  function describe(hits, table) {
    var ents = table.entities;
    var count = ents.length / 4;
    return hits.map(function (hit) {
      var lo = 0, hi = count - 1, e = 0;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (ents[mid * 4] <= hit.doc) { e = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return {
        doc: hit.doc,
        score: hit.score,
        source: ents[e * 4] === hit.doc ? 'catalog' : 'docs',
        kind: table.kinds[ents[e * 4 + 1]],
        type: table.types[ents[e * 4 + 2]],
        owner: table.owners[ents[e * 4 + 3]]
      };
    });
  }

  function passes(hit, except) {
    return FACETS.every(function (f) {
      if (f.key === except || !chosen[f.key].length) return true;
      return chosen[f.key].indexOf(hit[f.key]) >= 0;
    });
  }

  function facetLabel(key, value) {
    if (key === 'kind') return kindName(value);
    if (key === 'source') return value === 'docs' ? 'Documentation' : 'Catalog';
    return value || '(none)';
  }

  function syncUrl() {
    var extra = [];
    FACETS.forEach(function (f) {
      chosen[f.key].forEach(function (v) { extra.push([f.key, v]); });
    });
    var query = pageInput.value.trim();
    var url = '?' + pageUrl(query, extra).split('?')[1];
    if (url !== window.location.search) window.history.replaceState(null, '', url);
    document.title = (query ? query + ' · ' : '') + 'Search';
  }

  function drawFacets(described) {
    facetsEl.textContent = '';
    FACETS.forEach(function (f) {
      var counts = new Map();
      described.forEach(function (hit) {
        if (passes(hit, f.key)) counts.set(hit[f.key], (counts.get(hit[f.key]) || 0) + 1);
      });
      chosen[f.key].forEach(function (v) { if (!counts.has(v)) counts.set(v, 0); });
      if (!counts.size) return;
      var values = Array.from(counts.keys()).sort(function (a, b) {
        return counts.get(b) - counts.get(a) || (a < b ? -1 : a > b ? 1 : 0);
      });
      var group = el('fieldset', 'search-facet');
      group.setAttribute('data-facet', f.key);
      group.appendChild(el('legend', null, f.name));
      values.slice(0, 12).concat(values.slice(12).filter(function (v) {
        return chosen[f.key].indexOf(v) >= 0;
      })).forEach(function (value) {
        var label = el('label', 'search-facet-value');
        var box = document.createElement('input');
        box.type = 'checkbox';
        box.value = value;
        box.checked = chosen[f.key].indexOf(value) >= 0;
        box.addEventListener('change', function () {
          var list = chosen[f.key];
          var at = list.indexOf(value);
          if (box.checked && at < 0) list.push(value);
          if (!box.checked && at >= 0) list.splice(at, 1);
          shownCount = PAGE;
          syncUrl();
          redraw();
        });
        label.appendChild(box);
        label.appendChild(el('span', 'search-facet-label', facetLabel(f.key, value)));
        label.appendChild(el('span', 'count', String(counts.get(value))));
        group.appendChild(label);
      });
      facetsEl.appendChild(group);
    });
  }

  function redraw() {
    var mine = ++pageGeneration;
    var visible = current.filter(function (hit) { return passes(hit, null); });
    drawFacets(current);
    var query = pageInput.value.trim();
    countEl.textContent = !query ? 'Type to search entities and documentation.'
      : visible.length + ' result' + (visible.length === 1 ? '' : 's') + ' for “' + query + '”';
    var page = visible.slice(0, shownCount);
    return records(page).then(function (list) {
      if (mine !== pageGeneration) return;
      hitsEl.textContent = '';
      list.forEach(function (record) {
        var li = el('li', 'search-result');
        var a = el('a', 'search-hit');
        a.href = rootPrefix + record.href;
        hitBody(a, record, currentRaw, 260);
        li.appendChild(a);
        hitsEl.appendChild(li);
      });
      moreButton.hidden = visible.length <= shownCount;
    });
  }

  function runPage() {
    var query = pageInput.value.trim();
    var mine = ++pageGeneration;
    syncUrl();
    if (!query) { current = []; currentRaw = []; return redraw(); }
    return Promise.all([search(query), loadFacets()]).then(function (both) {
      if (mine !== pageGeneration) return null;
      currentRaw = both[0].raw;
      current = describe(both[0].hits, both[1]);
      return redraw();
    }).catch(function (error) {
      countEl.textContent = 'Search is unavailable: ' + error.message;
    });
  }

  var timer = null;
  pageInput.addEventListener('input', function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; shownCount = PAGE; runPage(); }, 60);
  });
  document.getElementById('search-page-form').addEventListener('submit', function (event) {
    event.preventDefault();
    shownCount = PAGE;
    runPage();
  });
  moreButton.addEventListener('click', function () { shownCount += PAGE; redraw(); });
  runPage();
  if (!pageInput.value) pageInput.focus();
})();
