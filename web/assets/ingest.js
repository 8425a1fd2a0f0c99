// Ingestion page: what the log and bounce ingesters stored (/api/ingest) and the sender
// hygiene results (/api/hygiene) when the database has them.
'use strict';

function countsTable(object) {
  const rows = Object.entries(object || {}).map(([k, v]) => sp.el('tr', {}, [sp.el('td', {text: k}), sp.el('td', {class: 'num', text: String(v)})]));
  return rows.length ? sp.table(['What', 'Rows'], rows) : sp.el('p', {class: 'muted', text: 'none'});
}

function sum(object) { return Object.values(object || {}).reduce((a, b) => a + b, 0); }

async function main() {
  const [data, hygiene] = await Promise.all([sp.api('/api/ingest'), sp.api('/api/hygiene')]);
  const cards = document.getElementById('counts');
  const card = (label, value, detail) => sp.el('div', {class: 'card'}, [sp.el('div', {class: 'muted', text: label}), sp.el('div', {class: 'value', text: String(value)}), detail]);
  cards.appendChild(card('Log deliveries', sum(data.deliveries), countsTable(data.deliveries)));
  cards.appendChild(card('Bounce recipients', sum(data.bounces), countsTable(data.bounces)));
  cards.appendChild(card('Evidence', sum(data.evidence), countsTable(data.evidence)));
  cards.appendChild(card('Probe runs', sum(data.probe_runs), countsTable(data.probe_runs)));
  cards.appendChild(card('DNSBL checks', sum(data.dnsbl_checks), countsTable(data.dnsbl_checks)));
  // One cursor per node and path (a fleet's nodes read files of the same path on their hosts).
  const files = data.files.map((f) => sp.el('tr', {}, [sp.el('td', {text: f.node || '—'}), sp.el('td', {class: 'words', text: f.path}), sp.el('td', {text: f.identity}), sp.el('td', {class: 'num', text: String(f.offset)}), sp.el('td', {text: sp.when(f.updated_at)})]));
  document.getElementById('files').appendChild(files.length ? sp.table(['Node', 'File', 'Identity', 'Read up to (bytes)', 'Updated'], files)
    : sp.el('p', {class: 'muted', text: 'No incremental ingestion cursors (files given once are read whole).'}));
  const reasons = sp.el('div', {class: 'cards'}, [
    sp.el('div', {class: 'card'}, [sp.el('div', {class: 'muted', text: 'Log deliveries by reason'}), countsTable(data.delivery_reasons)]),
    sp.el('div', {class: 'card'}, [sp.el('div', {class: 'muted', text: 'Bounces by reason'}), countsTable(data.bounce_reasons)]),
  ]);
  document.getElementById('reasons').appendChild(reasons);
  const findingsBox = document.getElementById('findings');
  if (data.findings) {
    findingsBox.appendChild(countsTable(data.findings));
    const rows = (data.recent_findings || []).map((f) => sp.el('tr', {}, [
      sp.el('td', {text: sp.when(f.time)}), sp.el('td', {text: f.kind}), sp.el('td', {text: f.host || ''}),
      sp.el('td', {text: f.queue_id || ''}), sp.el('td', {class: 'words', text: f.detail || ''}),
    ]));
    if (rows.length) findingsBox.appendChild(sp.table(['Time', 'Kind', 'Host', 'Queue id', 'Log text'], rows));
  } else {
    findingsBox.appendChild(sp.el('p', {class: 'muted', text: 'No findings table in this database.'}));
  }
  const box = document.getElementById('hygiene');
  if (!hygiene.available) {
    box.appendChild(sp.el('p', {class: 'muted', text: 'No sender hygiene results in this database yet (they come from smtpprobe run with hygiene checks enabled).'}));
    return;
  }
  const rows = hygiene.checks.map((c) => sp.el('tr', {}, [
    sp.el('td', {text: sp.when(c.time)}), sp.el('td', {text: c.subject || ''}), sp.el('td', {text: c.check || ''}),
    sp.el('td', {}, sp.badge(c.result)), sp.el('td', {class: 'words', text: c.detail || ''}),
  ]));
  box.appendChild(sp.table(['Checked', 'Subject', 'Check', 'Result', 'Detail'], rows));
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
