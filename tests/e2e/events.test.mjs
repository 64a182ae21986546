// events.test.mjs — the event log: SSE delivers engine events as they happen, Last-Event-ID
// replays; the catalog survives restarts; a backup interrupted by a crash is failed after the
// restart; SIGTERM ends a running backup as aborted by server and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, tempDir, beginBackup, sleep } from './helpers.mjs';

// Reads SSE frames from a fetch response until `want` returns true for one (or the time runs out).
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
      if (data) {
        const ev = { id: Number(id[1]), ...JSON.parse(data[1]) };
        frames.push(ev);
        if (want(ev)) { reader.cancel().catch(() => {}); return frames; }
      }
    }
  }
  reader.cancel().catch(() => {});
  return frames;
}

test('SSE: text/event-stream delivers a backup\'s events as they happen, and replays after Last-Event-ID', async (t) => {
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

test('catalog after restart: history kept; kill -9 during a backup -> failed after restart', { timeout: 60000 }, async (t) => {
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

test('SIGTERM: a running backup ends as aborted by server, the server exits 0', { timeout: 60000 }, async (t) => {
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
