// DNSBL page: the latest answer per IP and zone with since when the IP is listed (or when it
// was delisted) and where to ask for removal, then the recent listings (/api/dnsbl). "Listed
// since" and "delisted at" are the monitor's episodes of the zone's scope (the state query),
// not a guess from the answers shown here.
'use strict';

function codesText(check) {
  return Array.isArray(check.codes) ? check.codes.join(' ') : (check.codes || '');
}

function delistCell(check) {
  if (check.delist_url) {
    return sp.el('td', {}, sp.el('a', {href: check.delist_url, rel: 'noopener noreferrer', target: '_blank',
      text: 'request removal' + (check.zone_name ? ' from ' + check.zone_name : ''), 'data-zone': check.zone}));
  }
  return sp.el('td', {class: 'muted', text: check.result === 'listed' ? 'see the TXT answer' : '—'});
}

function latestRow(check) {
  return sp.el('tr', {'data-zone': check.zone, 'data-ip': check.ip, 'data-result': check.result}, [
    sp.el('td', {text: check.ip}),
    sp.el('td', {class: 'wrap'}, [sp.el('div', {text: check.zone_name || check.zone}), check.zone_name ? sp.el('div', {class: 'muted', text: check.zone}) : null]),
    sp.el('td', {}, sp.badge(check.result)),
    sp.el('td', {class: 'listed-since'}, check.listed_since ? sp.at(check.listed_since) : '—'),
    sp.el('td', {class: 'delisted-at'}, check.delisted_at ? sp.at(check.delisted_at) : '—'),
    sp.el('td', {}, sp.at(check.time)),
    sp.el('td', {text: [codesText(check), check.meaning].filter(Boolean).join(' · ') || '—'}),
    sp.el('td', {class: 'words'}, sp.linkified(check.txt || '')),
    delistCell(check),
  ]);
}

function listingRow(check) {
  return sp.el('tr', {}, [
    sp.el('td', {text: check.ip}),
    sp.el('td', {text: check.zone}),
    sp.el('td', {}, sp.at(check.time)),
    sp.el('td', {text: [codesText(check), check.meaning].filter(Boolean).join(' · ') || '—'}),
    sp.el('td', {class: 'words'}, sp.linkified(check.txt || '')),
  ]);
}

async function main() {
  const p = sp.params();
  const data = await sp.api('/api/dnsbl', {ip: p.get('ip'), zone: p.get('zone')});
  const headers = ['IP', 'Zone', 'Latest answer', 'Listed since', 'Delisted at', 'Checked', 'Codes · meaning', 'TXT', 'Delist'];
  document.getElementById('latest').appendChild(data.latest.length ? sp.table(headers, data.latest.map(latestRow))
    : sp.el('p', {class: 'muted', text: 'No DNSBL checks yet (smtpprobe dnsbl IP).'}));
  document.getElementById('listings').appendChild(data.listings.length
    ? sp.table(['IP', 'Zone', 'Answered', 'Codes · meaning', 'TXT'], data.listings.map(listingRow))
    : sp.el('p', {class: 'muted', text: 'No listings recorded.'}));
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
