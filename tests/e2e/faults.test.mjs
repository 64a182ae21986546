// faults.test.mjs — a database page that fails verification: the download ends short (never bad
// bytes) or, when the very first block fails, a 500 problem document; an error event is logged.
// The engine's fault point is armed through the server's test hook (SIGUSR1 +
// HOTCOPYD_TEST_FAULT, see server/main.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, beginBackup, arm, until, OWN_SERVER } from './helpers.mjs';

test('a page failing verification: the download fails (500, or cut short mid-stream), never completes, and an event is logged', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await startServer({
    args: ['--demo', '--cache-size', '1'],
    env: { HOTCOPYD_TEST_FAULT: 'read:corrupt:.edb:0:0:5' },
  });
  t.after(() => s.cleanup());
  // a database larger than the cache, so that a backup read goes to the disk
  const value = Buffer.alloc(256 * 1024, 7);
  for (let i = 0; i < 24; i++) {
    const r = await s.api(`/api/v1/instances/default/tables/big/records/k${i}`, { method: 'PUT', body: value });
    assert.ok(r.status === 201 || r.status === 200);
    await r.arrayBuffer();
  }
  const b = await beginBackup(s);
  const files = (await s.json(`/api/v1/backups/${b.id}/files`)).doc;
  const db = files.find((f) => f.kind === 'database');
  assert.ok(db.sizeBytes > 2 * 1024 * 1024, `database of ${db.sizeBytes} bytes`);
  await arm(s);
  const res = await s.api(db.url);
  let received = 0, failed = false;
  if (res.status === 200) {
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) break;
        received += chunk.length;
      }
    } catch {
      failed = true;
    }
    assert.ok(failed || received < db.sizeBytes, `short transfer (${received} of ${db.sizeBytes})`);
  } else {
    assert.equal(res.status, 500);
    const doc = await res.json();
    assert.equal(doc.name, 'JET_errReadVerifyFailure');
  }
  // the event is written as the download fails, which may be just after the client saw it end
  await until(async () => (await s.json(`/api/v1/events?backup=${b.id}`)).doc.some((e) => e.level === 'error'),
              { ms: 5000, what: `an error event of backup ${b.id}` });
});
