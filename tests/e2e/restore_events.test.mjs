// restore_events.test.mjs — the engine's hard-recovery events (204 start, the checks, 454 failure,
// 205 end) carry the name of the instance the restore creates, so GET /api/v1/events?instance=NAME
// shows them, for a restore that succeeds and for one that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, beginBackup, download, OWN_SERVER } from './helpers.mjs';

// A full backup of "default" read whole: {files: {name: bytes}, genLow, genHigh}.
async function fullBackup(s) {
  const b = await beginBackup(s);
  const files = {};
  for (const f of (await s.json(`/api/v1/backups/${b.id}/files`)).doc) files[f.name] = (await download(s, f.url)).body;
  const logs = await s.json(`/api/v1/backups/${b.id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200, JSON.stringify(logs.doc));
  for (const f of logs.doc.files) files[f.name] = (await download(s, f.url)).body;
  const end = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 200, JSON.stringify(end.doc));
  return { files, genLow: logs.doc.genLow, genHigh: logs.doc.genHigh };
}

// Stages `files` in a new restore of instance `name` and runs it.
async function restore(s, name, files, gens) {
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: name } });
  assert.equal(rs.status, 201, JSON.stringify(rs.doc));
  for (const [f, bytes] of Object.entries(files)) {
    const put = await s.json(`/api/v1/restores/${rs.doc.id}/files/${f}`, { method: 'PUT', body: bytes });
    assert.equal(put.status, 200, JSON.stringify(put.doc));
  }
  const run = await s.json(`/api/v1/restores/${rs.doc.id}/run`, { method: 'POST', json: gens });
  return { id: rs.doc.id, run };
}

// Every engine event of the restore names the instance, and ?instance= finds them.
async function assertEventsNamed(s, restoreId, name, expected) {
  const byInstance = await s.json(`/api/v1/events?instance=${name}&limit=1000`);
  assert.equal(byInstance.status, 200);
  const ids = byInstance.doc.filter((e) => e.restoreId === restoreId).map((e) => e.eventId);
  for (const id of expected) assert.ok(ids.includes(id), `event ${id} under instance ${name}: ${JSON.stringify(ids)}`);
  const all = await s.json(`/api/v1/events?limit=1000`);
  const engine = all.doc.filter((e) => e.restoreId === restoreId && e.eventId !== 0);
  assert.ok(engine.length >= expected.length);
  for (const e of engine) assert.equal(e.instance, name, `event ${e.eventId}: ${e.message}`);
}

test('the engine\'s restore events carry the restored instance\'s name, for a success and a failure', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await startServer({ args: ['--demo'] });
  t.after(() => s.cleanup());
  const set = await fullBackup(s);
  const gens = { genLow: set.genLow, genHigh: set.genHigh };

  const ok = await restore(s, 'restored-ev', set.files, gens);
  assert.equal(ok.run.status, 200, JSON.stringify(ok.run.doc));
  assert.ok(ok.run.doc.events.some((e) => e.eventId === 205 && e.instance === 'restored-ev'),
            JSON.stringify(ok.run.doc.events));
  await assertEventsNamed(s, ok.id, 'restored-ev', [204, 205]);
  assert.equal((await s.json('/api/v1/instances/restored-ev')).doc.state, 'running');

  // the databases without their logs: the check of the backup's logs fails
  const dbOnly = Object.fromEntries(Object.entries(set.files).filter(([f]) => f.endsWith('.edb')));
  const bad = await restore(s, 'broken-ev', dbOnly, gens);
  assert.equal(bad.run.doc.result.name, 'JET_errMissingRestoreLogFiles', JSON.stringify(bad.run.doc));
  await assertEventsNamed(s, bad.id, 'broken-ev', [204, 454, 205]);
});
