// Overview page: status cards and the matrix of sending IP x receiver scope
// (/api/status, /api/overview). Data goes into the DOM as text only.
'use strict';

function explanationNode(cell) {
  const ex = cell.explanation;
  if (!ex) return null;
  return sp.el('div', {class: 'explanation'}, [
    ex.meaning ? sp.el('div', {text: ex.meaning}) : null,
    ex.action ? sp.el('div', {class: 'action'}, [sp.el('strong', {text: 'Action: '}), sp.linkified(ex.action)]) : null,
  ]);
}

function cellNode(cell) {
  if (!cell) return sp.el('td', {class: 'cell', text: '—'});
  const state = cell.state || 'unknown';
  return sp.el('td', {class: 'cell ' + state, 'data-state': state, 'data-scope': cell.scope, 'data-ip': cell.ip}, [
    sp.badge(state),
    cell.since ? sp.el('div', {class: 'muted', text: 'since ' + sp.when(cell.since)}) : null,
    cell.provider_code ? sp.el('div', {text: 'code ' + cell.provider_code}) : null,
    cell.reason ? sp.el('div', {class: 'muted', text: cell.reason}) : null,
    explanationNode(cell),
    sp.el('div', {}, [
      sp.pageLink('/timeline.html', {ip: cell.ip, scope: cell.scope}, 'timeline'), ' · ',
      sp.pageLink('/evidence.html', {ip: cell.ip, scope: cell.scope}, 'evidence'),
    ]),
  ]);
}

async function main() {
  const [status, overview] = await Promise.all([sp.api('/api/status'), sp.api('/api/overview')]);
  const cards = document.getElementById('cards');
  const card = (label, value) => sp.el('div', {class: 'card'}, [sp.el('div', {class: 'muted', text: label}), sp.el('div', {class: 'value', text: value})]);
  cards.appendChild(card('Open block episodes', String(status.open_episodes)));
  cards.appendChild(card('Blocked since', sp.when(status.oldest_open_episode)));
  cards.appendChild(card('Last evidence', sp.when(status.last_evidence_time)));
  cards.appendChild(card('Last probe', status.last_probe ? sp.when(status.last_probe.started_at) + ' (' + status.last_probe.outcome + ')' : '—'));

  const byKey = new Map();
  for (const cell of overview.cells) byKey.set(cell.ip + '\u0000' + cell.scope, cell);
  const box = document.getElementById('matrix');
  if (!overview.cells.length) {
    box.appendChild(sp.el('p', {class: 'muted', text: 'No evidence yet: run smtpprobe run, ingest a log, or probe a receiver.'}));
    return;
  }
  const rows = overview.ips.map((ip) => sp.el('tr', {}, [
    sp.el('th', {text: ip || '(IP not stated)'}),
    ...overview.scopes.map((scope) => cellNode(byKey.get(ip + '\u0000' + scope))),
  ]));
  const t = sp.table(['Sending IP', ...overview.scopes], rows);
  t.classList.add('matrix');
  box.appendChild(t);
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
