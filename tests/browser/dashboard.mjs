// Drives the Debian Chromium (headless, through playwright-core) over a running
// `smtpprobe serve`, checks what a user sees, and saves screenshots. Run by
// tests/integration/test_dashboard_browser.cpp:
//   node dashboard.mjs BASE_URL SCREENSHOT_DIR EXPECT_JSON
// EXPECT_JSON: {"episodes": n, "open_scope": "...", "hostile_probe": id, "banner": "...",
//               "explanation": true|false, "evidence_text": "..."}
// Exits 0 when every check holds; otherwise prints what failed and exits 1.
import {chromium} from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, shots, expectJson] = process.argv.slice(2);
const expect = JSON.parse(expectJson);
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

fs.mkdirSync(shots, {recursive: true});
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'smtpprobe-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: {width: 1400, height: 900},
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
         '--no-first-run', '--disable-component-update', '--disable-sync'],
});
// Nothing but our server may be contacted.
await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on('pageerror', (error) => problems.push('page error: ' + error.message));
page.on('console', (message) => { if (message.type() === 'error') problems.push('console: ' + message.text()); });

async function open(pathname, ready) {
  await page.goto(base + pathname, {waitUntil: 'load', timeout: 20000});
  await page.waitForSelector(ready, {timeout: 15000});
}

try {
  // Overview: the open block is in the attention list and in its provider's receivers.
  await open('/', '#receivers table');
  const blockedRow = await page.$(`#receivers tr.cell[data-state="blocked"][data-scope="${expect.open_scope}"]`);
  check(blockedRow !== null, 'overview: no blocked receiver row for ' + expect.open_scope);
  const attention = await page.$(`ol.attention li[data-kind="blocked"][data-scope="${expect.open_scope}"]`);
  check(attention !== null, 'overview: the open block of ' + expect.open_scope + ' is not in the attention list');
  await page.screenshot({path: path.join(shots, 'overview.png'), fullPage: true});

  // A fleet's overview comes a page of IPs at a time: counts over all IPs, a state filter, a
  // pager whose links carry the filters (?limit=1 makes every IP a page of its own).
  const ips = Number(await page.$eval('#fleet p.counts', (n) => n.getAttribute('data-ips')));
  check(ips >= 1, 'overview: no IP count in the counts line');
  await open('/?state=blocked', '#receivers table');
  const states = await page.$$eval('#receivers tr.cell', (rows) => rows.map((r) => r.getAttribute('data-state')));
  check(states.length > 0 && states.every((s) => s === 'blocked'), 'overview ?state=blocked: rows ' + JSON.stringify(states));
  if (ips >= 2) {
    await open('/?limit=1', '#fleet p.pager');
    const range = await page.$eval('#fleet p.pager .range', (n) => n.textContent);
    check(range === `IPs 1–1 of ${ips}`, 'overview ?limit=1: pager says ' + JSON.stringify(range));
    const first = await page.$$eval('#receivers tr.cell', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-ip')))]);
    check(first.length === 1, 'overview ?limit=1: rows of ' + JSON.stringify(first));
    await Promise.all([page.waitForURL(/offset=1/), page.click('#fleet p.pager a:has-text("next")')]);
    await page.waitForSelector('#receivers table', {timeout: 15000});
    const second = await page.$$eval('#receivers tr.cell', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-ip')))]);
    check(second.length === 1 && second[0] !== first[0], 'overview next page: rows of ' + JSON.stringify(second) + ' after ' + JSON.stringify(first));
    check(page.url().includes('limit=1'), 'overview next page: the link lost ?limit=1: ' + page.url());
  }

  // Timeline: one bar per episode, the open one in its lane; hover shows details; zoom works.
  await open('/timeline.html', 'svg#timeline rect.episode');
  const bars = await page.$$eval('svg#timeline rect.episode', (nodes) => nodes.map((n) => ({
    scope: n.getAttribute('data-scope'), open: n.classList.contains('open'), width: Number(n.getAttribute('width')),
  })));
  check(bars.length === expect.episodes, `timeline: ${bars.length} bars, expected ${expect.episodes}`);
  check(bars.some((b) => b.open && b.scope === expect.open_scope), 'timeline: no open bar in ' + expect.open_scope);
  const lanes = await page.$$eval('svg#timeline text.lane-label', (nodes) => nodes.map((n) => n.getAttribute('data-lane')));
  // One lane per scope; with several sending IPs in view, one per IP and scope.
  check(lanes.includes(expect.open_scope) || lanes.includes(expect.ip + ' · ' + expect.open_scope),
    'timeline: no lane for ' + expect.open_scope + ' in ' + JSON.stringify(lanes));
  const marks = await page.$$eval('svg#timeline circle.evidence', (nodes) => nodes.length);
  check(marks > 0, 'timeline: no evidence marks');
  check(await page.$$eval('svg#timeline path.note', (n) => n.length) > 0, 'timeline: no note marks');
  const bar = await page.$(`svg#timeline rect.episode.open[data-scope="${expect.open_scope}"]`);
  if (bar) {
    await bar.hover();
    const tip = await page.$eval('#tooltip', (n) => (n.hidden ? '' : n.textContent));
    check(tip.includes('Block episode') && tip.includes('still open'), 'timeline: hover shows no details: ' + tip);
  }
  await page.screenshot({path: path.join(shots, 'timeline.png'), fullPage: true});
  const span = async () => page.$eval('svg#timeline', (n) => Number(n.getAttribute('data-view-end')) - Number(n.getAttribute('data-view-start')));
  const before = await span();
  await page.click('#zoom-in');
  const after = await span();
  check(after > 0 && after < before * 0.6, `timeline: zoom in did not narrow the view (${before} -> ${after})`);
  // Pan: dragging right moves the view to earlier times.
  const startBefore = await page.$eval('svg#timeline', (n) => Number(n.getAttribute('data-view-start')));
  const box = await (await page.$('svg#timeline')).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 2, {steps: 5});
  await page.mouse.up();
  const startAfter = await page.$eval('svg#timeline', (n) => Number(n.getAttribute('data-view-start')));
  check(startAfter < startBefore, `timeline: dragging did not pan (${startBefore} -> ${startAfter})`);
  // Filter by scope: only that lane remains.
  await open('/timeline.html?ip=' + encodeURIComponent(expect.ip) + '&scope=' + encodeURIComponent(expect.open_scope), 'svg#timeline rect.episode');
  const filtered = await page.$$eval('svg#timeline text.lane-label', (nodes) => nodes.map((n) => n.getAttribute('data-lane')));
  check(filtered.length === 1 && filtered[0] === expect.open_scope, 'timeline filter: lanes ' + JSON.stringify(filtered));
  check(await page.$eval('#f-scope', (n) => n.value) === expect.open_scope, 'timeline filter: scope not selected in the form');

  // Probe detail: transcript rendered, hostile banner shown as text, nothing ran.
  await open('/probe.html?id=' + expect.hostile_probe, '#transcript span');
  const transcript = await page.$eval('#transcript', (n) => n.textContent);
  check(transcript.includes('>>> EHLO'), 'probe: no ">>> EHLO" in transcript');
  check(transcript.includes('<<< 250-DSN'), 'probe: no "<<< 250-DSN" in transcript');
  const banner = await page.$eval('#banner', (n) => n.textContent);
  check(banner === expect.banner, 'probe: banner not shown verbatim as text: ' + banner);
  const copy = await page.$eval('#transcript-copy', (n) => n.value);
  check(copy.includes('</textarea>'), 'probe: </textarea> missing from the copy box');
  check(await page.evaluate(() => window.__smtpprobe_xss === undefined), 'probe: injected script ran');
  check(await page.$$eval('main script, main img', (n) => n.length) === 0, 'probe: peer markup became elements');
  await page.screenshot({path: path.join(shots, 'probe.png'), fullPage: true});

  // Evidence: the receiver's words and, with the classifier, the explanation.
  await open('/evidence.html', '#evidence table');
  const words = await page.$$eval('#evidence td.words', (n) => n.map((x) => x.textContent).join('\n'));
  check(words.includes(expect.evidence_text), 'evidence: receiver text missing: ' + expect.evidence_text);
  if (expect.explanation) {
    const meanings = await page.$$eval('#evidence td.explanation .meaning', (n) => n.map((x) => x.textContent));
    check(meanings.length > 0 && meanings.every((m) => m.length > 0), 'evidence: no explanation rendered');
    const actions = await page.$$eval('#evidence td.explanation .action', (n) => n.length);
    check(actions > 0, 'evidence: no action rendered');
  }
  check(await page.evaluate(() => window.__smtpprobe_xss === undefined), 'evidence: injected script ran');
  await page.screenshot({path: path.join(shots, 'evidence.png')});

  for (const [pathname, ready] of [['/dnsbl.html', '#latest table'], ['/ingest.html', '#counts .card'], ['/probes.html', '#probes table']]) {
    await open(pathname, ready);
  }
  await page.screenshot({path: path.join(shots, 'ingest.png'), fullPage: true});
  check(await page.evaluate(() => window.__smtpprobe_xss === undefined), 'an injected script ran');
} catch (error) {
  failures.push('exception: ' + error.message);
} finally {
  await context.close();
  fs.rmSync(profile, {recursive: true, force: true});
}
for (const p of problems) failures.push(p);
if (failures.length) {
  console.log('FAILED\n' + failures.join('\n'));
  process.exit(1);
}
console.log('OK: all dashboard checks passed; screenshots in ' + shots);
