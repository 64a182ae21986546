// records.test.mjs — the data endpoints (records on the engine's ESE data API) and the load
// generator's progress report and verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, until, OWN_SERVER } from './helpers.mjs';

test('records: PUT creates then replaces, GET returns the bytes, list by prefix and limit, DELETE', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const base = '/api/v1/instances/default/tables/notes/records/';
  const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
  const first = await s.json(base + 'a%2Fb%20c', { method: 'PUT', body: bytes });
  assert.equal(first.status, 201, JSON.stringify(first.doc));
  assert.equal(first.doc.created, true);
  const again = await s.json(base + 'a%2Fb%20c', { method: 'PUT', body: Buffer.from('second') });
  assert.equal(again.status, 200);
  assert.equal(again.doc.created, false);
  const got = await s.api(base + 'a%2Fb%20c');
  assert.equal(got.status, 200);
  assert.equal(Buffer.from(await got.arrayBuffer()).toString(), 'second');
  const empty = await s.json(base + 'empty', { method: 'PUT', body: '' });
  assert.equal(empty.status, 201);
  assert.equal((await (await s.api(base + 'empty')).arrayBuffer()).byteLength, 0);
  for (let i = 0; i < 12; i++) await s.json(base + `item-${String(i).padStart(2, '0')}`, { method: 'PUT', body: `v${i}` });
  const page = await s.json('/api/v1/instances/default/tables/notes/records?prefix=item-&limit=5');
  assert.equal(page.status, 200);
  assert.deepEqual(page.doc.keys, ['item-00', 'item-01', 'item-02', 'item-03', 'item-04']);
  assert.equal(page.doc.truncated, true);
  const all = await s.json('/api/v1/instances/default/tables/notes/records?limit=1000');
  assert.ok(all.doc.keys.includes('a%2Fb%20c'), 'listed keys are URL-encoded');
  assert.equal(all.doc.keys.length, 14);
  assert.equal(all.doc.truncated, false);
  assert.equal((await s.json(base + 'item-03', { method: 'DELETE' })).status, 204);
  assert.equal((await s.json(base + 'item-03')).status, 404);
  assert.equal((await s.json(base + 'item-03', { method: 'DELETE' })).status, 404);
  assert.equal((await s.json('/api/v1/instances/default/tables/bad%20name/records/k', { method: 'PUT', body: 'x' })).status, 400);
  assert.equal((await s.json('/api/v1/instances/default/tables/notes/records/k?database=nope.edb', { method: 'PUT', body: 'x' })).status, 404);
  const long = 'k'.repeat(256);
  assert.equal((await s.json(base + long, { method: 'PUT', body: 'x' })).status, 400, 'keys up to 255 bytes');
});

test('load generator: commits at the asked rate, reports the highest acknowledged sequence, verifies', { skip: OWN_SERVER, timeout: 30000 }, async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const idle = await s.json('/api/v1/instances/default/load');
  assert.equal(idle.doc.running, false);
  // 100 writes/s for 3 s: 300 commits on schedule. At least 200 leaves each durable commit 10 ms
  // on average (a slow disk's fsync); at most 300 fails a generator that does not pace its writes.
  const started = Date.now();
  const start = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 100, seconds: 3 } });
  assert.equal(start.status, 201);
  assert.equal(start.doc.running, true);
  assert.equal((await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 10 } })).status, 409);
  const done = await until(async () => {
    const r = await s.json('/api/v1/instances/default/load');
    return r.doc.running === false && r;
  }, { ms: 10000, every: 100, what: 'the load generator to stop after its 3 seconds' });
  assert.ok(Date.now() - started >= 2900, `ran its 3 seconds (stopped after ${Date.now() - started} ms)`);
  assert.ok(done.doc.committed >= 200 && done.doc.committed <= 300, `committed ${done.doc.committed}`);
  assert.equal(done.doc.highestSequence, done.doc.committed);
  assert.equal(done.doc.errors, 0);
  const v = await s.json(`/api/v1/instances/default/load/verify?through=${done.doc.highestSequence}`);
  assert.equal(v.doc.ok, true, JSON.stringify(v.doc));
  assert.equal(v.doc.records, done.doc.committed);
  // a second run continues the sequence; DELETE stops it long before its 60 seconds
  const second = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 100, seconds: 60 } });
  assert.equal(second.status, 201);
  await until(async () => (await s.json('/api/v1/instances/default/load')).doc.highestSequence > done.doc.highestSequence,
              { ms: 10000, what: 'the second run to commit' });
  const stopped = await s.json('/api/v1/instances/default/load', { method: 'DELETE' });
  assert.equal(stopped.status, 200);
  assert.equal(stopped.doc.running, false);
  assert.ok(stopped.doc.highestSequence > done.doc.highestSequence);
  const v2 = await s.json(`/api/v1/instances/default/load/verify?through=${stopped.doc.highestSequence}`);
  assert.equal(v2.doc.ok, true, JSON.stringify(v2.doc));
  const m = await (await s.api('/metrics')).text();
  const commits = Number(m.match(/hotcopy_commits_total\{instance="default"\} (\d+)/)[1]);
  assert.ok(commits >= stopped.doc.highestSequence);
});
