// DNSBL page: the latest answer per IP and zone, and recent listings (/api/dnsbl).
'use strict';

function row(check) {
  return sp.el('tr', {}, [
    sp.el('td', {text: check.ip}),
    sp.el('td', {text: check.zone}),
    sp.el('td', {}, sp.badge(check.result)),
    sp.el('td', {text: sp.when(check.time)}),
    sp.el('td', {text: Array.isArray(check.codes) ? check.codes.join(' ') : (check.codes || '')}),
    sp.el('td', {text: check.meaning || ''}),
    sp.el('td', {class: 'words'}, sp.linkified(check.txt || '')),
  ]);
}

async function main() {
  const p = sp.params();
  const data = await sp.api('/api/dnsbl', {ip: p.get('ip'), zone: p.get('zone')});
  const headers = ['IP', 'Zone', 'Result', 'Checked', 'Codes', 'Meaning', 'TXT'];
  document.getElementById('latest').appendChild(data.latest.length ? sp.table(headers, data.latest.map(row))
    : sp.el('p', {class: 'muted', text: 'No DNSBL checks yet (smtpprobe dnsbl IP).'}));
  document.getElementById('listings').appendChild(data.listings.length ? sp.table(headers, data.listings.map(row))
    : sp.el('p', {class: 'muted', text: 'No listings recorded.'}));
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
