// records.test.mjs — the data endpoints (records on the engine's ESE data API) and the load
// generator's progress report and verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep, OWN_SERVER } from './helpers.mjs';

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
  const start = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 300, seconds: 2 } });
  assert.equal(start.status, 201);
  assert.equal(start.doc.running, true);
  assert.equal((await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 10 } })).status, 409);
  await sleep(2500);
  const done = await s.json('/api/v1/instances/default/load');
  assert.equal(done.doc.running, false);
  assert.ok(done.doc.committed >= 400 && done.doc.committed <= 600, `committed ${done.doc.committed}`);
  assert.equal(done.doc.highestSequence, done.doc.committed);
  assert.equal(done.doc.errors, 0);
  const v = await s.json(`/api/v1/instances/default/load/verify?through=${done.doc.highestSequence}`);
  assert.equal(v.doc.ok, true, JSON.stringify(v.doc));
  assert.equal(v.doc.records, done.doc.committed);
  // a second run continues the sequence
  await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 100, seconds: 1 } });
  await sleep(300);
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
