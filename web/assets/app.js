// smtpprobe dashboard: shared code for every page. Builds DOM with textContent only: every
// string from the API is data (peer text, log text), never markup. No inline script anywhere
// (the server's Content-Security-Policy forbids it); nothing is fetched from other origins.
'use strict';

const sp = (() => {
  // The HTML sink: every string shown on a page goes through el() (or svg()), which puts it
  // in a text node or textContent, never markup, after shown() has made visible what would
  // act on the reader instead: C0/C1 controls, DEL, the bidi embeddings, overrides and
  // isolates that reorder a line (U+202A-202E, U+2066-2069) and the line and paragraph
  // separators, each written as \uXXXX. Tab and newline stay (transcripts are multi-line).
  const k_display_controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
  function shown(value) {
    return String(value).replace(k_display_controls,
      (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }

  // Attributes a person reads (tooltips, labels) go through shown() too; the others (href,
  // data-*, value) are data for code and keep the exact text.
  const k_shown_attributes = new Set(['title', 'alt', 'aria-label', 'placeholder']);

  // el('td', {class: 'x', title: t}, [child, 'text']) -> element; strings become text nodes.
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = shown(value);
      else node.setAttribute(key, k_shown_attributes.has(key) ? shown(value) : String(value));
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === 'string' || typeof child === 'number'
        ? document.createTextNode(shown(child)) : child);
    }
    return node;
  }

  function svg(tag, attrs, children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === 'text') node.textContent = shown(value);
      else node.setAttribute(key, k_shown_attributes.has(key) ? shown(value) : String(value));
    }
    for (const child of [].concat(children || [])) {
      if (child) node.appendChild(child);
    }
    return node;
  }

  // GET /api/...; throws Error with the server's {"error": ...} text on failure.
  async function api(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== null && value !== undefined && value !== '') query.set(key, value);
    }
    const url = path + (query.toString() ? '?' + query.toString() : '');
    const response = await fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      throw new Error((body && body.error) || ('HTTP ' + response.status + ' for ' + url));
    }
    return body;
  }

  function params() { return new URLSearchParams(window.location.search); }

  function showError(error) {
    const box = document.getElementById('error');
    if (box) {
      box.textContent = shown('Could not load: ' + error.message);
      box.hidden = false;
    }
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  // The time the ages are measured from: the server's "now" when a page has it (set by
  // setNow), else this browser's clock.
  let nowMs = null;
  function setNow(iso) { const t = Date.parse(iso); nowMs = Number.isNaN(t) ? null : t; }
  function nowTime() { return nowMs === null ? Date.now() : nowMs; }

  // "3 h ago" / "in 5 min" for an ISO time; '' when it does not parse.
  function age(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return '';
    const delta = nowTime() - t;
    return delta >= 0 ? duration(delta) + ' ago' : 'in ' + duration(-delta);
  }

  // "2026-03-11T20:18:23Z" -> "2026-03-11 20:18:23 UTC (3 h ago)": UTC, as stored, and how
  // long ago, so nobody converts time zones in their head.
  function when(iso) {
    if (!iso) return '—';
    const text = String(iso).replace('T', ' ').replace('Z', ' UTC');
    const ago = age(iso);
    return ago ? text + ' (' + ago + ')' : text;
  }

  // The same as a <time> element (machine-readable datetime), for table cells.
  function at(iso) {
    return iso ? el('time', {datetime: iso, text: when(iso)}) : document.createTextNode('—');
  }

  // How long ago (or how long) between two times, in words.
  function duration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 120) return s + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    if (s < 172800) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' days';
  }

  function badge(state) {
    return el('span', {class: 'badge ' + (['blocked', 'clear', 'unknown', 'listed', 'clean', 'pass', 'fail', 'softfail', 'permerror'].includes(state) ? state : 'other'), text: state || 'unknown'});
  }

  // Text with http(s) URLs turned into links (built as nodes; other text stays text).
  function linkified(text) {
    const span = el('span');
    const parts = String(text || '').split(/(https?:\/\/[^\s<>"')]+)/);
    for (const part of parts) {
      if (/^https?:\/\//.test(part)) {
        span.appendChild(el('a', {href: part, rel: 'noopener noreferrer', target: '_blank', text: part}));
      } else if (part) {
        span.appendChild(document.createTextNode(part));
      }
    }
    return span;
  }

  // A table whose cells carry their column's name (data-label): on a narrow screen each row
  // is shown as a stack of "name: value" lines instead of running off the right edge.
  function table(headers, rows) {
    for (const row of rows) {
      [...row.children].forEach((cell, i) => {
        if (headers[i] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', headers[i]);
      });
    }
    return el('table', {class: headers.length >= 7 ? 'stack wide' : 'stack'}, [
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', {text: h})))),
      el('tbody', {}, rows),
    ]);
  }

  function pageLink(page, query, text) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== null && value !== undefined && value !== '') q.set(key, value);
    }
    return el('a', {href: page + (q.toString() ? '?' + q.toString() : ''), text: text});
  }

  // Marks the current page in the navigation.
  document.addEventListener('DOMContentLoaded', () => {
    const here = window.location.pathname === '/' ? '/index.html' : window.location.pathname;
    for (const link of document.querySelectorAll('nav a')) {
      if (link.getAttribute('href') === here) { link.classList.add('current'); link.setAttribute('aria-current', 'page'); }
    }
  });

  return {el, svg, shown, api, params, showError, clear, when, at, age, setNow, duration, badge, linkified, table, pageLink};
})();

// The header and navigation of every page, built here once instead of copied into each page.
(() => {
  const pages = [
    ['/index.html', 'Overview'], ['/timeline.html', 'Timeline'], ['/evidence.html', 'Evidence'], ['/reports.html', 'Reports'],
    ['/probes.html', 'Probes'], ['/dnsbl.html', 'DNSBL'], ['/ingest.html', 'Ingestion & hygiene'],
    ['/metrics', '/metrics'],
  ];
  // The links wrap onto more lines on a narrow screen (the header's dark background grows
  // with them), so none runs off as white text on the white page.
  const nav = sp.el('nav', {'aria-label': 'pages'}, sp.el('ul', {}, pages.map(([href, text]) => sp.el('li', {}, sp.el('a', {href, text})))));
  const main = document.querySelector('main');
  if (main && !main.id) main.id = 'content';
  document.body.prepend(sp.el('header', {}, [
    sp.el('a', {class: 'skip', href: '#content', text: 'Skip to content'}), sp.el('h1', {text: 'smtpprobe'}), nav]));
})();
