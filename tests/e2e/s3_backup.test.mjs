// s3_backup.test.mjs — offsite copies on a real Ceph RADOS Gateway: a full backup under the load
// generator uploaded by the appliance and restored on a second appliance with a fresh data
// directory (every acknowledged record found); a chain full + 2 incrementals restored from the
// store; the set listing; a corrupt and a missing object failing the restore by name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, sleep, OWN_SERVER } from './helpers.mjs';
import { startRgw, targetArgs, targetEnv, s3curl, beginTargetBackup, finishBackup, waitTarget, messages } from './s3_rgw.mjs';

const BUCKET = 'hc-backup-test';
let rgw;
const servers = [];

// Each test needs hotcopyd processes of its own with target flags: none runs against the server
// named by HOTCOPY_URL (helpers.mjs), and then no store is started either.
before(() => { if (!OWN_SERVER) rgw = startRgw(); });
after(() => { for (const s of servers) s.cleanup(); if (rgw) rgw.stop(); });

async function appliance(extra = []) {
  const s = await startServer({ args: [...targetArgs(rgw, 's3', BUCKET, 'site-a'), ...extra], env: targetEnv('s3', rgw) });
  servers.push(s);
  return s;
}

async function acknowledged(s) {
  return (await s.json('/api/v1/instances/default/load')).doc.highestSequence;
}

async function restoreFrom(s, instance, manifestKey) {
  return s.json('/api/v1/restores', { method: 'POST', json: { instance, from: { target: 's3', manifestKey } } });
}

let fullKey, chainFullKey, inc1Key, inc2Key, throughInc2, throughFull;

test('targets are listed without credentials and a check makes the round trip', { skip: OWN_SERVER }, async () => {
  const s = await appliance(['--demo']);
  const list = await s.json('/api/v1/targets');
  assert.equal(list.status, 200);
  assert.deepEqual(Object.keys(list.doc[0]).sort(), ['bucket', 'endpoint', 'httpStatus', 'name', 'prefix', 'reachable', 'region']);
  assert.equal(list.doc[0].bucket, BUCKET);
  assert.equal(list.doc[0].prefix, 'site-a');
  assert.equal(list.doc[0].region, 'us-east-1');
  assert.equal(list.doc[0].reachable, true);
  assert.ok(!JSON.stringify(list.doc).includes(rgw.secretKey) && !JSON.stringify(list.doc).includes(rgw.accessKey));
  const check = await s.json('/api/v1/targets/s3/check', { method: 'POST' });
  assert.equal(check.status, 200, JSON.stringify(check.doc));
  assert.equal(check.doc.ok, true);
  assert.deepEqual(check.doc.steps.map((x) => x.step), ['bucket', 'put', 'get', 'delete']);
  assert.ok(check.doc.steps.every((x) => x.ok));
  assert.equal((await s.json('/api/v1/targets/nope/check', { method: 'POST' })).status, 404);
  const bad = await s.json('/api/v1/backups', { method: 'POST', json: { type: 'full', target: 'nope' } });
  assert.equal(bad.status, 400);
  assert.ok(!s.stderr.includes(rgw.secretKey), 'the secret key is never logged');
  await s.stop();
});

test('a full backup under load goes to the store and restores on a fresh appliance', { skip: OWN_SERVER, timeout: 240000 }, async () => {
  const s = await appliance(['--demo']);
  const load = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 300, seconds: 120 } });
  assert.equal(load.status, 201);
  await sleep(1500);
  const b = await beginTargetBackup(s, { type: 'full' });
  // the spec's fields; how far the upload got by the time the answer is built depends on the machine
  assert.deepEqual(Object.keys(b.target).sort(), ['bytesTotal', 'bytesUploaded', 'manifestKey', 'name', 'state']);
  assert.equal(b.target.name, 's3');
  assert.equal(b.target.state, 'uploading');
  assert.equal(b.target.manifestKey, null, 'no manifest before the end call');
  assert.ok(Number.isInteger(b.target.bytesUploaded) && Number.isInteger(b.target.bytesTotal) &&
            b.target.bytesUploaded >= 0 && b.target.bytesUploaded <= b.target.bytesTotal, JSON.stringify(b.target));
  // the same backup can be downloaded over HTTP while the appliance uploads it
  const db = b.files.find((f) => f.kind === 'database');
  const got = await s.api(db.url);
  assert.equal(got.status, 200);
  const local = Buffer.from(await got.arrayBuffer());
  assert.equal(local.length, db.sizeBytes);
  await sleep(500);
  throughFull = await acknowledged(s);
  assert.ok(throughFull > 0);
  const { logs, end } = await finishBackup(s, b.id);
  assert.equal(end.result.code, 0);
  const done = await waitTarget(s, b.id);
  assert.equal(done.target.state, 'complete', messages(done));
  assert.equal(done.target.bytesUploaded, done.target.bytesTotal);
  assert.ok(done.target.bytesTotal >= db.sizeBytes);
  fullKey = done.target.manifestKey;
  assert.match(fullKey, new RegExp(`^site-a/default/${b.id}-full-\\d{8}T\\d{6}Z/manifest\\.json$`));
  assert.match(messages(done), /offsite: uploaded demo\.edb/);
  assert.match(messages(done), /offsite: backup \d+ is complete/);

  // the manifest, read with a plain S3 client, describes what was sent
  const m = s3curl(rgw, 'GET', `${BUCKET}/${fullKey}`);
  assert.equal(m.status, 200);
  const manifest = JSON.parse(m.body.toString());
  assert.equal(manifest.format, 'hotcopy-manifest');
  assert.equal(manifest.instance, 'default');
  assert.equal(manifest.type, 'full');
  assert.equal(manifest.recordedAs, 'full');
  assert.equal(manifest.genLow, logs.genLow);
  assert.equal(manifest.genHigh, logs.genHigh);
  assert.deepEqual(manifest.chain, { full: null, previous: null });
  assert.equal(manifest.files.length, 1 + logs.files.length);
  for (const f of manifest.files) {
    const obj = s3curl(rgw, 'GET', `${BUCKET}/${f.key}`);
    assert.equal(obj.status, 200, f.key);
    assert.equal(obj.body.length, f.size);
    assert.equal(createHash('sha256').update(obj.body).digest('hex'), f.sha256, f.key);
    assert.match(f.crc32c, /^[0-9a-f]{8}$/);
  }
  await s.json('/api/v1/instances/default/load', { method: 'DELETE' });
  await s.stop();

  // a fresh appliance: empty data directory, same target
  const fresh = await appliance();
  const sets = await fresh.json('/api/v1/targets/s3/backups');
  assert.equal(sets.status, 200);
  const set = sets.doc.find((x) => x.manifestKey === fullKey);
  assert.ok(set, JSON.stringify(sets.doc));
  assert.equal(set.type, 'full');
  assert.equal(set.genHigh, logs.genHigh);
  const r = await restoreFrom(fresh, 'dr-full', fullKey);
  assert.equal(r.status, 201, JSON.stringify(r.doc));
  assert.equal(r.doc.result.code, 0);
  assert.equal(r.doc.state, 'succeeded');
  assert.deepEqual(r.doc.sets, [fullKey]);
  const v = await fresh.json(`/api/v1/instances/dr-full/load/verify?through=${throughFull}`);
  assert.equal(v.status, 200, JSON.stringify(v.doc));
  assert.equal(v.doc.corrupt, 0);
  assert.equal(v.doc.missingThrough, 0, JSON.stringify(v.doc));
  assert.equal((await fresh.api('/api/v1/instances/dr-full/tables/demo/records/sample-0001')).status, 200);
  await fresh.stop();
});

test('a chain full + 2 incrementals is restored from the store', { skip: OWN_SERVER, timeout: 240000 }, async () => {
  const s = await appliance(['--demo']);
  await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 300, seconds: 120 } });
  await sleep(1000);
  const keys = [];
  for (const type of ['full', 'incremental', 'incremental']) {
    await sleep(1000);
    const b = await beginTargetBackup(s, { type });
    if (type === 'incremental') assert.equal(b.files.filter((f) => f.kind === 'database').length, 0);
    throughInc2 = await acknowledged(s);
    const { end } = await finishBackup(s, b.id);
    assert.equal(end.result.code, 0, JSON.stringify(end));
    const done = await waitTarget(s, b.id);
    assert.equal(done.target.state, 'complete', messages(done));
    assert.equal(done.recordedAs, type);
    keys.push(done.target.manifestKey);
  }
  [chainFullKey, inc1Key, inc2Key] = keys;
  const m2 = JSON.parse(s3curl(rgw, 'GET', `${BUCKET}/${inc2Key}`).body.toString());
  assert.equal(m2.type, 'incremental');
  assert.equal(m2.chain.full, keys[0]);
  assert.equal(m2.chain.previous, inc1Key);
  assert.ok(m2.files.every((f) => f.kind === 'log'));
  await s.json('/api/v1/instances/default/load', { method: 'DELETE' });
  await s.stop();

  const fresh = await appliance();
  const r = await restoreFrom(fresh, 'dr-chain', inc2Key);
  assert.equal(r.status, 201, JSON.stringify(r.doc));
  assert.deepEqual(r.doc.sets, keys, 'the full, then both incrementals');
  const v = await fresh.json(`/api/v1/instances/dr-chain/load/verify?through=${throughInc2}`);
  assert.equal(v.doc.missingThrough, 0, JSON.stringify(v.doc));
  assert.equal(v.doc.corrupt, 0);
  await fresh.stop();
});

test('a corrupt or missing object fails the restore with a problem naming it', { skip: OWN_SERVER, timeout: 120000 }, async () => {
  assert.ok(inc2Key, 'the chain test ran');
  const fresh = await appliance();
  // the database of the chain's full set: every restore of the chain needs it
  const m0 = JSON.parse(s3curl(rgw, 'GET', `${BUCKET}/${chainFullKey}`).body.toString());
  const victim = m0.files.find((f) => f.kind === 'database');
  const original = s3curl(rgw, 'GET', `${BUCKET}/${victim.key}`).body;
  const bad = Buffer.from(original);
  bad[Math.floor(bad.length / 2)] ^= 0x55; // same size, one byte changed
  assert.equal(s3curl(rgw, 'PUT', `${BUCKET}/${victim.key}`, { data: bad }).status, 200);
  const r = await restoreFrom(fresh, 'dr-corrupt', inc2Key);
  assert.equal(r.status, 502, JSON.stringify(r.doc));
  assert.match(r.headers.get('content-type'), /problem\+json/);
  assert.equal(r.doc.object, victim.key);
  assert.match(r.doc.detail, /does not match its manifest/);
  const failed = await fresh.json(`/api/v1/restores/${r.doc.restoreId}`);
  assert.equal(failed.doc.state, 'failed');
  assert.ok(failed.doc.events.some((e) => e.level === 'error' && e.message.includes(victim.key)));
  assert.equal((await fresh.json('/api/v1/instances')).doc.some((i) => i.name === 'dr-corrupt'), false);

  assert.equal(s3curl(rgw, 'DELETE', `${BUCKET}/${victim.key}`).status, 204);
  const gone = await restoreFrom(fresh, 'dr-missing', inc2Key);
  assert.equal(gone.status, 502, JSON.stringify(gone.doc));
  assert.equal(gone.doc.object, victim.key);
  assert.equal(gone.doc.targetStatus, 404);
  assert.equal(s3curl(rgw, 'PUT', `${BUCKET}/${victim.key}`, { data: original }).status, 200);
  const ok = await restoreFrom(fresh, 'dr-repaired', inc2Key);
  assert.equal(ok.status, 201, JSON.stringify(ok.doc));
  await fresh.stop();
});

test('a copy backup (no truncation) and a differential are kept and restorable', { skip: OWN_SERVER, timeout: 180000 }, async () => {
  const s = await appliance(['--demo']);
  await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 200, seconds: 60 } });
  await sleep(1000);
  const keys = [];
  let through = 0;
  // a full with truncation starts the chain, then a copy and a differential leave it alone
  for (const [type, truncate, recorded] of [['full', true, 'full'], ['full', false, 'copy'], ['incremental', false, 'differential']]) {
    await sleep(500);
    const b = await beginTargetBackup(s, { type });
    through = await acknowledged(s);
    const { end } = await finishBackup(s, b.id, { truncate });
    assert.equal(end.backup.recordedAs, recorded);
    const done = await waitTarget(s, b.id);
    assert.equal(done.target.state, 'complete', messages(done));
    const m = JSON.parse(s3curl(rgw, 'GET', `${BUCKET}/${done.target.manifestKey}`).body.toString());
    assert.equal(m.recordedAs, recorded);
    if (type === 'incremental') assert.equal(m.chain.full, keys[0], 'chained to the full, not the copy');
    keys.push(done.target.manifestKey);
  }
  await s.json('/api/v1/instances/default/load', { method: 'DELETE' });
  for (const [i, key] of keys.slice(1).entries()) {
    const r = await restoreFrom(s, `copy-${i}`, key);
    assert.equal(r.status, 201, JSON.stringify(r.doc));
    const v = await s.json(`/api/v1/instances/copy-${i}/load/verify?through=${i === 1 ? through : 1}`);
    assert.equal(v.doc.missingThrough, 0, JSON.stringify(v.doc));
  }
  await s.stop();
});
