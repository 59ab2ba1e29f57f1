/* greenroom: theme toggle and instant catalog filtering (search lives in search.js).
 * Loaded in <head> without defer so the stored theme applies before first paint; everything
 * else waits for the DOM. Pages work without it. No innerHTML: user text goes in textContent. */
(function () {
  'use strict';

  var THEME_KEY = 'greenroom-theme';
  var root = document.documentElement;

  /* ---------------------------------------------------------------- theme */

  function storedTheme() {
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return value === 'light' || value === 'dark' ? value : null;
    } catch (e) {
      return null;
    }
  }

  var initial = storedTheme();
  if (initial) root.setAttribute('data-theme', initial);

  var darkQuery = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function effectiveTheme() {
    var chosen = root.getAttribute('data-theme');
    if (chosen === 'light' || chosen === 'dark') return chosen;
    return darkQuery && darkQuery.matches ? 'dark' : 'light';
  }

  function initThemeToggle() {
    var button = document.querySelector('.theme-toggle');
    if (!button) return;
    function label() {
      var next = effectiveTheme() === 'dark' ? 'light' : 'dark';
      var text = 'Switch to ' + next + ' theme';
      button.setAttribute('aria-label', text);
      button.setAttribute('title', text);
    }
    button.addEventListener('click', function () {
      var next = effectiveTheme() === 'dark' ? 'light' : 'dark';
      root.setAttribute('data-theme', next);
      try { window.localStorage.setItem(THEME_KEY, next); } catch (e) { /* private mode */ }
      label();
    });
    if (darkQuery) {
      var onChange = function () { label(); };
      if (darkQuery.addEventListener) darkQuery.addEventListener('change', onChange);
      else if (darkQuery.addListener) darkQuery.addListener(onChange);
    }
    label();
    button.hidden = false;
  }

  /* ---------------------------------------------------------------- catalog filters */

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () { timer = null; fn(); }, ms);
    };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var name in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, name)) node.setAttribute(name, attrs[name]);
      }
    }
    if (text != null) node.textContent = text;
    return node;
  }

  function plural(n, one, many) { return n === 1 ? one : many; }

  function initCatalog() {
    var table = document.getElementById('catalog-table');
    var filtersEl = document.getElementById('catalog-filters');
    var countEl = document.getElementById('catalog-count');
    var emptyEl = document.getElementById('catalog-empty');
    var input = document.getElementById('catalog-filter');
    if (!table || !countEl) return;
    if (input && input.form) input.form.hidden = false;

    var trs = table.tBodies[0] ? table.tBodies[0].rows : [];
    var total = trs.length;

    /* Facets, read from the no-JavaScript link lists. */
    var facets = [];
    var facetEls = filtersEl ? filtersEl.querySelectorAll('[data-facet]') : [];
    for (var f = 0; f < facetEls.length; f++) {
      var facetEl = facetEls[f];
      var key = facetEl.getAttribute('data-facet');
      var links = facetEl.querySelectorAll('a[data-value]');
      var values = [];
      for (var v = 0; v < links.length; v++) {
        values.push({
          value: links[v].getAttribute('data-value'),
          label: links[v].getAttribute('data-label') || links[v].textContent,
          count: links[v].getAttribute('data-count') || ''
        });
      }
      /* A row carries data-<key> (one value) or data-<key>s (a space-separated list). */
      var attr = 'data-' + key;
      var multi = false;
      if (total && !trs[0].hasAttribute(attr) && trs[0].hasAttribute(attr + 's')) {
        attr += 's';
        multi = true;
      }
      facets.push({
        key: key,
        name: facetEl.getAttribute('data-name') || key,
        attr: attr,
        multi: multi,
        values: values,
        selected: '',
        select: null
      });
    }

    /* Row data, read once. */
    var rows = new Array(total);
    for (var i = 0; i < total; i++) {
      var tr = trs[i];
      var data = {};
      for (var j = 0; j < facets.length; j++) {
        var raw = tr.getAttribute(facets[j].attr) || '';
        data[facets[j].key] = facets[j].multi ? ' ' + raw + ' ' : raw;
      }
      rows[i] = { tr: tr, data: data, text: tr.getAttribute('data-text') || '', hidden: false };
    }

    var query = '';
    var clearButton = null;

    /* Build the selects. */
    if (filtersEl && facets.length) {
      var bar = el('div', { 'class': 'filter-bar' });
      facets.forEach(function (facet) {
        var id = 'filter-' + facet.key;
        var field = el('label', { 'class': 'filter-field', 'for': id });
        field.appendChild(el('span', null, facet.name));
        var select = el('select', { id: id, name: facet.key });
        select.appendChild(el('option', { value: '' }, 'All'));
        facet.values.forEach(function (item) {
          var text = item.label + (item.count ? ' (' + item.count + ')' : '');
          select.appendChild(el('option', { value: item.value }, text));
        });
        select.addEventListener('change', function () {
          facet.selected = select.value;
          limit = PAGE;
          apply(true);
        });
        facet.select = select;
        field.appendChild(select);
        bar.appendChild(field);
      });
      filtersEl.insertBefore(bar, filtersEl.firstChild);
      filtersEl.classList.add('enhanced');
    }

    clearButton = el('button', { type: 'button', 'class': 'button clear-filters', hidden: '' }, 'Clear filters');
    clearButton.addEventListener('click', function () {
      facets.forEach(function (facet) {
        facet.selected = '';
        if (facet.select) facet.select.value = '';
      });
      query = '';
      if (input) input.value = '';
      limit = PAGE;
      apply(true);
    });
    countEl.parentNode.appendChild(clearButton);

    /* Initial state from the query string. */
    var params = new URLSearchParams(window.location.search);
    facets.forEach(function (facet) {
      var wanted = params.get(facet.key);
      if (wanted == null) return;
      for (var k = 0; k < facet.values.length; k++) {
        if (facet.values[k].value === wanted) {
          facet.selected = wanted;
          if (facet.select) facet.select.value = wanted;
          break;
        }
      }
    });
    query = (params.get('q') || '').trim();
    if (input) {
      input.value = params.get('q') || '';
      var form = input.form;
      if (form) {
        form.addEventListener('submit', function (event) {
          event.preventDefault();
          query = input.value.trim();
          limit = PAGE;
          apply(true);
        });
      }
      var onInput = debounce(function () {
        var next = input.value.trim();
        if (next === query) return;
        query = next;
        limit = PAGE;
        apply(true);
      }, 60);
      input.addEventListener('input', onInput);
    }

    function matches(row, terms) {
      for (var a = 0; a < facets.length; a++) {
        var facet = facets[a];
        if (!facet.selected) continue;
        var have = row.data[facet.key];
        if (facet.multi) {
          if (have.indexOf(' ' + facet.selected + ' ') === -1) return false;
        } else if (have !== facet.selected) {
          return false;
        }
      }
      for (var t = 0; t < terms.length; t++) {
        if (row.text.indexOf(terms[t]) === -1) return false;
      }
      return true;
    }

    function syncUrl() {
      var out = new URLSearchParams();
      facets.forEach(function (facet) {
        if (facet.selected) out.set(facet.key, facet.selected);
      });
      if (query) out.set('q', query);
      var qs = out.toString();
      var url = window.location.pathname + (qs ? '?' + qs : '') + window.location.hash;
      try {
        window.history.replaceState(window.history.state, '', url);
      } catch (e) { /* some file:// contexts refuse; filtering still works */ }
    }

    /* Laying out thousands of table rows at once freezes the page, so at most `limit` matching
     * rows are shown; "Show more" raises the limit. Filters reset it. */
    var PAGE = 500;
    var limit = PAGE;
    var moreBar = el('div', { 'class': 'more-rows', hidden: '' });
    var moreText = el('p', { 'class': 'muted small' });
    var moreButton = el('button', { type: 'button', 'class': 'button' });
    var allButton = el('button', { type: 'button', 'class': 'button' });
    moreBar.appendChild(moreText);
    moreBar.appendChild(moreButton);
    moreBar.appendChild(allButton);
    table.parentNode.parentNode.insertBefore(moreBar, table.parentNode.nextSibling);
    moreButton.addEventListener('click', function () { limit += PAGE; apply(false); });
    allButton.addEventListener('click', function () { limit = Infinity; apply(false); });

    function apply(updateUrl) {
      var terms = query ? query.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var matched = 0;
      for (var r = 0; r < rows.length; r++) {
        var row = rows[r];
        var hide = true;
        if (matches(row, terms)) {
          matched++;
          hide = matched > limit;
        }
        if (hide !== row.hidden) {
          row.hidden = hide;
          row.tr.hidden = hide;
        }
      }
      var shown = Math.min(matched, limit);
      var filtered = !!query;
      facets.forEach(function (facet) {
        if (facet.selected) filtered = true;
        if (facet.select) facet.select.classList.toggle('active', !!facet.selected);
      });
      countEl.textContent = '';
      if (filtered) {
        countEl.appendChild(el('strong', null, String(matched)));
        countEl.appendChild(document.createTextNode(' of ' + total + ' ' + plural(total, 'entity', 'entities')));
      } else {
        countEl.appendChild(el('strong', null, String(total)));
        countEl.appendChild(document.createTextNode(' ' + plural(total, 'entity', 'entities')));
      }
      clearButton.hidden = !filtered;
      if (emptyEl) emptyEl.hidden = matched !== 0;
      table.parentNode.hidden = matched === 0 && total > 0;
      if (matched > shown) {
        moreText.textContent = 'Showing the first ' + shown + ' of ' + matched + '.';
        var next = Math.min(PAGE, matched - shown);
        moreButton.textContent = 'Show ' + next + ' more';
        allButton.textContent = 'Show all ' + matched;
        allButton.hidden = matched - shown <= PAGE;
        moreBar.hidden = false;
      } else {
        moreBar.hidden = true;
      }
      if (updateUrl) syncUrl();
    }

    apply(false);
  }

  /* Truncated table descriptions get their full text as a tooltip on first hover. */
  function initTruncationTitles() {
    document.addEventListener('mouseover', function (event) {
      var target = event.target;
      if (!target || !target.classList || !target.classList.contains('truncate') || target.hasAttribute('title')) return;
      if (target.scrollHeight > target.clientHeight + 1 || target.scrollWidth > target.clientWidth) {
        target.setAttribute('title', target.textContent);
      }
    });
  }

  /* A profile picture that fails to load is hidden rather than shown broken. */
  document.addEventListener('error', function (event) {
    var target = event.target;
    if (target && target.tagName === 'IMG' && target.classList.contains('avatar')) target.hidden = true;
  }, true);

  /** On a phone the docs nav starts folded, so the page text comes first. */
  function initDocsNav() {
    var nav = document.querySelector('.docs-nav');
    if (nav && window.matchMedia && window.matchMedia('(max-width: 860px)').matches) {
      nav.removeAttribute('open');
    }
  }

  function init() {
    initDocsNav();
    initThemeToggle();
    initTruncationTitles();
    initCatalog();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
