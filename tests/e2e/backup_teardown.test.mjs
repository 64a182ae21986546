// backup_teardown.test.mjs — a fatal engine error tears an external backup down (event 214; the
// engine then answers JET_errNoBackup to every call of that backup): the server finishes its job
// as failed with the engine's code and events, a new begin starts a backup the server tracks
// (never an untracked engine backup), and the old backup's end call answers JET_errNoBackup with
// its events without ending the new backup. Two causes: a listed log that fails verification when
// it is downloaded, and a listed log deleted before it is downloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readSync, writeSync, closeSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, beginBackup, download, OWN_SERVER } from './helpers.mjs';

async function put(s, key, body) {
  const r = await s.json(`/api/v1/instances/default/tables/t/records/${key}`, { method: 'PUT', body });
  assert.ok(r.status === 200 || r.status === 201, `PUT ${key}: ${r.status} ${JSON.stringify(r.doc)}`);
}

async function instance(s) {
  const r = await s.json('/api/v1/instances/default');
  assert.equal(r.status, 200);
  return r.doc;
}

// Flips one byte of a file; returns a function that puts it back.
function flipByte(path, offset) {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  assert.equal(readSync(fd, b, 0, 1, offset), 1);
  const original = b[0];
  writeSync(fd, Buffer.from([original ^ 0xff]), 0, 1, offset);
  closeSync(fd);
  return () => {
    const fd2 = openSync(path, 'r+');
    writeSync(fd2, Buffer.from([original]), 0, 1, offset);
    closeSync(fd2);
  };
}

// The torn-down backup: failed in the catalog with the engine's code and its events 214 and
// `causeEvent`; no job on the instance any more.
async function assertFailedWith(s, id, name, code, causeEvent) {
  const b = await s.json(`/api/v1/backups/${id}`);
  assert.equal(b.status, 200);
  assert.equal(b.doc.phase, 'failed', JSON.stringify(b.doc));
  assert.ok(b.doc.endedAt, 'endedAt is set');
  assert.deepEqual([b.doc.result.name, b.doc.result.code], [name, code]);
  const ids = b.doc.events.map((e) => e.eventId);
  assert.ok(ids.includes(214), `event 214 in ${JSON.stringify(ids)}`);
  assert.ok(ids.includes(causeEvent), `event ${causeEvent} in ${JSON.stringify(ids)}`);
  assert.equal((await instance(s)).backup, null, 'the job left its instance');
}

// A new begin is tracked; the old end call answers JET_errNoBackup with the old events and does
// not touch the new backup.
async function assertNewBackupTracked(s, oldId, name) {
  const again = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } });
  assert.equal(again.status, 201, `a new begin after the teardown: ${JSON.stringify(again.doc)}`);
  const newId = again.doc.id;
  assert.notEqual(newId, oldId);
  const end = await s.json(`/api/v1/backups/${oldId}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 409, JSON.stringify(end.doc));
  assert.equal(end.doc.name, 'JET_errNoBackup');
  assert.deepEqual([end.doc.result.name, end.doc.result.code], ['JET_errNoBackup', -520]);
  assert.ok(end.doc.events.some((e) => e.eventId === 214 && e.backupId === oldId), 'the events of the old backup');
  assert.equal(end.doc.backup.phase, 'failed');
  assert.equal(end.doc.backup.result.name, name, 'the catalog keeps the engine\'s code');
  const inst = await instance(s);
  assert.equal(inst.backup && inst.backup.id, newId, 'the new backup still runs after the old end call');
  assert.equal(inst.backup.phase, 'database');
  const newEvents = await s.json(`/api/v1/events?backup=${newId}`);
  assert.ok(!newEvents.doc.some((e) => [213, 215, 226].includes(e.eventId)),
            `the new backup was not ended: ${JSON.stringify(newEvents.doc.map((e) => e.eventId))}`);
  return newId;
}

test('a log failing verification tears the backup down: failed with the engine\'s code, and the next backup is tracked', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await startServer({ args: ['--demo'] });
  t.after(() => s.cleanup());
  for (let i = 0; i < 4; i++) await put(s, `k${i}`, Buffer.alloc(4096, i));
  const b = await beginBackup(s);
  const logs = await s.json(`/api/v1/backups/${b.id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200, JSON.stringify(logs.doc));
  const log = logs.doc.files[logs.doc.files.length - 1];
  const restore = flipByte(join((await instance(s)).logPath, log.name), 600);
  const bad = await download(s, log.url);
  restore();
  assert.equal(bad.status, 500);
  assert.equal(JSON.parse(bad.body).name, 'JET_errLogReadVerifyFailure');
  await assertFailedWith(s, b.id, 'JET_errLogReadVerifyFailure', -612, 218);
  const later = await s.json(`/api/v1/backups/${b.id}/truncate`, { method: 'POST' });
  assert.equal(later.status, 409);
  assert.equal(later.doc.name, 'JET_errNoBackup');

  const newId = await assertNewBackupTracked(s, b.id, 'JET_errLogReadVerifyFailure');
  // the new backup runs to a normal end, its logs (the repaired one among them) read whole
  const newLogs = await s.json(`/api/v1/backups/${newId}/logs`, { method: 'POST' });
  assert.equal(newLogs.status, 200, JSON.stringify(newLogs.doc));
  for (const f of newLogs.doc.files) assert.equal((await download(s, f.url)).status, 200, f.name);
  const end = await s.json(`/api/v1/backups/${newId}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 200, JSON.stringify(end.doc));
  assert.equal(end.doc.backup.phase, 'ended');
});

test('a listed log deleted before it is downloaded tears the backup down: failed with the engine\'s code, and the next backup is tracked', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await startServer({ args: ['--demo'] });
  t.after(() => s.cleanup());
  const b = await beginBackup(s);
  for (let i = 0; i < 10; i++) await put(s, `big${i}`, Buffer.alloc(32 * 1024, i)); // 128 KiB logs: rolls
  const logs = await s.json(`/api/v1/backups/${b.id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200, JSON.stringify(logs.doc));
  assert.ok(logs.doc.files.length >= 2, JSON.stringify(logs.doc));
  const first = logs.doc.files[0];
  assert.equal((await download(s, first.url)).status, 200);
  const gone = logs.doc.files[1];
  unlinkSync(join((await instance(s)).logPath, gone.name));
  const missing = await s.json(gone.url);
  assert.equal(missing.status, 500, JSON.stringify(missing.doc));
  assert.deepEqual([missing.doc.name, missing.doc.code], ['JET_errMissingFileToBackup', -569]);
  await assertFailedWith(s, b.id, 'JET_errMissingFileToBackup', -569, 459);
  const again = await s.json(first.url);
  assert.equal(again.status, 409, 'no file of the torn-down backup is served');
  assert.equal(again.doc.name, 'JET_errNoBackup');
  const files = await s.json(`/api/v1/backups/${b.id}/files`);
  assert.equal(files.status, 409);
  assert.equal(files.doc.name, 'JET_errNoBackup');

  const newId = await assertNewBackupTracked(s, b.id, 'JET_errMissingFileToBackup');
  // the engine's backup is the server's: ending it through the API ends it in the engine
  const abort = await s.json(`/api/v1/backups/${newId}/end`, { method: 'POST', json: { abort: true } });
  assert.equal(abort.status, 409);
  assert.equal(abort.doc.result.name, 'errBackupAbortByCaller');
  assert.ok(abort.doc.events.some((e) => e.eventId === 215));
  assert.equal((await instance(s)).backup, null);
  const third = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } });
  assert.equal(third.status, 201, 'no engine backup was left running: ' + JSON.stringify(third.doc));
});
