// Evidence page: the evidence stream, newest first by time, paged (/api/evidence), each row
// with the receiver's own words (a column wide enough to read) and the classifier's meaning
// and action.
'use strict';

function explanationCell(row) {
  const ex = row.explanation;
  if (!ex) return sp.el('td', {class: 'muted', text: '—'});
  return sp.el('td', {class: 'explanation'}, [
    ex.meaning ? sp.el('div', {class: 'meaning', text: ex.meaning}) : null,
    ex.action ? sp.el('div', {class: 'action'}, [sp.el('strong', {text: 'Action: '}), sp.linkified(ex.action)]) : null,
    ex.rule_id ? sp.el('div', {class: 'muted', text: 'rule ' + ex.rule_id}) : null,
  ]);
}

function sourceCell(row) {
  const src = row.source;
  const link = row.source_kind === 'probe'
    ? sp.pageLink('/probe.html', {id: row.source_id}, 'probe #' + row.source_id)
    : sp.el('span', {text: row.source_kind + ' #' + row.source_id});
  return sp.el('td', {class: 'wrap'}, [
    link,
    src && src.status ? sp.el('div', {text: src.status}) : null,
    src && src.host ? sp.el('div', {class: 'muted', text: src.host}) : null,
  ]);
}

async function main() {
  const p = sp.params();
  const filters = {};
  for (const key of ['ip', 'scope', 'verdict', 'kind', 'node']) {
    filters[key] = p.get(key) || '';
    const input = document.getElementById('f-' + key);
    if (input) input.value = filters[key];
  }
  const query = Object.assign({}, filters, {limit: p.get('limit') || 50, before: p.get('before'), after: p.get('after')});
  const data = await sp.api('/api/evidence', query);
  const rows = data.evidence.map((row) => sp.el('tr', {'data-id': row.id}, [
    // A clear row of a log may count several successes (observations, until last_time).
    sp.el('td', {}, row.observations > 1 && row.last_time ? [sp.at(row.time), ' – ', sp.at(row.last_time)] : sp.at(row.time)),
    sp.el('td', {class: 'wrap'}, [sp.el('div', {text: row.scope}), sp.el('div', {class: 'muted', text: row.ip || '(this server)'})]),
    sp.el('td', {}, [
      sp.badge(row.verdict), row.observations > 1 ? sp.el('span', {class: 'muted', text: ' ×' + row.observations}) : null,
      sp.el('div', {text: [row.reason, row.provider_code].filter(Boolean).join(' · ') || '—'}),
    ]),
    sourceCell(row),
    sp.el('td', {class: 'words', text: row.source && row.source.text ? row.source.text : '—'}),
    explanationCell(row),
  ]));
  const box = document.getElementById('evidence');
  if (!rows.length) {
    box.appendChild(sp.el('p', {class: 'muted', text: 'No evidence matches.'}));
  } else {
    box.appendChild(sp.table(['Time (UTC)', 'Receiver · sending IP', 'Verdict · reason', 'Source', 'What the receiver said', 'Meaning and action'], rows));
  }
  const older = document.getElementById('older');
  const newer = document.getElementById('newer');
  if (data.next_before !== null && data.evidence.length === Number(query.limit)) {
    older.href = '/evidence.html?' + new URLSearchParams(Object.assign({}, nonEmpty(filters), {before: data.next_before})).toString();
    older.hidden = false;
  }
  if (data.next_after !== null && (p.get('before') || p.get('after'))) {
    newer.href = '/evidence.html?' + new URLSearchParams(Object.assign({}, nonEmpty(filters), {after: data.next_after})).toString();
    newer.hidden = false;
  }
}

function nonEmpty(object) {
  const out = {};
  for (const [k, v] of Object.entries(object)) if (v) out[k] = v;
  return out;
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
