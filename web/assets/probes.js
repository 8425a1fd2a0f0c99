// Probe runs page: newest first (/api/probes), each linking to its transcript.
'use strict';

async function main() {
  const p = sp.params();
  const data = await sp.api('/api/probes', {limit: 50, before: p.get('before'), target: p.get('target'), scope: p.get('scope')});
  const rows = data.probes.map((run) => sp.el('tr', {}, [
    sp.el('td', {}, sp.pageLink('/probe.html', {id: run.id}, '#' + run.id)),
    sp.el('td', {text: sp.when(run.started_at)}),
    sp.el('td', {text: run.script || ''}),
    sp.el('td', {text: run.target || ''}),
    sp.el('td', {text: [run.mx_host, run.ip].filter(Boolean).join(' ')}),
    sp.el('td', {text: run.outcome || ''}),
    sp.el('td', {text: [run.reply_code, run.reply_enhanced].filter(Boolean).join(' ')}),
    sp.el('td', {text: [run.scope, run.reason, run.provider_code].filter(Boolean).join(' · ')}),
  ]));
  const box = document.getElementById('probes');
  box.appendChild(rows.length ? sp.table(['Run', 'Started', 'Script', 'Target', 'MX', 'Outcome', 'Reply', 'Classification'], rows)
    : sp.el('p', {class: 'muted', text: 'No probe runs yet.'}));
  if (data.next_before !== null && rows.length === 50) {
    const older = document.getElementById('older');
    older.href = '/probes.html?before=' + encodeURIComponent(data.next_before);
    older.hidden = false;
  }
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
