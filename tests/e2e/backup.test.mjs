// backup.test.mjs — the whole flow under the load generator: begin, parallel range downloads,
// an interrupted download resumed with `curl -C -`, the log call, truncate, end; then an upload
// (one file resumed with Content-Range), hard recovery, and verification of every record
// acknowledged before the log call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, sleep, curl, beginBackup, download, crc32c, OWN_SERVER } from './helpers.mjs';

// Fetches [0, size) as `parts` concurrent single ranges and joins them.
async function parallelRanges(s, url, size, parts) {
  const step = Math.ceil(size / parts);
  const jobs = [];
  for (let start = 0; start < size; start += step) {
    const end = Math.min(size, start + step) - 1;
    jobs.push(download(s, url, { Range: `bytes=${start}-${end}` }).then((r) => {
      assert.equal(r.status, 206);
      assert.equal(r.headers.get('content-range'), `bytes ${start}-${end}/${size}`);
      assert.equal(r.body.length, end - start + 1);
      return r.body;
    }));
  }
  return Buffer.concat(await Promise.all(jobs));
}

// A download cut off part way (the client aborts after some bytes, which are kept in the file),
// then finished by `curl -C -`, which asks for the rest with a Range header.
async function interruptedThenResumed(s, url, out) {
  const ctl = new AbortController();
  const res = await fetch(s.url + url, { headers: { Authorization: `Bearer ${s.token}` }, signal: ctl.signal });
  assert.equal(res.status, 200);
  const size = Number(res.headers.get('content-length'));
  const chunks = [];
  let got = 0;
  const reader = res.body.getReader();
  while (got < size / 3) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
  }
  ctl.abort();
  const partial = Buffer.concat(chunks).subarray(0, Math.floor(size / 3));
  writeFileSync(out, partial);
  assert.ok(partial.length > 0 && partial.length < size, 'the first try is cut short');
  const r = curl(['-f', '-C', '-', '-H', `Authorization: Bearer ${s.token}`, '-o', out, s.url + url]);
  assert.equal(r.code, 0, r.stderr);
  return partial.length;
}

test('full backup under load: ranges, resume, logs, truncate, end, restore, verify', { skip: OWN_SERVER, timeout: 180000 }, async (t) => {
  const s = await startServer({ args: ['--demo'] });
  const work = tempDir();
  t.after(() => { s.cleanup(); rmSync(work, { recursive: true, force: true }); });

  const load = await s.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 200, seconds: 120 } });
  assert.equal(load.status, 201, JSON.stringify(load.doc));
  await sleep(1500);

  const res = await s.api('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } });
  assert.equal(res.status, 201);
  const backup = await res.json();
  assert.equal(res.headers.get('location'), `/api/v1/backups/${backup.id}`);
  assert.equal(backup.phase, 'database');
  assert.equal(backup.type, 'full');

  const files = await s.json(`/api/v1/backups/${backup.id}/files`);
  assert.equal(files.status, 200);
  const dbs = files.doc.filter((f) => f.kind === 'database');
  assert.ok(dbs.length >= 1, JSON.stringify(files.doc));
  const db = dbs[0];
  assert.equal(db.url, `/api/v1/backups/${backup.id}/files/${db.name}`);

  const head = await s.api(db.url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), db.sizeBytes);
  assert.equal(head.headers.get('accept-ranges'), 'bytes');
  assert.match(head.headers.get('etag'), /^"[^"]+"$/);
  assert.ok(head.headers.get('last-modified'));
  assert.match(head.headers.get('content-disposition'), /^attachment/);

  // the database while writes go on: four parallel ranges, and an interrupted + resumed download
  const joined = await parallelRanges(s, db.url, db.sizeBytes, 4);
  assert.equal(joined.length, db.sizeBytes);
  const dbPath = join(work, db.name);
  await interruptedThenResumed(s, db.url, dbPath);
  assert.equal(statSync(dbPath).size, db.sizeBytes, 'curl -C - completed the database');

  // every record acknowledged now must be in the restored copy
  const before = await s.json('/api/v1/instances/default/load');
  const acknowledged = before.doc.highestSequence;
  assert.ok(acknowledged > 0, 'the load generator committed records');

  const logs = await s.json(`/api/v1/backups/${backup.id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200, JSON.stringify(logs.doc));
  assert.ok(logs.doc.genLow >= 1 && logs.doc.genHigh >= logs.doc.genLow);
  assert.equal(logs.doc.baseName, 'edb');
  assert.equal(logs.doc.files.length, logs.doc.genHigh - logs.doc.genLow + 1);

  const late = await s.json(db.url);
  assert.equal(late.status, 409, 'no database file after the log call');
  assert.equal(late.doc.name, 'JET_errInvalidBackupSequence');
  assert.equal(late.doc.code, -521);

  const logWhole = {};
  for (const [i, f] of logs.doc.files.entries()) {
    const whole = await download(s, f.url);
    assert.equal(whole.status, 200);
    assert.equal(whole.body.length, f.sizeBytes);
    logWhole[f.name] = whole.body;
    writeFileSync(join(work, f.name), whole.body);
    const again = await parallelRanges(s, f.url, f.sizeBytes, 3);
    assert.ok(again.equals(whole.body), 'ranges of a log file join to the same bytes');
    if (i === 0) { // a resumed download of a log ends byte-identical
      const p = join(work, 'resumed-' + f.name);
      await interruptedThenResumed(s, f.url, p);
      assert.ok(readFileSync(p).equals(whole.body), 'curl -C - gives a byte-identical file');
    }
  }

  const trunc = await s.json(`/api/v1/backups/${backup.id}/truncate`, { method: 'POST' });
  assert.equal(trunc.status, 200, JSON.stringify(trunc.doc));
  assert.equal(trunc.doc.phase, 'truncated');

  const end = await s.json(`/api/v1/backups/${backup.id}/end`, { method: 'POST', json: {} });
  assert.equal(end.status, 200, JSON.stringify(end.doc));
  assert.equal(end.doc.result.code, 0);
  assert.equal(end.doc.result.name, 'JET_errSuccess');
  assert.ok(end.doc.events.some((e) => e.eventId === 213), 'event 213 in the end call answer');
  assert.equal(end.doc.backup.phase, 'ended');
  assert.equal(end.doc.backup.recordedAs, 'full');
  for (const f of end.doc.backup.files.filter((x) => x.kind === 'log')) {
    assert.equal(f.bytesServed, f.sizeBytes);
    assert.equal(f.crc32c, crc32c(logWhole[f.name]), 'CRC32C of what was served whole');
  }
  const dbRow = end.doc.backup.files.find((x) => x.name === db.name);
  assert.equal(dbRow.bytesServed, db.sizeBytes);
  await s.json('/api/v1/instances/default/load', { method: 'DELETE' });

  // restore: upload the set (the database in two pieces), run hard recovery, verify
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'restored-1' } });
  assert.equal(rs.status, 201);
  assert.equal(rs.doc.state, 'staging');
  const dbBytes = readFileSync(dbPath);
  const half = Math.floor(dbBytes.length / 2);
  const put1 = await s.json(`/api/v1/restores/${rs.doc.id}/files/${db.name}`, { method: 'PUT', body: dbBytes.subarray(0, half),
    headers: { 'Content-Range': `bytes 0-${half - 1}/${dbBytes.length}` } });
  assert.equal(put1.status, 200);
  assert.equal(put1.doc.complete, false);
  const gap = await s.json(`/api/v1/restores/${rs.doc.id}/files/${db.name}`, { method: 'PUT', body: Buffer.alloc(10),
    headers: { 'Content-Range': `bytes ${half + 100}-${half + 109}/${dbBytes.length}` } });
  assert.equal(gap.status, 409, 'an upload may not leave a gap');
  const put2 = await s.json(`/api/v1/restores/${rs.doc.id}/files/${db.name}`, { method: 'PUT', body: dbBytes.subarray(half),
    headers: { 'Content-Range': `bytes ${half}-${dbBytes.length - 1}/${dbBytes.length}` } });
  assert.equal(put2.status, 200);
  assert.equal(put2.doc.complete, true);
  for (const f of logs.doc.files) {
    const p = await s.json(`/api/v1/restores/${rs.doc.id}/files/${f.name}`, { method: 'PUT', body: logWhole[f.name] });
    assert.equal(p.status, 200);
  }
  const run = await s.json(`/api/v1/restores/${rs.doc.id}/run`, { method: 'POST', json: { genLow: logs.doc.genLow, genHigh: logs.doc.genHigh } });
  assert.equal(run.status, 200, JSON.stringify(run.doc));
  assert.equal(run.doc.result.code, 0);
  assert.ok(Array.isArray(run.doc.events));
  const insts = await s.json('/api/v1/instances');
  assert.ok(insts.doc.some((i) => i.name === 'restored-1' && i.state === 'running'), JSON.stringify(insts.doc));
  const verify = await s.json(`/api/v1/instances/restored-1/load/verify?through=${acknowledged}`);
  assert.equal(verify.status, 200, JSON.stringify(verify.doc));
  assert.equal(verify.doc.corrupt, 0);
  assert.equal(verify.doc.missingThrough, 0, JSON.stringify(verify.doc));
  assert.equal(verify.doc.ok, true);
  const demo = await s.api('/api/v1/instances/restored-1/tables/demo/records/sample-0001');
  assert.equal(demo.status, 200, 'the demo table came back too');
  assert.equal((await s.stop()).code, 0);
});
