// workflow.test.mjs — the whole backup workflow in a real browser, by clicking: sign in, start the
// load generator, start a full backup while it runs, download the database through the browser and
// compare it with the same range from the API, get the logs, download them, truncate, end; the
// result panel shows JET_errSuccess and the events 210 ... 213. Screenshots of each page go to
// build/screenshots/ (and, with HOTCOPY_UPDATE_SCREENSHOTS=1, docs/screenshots/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup, signIn, screenshot, assertAccessible, assertNoErrors, eventRows } from './browser.mjs';

// CRC32C (Castagnoli), as the engine checksums its pages.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();
function crc32c(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A page as engine/src/page.h lays it out: u32 checksum of bytes [4, size), u32 page number, u64
// dbtime, all little-endian.
function pageInfo(page) {
  return {
    intact: crc32c(page.subarray(4)) === page.readUInt32LE(0),
    pgno: page.readUInt32LE(4),
    dbtime: page.readBigUInt64LE(8),
  };
}

// The browser's copy and the API's copy of a database read at different moments under load: the
// header pages are the backup's snapshot and must be identical; any other page is either identical
// or, changed by a commit between the two reads, intact in both copies with the same page number
// and a dbtime no older in the later (API) copy. Returns the number of pages that differ.
function comparePages(browser, api, pageSize) {
  assert.equal(browser.length, api.length, 'same length');
  assert.equal(browser.length % pageSize, 0, 'whole pages');
  let differing = 0;
  for (let off = 0; off < browser.length; off += pageSize) {
    const a = browser.subarray(off, off + pageSize), b = api.subarray(off, off + pageSize);
    const pa = pageInfo(a);
    assert.ok(pa.intact, `page at ${off} of the browser's copy verifies`);
    if (a.equals(b)) continue;
    differing++;
    assert.ok(off >= 2 * pageSize, 'the header pages are the same snapshot');
    const pb = pageInfo(b);
    assert.ok(pb.intact, `page at ${off} of the API's copy verifies`);
    assert.equal(pb.pgno, pa.pgno, 'same page number');
    assert.ok(pb.dbtime >= pa.dbtime, 'the later read is no older');
  }
  return differing;
}

async function resultText(page) {
  return (await page.textContent('#backup-result')) || '';
}

// Clicks a download link and returns the downloaded bytes.
async function downloadByClick(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  assert.equal(await download.failure(), null, 'the download completed');
  return readFileSync(await download.path());
}

test('the whole backup workflow by clicking, under load: download compared with the API, logs, truncate, end -> JET_errSuccess with events 210 ... 213', { timeout: 180000 }, async (t) => {
  const { s, b, page } = await setup(t);
  await signIn(page, s);
  await assertAccessible(page);
  await screenshot(page, 'overview');

  // the load generator, from the overview; the commit rate shows it working
  await page.fill('#load-rate-default', '300');
  await page.fill('#load-secs-default', '120');
  await page.click('#load-start-default');
  await page.waitForSelector('#inst-result-default >> text=The load generator started');
  await page.waitForFunction(() => {
    const rate = document.querySelector('.card-stats .rate');
    return rate && Number(rate.textContent) > 0;
  }, null, { timeout: 15000 });
  assert.ok(await page.isDisabled('#load-start-default'), 'Start load is disabled while it runs');
  assert.match(await page.textContent('#load-start-default-why'), /Already running/);

  // a full backup while the load runs
  await page.click('#begin-full-default');
  await page.waitForURL(/\/ui\/backups\/\d+$/);
  const id = Number(page.url().match(/(\d+)$/)[1]);
  const load = await s.json('/api/v1/instances/default/load');
  assert.equal(load.doc.running, true, 'the load generator runs during the backup');

  // phase database: what makes no sense now is disabled, with the reason shown
  assert.ok(await page.isDisabled('#act-truncate'));
  assert.match(await page.textContent('#act-truncate-why'), /Get the log files first/);
  assert.ok(await page.isDisabled('#act-end'));
  assert.match(await page.textContent('#act-end-why'), /Get the log files first/);
  assert.ok(await page.isEnabled('#act-logs'));
  assert.ok(await page.isEnabled('#act-abort'));
  assert.ok(await page.isEnabled('#act-stop'));

  // the database through the browser, compared with the same range from the API
  const files = (await s.json(`/api/v1/backups/${id}/files`)).doc;
  const db = files.find((f) => f.kind === 'database');
  const inst = (await s.json('/api/v1/instances/default')).doc;
  const pageSize = inst.databases.find((d) => d.name === db.name).pageSize;
  const viaBrowser = await downloadByClick(page, `a[download="${db.name}"]`);
  assert.equal(viaBrowser.length, db.sizeBytes);
  const ranged = await s.api(db.url, { headers: { Range: `bytes=0-${viaBrowser.length - 1}` } });
  assert.equal(ranged.status, 206);
  const viaApi = Buffer.from(await ranged.arrayBuffer());
  const differing = comparePages(viaBrowser, viaApi, pageSize);
  t.diagnostic(`${viaBrowser.length} bytes; ${differing} of ${viaBrowser.length / pageSize} pages changed between the two reads`);
  // the workspace shows it served whole, live (event 221 over SSE, or the periodic refresh)
  const dbRow = page.locator('table.files tr', { hasText: db.name });
  await dbRow.locator('text=copied').waitFor({ timeout: 10000 });
  assert.match(await dbRow.textContent(), /\(100%\)/);

  // the log call
  await page.click('#act-logs');
  await page.waitForSelector('#backup-result >> text=JetGetLogInfoInstance2');
  assert.match(await resultText(page), /returned 0 JET_errSuccess/);
  assert.ok(await page.isDisabled('#act-logs'), 'the log call is done');
  assert.match(await page.textContent(`table.files tr:has-text("${db.name}")`), /databases cannot be read after the log call/);

  // every log through the browser; they are closed generations, so byte-identical to the API's
  const logs = (await s.json(`/api/v1/backups/${id}/files`)).doc.filter((f) => f.kind === 'log');
  assert.ok(logs.length >= 1);
  assert.ok(await page.isDisabled('#act-truncate'), 'truncation waits for the logs');
  assert.match(await page.textContent('#act-truncate-why'), /Copy every log file first \(0 of \d+ copied\)/);
  for (const log of logs) {
    const bytes = await downloadByClick(page, `a[download="${log.name}"]`);
    const whole = await s.api(log.url);
    assert.ok(bytes.equals(Buffer.from(await whole.arrayBuffer())), `${log.name} is the API's bytes`);
  }
  await page.waitForSelector('#act-truncate:not([disabled])', { timeout: 10000 });
  await assertAccessible(page);
  await screenshot(page, 'backup-workspace');

  // truncate, then end
  await page.click('#act-truncate');
  await page.waitForSelector('#backup-result >> text=JetTruncateLogInstance');
  assert.match(await resultText(page), /returned 0 JET_errSuccess/);
  assert.ok(await page.isDisabled('#act-truncate'));
  await page.click('#act-end');
  await page.waitForSelector('.result-panel');
  const panel = await page.textContent('.result-panel');
  assert.equal(await page.textContent('.result-panel .code'), '0');
  assert.equal(await page.textContent('.result-panel .name'), 'JET_errSuccess');
  assert.match(await page.textContent('.result-panel .message'), /\w+/, 'the message as a sentence');
  assert.match(panel, /Recorded as\s*full/);
  assert.match(await resultText(page), /JetEndExternalBackupInstance2 returned 0 JET_errSuccess/);
  const events = await eventRows(page, '#backup-live');
  const ids = events.map((e) => e.eventId);
  assert.equal(ids[0], 210, `the log starts with 210: ${ids}`);
  assert.equal(ids[ids.length - 1], 213, `and ends with 213: ${ids}`);
  assert.ok(ids.includes(223), 'the log call (223)');
  assert.ok(ids.includes(224) || ids.includes(225), 'the truncation (224 or 225)');
  assert.equal(await page.locator('#act-end').count(), 0, 'no more actions once ended');
  await page.evaluate(() => window.scrollTo(0, 0));
  await assertAccessible(page);
  await screenshot(page, 'result-panel');

  // the catalog agrees, and the history lists it with its result
  const row = (await s.json(`/api/v1/backups/${id}`)).doc;
  assert.equal(row.phase, 'ended');
  assert.equal(row.result.name, 'JET_errSuccess');
  await page.click('nav >> text=History');
  await page.waitForURL(/\/ui\/backups$/);
  assert.match(await page.textContent(`table.history tr:has(a[href="/ui/backups/${id}"])`), /JET_errSuccess/);
  await assertAccessible(page);
  await screenshot(page, 'history');

  // the event log page, live: an event shows up without reloading, even one logged after the page
  // was rendered but before its event stream was open (held back here until the event exists)
  let release;
  const eventLogged = new Promise((resolve) => { release = resolve; });
  const streamUrl = /\/api\/v1\/events\/stream/;
  await page.route(streamUrl, async (route) => { await eventLogged; await route.continue(); });
  const streamAsked = page.waitForRequest(streamUrl);
  await page.click('nav >> text=Events');
  await page.waitForURL(/\/ui\/events$/);
  const asked = await streamAsked;
  assert.match(asked.url(), /\/api\/v1\/events\/stream\?after=\d+$/, 'the stream follows from the events shown');
  const before = await page.locator('#event-rows tr[data-event-id="210"]').count();
  const next = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } });
  assert.equal(next.status, 201);
  release();
  await page.waitForFunction((n) => document.querySelectorAll('#event-rows tr[data-event-id="210"]').length > n, before);
  await page.unroute(streamUrl);
  await assertAccessible(page);
  await screenshot(page, 'events');
  await s.json(`/api/v1/backups/${next.doc.id}/end`, { method: 'POST', json: { abort: true } });
  assertNoErrors(b);
});
