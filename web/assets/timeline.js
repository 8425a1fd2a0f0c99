// Timeline page: one lane per receiver scope (per IP and scope when several IPs are shown),
// block episodes as bars, evidence and notes as marks, drawn as our own SVG from
// /api/timeline. Wheel zooms around the pointer, dragging pans, hovering shows details,
// clicking a bar opens its evidence. The keyboard does the same: every episode bar is a
// focusable button (Tab), focus shows its details, Enter opens its evidence, the arrow keys
// pan and + / - zoom; the same episodes and notes are listed in a table below the chart.
// All labels and tooltips are set with textContent.
'use strict';

const LANE_H = 34;
const NARROW_LANE_H = 46; // a narrow chart puts the lane's label above its bars
const LABEL_W = 230;
const AXIS_H = 26;
const HOUR = 3600e3;
const DAY = 24 * HOUR;

const state = {data: null, lanes: [], full: [0, 1], view: [0, 1], width: 900, drag: null};

function ms(iso) { return Date.parse(iso); }

function laneKey(ip, scope, multi) { return multi ? (ip || '(IP not stated)') + ' · ' + scope : scope; }

function buildLanes(data) {
  const ips = new Set();
  for (const e of data.episodes) ips.add(e.ip);
  for (const e of data.evidence) ips.add(e.ip);
  const multi = ips.size > 1;
  const keys = new Map();
  const add = (ip, scope) => {
    const key = laneKey(ip, scope, multi);
    if (!keys.has(key)) keys.set(key, {key, ip, scope, episodes: [], evidence: [], notes: [], reports: []});
    return keys.get(key);
  };
  for (const e of data.episodes) add(e.ip, e.scope).episodes.push(e);
  for (const e of data.evidence) add(e.ip, e.scope).evidence.push(e);
  // Report items (DMARC counts of our IPs, SNDS signals): the receiver's own view in its lane.
  for (const r of data.reports || []) add(r.ip, r.scope).reports.push(r);
  const lanes = [...keys.values()].sort((a, b) => a.key.localeCompare(b.key));
  for (const note of data.notes) {
    for (const lane of lanes) {
      if ((!note.scope || note.scope === lane.scope) && (!note.ip || note.ip === lane.ip)) lane.notes.push(note);
    }
  }
  return lanes;
}

function timeDomain(data) {
  const times = [];
  // Open episodes run on to now, but the view fits the recorded events: a block open for
  // months must not squash the story into a sliver (the bar runs off the right edge).
  for (const e of data.episodes) { times.push(ms(e.opened)); if (e.closed) times.push(ms(e.closed)); }
  for (const e of data.evidence) times.push(ms(e.time));
  for (const n of data.notes) times.push(ms(n.time));
  for (const r of data.reports || []) times.push(ms(r.time));
  const valid = times.filter((t) => !Number.isNaN(t));
  if (!valid.length) return [Date.now() - 7 * DAY, Date.now()];
  let lo = Math.min(...valid);
  let hi = Math.max(...valid);
  if (hi - lo < HOUR) { lo -= HOUR; hi += HOUR; }
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function tickStep(span, width) {
  const steps = [60e3, 5 * 60e3, 15 * 60e3, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY, 730 * DAY, 1826 * DAY, 3652 * DAY];
  const wanted = span / Math.max(2, width / 110);
  return steps.find((s) => s >= wanted) || steps[steps.length - 1];
}

function tickLabel(t, step) {
  const iso = new Date(t).toISOString();
  if (step >= DAY) return iso.slice(0, 10);
  return iso.slice(5, 10) + ' ' + iso.slice(11, 16);
}

function tooltip(event, lines) {
  const tip = document.getElementById('tooltip');
  tip.textContent = sp.shown(lines.filter(Boolean).join('\n'));
  tip.hidden = false;
  tip.style.left = Math.max(0, Math.min(event.clientX + 14, window.innerWidth - Math.min(440, window.innerWidth))) + 'px';
  tip.style.top = (event.clientY + 14) + 'px';
}

// The tooltip of a focused element, placed under it.
function tooltipAt(node, lines) {
  const box = node.getBoundingClientRect();
  tooltip({clientX: Math.max(0, box.left), clientY: box.bottom}, lines);
}

function episodeLines(ep, now) {
  const start = ms(ep.opened);
  const end = ep.closed ? ms(ep.closed) : now;
  const codes = Array.isArray(ep.codes) ? ep.codes.join(', ') : (ep.codes || '');
  return [
    'Block episode #' + ep.id + (ep.closed ? '' : ' (still open)'),
    (ep.ip || '(this server)') + ' → ' + ep.scope,
    'opened ' + sp.when(ep.opened),
    ep.closed ? 'closed ' + sp.when(ep.closed) + ' (' + sp.duration(end - start) + ')' : 'blocked for ' + sp.duration(now - start),
    ep.reason ? 'reason ' + ep.reason : '', codes ? 'codes ' + codes : '',
    ep.evidence_count + ' evidence',
  ];
}

function openEvidence(ep) {
  window.location.href = '/evidence.html?' + new URLSearchParams({ip: ep.ip, scope: ep.scope}).toString();
}

function hideTooltip() { document.getElementById('tooltip').hidden = true; }

function render() {
  const box = document.getElementById('timeline-box');
  const focused = document.activeElement && document.activeElement.getAttribute ? document.activeElement.getAttribute('data-episode') : null;
  sp.clear(box);
  const lanes = state.lanes;
  // As wide as the page allows (never wider: a phone scrolls the page, not the chart); a
  // narrow chart writes each lane's label above its bars instead of in a column beside them.
  state.width = Math.max(260, box.clientWidth || 900);
  const width = state.width;
  const narrow = width < 640;
  const labelW = narrow ? 0 : Math.min(LABEL_W, Math.round(width * 0.3));
  const laneH = narrow ? NARROW_LANE_H : LANE_H;
  const barTop = narrow ? 18 : 6;
  const height = AXIS_H + Math.max(1, lanes.length) * laneH + 4;
  const [t0, t1] = state.view;
  const plotW = width - labelW - 10;
  const x = (t) => labelW + ((t - t0) / (t1 - t0)) * plotW;
  const root = sp.svg('svg', {id: 'timeline', width, height, 'data-view-start': Math.round(t0), 'data-view-end': Math.round(t1), viewBox: '0 0 ' + width + ' ' + height,
    role: 'group', 'aria-label': 'block timeline: each episode bar is a button; the table below lists the same episodes'});
  root.appendChild(sp.svg('defs', {}, sp.svg('linearGradient', {id: 'open-fade', x1: 0, x2: 1}, [
    sp.svg('stop', {offset: '0%', 'stop-color': '#c62828'}), sp.svg('stop', {offset: '100%', 'stop-color': '#ef5350'}),
  ])));
  root.appendChild(sp.svg('clipPath', {id: 'plot-clip'}, sp.svg('rect', {x: labelW, y: 0, width: plotW, height})));
  // Lanes and labels.
  lanes.forEach((lane, i) => {
    const y = AXIS_H + i * laneH;
    root.appendChild(sp.svg('rect', {class: 'lane-bg' + (i % 2 ? ' odd' : ''), x: 0, y, width, height: laneH}));
    const label = sp.svg('text', {class: 'lane-label', 'data-lane': lane.key, x: 6, y: narrow ? y + 13 : y + laneH / 2 + 4, text: lane.key});
    // A label longer than its column is cut; the full text is the title.
    if (!narrow && lane.key.length * 6.6 > labelW - 8) {
      label.textContent = sp.shown(lane.key.slice(0, Math.max(4, Math.floor((labelW - 8) / 6.6) - 1)) + '…');
      label.appendChild(sp.svg('title', {text: lane.key}));
    }
    root.appendChild(label);
  });
  // Axis.
  const axis = sp.svg('g', {class: 'axis'});
  const step = tickStep(t1 - t0, plotW);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    axis.appendChild(sp.svg('line', {x1: x(t), x2: x(t), y1: AXIS_H - 4, y2: height}));
    axis.appendChild(sp.svg('text', {x: x(t) + 3, y: 14, text: tickLabel(t, step)}));
  }
  root.appendChild(axis);
  const plot = sp.svg('g', {'clip-path': 'url(#plot-clip)'});
  const now = Date.now();
  if (now >= t0 && now <= t1) plot.appendChild(sp.svg('line', {class: 'now', x1: x(now), x2: x(now), y1: AXIS_H, y2: height}));
  const laneBar = barTop + LANE_H - 12; // the bottom of the bars (report bands sit under it)
  lanes.forEach((lane, i) => {
    const y = AXIS_H + i * laneH;
    for (const ep of lane.episodes) {
      const start = ms(ep.opened);
      const end = ep.closed ? ms(ep.closed) : now;
      const x0 = Math.max(labelW - 2, x(start));
      const x1 = Math.min(width + 2, x(end));
      if (x1 < labelW || x0 > width) continue;
      const codes = Array.isArray(ep.codes) ? ep.codes.join(', ') : (ep.codes || '');
      const lines = episodeLines(ep, now);
      const bar = sp.svg('rect', {
        class: 'episode' + (ep.closed ? ' closed' : ' open'), x: x0, y: y + barTop, width: Math.max(3, x1 - x0), height: LANE_H - 12, rx: 3,
        'data-episode': ep.id, 'data-scope': ep.scope, 'data-ip': ep.ip,
        tabindex: 0, role: 'button', 'aria-label': lines.filter(Boolean).join(', ') + '. Enter opens its evidence.',
      });
      bar.addEventListener('mousemove', (event) => tooltip(event, lines));
      bar.addEventListener('mouseleave', hideTooltip);
      bar.addEventListener('focus', () => tooltipAt(bar, lines));
      bar.addEventListener('blur', hideTooltip);
      bar.addEventListener('click', () => openEvidence(ep));
      bar.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); openEvidence(ep); }
      });
      plot.appendChild(bar);
      if (x1 - x0 > 70) plot.appendChild(sp.svg('text', {class: 'episode-label', x: x0 + 10, y: y + barTop + (LANE_H - 12) / 2 + 4, text: codes || ep.reason || 'blocked', 'aria-hidden': 'true'}));
    }
    for (const rep of lane.reports) {
      const start = ms(rep.time);
      const end = rep.end ? ms(rep.end) : start + DAY;
      const x0 = Math.max(labelW, x(start));
      const x1 = Math.min(width, x(end));
      if (x1 < labelW || x0 > width) continue;
      const kind = rep.kind === 'snds' ? 'snds-' + String(rep.filter || 'green').toLowerCase() : 'dmarc';
      const band = sp.svg('rect', {class: 'report ' + kind, x: x0, y: y + laneBar - 1, width: Math.max(3, x1 - x0), height: 5,
        'data-report': rep.kind});
      band.addEventListener('mousemove', (event) => tooltip(event, rep.kind === 'dmarc' ? [
        'DMARC report from ' + rep.reporter, sp.when(rep.time) + ' – ' + sp.when(rep.end), rep.ip + ' → ' + rep.scope,
        rep.messages + ' messages accepted and reported, ' + rep.passed + ' passed DMARC',
      ] : [
        'SNDS ' + sp.when(rep.time), rep.ip + ': filter ' + (rep.filter || '?'), 'complaints ' + (rep.complaint_rate || '-'),
        rep.trap_hits + ' trap hits, ' + rep.recipients + ' recipients',
      ]));
      band.addEventListener('mouseleave', hideTooltip);
      band.addEventListener('click', () => { window.location.href = '/reports.html?' + new URLSearchParams({ip: rep.ip, scope: rep.scope}).toString(); });
      plot.appendChild(band);
    }
    for (const ev of lane.evidence) {
      const cx = x(ms(ev.time));
      if (cx < labelW || cx > width) continue;
      const mark = sp.svg('circle', {class: 'evidence ' + ev.verdict, cx, cy: y + barTop + (LANE_H - 12) / 2, r: 4.5, 'data-evidence': ev.id});
      mark.addEventListener('mousemove', (event) => tooltip(event, [
        'Evidence #' + ev.id + ': ' + ev.verdict, sp.when(ev.time), ev.ip + ' → ' + ev.scope,
        [ev.reason, ev.provider_code].filter(Boolean).join(' · '), 'from ' + ev.source_kind + ' #' + ev.source_id,
        ev.observations > 1 ? ev.observations + ' observations' + (ev.last_time ? ' until ' + sp.when(ev.last_time) : '') : '',
      ]));
      mark.addEventListener('mouseleave', hideTooltip);
      mark.addEventListener('click', () => {
        window.location.href = ev.source_kind === 'probe' ? '/probe.html?id=' + encodeURIComponent(ev.source_id)
          : '/evidence.html?' + new URLSearchParams({ip: ev.ip, scope: ev.scope}).toString();
      });
      plot.appendChild(mark);
    }
    for (const note of lane.notes) {
      const nx = x(ms(note.time));
      if (nx < labelW || nx > width) continue;
      const cy = y + barTop + 1;
      const mark = sp.svg('path', {class: 'note', d: 'M' + nx + ' ' + (cy - 6) + 'l6 6l-6 6l-6 -6z', 'data-note': note.id});
      mark.addEventListener('mousemove', (event) => tooltip(event, ['Note, ' + sp.when(note.time), note.text]));
      mark.addEventListener('mouseleave', hideTooltip);
      plot.appendChild(mark);
    }
  });
  root.appendChild(plot);
  attachZoomPan(root, plotW, labelW);
  box.appendChild(root);
  if (focused) {
    const again = root.querySelector('rect.episode[data-episode="' + CSS.escape(focused) + '"]');
    if (again) again.focus();
  }
  if (!lanes.length) box.appendChild(sp.el('p', {class: 'muted', text: 'Nothing in this window.'}));
  const info = document.getElementById('timeline-info');
  info.textContent = state.data.episodes.length + ' episodes, ' + state.data.evidence.length + ' evidence, ' + state.data.notes.length +
    ' notes. Showing ' + sp.when(new Date(t0).toISOString().slice(0, 19) + 'Z') + ' – ' + sp.when(new Date(t1).toISOString().slice(0, 19) + 'Z') +
    (state.data.truncated ? '. Only the first rows of this window are shown: narrow the window or filter.' : '.');
}

function zoom(factor, centerT) {
  const [t0, t1] = state.view;
  const c = centerT === undefined ? (t0 + t1) / 2 : centerT;
  const span = Math.max(60e3, (t1 - t0) * factor);
  const ratio = (c - t0) / (t1 - t0);
  state.view = [c - span * ratio, c - span * ratio + span];
  render();
}

function pan(fraction) {
  const [t0, t1] = state.view;
  const dt = (t1 - t0) * fraction;
  state.view = [t0 + dt, t1 + dt];
  render();
}

function attachZoomPan(root, plotW, labelW) {
  const toTime = (clientX) => {
    const rect = root.getBoundingClientRect();
    const [t0, t1] = state.view;
    return t0 + ((clientX - rect.left - labelW) / plotW) * (t1 - t0);
  };
  // Keys on a focused bar: arrows pan, + and - zoom (Tab moves between the bars).
  root.addEventListener('keydown', (event) => {
    const actions = {ArrowLeft: () => pan(-0.2), ArrowRight: () => pan(0.2), '+': () => zoom(0.5), '=': () => zoom(0.5), '-': () => zoom(2)};
    if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
  });
  root.addEventListener('wheel', (event) => {
    event.preventDefault();
    zoom(event.deltaY < 0 ? 0.8 : 1.25, toTime(event.clientX));
  }, {passive: false});
  root.addEventListener('mousedown', (event) => {
    state.drag = {x: event.clientX, view: state.view.slice()};
    root.classList.add('dragging');
  });
  root.addEventListener('mousemove', (event) => {
    const drag = state.drag;
    if (!drag || Math.abs(event.clientX - drag.x) < 3) return;
    const dt = ((event.clientX - drag.x) / plotW) * (drag.view[1] - drag.view[0]);
    state.view = [drag.view[0] - dt, drag.view[1] - dt];
    render();
  });
}

// The accessible view of the same data: every episode (and note) as a table row, with links
// to its evidence, in lane order.
function renderTable() {
  const box = sp.clear(document.getElementById('timeline-table'));
  const rows = [];
  for (const lane of state.lanes) {
    for (const ep of lane.episodes) {
      const end = ep.closed ? ms(ep.closed) : Date.now();
      rows.push(sp.el('tr', {'data-episode': ep.id}, [
        sp.el('td', {text: lane.key}),
        sp.el('td', {}, ep.closed ? sp.badge('clear') : sp.badge('blocked')),
        sp.el('td', {}, sp.at(ep.opened)),
        sp.el('td', {}, ep.closed ? sp.at(ep.closed) : 'still open'),
        sp.el('td', {text: sp.duration(end - ms(ep.opened))}),
        sp.el('td', {text: [ep.reason, Array.isArray(ep.codes) ? ep.codes.join(', ') : ep.codes].filter(Boolean).join(' · ') || '—'}),
        sp.el('td', {}, sp.pageLink('/evidence.html', {ip: ep.ip, scope: ep.scope}, ep.evidence_count + ' evidence')),
      ]));
    }
  }
  box.appendChild(rows.length ? sp.table(['Lane', 'Now', 'Opened', 'Closed', 'Lasted', 'Reason · codes', 'Evidence'], rows)
    : sp.el('p', {class: 'muted', text: 'No block episode in this window.'}));
  const notes = state.data.notes.map((note) => sp.el('tr', {}, [
    sp.el('td', {}, sp.at(note.time)), sp.el('td', {text: note.ip || 'all IPs'}), sp.el('td', {text: note.scope || 'all receivers'}),
    sp.el('td', {class: 'words', text: note.text}),
  ]));
  if (notes.length) {
    box.appendChild(sp.el('h4', {text: 'Notes'}));
    box.appendChild(sp.table(['Time', 'IP', 'Receiver', 'Note'], notes));
  }
}

async function fillFilters(p) {
  const overview = await sp.api('/api/overview');
  const ipSelect = document.getElementById('f-ip');
  const scopeSelect = document.getElementById('f-scope');
  for (const ip of overview.ips) ipSelect.appendChild(sp.el('option', {value: ip, text: ip || '(not stated)'}));
  for (const scope of overview.scopes) scopeSelect.appendChild(sp.el('option', {value: scope, text: scope}));
  ipSelect.value = p.get('ip') || '';
  scopeSelect.value = p.get('scope') || '';
  document.getElementById('f-from').value = p.get('from') || '';
  document.getElementById('f-to').value = p.get('to') || '';
}

async function main() {
  const p = sp.params();
  await fillFilters(p).catch(sp.showError);
  state.data = await sp.api('/api/timeline', {ip: p.get('ip'), scope: p.get('scope'), from: p.get('from'), to: p.get('to'), node: p.get('node')});
  state.lanes = buildLanes(state.data);
  state.full = p.get('from') && p.get('to') ? [ms(state.data.from), ms(state.data.to)] : timeDomain(state.data);
  state.view = state.full.slice();
  render();
  renderTable();
  document.getElementById('pan-earlier').addEventListener('click', () => pan(-0.3));
  document.getElementById('pan-later').addEventListener('click', () => pan(0.3));
  document.getElementById('zoom-in').addEventListener('click', () => zoom(0.5));
  document.getElementById('zoom-out').addEventListener('click', () => zoom(2));
  document.getElementById('zoom-reset').addEventListener('click', () => { state.view = state.full.slice(); render(); });
  window.addEventListener('resize', render);
  window.addEventListener('mouseup', () => { state.drag = null; });
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
