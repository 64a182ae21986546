// abort.test.mjs — the ways a backup ends without success, by clicking: Stop backup then End
// (JET_errBackupAbortByServer, event 226), Abort (errBackupAbortByCaller, event 215); and an engine
// refusal (JET_errBackupInProgress) shown as code, name and sentence by a browser without
// JavaScript, whose forms post whole pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, DESKTOP, signIn, screenshot, assertAccessible, assertNoErrors, eventRows } from './browser.mjs';

async function beginFromOverview(page, s) {
  await page.goto(s.url + '/');
  await page.click('#begin-full-default');
  await page.waitForURL(/\/ui\/backups\/\d+$/);
  return Number(page.url().match(/(\d+)$/)[1]);
}

test('Stop backup, then End: the result panel shows JET_errBackupAbortByServer and event 226', { timeout: 90000 }, async (t) => {
  const { s, b, page } = await setup(t);
  await signIn(page, s);
  const id = await beginFromOverview(page, s);

  await page.click('#act-stop');
  await page.waitForSelector('#backup-result >> text=JetStopBackupInstance');
  assert.match(await page.textContent('#backup-result'), /returned 0 JET_errSuccess/);
  // after the stop only End (and Abort) make sense: the rest is disabled with the reason
  await page.waitForSelector('.banner.warn');
  assert.match(await page.textContent('.banner.warn'), /JET_errBackupAbortByServer/);
  for (const act of ['logs', 'truncate', 'stop']) assert.ok(await page.isDisabled(`#act-${act}`), act);
  assert.match(await page.textContent('#act-logs-why'), /Stopped: every call but End returns JET_errBackupAbortByServer/);
  assert.equal(await page.locator('table.files a[download]').count(), 0, 'no download after a stop');
  assert.ok(await page.isEnabled('#act-end'));
  // the engine agrees: the file list is refused with -801
  const files = await s.json(`/api/v1/backups/${id}/files`);
  assert.equal(files.status, 409);
  assert.equal(files.doc.name, 'JET_errBackupAbortByServer');
  await assertAccessible(page);
  await screenshot(page, 'backup-stopped');

  await page.click('#act-end');
  await page.waitForSelector('.result-panel');
  assert.equal(await page.textContent('.result-panel .code'), '-801');
  assert.equal(await page.textContent('.result-panel .name'), 'JET_errBackupAbortByServer');
  assert.match(await page.textContent('.result-panel .message'), /\w+ \w+/);
  assert.match(await page.textContent('#backup-result'), /JetEndExternalBackupInstance2 returned -801 JET_errBackupAbortByServer/);
  const ids = (await eventRows(page, '#backup-live')).map((e) => e.eventId);
  assert.equal(ids[0], 210);
  assert.ok(ids.includes(226), `event 226 in ${ids}`);
  assert.ok(!ids.includes(213), 'never recorded as done');
  const row = (await s.json(`/api/v1/backups/${id}`)).doc;
  assert.equal(row.phase, 'stopped');
  assert.equal(row.result.code, -801);
  await screenshot(page, 'result-stopped');
  assertNoErrors(b);
});

test('Abort: the result panel shows errBackupAbortByCaller and event 215', { timeout: 90000 }, async (t) => {
  const { s, b, page } = await setup(t);
  await signIn(page, s);
  const id = await beginFromOverview(page, s);
  await page.click('#act-abort');
  await page.waitForSelector('.result-panel');
  assert.equal(await page.textContent('.result-panel .code'), '-800');
  assert.equal(await page.textContent('.result-panel .name'), 'errBackupAbortByCaller');
  assert.match(await page.textContent('#backup-result'), /JetEndExternalBackupInstance2 \(abort\) returned -800 errBackupAbortByCaller/);
  const ids = (await eventRows(page, '#backup-live')).map((e) => e.eventId);
  assert.deepEqual([ids[0], ids.includes(215)], [210, true], `events ${ids}`);
  assert.equal((await s.json(`/api/v1/backups/${id}`)).doc.result.name, 'errBackupAbortByCaller');
  // the overview offers a new backup again, and shows this one as the last full backup
  await page.click('nav >> text=Overview');
  await page.waitForURL(s.url + '/');
  assert.ok(await page.isEnabled('#begin-full-default'));
  assert.match(await page.textContent('.last-backups'), new RegExp(`#${id} stopped errBackupAbortByCaller`));
  assertNoErrors(b);
});

test('without JavaScript: pages read, forms post, and an engine refusal reads as code, name and sentence', { timeout: 90000 }, async (t) => {
  const { s, b, page } = await setup(t, { args: ['--demo'] }, DESKTOP, false);
  await page.goto(s.url + '/login');
  await page.fill('#token', s.token);
  await page.click('button[type=submit]');
  await page.waitForURL(s.url + '/');
  // a backup begun elsewhere while this page shows the button enabled
  assert.ok(await page.isEnabled('#begin-full-default'));
  const other = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } });
  assert.equal(other.status, 201);
  await page.click('#begin-full-default');
  await page.waitForLoadState();
  const result = await page.textContent('#inst-result-default');
  assert.match(result, /JetBeginExternalBackupInstance returned -505 JET_errBackupInProgress: \w+/);
  assert.doesNotMatch(result, /[{}"]/, 'no JSON');
  assert.ok(await page.isDisabled('#begin-full-default'), 'now the page knows');
  // the running backup's page, and its actions as plain forms
  await page.goto(`${s.url}/ui/backups/${other.doc.id}`);
  await page.click('#act-abort');
  await page.waitForURL(`${s.url}/ui/backups/${other.doc.id}/end`);
  assert.equal(await page.textContent('.result-panel .name'), 'errBackupAbortByCaller');
  assertNoErrors(b);
});
