// statuses.test.mjs — every status of the spec's table, provoked through the API, and the
// stop-backup and abort flows with their codes and events (226, 215).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, tempDir, beginBackup, download, OWN_SERVER } from './helpers.mjs';

function problem(r, status, name) {
  assert.equal(r.status, status, JSON.stringify(r.doc));
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(r.doc.status, status);
  if (name) {
    assert.equal(r.doc.name, name);
    assert.equal(typeof r.doc.code, 'number');
  }
}

test('400, 404, 409 (in progress), 413, 416 and 206/200 ranges', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer({ args: ['--demo', '--max-body', '65536'] });
  t.after(() => s.cleanup());
  problem(await s.json('/api/v1/backups', { method: 'POST', body: '{not json', headers: { 'Content-Type': 'application/json' } }), 400);
  problem(await s.json('/api/v1/backups', { method: 'POST', json: { type: 'weekly' } }), 400);
  problem(await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'nope' } }), 404);
  problem(await s.json('/api/v1/backups/999999'), 404);
  problem(await s.json('/api/v1/instances/nope'), 404);
  problem(await s.json('/api/v1/instances/default/tables/demo/records/no-such-key'), 404, 'JET_errRecordNotFound');
  problem(await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 0 } }), 400);
  problem(await s.json('/api/v1/instances/default/tables/t/records/k', { method: 'PUT', body: Buffer.alloc(70000) }), 413);

  const b = await beginBackup(s);
  problem(await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } }), 409, 'JET_errBackupInProgress');
  const files = (await s.json(`/api/v1/backups/${b.id}/files`)).doc;
  const f = files[0];
  problem(await s.json(`/api/v1/backups/${b.id}/files/nothing.edb`), 404);
  const size = f.sizeBytes;
  const r416 = await download(s, f.url, { Range: `bytes=${size}-` });
  assert.equal(r416.status, 416);
  assert.equal(r416.headers.get('content-range'), `bytes */${size}`);
  const r206 = await download(s, f.url, { Range: 'bytes=0-9' });
  assert.equal(r206.status, 206);
  assert.equal(r206.body.length, 10);
  const etag = r206.headers.get('etag');
  const fresh = await download(s, f.url, { Range: 'bytes=0-9', 'If-Range': etag });
  assert.equal(fresh.status, 206);
  const stale = await download(s, f.url, { Range: 'bytes=0-9', 'If-Range': '"stale"' });
  assert.equal(stale.status, 200, 'a stale If-Range gives the whole file');
  assert.equal(stale.body.length, size);
  const lm = r206.headers.get('last-modified');
  assert.equal((await download(s, f.url, { Range: 'bytes=0-9', 'If-Range': lm })).status, 206);
  const multi = await download(s, f.url, { Range: 'bytes=0-1,4-5' });
  assert.equal(multi.status, 206);
  assert.match(multi.headers.get('content-type'), /^multipart\/byteranges; boundary=\d{20}$/);
  const many = 'bytes=' + Array.from({ length: 17 }, (_, i) => `${i * 2}-${i * 2}`).join(',');
  assert.equal((await download(s, f.url, { Range: many })).status, 200, 'more than 16 ranges: 200 whole');
  const end = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: { abort: true } });
  assert.equal(end.status, 409);
});

test('stop-backup: later calls give 409 JET_errBackupAbortByServer; the end call shows -801 and event 226', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer({ args: ['--demo'] });
  t.after(() => s.cleanup());
  const b = await beginBackup(s);
  const stop = await s.json(`/api/v1/backups/${b.id}/stop`, { method: 'POST' });
  assert.equal(stop.status, 200);
  problem(await s.json(`/api/v1/backups/${b.id}/files`), 409, 'JET_errBackupAbortByServer');
  problem(await s.json(`/api/v1/backups/${b.id}/logs`, { method: 'POST' }), 409, 'JET_errBackupAbortByServer');
  const file = (b.files[0] || {}).url;
  if (file) problem(await s.json(file), 409, 'JET_errBackupAbortByServer');
  const end = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 409);
  assert.equal(end.doc.result.code, -801);
  assert.equal(end.doc.result.name, 'JET_errBackupAbortByServer');
  assert.equal(end.doc.code, -801);
  assert.ok(end.doc.events.some((e) => e.eventId === 226), JSON.stringify(end.doc.events));
  assert.equal(end.doc.backup.phase, 'stopped');
  assert.equal(end.doc.backup.result.code, -801);
  // the backup is over: its calls now say so
  problem(await s.json(`/api/v1/backups/${b.id}/logs`, { method: 'POST' }), 409, 'JET_errNoBackup');
  problem(await s.json(`/api/v1/backups/${b.id}/truncate`, { method: 'POST' }), 409, 'JET_errNoBackup');
  const again = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: {} });
  assert.equal(again.status, 409);
  assert.equal(again.doc.result.name, 'JET_errNoBackup');
  const ev = await s.json(`/api/v1/backups/${b.id}/events`);
  assert.ok(ev.doc.some((e) => e.eventId === 210), 'begin event 210 belongs to the backup');
});

test('abort: the end call with abort, or before the log call, gives errBackupAbortByCaller and event 215', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer({ args: ['--demo'] });
  t.after(() => s.cleanup());
  for (const body of [{ abort: true }, {}]) {
    const b = await beginBackup(s);
    const end = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: body });
    assert.equal(end.status, 409);
    assert.equal(end.doc.result.code, -800);
    assert.equal(end.doc.result.name, 'errBackupAbortByCaller');
    assert.ok(end.doc.events.some((e) => e.eventId === 215), JSON.stringify(end.doc.events));
    assert.equal(end.doc.backup.phase, 'stopped');
    assert.equal(end.doc.backup.recordedAs, null);
  }
  problem(await s.json('/api/v1/backups/1/end', { method: 'POST', json: { abort: 'yes' } }), 400);
  const list = await s.json('/api/v1/backups?limit=1');
  assert.equal(list.doc.length, 1);
  assert.equal(list.doc[0].id, 2, 'newest first');
});

test('503: an instance that cannot start; /healthz says so when none can', { skip: OWN_SERVER }, async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = await startServer({ args: ['--instance', 'broken=/proc/hotcopy-cannot-exist/x'] });
  t.after(() => s.cleanup());
  problem(await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'broken' } }), 503, 'JET_errNotInitialized');
  problem(await s.json('/api/v1/instances/broken/tables/t/records/k'), 503, 'JET_errNotInitialized');
  const inst = await s.json('/api/v1/instances/broken');
  assert.equal(inst.doc.state, 'failed');
  assert.equal((await s.json('/healthz', { noAuth: true })).status, 503);
});
