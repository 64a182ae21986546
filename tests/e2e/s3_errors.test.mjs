// s3_errors.test.mjs — a store that says no or goes away: wrong credentials (502 with
// targetStatus 403 and the store's code), a missing bucket the credentials may not create (502),
// a credentials file others may read (refused at start-up), and the gateway stopped in the middle
// of a backup (the copy fails with an event, 503 afterwards) — each time the local backup goes on
// and nothing is lost locally.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, sleep, HOTCOPYD, OWN_SERVER } from './helpers.mjs';
import { startRgw, targetArgs, targetEnv, beginTargetBackup, finishBackup, waitFor, waitTarget, fillDatabase, messages } from './s3_rgw.mjs';

const MIB = 1024 * 1024;
let rgw;
const cleanups = [];

// Each test needs hotcopyd processes of its own with target flags: none runs against the server
// named by HOTCOPY_URL (helpers.mjs), and then no store is started either.
before(() => { if (!OWN_SERVER) rgw = startRgw(); });
after(() => { for (const c of cleanups) c(); if (rgw) rgw.stop(); });

async function appliance(keys, bucket, extra = []) {
  const s = await startServer({ args: [...targetArgs(rgw, 's3', bucket), '--demo', ...extra], env: targetEnv('s3', keys) });
  cleanups.push(() => s.cleanup());
  return s;
}

// A backup with a target that cannot take it still ends normally, and its files still download.
async function localBackupStillWorks(s, b) {
  const db = b.files.find((f) => f.kind === 'database');
  const got = await s.api(db.url);
  assert.equal(got.status, 200);
  assert.equal((await got.arrayBuffer()).byteLength, db.sizeBytes);
  const { end } = await finishBackup(s, b.id, { truncate: false });
  assert.equal(end.result.code, 0);
  assert.equal(end.backup.phase, 'ended');
}

test('wrong credentials: 502 with targetStatus 403 and the store code; the backup ends locally', { skip: OWN_SERVER, timeout: 120000 }, async () => {
  const s = await appliance({ accessKey: rgw.accessKey, secretKey: 'not-the-secret-key-at-all' }, 'hc-errors-a');
  const check = await s.json('/api/v1/targets/s3/check', { method: 'POST' });
  assert.equal(check.status, 502, JSON.stringify(check.doc));
  assert.match(check.headers.get('content-type'), /problem\+json/);
  assert.equal(check.doc.targetStatus, 403);
  assert.equal(check.doc.targetCode, 'SignatureDoesNotMatch');
  assert.equal(check.doc.target, 's3');
  assert.ok(!JSON.stringify(check.doc).includes('not-the-secret-key-at-all'), 'no credentials in answers');
  const unknown = await appliance({ accessKey: 'NOSUCHACCESSKEY00000', secretKey: 'x' }, 'hc-errors-a');
  const c2 = await unknown.json('/api/v1/targets/s3/check', { method: 'POST' });
  assert.equal(c2.status, 502);
  assert.equal(c2.doc.targetStatus, 403);
  assert.equal(c2.doc.targetCode, 'InvalidAccessKeyId');
  const sets = await s.json('/api/v1/targets/s3/backups');
  assert.equal(sets.status, 502);
  assert.equal(sets.doc.targetStatus, 403);

  const b = await beginTargetBackup(s, {});
  const failed = await waitTarget(s, b.id);
  assert.equal(failed.target.state, 'failed');
  assert.match(messages(failed), /offsite: the copy of backup \d+ to target "s3" failed: .*403/);
  assert.ok(failed.events.some((e) => e.level === 'error'));
  await localBackupStillWorks(s, b);
  assert.ok(!s.stderr.includes('not-the-secret-key-at-all'), 'the secret is never logged');
});

test('a missing bucket is created when allowed, else 502', { skip: OWN_SERVER, timeout: 120000 }, async () => {
  const ok = await appliance(rgw, 'hc-errors-created');
  const c = await ok.json('/api/v1/targets/s3/check', { method: 'POST' });
  assert.equal(c.status, 200, JSON.stringify(c.doc));
  assert.equal(c.doc.bucketCreated, true);
  assert.equal((await ok.json('/api/v1/targets/s3/check', { method: 'POST' })).doc.bucketCreated, false);

  const limited = rgw.addUser('hc-no-buckets', true);
  const s = await appliance(limited, 'hc-errors-never-made');
  const check = await s.json('/api/v1/targets/s3/check', { method: 'POST' });
  assert.equal(check.status, 502, JSON.stringify(check.doc));
  assert.equal(check.doc.targetStatus, 403);
  assert.ok(check.doc.targetCode.length > 0);
  assert.deepEqual(check.doc.steps.map((x) => [x.step, x.ok]), [['bucket', false]]);
  const b = await beginTargetBackup(s, {});
  const failed = await waitTarget(s, b.id);
  assert.equal(failed.target.state, 'failed');
  assert.match(messages(failed), /bucket hc-errors-never-made/);
  await localBackupStillWorks(s, b);
});

test('credentials are refused from a file others may read, and missing ones stop the start', { skip: OWN_SERVER }, () => {
  const dir = tempDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'creds');
  writeFileSync(file, `access_key=${rgw.accessKey}\nsecret_key=${rgw.secretKey}\n`);
  chmodSync(file, 0o644);
  const base = ['--listen', '127.0.0.1:0', '--data', join(dir, 'data'), ...targetArgs(rgw, 's3', 'hc-errors-a')];
  const env = { ...process.env, HOTCOPY_TOKEN: 't' };
  delete env.HOTCOPY_TARGET_S3_ACCESS_KEY;
  delete env.HOTCOPY_TARGET_S3_SECRET_KEY;
  const r = spawnSync(HOTCOPYD, [...base, '--target-credentials', `s3=${file}`], { env, timeout: 20000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.toString(), /readable by group or others.*chmod 600/);
  assert.ok(!r.stderr.toString().includes(rgw.secretKey));
  const none = spawnSync(HOTCOPYD, base, { env, timeout: 20000 });
  assert.notEqual(none.status, 0);
  assert.match(none.stderr.toString(), /HOTCOPY_TARGET_S3_ACCESS_KEY/);
  const noEndpoint = spawnSync(HOTCOPYD, ['--target', 's3=s3://b/p', '--print-routes'], { env });
  assert.equal(noEndpoint.status, 2);
  assert.match(noEndpoint.stderr.toString(), /--target-endpoint/);
});

test('a credentials file of mode 0600 is used', { skip: OWN_SERVER, timeout: 60000 }, async () => {
  const dir = tempDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'creds');
  writeFileSync(file, `# store credentials\naccess_key = ${rgw.accessKey}\nsecret_key = ${rgw.secretKey}\n`);
  chmodSync(file, 0o600);
  const s = await startServer({ args: [...targetArgs(rgw, 's3', 'hc-errors-file'), '--target-credentials', `s3=${file}`],
                                env: { HOTCOPY_TARGET_S3_ACCESS_KEY: '', HOTCOPY_TARGET_S3_SECRET_KEY: '' } });
  cleanups.push(() => s.cleanup());
  assert.equal((await s.json('/api/v1/targets/s3/check', { method: 'POST' })).status, 200);
  await s.stop();
});

test('the store stopped mid-backup: the copy fails with an event, the backup ends locally, then 503', { skip: OWN_SERVER, timeout: 180000 }, async () => {
  const s = await appliance(rgw, 'hc-errors-gone');
  await fillDatabase(s, 24);
  // 2 MiB/s: the database's first three 8 MiB parts share the throttle and end together, ~12 s in
  // (bytesUploaded counts parts in file order), well before the log call's uploads begin
  const b = await beginTargetBackup(s, { maxBytesPerSecond: 2 * MIB });
  await waitFor('a first part on the store', async () =>
    (await s.json(`/api/v1/backups/${b.id}`)).doc.target.bytesUploaded > 0, 60000);
  rgw.stopGateway();
  await localBackupStillWorks(s, b); // download, log call, end: all work without the store
  const failed = await waitTarget(s, b.id, 120000);
  assert.equal(failed.target.state, 'failed');
  assert.equal(failed.target.manifestKey, null);
  assert.equal(failed.phase, 'ended');
  assert.match(messages(failed), /offsite: the copy of backup \d+ to target "s3" failed/);
  const check = await s.json('/api/v1/targets/s3/check', { method: 'POST' });
  assert.equal(check.status, 503, JSON.stringify(check.doc));
  assert.equal(check.doc.targetStatus, 0);
  const list = await s.json('/api/v1/targets');
  assert.equal(list.doc[0].reachable, false);
  const restore = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'x', from: { target: 's3', manifestKey: 'hotcopy/default/1-full-20260101T000000Z/manifest.json' } } });
  assert.equal(restore.status, 503);
  // nothing lost locally: the data still reads
  assert.equal((await s.api('/api/v1/instances/default/tables/demo/records/sample-0001')).status, 200);
  await sleep(100);
});
