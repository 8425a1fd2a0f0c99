// The dashboard at a phone's, a tablet's and a desktop's width, over a database with many
// receivers, driven in the Debian Chromium through playwright-core. Run by
// tests/integration/test_dashboard_layout.cpp:
//   node layout.mjs BASE_URL SCREENSHOT_DIR EXPECT_JSON
// EXPECT_JSON: {"open_blocks": [{"ip": "...", "scope": "..."}...] (the state query's blocked
//               keys), "backscatter": true|false, "episodes": n (rows of the episode table),
//               "probe": id (a probe run to open), "widths": [360, 800, 1400] (default),
//               "menu_at_400": true|false (also check the overview and its menu at 400 px)}
// At every width, on every page: the page body never scrolls sideways, the menu stays inside
// the screen, and axe-core finds no serious or critical accessibility violation. The overview
// lists every open block and listing and the backscatter finding in its attention list, before
// the receivers; Tab reaches every episode bar of the timeline, focus shows its details and
// Enter opens its evidence; the timeline's table view lists every episode. Screenshots of
// every page at every width go to SCREENSHOT_DIR (WIDTH-PAGE.png).
// Exits 0 when every check holds; otherwise prints what failed and exits 1.
import {chromium} from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';

const [base, shots, expectJson] = process.argv.slice(2);
const expect = JSON.parse(expectJson);
const widths = expect.widths || [360, 800, 1400];
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

fs.mkdirSync(shots, {recursive: true});
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'smtpprobe-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: {width: widths[0], height: 900},
  // axe-core is injected as a script: the server's Content-Security-Policy would refuse it.
  bypassCSP: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
         '--no-first-run', '--disable-component-update', '--disable-sync'],
});
await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on('pageerror', (error) => problems.push('page error: ' + error.message));
page.on('console', (message) => { if (message.type() === 'error') problems.push('console: ' + message.text()); });

const pages = [
  ['overview', '/', 'ol.attention li, p.all-clear'],
  ['timeline', '/timeline.html', '#timeline-table table, #timeline-table p'],
  ['evidence', '/evidence.html', '#evidence table'],
  ['dnsbl', '/dnsbl.html', '#latest table, #latest p'],
  ['probes', '/probes.html', '#probes table'],
  ['probe', '/probe.html?id=' + expect.probe, '#transcript span'],
  ['ingest', '/ingest.html', '#counts .card'],
  ['reports', '/reports.html', '#dmarc-days > *'],
];

async function open(pathname, ready) {
  await page.goto(base + pathname, {waitUntil: 'load', timeout: 20000});
  await page.waitForSelector(ready, {timeout: 15000});
}

// How far the page reaches past the right edge of the screen (0: it fits).
async function overflow() {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth);
}

async function axeAudit(where) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({content: axeSource});
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, {resultTypes: ['violations']});
    return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
  });
  const minor = result.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (minor.length) console.log(`${where}: axe (moderate/minor, not failing): ` + minor.map((v) => v.id + ' ' + v.impact).join(', '));
  for (const v of result) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      failures.push(`${where}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
    }
  }
  return result.length;
}

async function checkOverview(width) {
  const items = await page.$$eval('ol.attention li', (nodes) => nodes.map((n) => ({
    kind: n.getAttribute('data-kind'), ip: n.getAttribute('data-ip') || '', scope: n.getAttribute('data-scope') || '',
  })));
  for (const block of expect.open_blocks) {
    check(items.some((i) => (i.kind === 'blocked' || i.kind === 'listed') && i.scope === block.scope && i.ip === block.ip),
      `${width} overview: open block ${block.ip || '(this server)'} / ${block.scope} missing from the attention list`);
  }
  const listedBlocks = items.filter((i) => i.kind === 'blocked' || i.kind === 'listed').length;
  check(listedBlocks === expect.open_blocks.length, `${width} overview: ${listedBlocks} blocks in the attention list, expected ${expect.open_blocks.length}`);
  if (expect.backscatter) {
    check(items.some((i) => i.kind === 'backscatter'), `${width} overview: no backscatter finding in the attention list`);
  }
  // The attention list comes before the receivers, and the receivers have no IP x scope matrix.
  const order = await page.evaluate(() => {
    const a = document.querySelector('#attention');
    const r = document.querySelector('#receivers');
    return a && r ? (a.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0 : false;
  });
  check(order, `${width} overview: the attention list is not before the receivers`);
  const blockedRows = await page.$$eval('#receivers tr.cell[data-state="blocked"]', (n) => n.length);
  check(blockedRows === expect.open_blocks.length, `${width} overview: ${blockedRows} blocked receiver rows, expected ${expect.open_blocks.length}`);
  // The menu: every link on the screen, in light text on the dark header.
  const nav = await page.$$eval('header nav a', (links) => links.map((a) => {
    const box = a.getBoundingClientRect();
    const header = a.closest('header').getBoundingClientRect();
    return {text: a.textContent, inside: box.right <= window.innerWidth + 0.5 && box.left >= 0 && box.bottom <= header.bottom + 0.5};
  }));
  for (const link of nav) check(link.inside, `${width} menu: "${link.text}" runs outside the screen or the header`);
}

async function checkTimelineKeyboard(width) {
  const episodes = await page.$$eval('svg#timeline rect.episode', (nodes) => nodes.map((n) => n.getAttribute('data-episode')));
  check(episodes.length === expect.episodes, `${width} timeline: ${episodes.length} episode bars, expected ${expect.episodes}`);
  const tableRows = await page.$$eval('#timeline-table tr[data-episode]', (nodes) => nodes.map((n) => n.getAttribute('data-episode')));
  check(new Set(tableRows).size === expect.episodes, `${width} timeline table: ${tableRows.length} episode rows, expected ${expect.episodes}`);
  // Tab from the top of the page until every bar has had the focus (or the budget runs out).
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  let tooltipShown = false;
  const budget = episodes.length + 80;
  for (let i = 0; i < budget && reached.size < episodes.length; ++i) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const n = document.activeElement;
      return n && n.matches && n.matches('rect.episode') ? {id: n.getAttribute('data-episode'), tip: !document.getElementById('tooltip').hidden} : null;
    });
    if (focus) { reached.add(focus.id); tooltipShown = tooltipShown || focus.tip; }
  }
  const missed = episodes.filter((id) => !reached.has(id));
  check(missed.length === 0, `${width} timeline: Tab never reached episodes ${missed.slice(0, 10).join(', ')} (${missed.length} of ${episodes.length})`);
  check(tooltipShown, `${width} timeline: focusing a bar showed no details`);
  // Enter on the focused bar opens that episode's evidence.
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-scope'));
  if (focused !== null) {
    await Promise.all([page.waitForURL(/\/evidence\.html\?/, {timeout: 10000}), page.keyboard.press('Enter')]);
    check(new URL(page.url()).searchParams.get('scope') === focused, `${width} timeline: Enter opened ${page.url()}, not the evidence of ${focused}`);
  }
}

try {
  for (const width of widths) {
    await page.setViewportSize({width, height: 900});
    for (const [name, pathname, ready] of pages) {
      const started = Date.now();
      await open(pathname, ready);
      const over = await overflow();
      check(over <= 0, `${width} ${name}: the page is ${over} px wider than the screen`);
      await page.screenshot({path: path.join(shots, `${width}-${name}.png`), fullPage: true});
      await axeAudit(`${width} ${name}`);
      if (name === 'overview') await checkOverview(width);
      if (name === 'timeline') await checkTimelineKeyboard(width);
      console.log(`${width} ${name}: ${Date.now() - started} ms`);
    }
  }
  if (expect.menu_at_400) {
    // The menu at 400 px (issue 18: it ran off as white text on white).
    await page.setViewportSize({width: 400, height: 800});
    await open('/', 'ol.attention li, p.all-clear');
    check(await overflow() <= 0, '400 overview: the page is wider than the screen');
    await checkOverview(400);
    await page.screenshot({path: path.join(shots, '400-menu.png')});
  }
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
console.log('OK: all layout checks passed at ' + widths.join(', ') + ' px; screenshots in ' + shots);
