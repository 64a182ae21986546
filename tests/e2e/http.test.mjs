// http.test.mjs — HTTP behaviour of the server itself: keep-alive across requests (the answer is
// queued on the handler's second call), HEAD, 405 with Allow, the one-line request log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, curl, until, OWN_SERVER } from './helpers.mjs';

test('consecutive requests share one kept-alive connection', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const auth = `Authorization: Bearer ${s.token}`;
  const r = curl(['-v', '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null', '-H', auth,
                  s.url + '/healthz', s.url + '/api/v1/instances', s.url + '/api/v1/backups']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.stderr.match(/Re-using existing connection/g) || []).length, 2, r.stderr);
  assert.ok(!/Connection: close/i.test(r.stderr));
  const post = curl(['-v', '-o', '/dev/null', '-o', '/dev/null', '-H', auth, '-H', 'Content-Type: application/json',
                     '-d', '{"writesPerSecond": 1, "seconds": 1}', s.url + '/api/v1/instances/default/load',
                     '--next', '-o', '/dev/null', '-H', auth, s.url + '/api/v1/instances/default/load']);
  assert.match(post.stderr, /Re-using existing connection/, 'also after a request with a body');
});

test('HEAD of a GET route, 405 with Allow, and one log line per request without secrets', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const head = await s.api('/api/v1/instances', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const r = await s.json('/api/v1/backups/1/files', { method: 'DELETE' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET');
  await s.json('/api/v1/instances?x=secret-query');
  // the line is written when the request completes, maybe just after the client has the answer
  const line = await until(() => s.stderr.split('\n').find((l) => l.startsWith('GET /api/v1/instances 200 ')),
                           { ms: 5000, what: () => 'the request log line in:\n' + s.stderr });
  assert.match(line, /^GET \/api\/v1\/instances 200 \d+ \d+\.\d{3}ms$/);
  assert.ok(!s.stderr.includes('secret-query'), 'no query strings in the log');
  assert.ok(!s.stderr.includes(s.token), 'never the token');
});
