// offsite.test.mjs — offsite copies from the dashboard, against a real Ceph RADOS Gateway
// (tests/e2e/s3_rgw.mjs; a store that cannot start fails the test, it is never skipped):
//  - the targets page lists each target (endpoint, bucket, prefix, region, reachable) without
//    credentials; "Check connection" shows the round trip and its steps, and a target with a wrong
//    secret shows the store's refusal as code, name and sentence;
//  - a full backup begun from the overview to a target with a throttle: the workspace shows the
//    upload's progress live and the throttle in MiB/s, a new throttle set mid-upload takes effect
//    (the displayed rate changes, the catalog and the API agree, the rest goes faster), the backup
//    is finished by clicking and the copy completes with its manifest;
//  - on a second appliance with a fresh data directory, the restore page lists the target's sets,
//    the Restore button of that set runs the restore, its page shows JET_errSuccess and the events,
//    and the restored instance serves the records written before the backup.
// Screenshots: build/screenshots/targets.png, overview-offsite.png, offsite-backup.png, offsite-restore-sets.png,
// offsite-restore-result.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setup, signIn, screenshot, assertAccessible, assertNoErrors, eventRows, startServer, sleep, PHONE } from './browser.mjs';
import { startRgw, targetArgs, targetEnv, fillDatabase, waitFor, s3curl } from '../e2e/s3_rgw.mjs';

const BUCKET = 'hc-dashboard-test';
const PREFIX = 'dash';
const MIB = 1024 * 1024;
let rgw;

before(() => { rgw = startRgw(); });
after(() => { if (rgw) rgw.stop(); });

function applianceOpts(extra = []) {
  return {
    args: [...targetArgs(rgw, 's3', BUCKET, PREFIX), ...extra],
    env: targetEnv('s3', rgw),
  };
}

// The figures the workspace shows of the copy: {state, uploaded, total, rate (the throttle text)}.
async function shownCopy(page) {
  return page.evaluate(() => {
    const bytes = document.querySelector('#offsite-bytes');
    return {
      state: document.querySelector('#offsite-state')?.textContent,
      uploaded: Number(bytes?.dataset.uploaded),
      total: Number(bytes?.dataset.total),
      rate: document.querySelector('#offsite-rate')?.textContent.trim(),
    };
  });
}

// Playwright's screenshot hides the caret by setting, then clearing, each input's style: the
// empty style="" it leaves would be copied by htmx's settling onto a re-rendered input, which the
// page's CSP (style-src 'self') reports as a console error. A person's browser never has it.
async function shot(page, name) {
  await screenshot(page, name);
  await page.evaluate(() => document.querySelectorAll('[style=""]').forEach((e) => e.removeAttribute('style')));
}

test('the targets page: endpoint, bucket, prefix, region and reachability; Check connection shows the round trip or the store\'s refusal', { timeout: 120000 }, async (t) => {
  const wrong = { accessKey: rgw.accessKey, secretKey: 'not-the-secret-key-000000000000' };
  const opts = applianceOpts(['--demo', '--target', `wrong=s3://${BUCKET}/x`, '--target-endpoint', `wrong=${rgw.endpoint}`]);
  opts.env = { ...opts.env, ...targetEnv('wrong', wrong) };
  const { s, b, page } = await setup(t, opts);
  await signIn(page, s);
  await page.click('nav >> text=Targets');
  await page.waitForURL(/\/ui\/targets$/);
  const row = page.locator('table.targets tr', { has: page.locator('th', { hasText: /^s3$/ }) });
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[0], rgw.endpoint);
  assert.equal(cells[1], BUCKET);
  assert.equal(cells[2], PREFIX);
  assert.equal(cells[3], 'us-east-1');
  assert.match(cells[4], /^reachable/);
  const html = await page.content();
  assert.ok(!html.includes(rgw.secretKey) && !html.includes(rgw.accessKey), 'no credentials on the page');
  // the same figures as the API
  const api = (await s.json('/api/v1/targets')).doc.find((x) => x.name === 's3');
  assert.equal(api.endpoint, cells[0]);
  assert.equal(api.reachable, true);

  // the round trip, step by step
  await page.click('#check-s3');
  await page.waitForSelector('#check-result-s3 .result-line');
  assert.match(await page.textContent('#check-result-s3 .result-line'), /Round trip to s3 returned 200 OK: a 1024-byte object was put, read back identical and deleted/);
  const steps = await page.$$eval('#check-result-s3 table.check-steps tbody tr', (rows) => rows.map((r) => r.textContent));
  assert.deepEqual(steps.map((x) => x.match(/^([a-z]+?)(ok|failed)/)[1]), ['bucket', 'put', 'get', 'delete']);
  assert.ok(steps.every((x) => /^[a-z]+ok\d+ ms$/.test(x)), steps.join(' | '));
  assert.match(await page.textContent('#reach-s3'), /reachable\s*round trip: HTTP 200/);

  // a wrong secret: the store's status, code and sentence; the API says the same
  await page.click('#check-wrong');
  await page.waitForSelector('#check-result-wrong .result-line');
  const refusal = await page.textContent('#check-result-wrong .result-line');
  assert.match(refusal, /Round trip failed: 403 SignatureDoesNotMatch: checking \(or creating\) the bucket on target "wrong"/);
  assert.ok(!refusal.includes(wrong.secretKey));
  const apiCheck = await s.json('/api/v1/targets/wrong/check', { method: 'POST' });
  assert.equal(apiCheck.status, 502);
  assert.equal(apiCheck.doc.targetCode, 'SignatureDoesNotMatch');
  await assertAccessible(page);
  await screenshot(page, 'targets');
  assertNoErrors(b);
});

// 4 MiB log generations: the 48 MiB of records fill about twelve (a set holds at most
// HC_MANIFEST_FILES_MAX = 64 files)
const LOG_FILE_SIZE = ['--log-file-size', '4096'];

test('back up to a target from the overview with a throttle, change it mid-upload, finish; restore from the target\'s listing on a fresh appliance', { timeout: 300000 }, async (t) => {
  const { s, b, page } = await setup(t, applianceOpts(['--demo', ...LOG_FILE_SIZE]));
  // data: a marker record and 48 MiB of incompressible records: at 2 MiB/s the first four 8 MiB
  // parts, sent together, are on the store after ~16 s, the other ~17 MiB would take ~8 s more
  const marker = 'offsite-dashboard-' + randomBytes(8).toString('hex');
  const put = await s.api('/api/v1/instances/default/tables/notes/records/marker', { method: 'PUT', body: marker });
  assert.ok(put.status === 200 || put.status === 201, `marker: ${put.status}`);
  await fillDatabase(s, 48);
  const bulk = (await s.json('/api/v1/instances/default/tables/bulk/records?limit=1000')).doc.keys;
  assert.equal(bulk.length, 96);

  const RATE = 2 * MIB;
  await signIn(page, s);
  await page.selectOption('#begin-target-default', 's3');
  await page.fill('#begin-rate-default', '2');
  await assertAccessible(page);
  await shot(page, 'overview-offsite');
  // the choice survives the card's refresh (hx-preserve): wait for one
  await page.waitForResponse((r) => r.url().includes('/ui/instances/default/card'), { timeout: 5000 });
  assert.equal(await page.inputValue('#begin-target-default'), 's3');
  assert.equal(await page.inputValue('#begin-rate-default'), '2');
  const begun = Date.now(); // the upload, and its throttle, start with the backup
  await page.click('#begin-full-default');
  await page.waitForURL(/\/ui\/backups\/\d+$/);
  const id = Number(page.url().match(/(\d+)$/)[1]);
  const started = (await s.json(`/api/v1/backups/${id}`)).doc;
  assert.equal(started.target.name, 's3');
  assert.equal(started.maxBytesPerSecond, RATE, 'the throttle typed in MiB/s is bytes/s in the API');

  // the workspace: uploading, at 2 MiB/s, progress moving part by part while throttled
  let shown = await shownCopy(page);
  assert.equal(shown.state, 'uploading');
  assert.equal(shown.rate, '2.00 MiB/s');
  const mid = await waitFor('a part uploaded, shown in the workspace', async () => {
    const c = await shownCopy(page);
    return c.uploaded > 0 && c.uploaded < c.total ? c : null;
  }, 60000, 200);
  const api = (await s.json(`/api/v1/backups/${id}`)).doc.target;
  assert.ok(api.bytesUploaded >= mid.uploaded, 'the page shows what the API says (or less: it was earlier)');
  assert.ok(mid.total >= 48 * MIB, `${mid.total} bytes to upload`);
  assert.match(await page.textContent('#offsite-progress'), /\d+(\.\d)? MiB of \d+(\.\d)? MiB \(\d+%\)/);

  // a new throttle mid-upload, set at once (the checks of the page come after): the server's
  // answer, rendered as it set the rate, shows the databases' upload still under way; the displayed
  // rate changes, the API and the catalog agree
  await page.fill('#throttle-mib', '64');
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/ui/backups/${id}/throttle`));
  const tChange = Date.now();
  await page.click('#act-throttle');
  const answer = await answered;
  assert.equal(answer.status(), 200);
  const answerHtml = await answer.text();
  assert.match(answerHtml.replace(/<[^>]*>/g, ''), /Throttle set to 64\.0 MiB\/s: the upload and this backup's downloads follow it now/);
  const [, atUploaded, atTotal] = answerHtml.match(/id="offsite-bytes" data-uploaded="(\d+)" data-total="(\d+)"/).map(Number);
  assert.ok(atUploaded < atTotal, `changed while the upload was under way (${atUploaded} of ${atTotal} bytes)`);
  await page.waitForSelector('#offsite-result >> text=Throttle set to');
  shown = await shownCopy(page);
  assert.equal(shown.rate, '64.0 MiB/s');
  assert.equal((await s.json(`/api/v1/backups/${id}`)).doc.maxBytesPerSecond, 64 * MIB);
  // The rest of the databases goes at the new rate. Until the change the throttle let through at
  // most RATE bytes a second, so at least `left` bytes were still to send: at 2 MiB/s they would
  // take left / RATE seconds; done in three quarters of that proves the new rate took effect
  // (bytesUploaded cannot tell what was left: it counts parts in file order).
  const left = atTotal - RATE * ((tChange - begun) / 1000);
  assert.ok(left > 4 * MIB, `${(left / MIB).toFixed(1)} MiB at most left when the throttle was raised: too late to tell`);
  await waitFor('the databases uploaded', async () => {
    const c = (await s.json(`/api/v1/backups/${id}`)).doc.target;
    return c.bytesUploaded >= atTotal ? c : null;
  }, 60000, 100);
  const took = (Date.now() - tChange) / 1000;
  const figures = `the last ${(left / MIB).toFixed(1)} MiB or more in ${took.toFixed(1)} s after the throttle was raised ` +
                  `(${(left / RATE).toFixed(1)} s at 2 MiB/s)`;
  t.diagnostic(figures);
  assert.ok(took < 0.75 * (left / RATE), figures);
  await waitFor('the databases uploaded, shown in the workspace', async () => {
    const c = await shownCopy(page);
    return c.uploaded >= c.total ? c : null;
  }, 60000, 100);
  await assertAccessible(page);
  await shot(page, 'offsite-backup');

  // finish by clicking: the log call (its logs go to the store too), then End
  await page.click('#act-logs');
  await page.waitForSelector('#backup-result >> text=JetGetLogInfoInstance2');
  assert.match(await page.textContent('#backup-result'), /returned 0 JET_errSuccess/);
  await page.click('#act-end');
  await page.waitForSelector('.result-panel');
  assert.equal(await page.textContent('.result-panel .name'), 'JET_errSuccess');
  await page.waitForFunction(() => document.querySelector('#offsite-state')?.textContent === 'complete', null, { timeout: 60000 });
  shown = await shownCopy(page);
  assert.equal(shown.uploaded, shown.total);
  const done = (await s.json(`/api/v1/backups/${id}`)).doc.target;
  assert.equal(done.state, 'complete');
  assert.equal(await page.textContent('#offsite-progress code.key'), done.manifestKey);
  assert.ok(await page.isDisabled('#act-throttle'), 'nothing left to limit');
  assert.match(await page.textContent('#act-throttle-why'), /nothing left to limit/);
  // the event log goes on after the end call while the copy finishes: its last event shows up
  await page.locator('#backup-live tr[data-event-id]', { hasText: /offsite: backup \d+ is complete on target "s3"/ }).waitFor({ timeout: 10000 });
  const events = (await eventRows(page, '#backup-live')).map((e) => e.text).join('\n');
  assert.match(events, /offsite: uploaded demo\.edb \(\d+ bytes, \d+ part\(s\)\)/);
  assert.equal(s3curl(rgw, 'HEAD', `${BUCKET}/${done.manifestKey}`).status, 200, 'the manifest is on the store');
  assertNoErrors(b);

  // a second appliance, fresh data directory, the same target: restore from its listing (the
  // page leaves the first appliance before it stops, so no refresh of the workspace fails)
  const fresh = await startServer(applianceOpts(LOG_FILE_SIZE));
  t.after(() => fresh.cleanup());
  await signIn(page, fresh);
  await s.stop();
  await page.click('nav >> text=Restore');
  await page.waitForURL(/\/ui\/restores$/);
  const setRow = page.locator('table.target-sets tbody tr', { has: page.locator('code.key', { hasText: done.manifestKey }) });
  await setRow.waitFor({ timeout: 30000 });
  // ended without truncation: the engine recorded it as a copy (full, no truncation)
  assert.match(await setRow.textContent(), new RegExp(`Backup ${id} full, recorded as copy`));
  const nameField = setRow.locator('input[name="instance"]');
  assert.equal(await nameField.inputValue(), `default-restored-${id}`);
  await nameField.fill('from-offsite');
  await assertAccessible(page);
  await screenshot(page, 'offsite-restore-sets');
  await setRow.locator('button', { hasText: 'Restore' }).click();
  await page.waitForURL(/\/ui\/restores\/\d+$/, { timeout: 120000 });
  await page.waitForSelector('.result-panel');
  const restoreEvents = (await eventRows(page, '#restore-live')).map((e) => e.text).join('\n');
  assert.equal(await page.textContent('.result-panel .code'), '0', `${await page.textContent('.result-panel')}\n${restoreEvents}`);
  assert.equal(await page.textContent('.result-panel .name'), 'JET_errSuccess');
  assert.match(await page.textContent('main'), new RegExp(`From target s3, set ${done.manifestKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(restoreEvents, /downloading \d+ object\(s\) of 1 set\(s\) from target "s3"/);
  assert.match(restoreEvents, /downloaded and verified against their manifests/);
  await assertAccessible(page);
  await screenshot(page, 'offsite-restore-result');

  // the data is there on the new appliance
  const got = await fresh.api('/api/v1/instances/from-offsite/tables/notes/records/marker');
  assert.equal(got.status, 200);
  assert.equal(await got.text(), marker);
  const restoredBulk = (await fresh.json('/api/v1/instances/from-offsite/tables/bulk/records?limit=1000')).doc.keys;
  assert.deepEqual(restoredBulk, bulk);
  await sleep(200);
  assertNoErrors(b);
  await fresh.stop();
});

test('at 390 px wide: the targets page, the offsite fields of the overview and the sets on the restore page fit without sideways scrolling', { timeout: 60000 }, async (t) => {
  const { s, b, page } = await setup(t, applianceOpts(['--demo']), PHONE);
  await signIn(page, s);
  assert.equal(await page.locator('#begin-target-default option').count(), 2, 'none, and the target');
  await assertAccessible(page);
  await page.goto(s.url + '/ui/targets');
  await assertAccessible(page);
  await screenshot(page, 'targets-390');
  await page.goto(s.url + '/ui/restores');
  await page.locator('#sets-s3 button', { hasText: 'Read the list again' }).waitFor();
  await assertAccessible(page);
  assertNoErrors(b);
});
