// restore.test.mjs — a restore through the restore page: a backup set made with the API is uploaded
// from the browser (file by file, with progress), hard recovery runs from a button, the result
// panel shows JET_errSuccess with the restore's events, and the restored instance serves the same
// records as the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, signIn, screenshot, assertAccessible, assertNoErrors, eventRows, tempDir } from './browser.mjs';

// A full backup of the default instance through the API, its files saved in dir; returns the paths.
async function backupSet(s, dir) {
  const begin = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } });
  assert.equal(begin.status, 201);
  const id = begin.doc.id;
  const paths = [];
  const save = async (f) => {
    const res = await s.api(f.url);
    assert.equal(res.status, 200);
    const p = join(dir, f.name);
    writeFileSync(p, Buffer.from(await res.arrayBuffer()));
    paths.push(p);
  };
  for (const f of (await s.json(`/api/v1/backups/${id}/files`)).doc) await save(f);
  const logs = await s.json(`/api/v1/backups/${id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200);
  for (const f of logs.doc.files) await save(f);
  const end = await s.json(`/api/v1/backups/${id}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 200);
  return paths;
}

async function keys(s, instance) {
  const r = await s.json(`/api/v1/instances/${instance}/tables/demo/records?limit=1000`);
  assert.equal(r.status, 200, JSON.stringify(r.doc));
  return JSON.stringify(r.doc);
}

test('a restore through the restore page: upload with progress, run, JET_errSuccess, the restored instance serves the data', { timeout: 120000 }, async (t) => {
  const { s, b, page } = await setup(t);
  const dir = tempDir('hotcopy-set-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const paths = await backupSet(s, dir);
  await signIn(page, s);

  await page.click('nav >> text=Restore');
  await page.waitForURL(/\/ui\/restores$/);
  await assertAccessible(page);
  await screenshot(page, 'restores');
  // a name in use is refused with a sentence
  await page.fill('#new-instance', 'default');
  await page.click('text=Create staging area');
  await page.waitForSelector('#create-result >> text=An instance of that name runs already');
  await page.fill('#new-instance', 'restored-1');
  await page.click('text=Create staging area');
  await page.waitForURL(/\/ui\/restores\/\d+$/);
  const id = Number(page.url().match(/(\d+)$/)[1]);
  assert.ok(await page.isDisabled('#act-run'));
  assert.match(await page.textContent('#act-run-why'), /Upload the database and log files first/);

  await page.setInputFiles('#restore-files', paths);
  await page.click('#upload-form button[type=submit]');
  await page.waitForFunction((n) => [...document.querySelectorAll('#upload-progress .state')]
    .filter((e) => e.textContent === 'uploaded').length === n, paths.length);
  const bars = await page.$$eval('#upload-progress progress', (ps) => ps.map((p) => p.value === p.max && p.max > 0));
  assert.deepEqual(bars, paths.map(() => true), 'every progress bar full');
  await page.waitForSelector('#act-run:not([disabled])');
  assert.equal(await page.locator('#staged-heading + .table-wrap .badge.ok').count(), paths.length, 'every file complete');
  await assertAccessible(page);
  await screenshot(page, 'restore-staged');

  await page.click('#act-run');
  await page.waitForSelector('.result-panel');
  assert.equal(await page.locator('#upload-panel').count(), 0, 'nothing more to upload');
  assert.equal(await page.textContent('.result-panel .code'), '0');
  assert.equal(await page.textContent('.result-panel .name'), 'JET_errSuccess');
  assert.match(await page.textContent('#restore-result'), /JetExternalRestore2 returned 0 JET_errSuccess/);
  const ids = (await eventRows(page, '#restore-live')).map((e) => e.eventId);
  assert.ok(ids.includes(204) && ids.includes(205), `restore events 204 and 205 in ${ids}`);
  await assertAccessible(page);
  await screenshot(page, 'restore-result');

  const r = (await s.json(`/api/v1/restores/${id}`)).doc;
  assert.equal(r.state, 'succeeded');
  assert.equal(await keys(s, 'restored-1'), await keys(s, 'default'), 'the same records');
  await page.click('.result-panel a[href="/"]');
  await page.waitForURL(s.url + '/');
  assert.ok(await page.isVisible('text=Instance restored-1'));
  assertNoErrors(b);
});
