// fault_log.test.mjs — the log or the database can no longer be made durable: a log write that
// fails (EIO), a full disk under the log (ENOSPC), a log fsync that fails, and a database fsync that
// fails during a checkpoint. Each time: the failing call answers with the engine's code, the
// instance becomes unavailable (503 JET_errInstanceUnavailable, state "unavailable", /healthz 503)
// with an error event 412 that names the cause, and after a restart every acknowledged write is
// there: the records whose PUT answered 2xx, and the load generator's sequence up to the highest
// acknowledged one. The engine's fault points are armed through the server's test hook (SIGUSR1 +
// HOTCOPYD_TEST_FAULT "OP:MODE:PATH:SKIP:COUNT:ERRNO", server/main.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, tempDir, sleep, arm, until, OWN_SERVER } from './helpers.mjs';

const EIO = 5, ENOSPC = 28;

// PUTs records key-FROM..key-(TO-1); returns {acked: [i...], answers: [{i, status, name}]}.
async function putRecords(s, from, to) {
  const acked = [], answers = [];
  for (let i = from; i < to; i++) {
    const r = await s.json(`/api/v1/instances/default/tables/f/records/key-${i}`, { method: 'PUT', body: `value-${i}` });
    answers.push({ i, status: r.status, name: r.doc && r.doc.name });
    if (r.status === 200 || r.status === 201) acked.push(i);
  }
  return { acked, answers };
}

// A server on dataDir with the given fault spec (armed later by SIGUSR1).
async function faultyServer(t, spec, args = []) {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const s = await startServer({ dataDir, args: ['--demo', ...args], env: { HOTCOPYD_TEST_FAULT: spec } });
  t.after(() => s.cleanup());
  return s;
}

// The instance is unavailable everywhere the API shows it, with event 412 naming the cause.
async function assertUnavailable(s, cause) {
  const inst = await s.json('/api/v1/instances/default');
  assert.equal(inst.doc.state, 'unavailable', JSON.stringify(inst.doc));
  assert.equal((await s.json('/healthz')).status, 503, 'no usable instance');
  const read = await s.json('/api/v1/instances/default/tables/f/records/key-0');
  assert.equal(read.status, 503);
  assert.equal(read.doc.name, 'JET_errInstanceUnavailable');
  assert.equal(read.doc.code, -1090);
  const begin = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default' } });
  assert.equal(begin.status, 503, JSON.stringify(begin.doc));
  const events = await s.json('/api/v1/events?instance=default&limit=1000');
  const fatal = events.doc.find((e) => e.eventId === 412 && e.level === 'error');
  assert.ok(fatal, 'event 412: ' + JSON.stringify(events.doc.slice(-5)));
  assert.match(fatal.message, new RegExp(cause));
}

// Restarts on the same data directory without the fault and checks every acknowledged write.
async function assertNothingLost(t, s, acked, loadThrough) {
  await s.stop();
  const again = await startServer({ dataDir: s.dataDir, args: ['--demo'] });
  t.after(() => again.cleanup());
  assert.equal((await again.json('/api/v1/instances/default')).doc.state, 'running');
  for (const i of acked) {
    const r = await again.api(`/api/v1/instances/default/tables/f/records/key-${i}`);
    assert.equal(r.status, 200, `acknowledged record key-${i}`);
    assert.equal(await r.text(), `value-${i}`);
  }
  if (loadThrough > 0) {
    const v = await again.json(`/api/v1/instances/default/load/verify?through=${loadThrough}`);
    assert.equal(v.doc.ok, true, JSON.stringify(v.doc));
  }
  const w = await again.json('/api/v1/instances/default/tables/f/records/after-restart', { method: 'PUT', body: 'x' });
  assert.equal(w.status, 201, 'the instance takes writes again');
  assert.equal((await again.stop()).code, 0);
}

// One log fault: writes (records and the load generator) before, the fault, the failing commit's
// answer, then unavailability.
async function logFault(t, spec, firstName, cause) {
  const s = await faultyServer(t, spec);
  const before = await putRecords(s, 0, 20);
  assert.equal(before.acked.length, 20);
  const load = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 500, seconds: 60 } });
  assert.equal(load.status, 201);
  // some load generator commits acknowledged before the fault (however fast this disk commits)
  await until(async () => (await s.json('/api/v1/instances/default/load')).doc.highestSequence > 50,
              { ms: 15000, every: 50, what: 'the load generator to commit more than 50 writes' });
  const gen = (await s.json('/api/v1/instances/default/load', { method: 'DELETE' })).doc;
  assert.ok(gen.highestSequence > 50 && gen.errors === 0, JSON.stringify(gen));
  await arm(s);
  const after = await putRecords(s, 20, 30);
  assert.deepEqual(after.answers[0], { i: 20, status: 500, name: firstName }, 'the first commit that cannot be logged');
  for (const a of after.answers.slice(1)) assert.deepEqual([a.status, a.name], [503, 'JET_errInstanceUnavailable']);
  const refused = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 10, seconds: 5 } });
  assert.equal(refused.status, 503, JSON.stringify(refused.doc));
  await assertUnavailable(s, cause);
  await assertNothingLost(t, s, before.acked, gen.highestSequence);
}

test('a log write fails (EIO): 500 JET_errLogWriteFail, then 503 JET_errInstanceUnavailable and event 412; nothing acknowledged is lost', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  await logFault(t, `write:fail:edb.log:0:0:${EIO}`, 'JET_errLogWriteFail', 'JET_errLogWriteFail');
});

test('the disk under the log is full (ENOSPC): 500 JET_errLogDiskFull, then 503 and event 412; nothing acknowledged is lost', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  await logFault(t, `write:fail:edb.log:0:0:${ENOSPC}`, 'JET_errLogDiskFull', 'JET_errLogDiskFull');
});

test('an fsync of the log fails: the commit is not acknowledged, the instance is unavailable; nothing acknowledged is lost', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  await logFault(t, `fsync:fail:edb.log:0:0:${EIO}`, 'JET_errLogWriteFail', 'JET_errLogWriteFail');
});

// Once: a retried fsync may report success for pages the kernel dropped, so one failure is enough
// to stop the instance; the restart's recovery rewrites the pages from the log.
test('one fsync of the database fails at a checkpoint: the instance stops (503, event 412), the restart recovers every acknowledged write', { skip: OWN_SERVER, timeout: 90000 }, async (t) => {
  const s = await faultyServer(t, `fsync:fail:.edb:0:1:${EIO}`);
  const before = await putRecords(s, 0, 20);
  await arm(s);
  const load = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 1000, seconds: 60 } });
  assert.equal(load.status, 201);
  let gen;
  for (let i = 0; i < 60; i++) { // the first checkpoint comes within JET_paramLogCheckpointPeriod (10 s)
    await sleep(500);
    gen = (await s.json('/api/v1/instances/default/load')).doc;
    if (!gen.running) break;
  }
  assert.equal(gen.running, false, 'writes stop when the checkpoint cannot flush the database');
  assert.equal(gen.lastError.name, 'JET_errInstanceUnavailable', JSON.stringify(gen));
  const after = await putRecords(s, 20, 22);
  assert.deepEqual(after.answers.map((a) => a.status), [503, 503]);
  await assertUnavailable(s, 'could not be flushed to disk .JET_errDiskIO.');
  await assertNothingLost(t, s, before.acked, gen.highestSequence);
});
