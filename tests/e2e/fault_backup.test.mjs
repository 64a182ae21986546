// fault_backup.test.mjs — a database read that fails with an I/O error (EIO) while a backup is
// downloaded: the download answers 500 JET_errDiskIO (or is cut short mid-stream, never bad
// bytes), the backup's event log has an error event 481 with the engine's code, the backup goes on,
// the retried download completes, and the set restores with every record acknowledged before the
// log call; a restart of the appliance loses none of them either. The fault point is armed
// through the server's test hook (SIGUSR1 + HOTCOPYD_TEST_FAULT, server/main.c): one failing read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, tempDir, beginBackup, download, arm, OWN_SERVER } from './helpers.mjs';

const VALUE = 64 * 1024;

function valueOf(i) {
  return Buffer.alloc(VALUE, i % 251);
}

// The whole body, or {failed: true} when the stream breaks; never throws.
async function fetchWhole(s, url) {
  const res = await s.api(url);
  if (res.status !== 200) return { status: res.status, doc: await res.json() };
  const chunks = [];
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch {
    return { status: 200, failed: true };
  }
  return { status: 200, body: Buffer.concat(chunks) };
}

test('a page read error during a backup: 500 JET_errDiskIO and event 481, the backup goes on, a retry completes and the set restores every acknowledged write', { skip: OWN_SERVER, timeout: 120000 }, async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  // a cache of 1 MiB: the backup reads the database file, not cached pages
  const s = await startServer({ dataDir, args: ['--demo', '--cache-size', '1'], env: { HOTCOPYD_TEST_FAULT: 'read:fail:.edb:0:1:5' } });
  t.after(() => s.cleanup());
  const acked = [];
  for (let i = 0; i < 48; i++) {
    const r = await s.api(`/api/v1/instances/default/tables/big/records/k${i}`, { method: 'PUT', body: valueOf(i) });
    await r.arrayBuffer();
    if (r.status === 201 || r.status === 200) acked.push(i);
  }
  assert.equal(acked.length, 48);
  const b = await beginBackup(s);
  const db = (await s.json(`/api/v1/backups/${b.id}/files`)).doc.find((f) => f.kind === 'database');
  assert.ok(db.sizeBytes > 2 * 1024 * 1024, `a database larger than the cache (${db.sizeBytes} bytes)`);

  await arm(s);
  const first = await fetchWhole(s, db.url);
  if (first.status === 200) {
    assert.ok(first.failed || first.body.length < db.sizeBytes, 'a short transfer, never a complete one');
  } else {
    assert.equal(first.status, 500);
    assert.equal(first.doc.name, 'JET_errDiskIO');
    assert.equal(first.doc.code, -1022);
  }
  const events = (await s.json(`/api/v1/events?backup=${b.id}`)).doc;
  const e481 = events.find((e) => e.eventId === 481);
  assert.ok(e481, JSON.stringify(events));
  assert.equal(e481.level, 'error');
  assert.match(e481.message, /JET_errDiskIO/);
  assert.equal((await s.json(`/api/v1/backups/${b.id}`)).doc.phase, 'database', 'the backup goes on');

  // the retry (the fault failed one read) completes; the rest of the backup as usual
  const again = await download(s, db.url);
  assert.equal(again.status, 200);
  assert.equal(again.body.length, db.sizeBytes);
  const logs = await s.json(`/api/v1/backups/${b.id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200, JSON.stringify(logs.doc));
  const logBytes = {};
  for (const f of logs.doc.files.filter((x) => x.kind === 'log')) {
    const r = await download(s, f.url);
    assert.equal(r.status, 200);
    logBytes[f.name] = r.body;
  }
  assert.equal((await s.json(`/api/v1/backups/${b.id}/truncate`, { method: 'POST' })).status, 200);
  const end = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 200, JSON.stringify(end.doc));
  assert.equal(end.doc.backup.recordedAs, 'full');

  // hard recovery of the set into a new instance: every acknowledged record is there
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'after-eio' } });
  assert.equal(rs.status, 201);
  const put = await s.json(`/api/v1/restores/${rs.doc.id}/files/${db.name}`, { method: 'PUT', body: again.body });
  assert.equal(put.status, 200);
  for (const [name, body] of Object.entries(logBytes))
    assert.equal((await s.json(`/api/v1/restores/${rs.doc.id}/files/${name}`, { method: 'PUT', body })).status, 200);
  const run = await s.json(`/api/v1/restores/${rs.doc.id}/run`, { method: 'POST', json: {} });
  assert.equal(run.status, 200, JSON.stringify(run.doc));
  for (const i of acked) {
    const r = await download(s, `/api/v1/instances/after-eio/tables/big/records/k${i}`);
    assert.equal(r.status, 200, `restored k${i}`);
    assert.ok(r.body.equals(valueOf(i)), `restored k${i} intact`);
  }

  // and the appliance itself, restarted, has them too
  assert.equal((await s.stop()).code, 0);
  const s2 = await startServer({ dataDir, args: ['--demo'] });
  t.after(() => s2.cleanup());
  for (const i of acked) {
    const r = await download(s2, `/api/v1/instances/default/tables/big/records/k${i}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(valueOf(i)));
  }
  assert.equal((await s2.stop()).code, 0);
});
