// Probe detail page: one run (/api/probes/{id}) with its facts and the full transcript shown
// as ">>> command" / "<<< reply" lines. Peer text (banner, replies) is set as text only.
'use strict';

async function main() {
  const id = sp.params().get('id');
  if (!id || !/^[0-9]+$/.test(id)) throw new Error('no probe id (open this page from the probe list)');
  const run = await sp.api('/api/probes/' + id);
  sp.setNow(new Date().toISOString());
  document.getElementById('title').textContent = sp.shown('Probe run #' + run.id + ' — ' + (run.target || ''));
  const facts = [
    ['Started', sp.when(run.started_at)], ['Finished', sp.when(run.finished_at)],
    ['Script', run.script], ['Target', run.target], ['MX host', run.mx_host],
    ['Address', run.ip ? run.ip + (run.port ? ':' + run.port : '') : null], ['Source IP', run.source_ip],
    ['HELO', run.helo], ['Outcome', run.outcome], ['Stopped at', run.stage],
    ['Decisive reply', [run.reply_code, run.reply_enhanced, run.reply_text].filter((x) => x !== null && x !== undefined).join(' ')],
    // Beside the reply: what it means and what to do (the classifier, as on the evidence page).
    ['What it means', run.explanation && run.explanation.meaning, 'meaning'],
    ['What to do', run.explanation && run.explanation.action && run.explanation.action !== 'none' ? run.explanation.action : null, 'action'],
    ['Classification', [run.provider, run.scope, run.reason, run.provider_code].filter(Boolean).join(' · ')],
    ['Verdict', run.verdict], ['Extensions', Array.isArray(run.extensions) ? run.extensions.join(' ') : run.extensions],
    ['TLS', run.tls && run.tls.version ? [run.tls.version, run.tls.cipher, run.tls.subject, run.tls.verified ? 'verified' : ('not verified ' + (run.tls.verify_error || ''))].filter(Boolean).join(' · ') : null],
  ];
  const rows = facts.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v, kind]) => sp.el('tr', {class: kind || null}, [sp.el('th', {scope: 'row', text: k}),
      kind ? sp.el('td', {class: 'explanation ' + kind}, sp.linkified(String(v))) : sp.el('td', {class: 'words', text: String(v)})]));
  document.getElementById('summary').appendChild(sp.el('table', {}, sp.el('tbody', {}, rows)));
  document.getElementById('banner').textContent = sp.shown(run.banner || '—');
  const pre = document.getElementById('transcript');
  for (const line of run.transcript) {
    const kind = line.startsWith('>>>') ? 'sent' : line.startsWith('<<<') ? 'received' : 'event';
    pre.appendChild(sp.el('span', {class: kind, text: line}));
    pre.appendChild(document.createTextNode('\n'));
  }
  document.getElementById('transcript-copy').value = run.transcript.join('\n');
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
