// Reports page (/api/reports): DMARC messages per day, receiver scope and IP with their pass
// rate beside the block episodes of the same IP and scope; the latest DMARC reports; SNDS
// signals and status; TLS-RPT policies and failures. Self-contained: it only uses app.js.
'use strict';

function percent(rate) { return (Math.round(rate * 1000) / 10) + '%'; }

// The episodes of an IP and scope that overlap a day, as a short text ("blocked 10:05–").
function blockedOn(episodes, ip, scope, day) {
  const from = day + 'T00:00:00Z';
  const to = day + 'T23:59:59Z';
  return episodes.filter((e) => e.ip === ip && e.scope === scope && e.opened <= to && (!e.closed || e.closed >= from))
    .map((e) => 'blocked ' + (e.opened.slice(0, 10) === day ? e.opened.slice(11, 16) : '…') + '–' +
      (e.closed ? (e.closed.slice(0, 10) === day ? e.closed.slice(11, 16) : '…') : 'open')).join(', ');
}

function timelineLink(ip, scope) {
  return sp.pageLink('/timeline.html', {ip, scope}, 'timeline');
}

function empty(text) { return sp.el('p', {class: 'muted', text}); }

async function main() {
  const p = sp.params();
  const data = await sp.api('/api/reports', {ip: p.get('ip'), scope: p.get('scope'), from: p.get('from'), to: p.get('to')});
  const days = data.dmarc_per_day.map((d) => sp.el('tr', {}, [
    sp.el('td', {text: d.day}), sp.el('td', {text: d.scope}),
    sp.el('td', {text: d.ip + (d.ours ? ' (ours)' : '')}),
    sp.el('td', {class: 'num', text: String(d.messages)}),
    sp.el('td', {class: 'num', text: percent(d.pass_rate)}),
    sp.el('td', {class: 'num', text: String(d.reports)}),
    sp.el('td', {text: d.ours ? blockedOn(data.episodes, d.ip, d.scope, d.day) : ''}),
    sp.el('td', {}, d.ours ? timelineLink(d.ip, d.scope) : null),
  ]));
  document.getElementById('dmarc-days').appendChild(days.length
    ? sp.table(['Day', 'Receiver', 'Source IP', 'Messages', 'DMARC pass', 'Reports', 'Block episode', ''], days)
    : empty('No DMARC reports yet (smtpprobe ingest dmarc PATH).'));
  const episodes = data.episodes.map((e) => sp.el('tr', {}, [
    sp.el('td', {text: e.ip}), sp.el('td', {text: e.scope}), sp.el('td', {text: sp.when(e.opened)}),
    sp.el('td', {text: e.closed ? sp.when(e.closed) : 'open'}), sp.el('td', {text: e.reason || ''}),
  ]));
  document.getElementById('episodes').appendChild(episodes.length
    ? sp.table(['IP', 'Receiver', 'Opened', 'Closed', 'Reason'], episodes) : empty('No block episodes in this window.'));
  const reports = data.dmarc_reports.map((r) => sp.el('tr', {}, [
    sp.el('td', {text: r.org}), sp.el('td', {class: 'words', text: r.report_id}),
    sp.el('td', {text: sp.when(r.begin) + ' – ' + sp.when(r.end)}), sp.el('td', {text: r.scope}),
    sp.el('td', {text: (r.policy_domain || '') + (r.p ? ' p=' + r.p : '')}), sp.el('td', {text: r.format}),
    sp.el('td', {class: 'num', text: String(r.records)}), sp.el('td', {class: 'num', text: String(r.messages)}),
  ]));
  document.getElementById('dmarc-reports').appendChild(reports.length
    ? sp.table(['Reporter', 'Report id', 'Period', 'Receiver', 'Policy', 'Format', 'Records', 'Messages'], reports)
    : empty('None.'));
  const snds = data.snds_data.map((d) => sp.el('tr', {}, [
    sp.el('td', {text: d.ip}), sp.el('td', {text: sp.when(d.start)}),
    sp.el('td', {}, d.filter ? sp.el('span', {class: 'badge snds-' + d.filter.toLowerCase(), text: d.filter}) : null),
    sp.el('td', {text: d.complaint_rate || ''}), sp.el('td', {class: 'num', text: String(d.trap_hits)}),
    sp.el('td', {class: 'num', text: String(d.rcpt_commands)}), sp.el('td', {class: 'num', text: String(d.data_commands)}),
    sp.el('td', {class: 'num', text: String(d.recipients)}),
    sp.el('td', {class: 'words', text: [d.sample_helo, d.sample_mail_from].filter(Boolean).join(' ')}),
  ]));
  document.getElementById('snds-data').appendChild(snds.length
    ? sp.table(['IP', 'Period', 'Filter', 'Complaints', 'Trap hits', 'RCPT', 'DATA', 'Recipients', 'Sample HELO / MAIL FROM'], snds)
    : empty('No SNDS data (set [snds] key_file and run smtpprobe run, or smtpprobe ingest snds FILE).'));
  const box = document.getElementById('snds-status');
  const fetches = (data.snds.fetches || []).map((f) => sp.el('tr', {}, [
    sp.el('td', {text: f.feed}), sp.el('td', {text: sp.when(f.time)}), sp.el('td', {text: f.outcome}),
    sp.el('td', {class: 'num', text: String(f.rows)}), sp.el('td', {class: 'num', text: String(f.malformed)}),
    sp.el('td', {class: 'words', text: f.detail || ''}),
  ]));
  if (fetches.length) box.appendChild(sp.table(['Feed', 'Last read', 'Outcome', 'Rows', 'Malformed', 'Detail'], fetches));
  const ranges = (data.snds.status || []).map((r) => sp.el('tr', {}, [
    sp.el('td', {text: r.first_ip + ' – ' + r.last_ip}), sp.el('td', {}, sp.badge(r.blocked ? 'blocked' : 'clear')),
    sp.el('td', {text: r.reason || ''}),
  ]));
  box.appendChild(ranges.length ? sp.table(['Range', 'Blocked', 'Reason'], ranges)
    : empty('The latest status read lists no range: nothing blocked.'));
  const tls = data.tlsrpt.map((t) => sp.el('tr', {}, [
    sp.el('td', {text: t.organization}), sp.el('td', {text: sp.when(t.begin)}),
    sp.el('td', {text: t.policy_domain || ''}), sp.el('td', {text: t.policy_type || ''}),
    sp.el('td', {text: Array.isArray(t.mx_host) ? t.mx_host.join(' ') : ''}),
    sp.el('td', {class: 'num', text: String(t.successful)}), sp.el('td', {class: 'num', text: String(t.failed)}),
    sp.el('td', {class: 'words', text: (Array.isArray(t.failure_details) ? t.failure_details : [])
      .map((f) => f.result_type + ' ×' + f.failed_session_count + (f.receiving_mx_hostname ? ' at ' + f.receiving_mx_hostname : '')).join('\n')}),
  ]));
  document.getElementById('tlsrpt').appendChild(tls.length
    ? sp.table(['Reporter', 'Day', 'Policy domain', 'Type', 'MX', 'Successful', 'Failed', 'Failures'], tls)
    : empty('No TLS reports yet (smtpprobe ingest tlsrpt PATH).'));
}

document.addEventListener('DOMContentLoaded', () => main().catch(sp.showError));
