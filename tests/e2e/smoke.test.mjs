// smoke.test.mjs — the smoke test: backup -> download -> end -> restore -> verify, against a
// hotcopyd of its own or, when HOTCOPY_URL and HOTCOPY_TOKEN name one, against that server
// (tests/docker/run.sh runs it against the container: `--test-name-pattern=smoke`). It assumes
// nothing of the data directory: it backs up the instance "default" (else the first running one),
// and its table and restored instance carry a random suffix, so it can run again and again on the
// same server. It does not truncate the logs (the server may be someone's appliance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, openEventStream, download, crc32c } from './helpers.mjs';

const RECORDS = 24;

async function put(s, path, body) {
  const r = await s.json(path, { method: 'PUT', body });
  assert.ok(r.status === 200 || r.status === 201, `PUT ${path}: ${r.status} ${JSON.stringify(r.doc)}`);
}

// Every file of `list` whole, checked against its listed size, with the final progress frame
// (bytesServed = sizeBytes) on the event stream.
async function fetchFiles(s, stream, backupId, list) {
  const got = {};
  for (const f of list) {
    assert.match(f.name, /^[^/\\]+$/, 'a plain file name');
    const r = await download(s, f.url);
    assert.equal(r.status, 200, `GET ${f.url}`);
    assert.equal(r.body.length, f.sizeBytes, `${f.name}: the bytes the listing announced`);
    assert.match(r.headers.get('etag'), /^"[^"]+"$/);
    got[f.name] = r.body;
    const done = await stream.waitFor((e) => e.event === 'progress' && e.data.backupId === backupId &&
                                              e.data.file === f.name && e.data.bytesServed === f.sizeBytes, 10000);
    assert.ok(done, `a progress frame says all of ${f.name} was served`);
    assert.equal(done.id, null, 'progress frames carry no id');
  }
  return got;
}

test('smoke: backup, download, end, restore and verify on whatever server is given', { timeout: 120000 }, async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const tag = randomBytes(4).toString('hex');
  const table = `smoke_${tag}`;
  const restoredName = `smoke-${tag}`;

  const health = await s.json('/healthz', { noAuth: true });
  assert.equal(health.status, 200);
  assert.equal(health.doc.status, 'ok');
  const insts = await s.json('/api/v1/instances');
  assert.equal(insts.status, 200);
  const inst = (insts.doc.find((i) => i.name === 'default') || insts.doc.find((i) => i.state === 'running') || {}).name;
  assert.ok(inst, `an instance to back up: ${JSON.stringify(insts.doc)}`);
  const base = `/api/v1/instances/${inst}/tables/${table}/records/`;

  // records of varied sizes (one long value), then the backup
  const values = new Map();
  for (let i = 0; i < RECORDS; i++) values.set(`k${i}`, randomBytes(i === 0 ? 300 * 1024 : 1 + i * 517));
  for (const [k, v] of values) await put(s, base + k, v);

  const stream = await openEventStream(s);
  t.after(() => stream.close());
  const begin = await s.json('/api/v1/backups', { method: 'POST', json: { instance: inst, type: 'full' } });
  assert.equal(begin.status, 201, `begin: ${JSON.stringify(begin.doc)} (is another backup of ${inst} running?)`);
  const id = begin.doc.id;
  assert.equal(begin.doc.phase, 'database');
  const dbList = await s.json(`/api/v1/backups/${id}/files`);
  assert.equal(dbList.status, 200);
  const dbs = dbList.doc.filter((f) => f.kind === 'database');
  assert.ok(dbs.length >= 1, JSON.stringify(dbList.doc));
  const set = await fetchFiles(s, stream, id, dbs);
  const first = dbs[0];
  const range = await download(s, first.url, { Range: 'bytes=100-4195' });
  assert.equal(range.status, 206);
  assert.equal(range.headers.get('content-range'), `bytes 100-4195/${first.sizeBytes}`);
  assert.ok(range.body.equals(set[first.name].subarray(100, 4196)), 'a range gives the same bytes as the whole file');

  // written after the databases were read: in the restore only through log replay
  const late = randomBytes(777);
  await put(s, base + 'late', late);
  const logs = await s.json(`/api/v1/backups/${id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200, JSON.stringify(logs.doc));
  assert.ok(logs.doc.files.length >= 1);
  assert.equal(logs.doc.files.length, logs.doc.genHigh - logs.doc.genLow + 1);
  Object.assign(set, await fetchFiles(s, stream, id, logs.doc.files));
  // written after the log call: not in the backup
  await put(s, base + 'after', Buffer.from('not in the backup'));

  const end = await s.json(`/api/v1/backups/${id}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 200, JSON.stringify(end.doc));
  assert.equal(end.doc.result.name, 'JET_errSuccess');
  assert.equal(end.doc.backup.phase, 'ended');
  assert.equal(end.doc.backup.recordedAs, 'copy', 'a full backup without truncation is recorded as a copy');
  for (const f of end.doc.backup.files) {
    if (!set[f.name]) continue;
    assert.equal(f.bytesServed, f.sizeBytes, `${f.name}: every byte served`);
    assert.equal(f.crc32c, crc32c(set[f.name]), `${f.name}: the CRC32C of what was served whole`);
  }

  // restore the set into a new instance by hard recovery
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: restoredName } });
  assert.equal(rs.status, 201, JSON.stringify(rs.doc));
  assert.equal(rs.doc.state, 'staging');
  for (const [name, bytes] of Object.entries(set)) {
    const r = await s.json(`/api/v1/restores/${rs.doc.id}/files/${name}`, { method: 'PUT', body: bytes });
    assert.equal(r.status, 200, `upload ${name}: ${JSON.stringify(r.doc)}`);
  }
  const run = await s.json(`/api/v1/restores/${rs.doc.id}/run`, { method: 'POST', json: {} });
  assert.equal(run.status, 200, JSON.stringify(run.doc));
  assert.equal(run.doc.result.code, 0);
  const restored = await s.json(`/api/v1/instances/${restoredName}`);
  assert.equal(restored.status, 200);
  assert.equal(restored.doc.state, 'running');

  // verify: every record of the backup, byte for byte, and nothing written after the log call
  const rbase = `/api/v1/instances/${restoredName}/tables/${table}/records/`;
  for (const [k, v] of [...values, ['late', late]]) {
    const r = await s.api(rbase + k);
    assert.equal(r.status, 200, `${k} in the restored instance`);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(v), `${k}: the same bytes`);
  }
  assert.equal((await s.json(rbase + 'after')).status, 404, 'a record written after the log call is not restored');
  const listed = await s.json(`/api/v1/instances/${restoredName}/tables/${table}/records?limit=1000`);
  assert.equal(listed.doc.keys.length, RECORDS + 1);
  const src = await s.api(base + 'after');
  assert.equal(src.status, 200, 'the source instance goes on');
  await src.arrayBuffer();
});
