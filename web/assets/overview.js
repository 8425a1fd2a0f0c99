// Overview page: what needs attention first (open blocks and listings, backscatter, hygiene and
// report findings, stale work), the counts per state over every sending IP, then the receivers
// grouped by provider with their clusters folded in, one row per sending IP and cluster that
// has evidence, one page of IPs at a time (a fleet has thousands: /api/overview pages them;
// ?state=, ?offset=, ?limit= and ?node= of this page go to it). Data goes into the DOM as text
// only.
'use strict';

const k_kind_names = {
  blocked: 'blocked', listed: 'listed', backscatter: 'backscatter', 'dsn-test': 'backscatter',
  hygiene: 'hygiene', report: 'report', unfolded: 'not folded', 'stale-task': 'stale', 'timer-stopped': 'timer stopped',
};

function attentionItem(item) {
  const links = [];
  if (item.scope && (item.kind === 'blocked' || item.kind === 'listed')) {
    links.push(sp.pageLink('/timeline.html', {ip: item.ip, scope: item.scope}, 'timeline'));
    links.push(sp.pageLink('/evidence.html', {ip: item.ip, scope: item.scope}, 'evidence'));
  }
  if (item.kind === 'listed') links.push(sp.pageLink('/dnsbl.html', {ip: item.ip}, 'DNSBL answers'));
  if (item.probe_id) links.push(sp.pageLink('/probe.html', {id: item.probe_id}, 'DSN test transcript'));
  if (item.kind === 'backscatter' || item.kind === 'hygiene') links.push(sp.pageLink('/ingest.html', {}, 'details'));
  if (item.kind === 'report') links.push(sp.pageLink('/reports.html', {ip: item.ip}, 'reports'));
  const joined = [];
  links.forEach((link, i) => { if (i) joined.push(' · '); joined.push(link); });
  return sp.el('li', {class: item.urgent ? 'urgent' : null, 'data-kind': item.kind, 'data-scope': item.scope, 'data-ip': item.ip}, [
    sp.el('div', {}, [
      sp.el('span', {class: 'badge kind' + (item.urgent ? ' urgent' : ''), text: k_kind_names[item.kind] || item.kind}),
      sp.el('span', {class: 'title', text: item.title}),
    ]),
    sp.el('div', {class: 'meta'}, [
      item.ip ? sp.el('span', {text: 'IP ' + item.ip + ' · '}) : null,
      item.since ? sp.el('span', {}, ['since ', sp.at(item.since)]) : null,
    ]),
    item.detail ? sp.el('div', {class: 'meta', text: item.detail}) : null,
    item.action ? sp.el('div', {class: 'meta action'}, [sp.el('strong', {text: 'Do: '}), sp.linkified(item.action)]) : null,
    joined.length ? sp.el('div', {class: 'meta'}, joined) : null,
  ]);
}

function renderAttention(items, total) {
  const box = document.getElementById('attention');
  if (!items.length) {
    box.appendChild(sp.el('p', {class: 'all-clear', text: 'Nothing needs attention: no open block or listing, no finding, and the periodic work is running.'}));
    return;
  }
  box.appendChild(sp.el('ol', {class: 'attention'}, items.map(attentionItem)));
  if (total > items.length) {
    box.appendChild(sp.el('p', {class: 'muted attention-more'}, [
      'The ' + items.length + ' most urgent and newest of ' + total.toLocaleString('en') + ' items; every blocked pair: ',
      sp.pageLink('/', filterQuery({state: 'blocked', offset: null}), 'IPs with a block'),
      '.',
    ]));
  }
}

// This page's own filters (node, state, limit), carried into links that change one of them.
function filterQuery(changes) {
  const p = sp.params();
  const query = {node: p.get('node'), state: p.get('state'), limit: p.get('limit'), offset: p.get('offset')};
  return Object.assign(query, changes);
}

const k_state_filters = [[null, 'all IPs'], ['blocked', 'with a block'], ['unknown', 'with an unknown pair'], ['clear', 'with a clear pair']];

// Counts over every IP (not only this page), the state filter and the pager.
function renderCounts(overview) {
  const c = overview.counts;
  const page = overview.page;
  const n = (value) => Number(value).toLocaleString('en');
  const box = document.getElementById('fleet');
  box.appendChild(sp.el('p', {class: 'counts', 'data-ips': c.ips, 'data-pairs': c.pairs}, [
    sp.el('strong', {text: n(c.ips) + ' sending IP' + (c.ips === 1 ? '' : 's')}),
    ' (' + n(c.blocked_ips) + ' with a block) · ' + n(c.pairs) + ' IP × receiver pairs: ',
    sp.el('span', {class: 'badge blocked', text: n(c.blocked) + ' blocked'}), ' ',
    sp.el('span', {class: 'badge clear', text: n(c.clear) + ' clear'}), ' ',
    sp.el('span', {class: 'badge unknown', text: n(c.unknown) + ' unknown'}),
  ]));
  const filters = [];
  for (const [state, label] of k_state_filters) {
    if (filters.length) filters.push(' · ');
    filters.push((page.state || null) === state ? sp.el('strong', {text: label}) : sp.pageLink('/', filterQuery({state: state, offset: null}), label));
  }
  box.appendChild(sp.el('p', {class: 'filters'}, ['Show: '].concat(filters)));
  if (page.ips > page.limit || page.offset > 0) {
    const first = page.ips ? page.offset + 1 : 0;
    const last = Math.min(page.offset + page.limit, page.ips);
    const previous = page.offset > 0 ? Math.max(0, page.offset - page.limit) : null;
    box.appendChild(sp.el('p', {class: 'pager'}, [
      sp.el('span', {class: 'range', text: 'IPs ' + n(first) + '–' + n(last) + ' of ' + n(page.ips) + (page.state ? ' ' + page.state : '')}),
      previous !== null ? [' · ', sp.pageLink('/', filterQuery({offset: previous || null}), '‹ previous')] : null,
      page.next_offset !== null ? [' · ', sp.pageLink('/', filterQuery({offset: page.next_offset}), 'next ›')] : null,
    ].flat().filter(Boolean)));
  }
}

// "microsoft-consumer/eur" -> provider "microsoft-consumer", cluster "eur"; receivers known
// only by host name ("host/mx.example.net") are one group of their own.
function providerOf(scope) {
  const slash = scope.indexOf('/');
  return slash < 0 ? scope : scope.slice(0, slash);
}

function providerTitle(provider) {
  if (provider === 'host') return 'Other receivers (by host name)';
  if (provider === 'dnsbl') return 'DNS blocklists';
  return provider;
}

const k_state_rank = {blocked: 0, unknown: 1, clear: 2};

function cellRow(cell) {
  const state = cell.state || 'unknown';
  const slash = cell.scope.indexOf('/');
  const cluster = slash < 0 ? '(whole provider)' : cell.scope.slice(slash + 1);
  const ex = cell.explanation;
  return sp.el('tr', {class: 'cell ' + state, 'data-state': state, 'data-scope': cell.scope, 'data-ip': cell.ip}, [
    sp.el('td', {class: 'wrap', text: cluster}),
    sp.el('td', {text: cell.ip || '(this server)'}),
    sp.el('td', {class: 'state'}, [sp.badge(state), cell.provider_code ? sp.el('div', {text: 'code ' + cell.provider_code}) : null]),
    sp.el('td', {}, cell.since ? sp.at(cell.since) : '—'),
    sp.el('td', {}, cell.last_evidence_time ? sp.at(cell.last_evidence_time) : '—'),
    sp.el('td', {class: 'explanation'}, [
      ex && ex.meaning && state !== 'clear' ? sp.el('div', {text: ex.meaning}) : null,
      cell.action && cell.action !== 'none' ? sp.el('div', {class: 'action'}, sp.linkified(cell.action)) : (state === 'clear' ? 'none' : null),
      cell.receiver ? sp.el('div', {class: 'muted', text: 'named by ' + cell.receiver}) : null,
    ]),
    sp.el('td', {}, [
      sp.pageLink('/timeline.html', {ip: cell.ip, scope: cell.scope}, 'timeline'), ' · ',
      sp.pageLink('/evidence.html', {ip: cell.ip, scope: cell.scope}, 'evidence'),
    ]),
  ]);
}

function renderReceivers(cells) {
  const box = document.getElementById('receivers');
  if (!cells.length) {
    box.appendChild(sp.el('p', {class: 'muted', text: 'No evidence yet: run smtpprobe run, ingest a log, or probe a receiver.'}));
    return;
  }
  const groups = new Map();
  for (const cell of cells) {
    const provider = providerOf(cell.scope);
    if (!groups.has(provider)) groups.set(provider, []);
    groups.get(provider).push(cell);
  }
  const count = (list, state) => list.filter((c) => c.state === state).length;
  // Providers with a block first, then by name; within one, blocked rows first.
  const ordered = [...groups.entries()].sort((a, b) => (count(b[1], 'blocked') > 0) - (count(a[1], 'blocked') > 0) || a[0].localeCompare(b[0]));
  for (const [provider, list] of ordered) {
    list.sort((a, b) => (k_state_rank[a.state] ?? 1) - (k_state_rank[b.state] ?? 1) || a.scope.localeCompare(b.scope) || String(a.ip).localeCompare(String(b.ip)));
    const blocked = count(list, 'blocked');
    const counts = sp.el('span', {class: 'counts'}, [
      blocked ? sp.el('span', {class: 'badge blocked', text: blocked + ' blocked'}) : null,
      count(list, 'clear') ? sp.el('span', {class: 'badge clear', text: count(list, 'clear') + ' clear'}) : null,
      count(list, 'unknown') ? sp.el('span', {class: 'badge unknown', text: count(list, 'unknown') + ' unknown'}) : null,
    ]);
    const details = sp.el('details', {class: 'provider', 'data-provider': provider, open: blocked ? 'open' : null}, [
      sp.el('summary', {}, [sp.el('span', {text: providerTitle(provider)}), counts]),
      sp.el('div', {class: 'body'}, sp.table(['Cluster', 'Sending IP', 'State', 'Since', 'Last evidence', 'Meaning and action', 'Details'], list.map(cellRow))),
    ]);
    box.appendChild(details);
  }
}

async function main() {
  // ?node=NAME: only what that node of a fleet observed (issue 20).
  const p = sp.params();
  const [status, overview] = await Promise.all([sp.api('/api/status'), sp.api('/api/overview', {node: p.get('node'), state: p.get('state'), offset: p.get('offset'), limit: p.get('limit')})]);
  sp.setNow(overview.now);
  renderAttention(overview.attention || [], overview.attention_total || 0);
  renderCounts(overview);
  const cards = document.getElementById('cards');
  const card = (label, value) => sp.el('div', {class: 'card'}, [sp.el('div', {class: 'muted', text: label}), sp.el('div', {class: 'value'}, value)]);
  cards.appendChild(card('Open block episodes', String(status.open_episodes)));
  cards.appendChild(card('Oldest open block since', status.oldest_open_episode ? sp.at(status.oldest_open_episode) : '—'));
  cards.appendChild(card('Last evidence', status.last_evidence_time ? sp.at(status.last_evidence_time) : '—'));
  cards.appendChild(card('Last probe', status.last_probe ? [sp.at(status.last_probe.started_at), ' (' + status.last_probe.outcome + ')'] : '—'));
  renderReceivers(overview.cells);
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
