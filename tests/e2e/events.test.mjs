// events.test.mjs — the event log: SSE delivers engine events as they happen, Last-Event-ID
// replays; download progress frames (event: progress) come a few times a second per backup, are
// never stored or replayed; the catalog survives restarts; a backup interrupted by a crash is
// failed after the restart; SIGTERM ends a running backup as aborted by server and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, tempDir, beginBackup, sleep, download, openEventStream, OWN_SERVER } from './helpers.mjs';

// Reads the stored events' SSE frames (unnamed, with an id) from a fetch response until `want`
// returns true for one (or the time runs out); named frames (progress) are left out.
async function readEvents(res, want, ms = 10000) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const frames = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const next = await Promise.race([reader.read(), sleep(deadline - Date.now()).then(() => null)]);
    if (next === null || next.done) break;
    buf += decoder.decode(next.value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const id = frame.match(/^id: (\d+)$/m);
      const data = frame.match(/^data: (.*)$/m);
      if (data && !/^event: /m.test(frame)) {
        const ev = { id: Number(id[1]), ...JSON.parse(data[1]) };
        frames.push(ev);
        if (want(ev)) { reader.cancel().catch(() => {}); return frames; }
      }
    }
  }
  reader.cancel().catch(() => {});
  return frames;
}

test('SSE: text/event-stream delivers a backup\'s events as they happen, and replays after Last-Event-ID', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer({ args: ['--demo'] });
  t.after(() => s.cleanup());
  const res = await s.api('/api/v1/events/stream');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const pending = readEvents(res, (e) => e.eventId === 215);
  await sleep(200);
  const b = await beginBackup(s);
  await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: { abort: true } });
  const frames = await pending;
  const begin = frames.find((e) => e.eventId === 210);
  assert.ok(begin, JSON.stringify(frames));
  assert.equal(begin.backupId, b.id);
  assert.equal(begin.instance, 'default');
  assert.ok(frames.some((e) => e.eventId === 215 && e.level !== 'info' || e.eventId === 215));
  // a client that reconnects with Last-Event-ID gets what came after it
  const again = await s.api('/api/v1/events/stream', { headers: { 'Last-Event-ID': String(begin.id) } });
  const replay = await readEvents(again, (e) => e.eventId === 215, 3000);
  assert.ok(replay.length >= 1 && replay.every((e) => e.id > begin.id));
  const list = await s.json(`/api/v1/events?backup=${b.id}`);
  assert.deepEqual(list.doc.map((e) => e.id), [...list.doc.map((e) => e.id)].sort((x, y) => x - y), 'oldest first');
  const after = await s.json(`/api/v1/events?after=${begin.id}&limit=1`);
  assert.equal(after.doc.length, 1);
  assert.ok(after.doc[0].id > begin.id);
});

test('SSE progress: a download reports bytesServed a few times a second, ends at the size, and is neither stored nor replayed', { timeout: 60000 }, async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const value = Buffer.alloc(256 * 1024, 3);
  for (let i = 0; i < 16; i++) {
    const r = await s.api(`/api/v1/instances/default/tables/progress/records/k${i}`, { method: 'PUT', body: value });
    assert.ok(r.status === 201 || r.status === 200);
    await r.arrayBuffer();
  }
  const stream = await openEventStream(s);
  t.after(() => stream.close());
  // the backup's own throttle makes the database (over 4 MiB) take two seconds or more
  const begin = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full', maxBytesPerSecond: 2 * 1024 * 1024 } });
  assert.equal(begin.status, 201, JSON.stringify(begin.doc));
  const id = begin.doc.id;
  const stored = await stream.waitFor((e) => e.event === 'message' && e.data.backupId === id);
  assert.ok(stored, 'the begin event came first');
  const db = (await s.json(`/api/v1/backups/${id}/files`)).doc.find((f) => f.kind === 'database');
  assert.ok(db.sizeBytes >= 4 * 1024 * 1024, `a database of ${db.sizeBytes} bytes`);
  const t0 = Date.now();
  const whole = await download(s, db.url);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(whole.body.length, db.sizeBytes);
  const mine = (e) => e.event === 'progress' && e.data.backupId === id && e.data.file === db.name;
  assert.ok(await stream.waitFor((e) => mine(e) && e.data.bytesServed === db.sizeBytes, 5000), 'the last frame says the whole file');
  const frames = stream.frames.filter(mine);
  for (const f of frames) {
    assert.equal(f.id, null, 'no id: a reconnecting client\'s Last-Event-ID stays a stored event');
    assert.deepEqual(Object.keys(f.data).sort(), ['backupId', 'bytesServed', 'file', 'instance', 'sizeBytes']);
    assert.equal(f.data.instance, 'default');
    assert.equal(f.data.sizeBytes, db.sizeBytes);
  }
  const served = frames.map((f) => f.data.bytesServed);
  assert.deepEqual(served, [...served].sort((a, b) => a - b), 'bytesServed never goes back');
  assert.ok(served[0] > 0 && served[0] < db.sizeBytes, `the first frame comes while bytes flow (${served[0]})`);
  assert.ok(frames.length >= 3, `live progress during a ${seconds.toFixed(1)} s download: ${frames.length} frames`);
  assert.ok(frames.length <= Math.ceil(seconds / 0.25) + 2, `${frames.length} frames in ${seconds.toFixed(1)} s`);
  // unthrottled, the blocks (1 MiB) come much faster than 4 a second: the frames do not
  const patch = await s.json(`/api/v1/backups/${id}`, { method: 'PATCH', json: { maxBytesPerSecond: 0 } });
  assert.equal(patch.status, 200, JSON.stringify(patch.doc));
  const before = stream.frames.length;
  const t1 = Date.now();
  const fast = await download(s, db.url);
  const fastSeconds = (Date.now() - t1) / 1000;
  assert.equal(fast.body.length, db.sizeBytes);
  await stream.waitFor((e) => mine(e) && stream.frames.indexOf(e) >= before && e.data.bytesServed === db.sizeBytes, 5000);
  const fastFrames = stream.frames.slice(before).filter(mine);
  assert.ok(fastFrames.length >= 1 && fastFrames.at(-1).data.bytesServed === db.sizeBytes, 'the file is complete again');
  assert.ok(fastFrames.length <= Math.ceil(fastSeconds / 0.25) + 2,
            `throttled to 4 a second: ${fastFrames.length} frames for ${Math.ceil(db.sizeBytes / 1048576)} blocks in ${fastSeconds.toFixed(2)} s`);
  // the backup object agrees
  const obj = await s.json(`/api/v1/backups/${id}`);
  assert.equal(obj.doc.files.find((f) => f.name === db.name).bytesServed, db.sizeBytes);
  // not stored: a client replaying from the begin event gets stored events only
  const again = await openEventStream(s, { 'Last-Event-ID': String(stored.id) });
  t.after(() => again.close());
  await s.json(`/api/v1/backups/${id}/end`, { method: 'POST', json: { abort: true } });
  assert.ok(await again.waitFor((e) => e.data.eventId === 215 && e.data.backupId === id), 'the abort event arrives');
  assert.ok(again.frames.length > 0 && again.frames.every((e) => e.event === 'message' && e.id > stored.id), JSON.stringify(again.frames));
  const listed = await s.json(`/api/v1/events?backup=${id}`);
  assert.ok(listed.doc.every((e) => e.eventId !== undefined && e.bytesServed === undefined));
});

test('catalog after restart: history kept; kill -9 during a backup -> failed after restart', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const s1 = await startServer({ dataDir, args: ['--demo'] });
  const done = await beginBackup(s1);
  await s1.json(`/api/v1/backups/${done.id}/end`, { method: 'POST', json: { abort: true } });
  const running = await beginBackup(s1);
  await s1.kill9();
  const s2 = await startServer({ dataDir, args: ['--demo'] });
  t.after(() => s2.cleanup());
  const r = await s2.json(`/api/v1/backups/${running.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.doc.phase, 'failed');
  assert.ok(r.doc.endedAt);
  assert.ok(r.doc.result && r.doc.result.code < 0, JSON.stringify(r.doc.result));
  assert.ok(r.doc.events.some((e) => e.level === 'error'), 'an event says why');
  const old = await s2.json(`/api/v1/backups/${done.id}`);
  assert.equal(old.doc.phase, 'stopped');
  assert.equal(old.doc.result.code, -800);
  // the instance is usable again: a new backup can begin
  const next = await beginBackup(s2);
  assert.ok(next.id > running.id, 'ids are never reused');
});

test('SIGTERM: a running backup ends as aborted by server, the server exits 0', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const s1 = await startServer({ dataDir, args: ['--demo'] });
  const b = await beginBackup(s1);
  const stream = await s1.api('/api/v1/events/stream'); // an open SSE client must not block shutdown
  const exit = await s1.stop();
  stream.body.cancel().catch(() => {});
  assert.equal(exit.code, 0, s1.stderr);
  const s2 = await startServer({ dataDir, args: ['--demo'] });
  t.after(() => s2.cleanup());
  const r = await s2.json(`/api/v1/backups/${b.id}`);
  assert.equal(r.doc.phase, 'stopped');
  assert.equal(r.doc.result.name, 'JET_errBackupAbortByServer');
  assert.ok(r.doc.events.some((e) => e.eventId === 226), JSON.stringify(r.doc.events));
});
