// security.test.mjs — hostile requests against hotcopyd built with AddressSanitizer and UBSan
// (make reliability runs it with HOTCOPYD=build/asan/bin/hotcopyd). Each gets the status the
// specification gives it, and nothing crashes: every server is stopped with SIGTERM at the end of
// its test and must exit 0 with no sanitizer report (an ASan, LeakSanitizer or UBSan report on
// stderr fails the test). Covered: auth on every route the spec protects (missing, wrong and
// malformed tokens), the session cookie without its CSRF token, traversal in backup file
// downloads, restore uploads, record keys and table names (../, %2e%2e, %2f, NUL, absolute paths,
// overlong names), oversized headers and bodies, malformed, overflowing and too many ranges,
// malformed Content-Range on uploads, malformed JSON, and slow uploads (a slowloris body).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startServer, tempDir, curl, sleep, until, beginBackup, HOTCOPYD, OWN_SERVER } from '../e2e/helpers.mjs';

const SANITIZER_REPORT = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer/;

// A server whose sanitizer output is checked when the test ends (after its other cleanups).
async function server(t, opts = {}) {
  const dataDir = tempDir('hotcopy-sec-');
  const s = await startServer({ dataDir, ...opts, args: ['--demo', ...(opts.args || [])] });
  t.after(async () => {
    const exit = await s.stop();
    const report = s.stderr.split('\n').filter((l) => SANITIZER_REPORT.test(l));
    s.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    assert.deepEqual(report, [], `sanitizer report:\n${s.stderr.slice(-4000)}`);
    assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}:\n${s.stderr.slice(-2000)}`);
  });
  return s;
}

// curl with the path as written (fetch() would resolve "..").
function raw(s, method, path, { auth = true, headers = [], body } = {}) {
  const args = ['--path-as-is', '-X', method, '-o', '-', '-w', '\n%{http_code}'];
  if (auth) args.push('-H', `Authorization: Bearer ${s.token}`);
  for (const h of headers) args.push('-H', h);
  if (body !== undefined) args.push('--data-binary', '@-');
  args.push(s.url + path);
  const r = curl(args, body);
  const out = r.stdout.toString();
  const cut = out.lastIndexOf('\n');
  return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
}

function routes() {
  const r = spawnSync(HOTCOPYD, ['--print-routes'], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').map((l) => l.split(' '));
}

function concrete(pattern) {
  return pattern.replace('{id}', '1').replace('{inst}', 'default').replace('{table}', 't').replace('{key}', 'k')
    .replace('{name}', 'default');
}

test('auth: every /api/ and dashboard action route refuses a missing, wrong or malformed token with 401 and WWW-Authenticate: Bearer', { skip: OWN_SERVER, timeout: 120000 }, async (t) => {
  const s = await server(t);
  const table = routes();
  assert.ok(table.length > 30);
  const bad = [null, 'Bearer wrong', `Bearer ${s.token}x`, `Bearer ${s.token.slice(0, -1)}`, `Basic ${Buffer.from('a:' + s.token).toString('base64')}`,
    `Bearer  ${s.token} extra`, `${s.token}`, 'Bearer ', `Bearer ${'a'.repeat(4000)}`];
  let checked = 0;
  for (const [method, pattern] of table) {
    if (!pattern.startsWith('/api/') && !(pattern.startsWith('/ui/') && method !== 'GET')) continue;
    for (const auth of bad) {
      const res = await fetch(s.url + concrete(pattern), { method, headers: auth ? { Authorization: auth } : {},
        body: method === 'GET' || method === 'HEAD' ? undefined : '{}' });
      assert.equal(res.status, 401, `${method} ${pattern} with ${auth === null ? 'no token' : JSON.stringify(auth.slice(0, 20))}`);
      if (method !== 'HEAD') {
        assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/, `${method} ${pattern}`);
        const doc = await res.json();
        assert.equal(doc.status, 401);
      }
      checked++;
    }
  }
  assert.ok(checked > 200, `${checked} refusals checked`);
  // unprotected by the spec: /healthz, the login page, static assets; /metrics is protected
  assert.equal((await fetch(s.url + '/healthz')).status, 200);
  assert.equal((await fetch(s.url + '/login')).status, 200);
  assert.equal((await fetch(s.url + '/metrics')).status, 401);
  const page = await fetch(s.url + '/ui/backups', { redirect: 'manual' });
  assert.ok(page.status === 303 || page.status === 302 || page.status === 401, `a page without a session: ${page.status}`);
  assert.ok(!(await page.text()).includes('demo.edb'), 'no data without a session');
  // the scheme is case-insensitive, the token is not
  assert.equal((await fetch(s.url + '/api/v1/instances', { headers: { Authorization: `bearer ${s.token}` } })).status, 200);
  assert.equal((await fetch(s.url + '/api/v1/instances', { headers: { Authorization: `Bearer ${s.token.toUpperCase()}` } })).status,
    s.token === s.token.toUpperCase() ? 200 : 401);
});

test('the session cookie: safe methods pass, unsafe ones need the session\'s CSRF token (header or form field), a forged cookie is nothing', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await server(t);
  const login = await fetch(s.url + '/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: s.token }) });
  assert.equal(login.status, 200);
  const { csrfToken } = await login.json();
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const put = (headers, body = 'v') => fetch(s.url + '/api/v1/instances/default/tables/c/records/k',
    { method: 'PUT', headers: { Cookie: cookie, ...headers }, body });
  assert.equal((await fetch(s.url + '/api/v1/backups', { headers: { Cookie: cookie } })).status, 200);
  assert.equal((await put({})).status, 403, 'no CSRF token');
  assert.equal((await put({ 'X-CSRF-Token': 'wrong' })).status, 403, 'a wrong CSRF token');
  assert.equal((await put({ 'X-CSRF-Token': csrfToken.slice(0, -1) })).status, 403, 'a truncated CSRF token');
  assert.equal((await put({ 'X-CSRF-Token': '' })).status, 403, 'an empty CSRF token');
  const post = (headers) => fetch(s.url + '/api/v1/backups', { method: 'POST', headers: { Cookie: cookie, ...headers }, body: '{}' });
  assert.equal((await post({ 'Content-Type': 'application/json' })).status, 403);
  assert.equal((await post({ 'Content-Type': 'application/x-www-form-urlencoded' })).status, 403, 'a form without the field');
  const del = await fetch(s.url + '/api/v1/instances/default/load', { method: 'DELETE', headers: { Cookie: cookie } });
  assert.equal(del.status, 403);
  assert.equal((await put({ 'X-CSRF-Token': csrfToken })).status, 201, 'with the token the write is done');
  // a cookie that names no session, or the right session id with another CSRF cookie
  const forged = await fetch(s.url + '/api/v1/backups', { headers: { Cookie: 'hc_session=' + 'a'.repeat(64) } });
  assert.equal(forged.status, 401);
  const odd = await fetch(s.url + '/api/v1/backups', { headers: { Cookie: 'hc_session=; hc_session=' + '%00'.repeat(30) } });
  assert.equal(odd.status, 401);
  const long = await fetch(s.url + '/api/v1/backups', { headers: { Cookie: 'x=' + 'y'.repeat(30000) } });
  assert.equal(long.status, 401);
});

const TRAVERSALS = ['..', '.', '%2e%2e', '%2E%2E', '..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'a%2fb',
  '..%5c..%5cwindows', '%00', 'main.edb%00.txt', 'a%0ab', '%2fetc%2fpasswd', 'x'.repeat(300), '%zz', '%'];

test('traversal: backup file downloads, restore uploads, record keys and table names refuse ../, %2e%2e, %2f, NUL and absolute paths', { skip: OWN_SERVER, timeout: 120000 }, async (t) => {
  const s = await server(t);
  const b = await beginBackup(s);
  for (const name of TRAVERSALS.concat(['../../etc/passwd', '/etc/passwd', '//etc/passwd'])) {
    const get = raw(s, 'GET', `/api/v1/backups/${b.id}/files/${name}`);
    assert.ok(get.status === 400 || get.status === 404, `download ${name}: ${get.status}`);
    assert.ok(!get.body.includes('root:'), `download ${name} never serves a system file`);
  }
  // a name that decodes to one the backup lists is still only that file, through the engine
  const listed = b.files.find((f) => f.kind === 'database').name;
  assert.equal(raw(s, 'HEAD', `/api/v1/backups/${b.id}/files/${encodeURIComponent(listed)}`).status, 200);
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'sec-1' } });
  assert.equal(rs.status, 201);
  for (const name of TRAVERSALS.concat(['../../tmp/evil', '/tmp/evil'])) {
    const put = raw(s, 'PUT', `/api/v1/restores/${rs.doc.id}/files/${name}`, { body: 'evil' });
    assert.ok(put.status === 400 || put.status === 404, `upload ${name}: ${put.status}`);
  }
  const staging = join(s.dataDir, 'restores', String(rs.doc.id));
  assert.deepEqual(existsSync(staging) ? readdirSync(staging) : [], [], 'nothing was written to the staging area');
  assert.ok(!existsSync('/tmp/evil') && !existsSync(join(s.dataDir, 'evil')), 'nothing outside it either');
  // names are decoded once: "%252e%252e" is the plain name "%2e%2e", stored as such in the staging area
  assert.equal(raw(s, 'PUT', `/api/v1/restores/${rs.doc.id}/files/%252e%252e`, { body: 'literal' }).status, 200);
  assert.deepEqual(readdirSync(staging), ['%2e%2e']);
  for (const name of ['..', '%2e%2e', 'a%2fb', '%00', 'a.b', 'x'.repeat(70), '%2fetc']) {
    const r = raw(s, 'PUT', `/api/v1/instances/default/tables/${name}/records/k`, { body: 'v' });
    assert.equal(r.status, 400, `table ${name}`);
  }
  for (const inst of ['..', '%2e%2e', '%2fetc', '%00']) {
    const r = raw(s, 'GET', `/api/v1/instances/${inst}/tables/t/records/k`);
    assert.ok(r.status === 400 || r.status === 404, `instance ${inst}: ${r.status}`);
  }
  // keys are bytes: an escaped '/' or '..' is a key, never a path; NUL and overlong keys are not
  for (const key of ['a%2fb', '..', '%2e%2e%2f%2e%2e', '%2fetc%2fpasswd']) {
    const put = raw(s, 'PUT', `/api/v1/instances/default/tables/keys/records/${key}`, { body: `value of ${key}` });
    assert.ok(put.status === 201 || put.status === 200 || (key === '..' && put.status === 400), `key ${key}: ${put.status}`);
    if (put.status < 300) assert.equal(raw(s, 'GET', `/api/v1/instances/default/tables/keys/records/${key}`).body, `value of ${key}`);
  }
  assert.equal(raw(s, 'PUT', '/api/v1/instances/default/tables/keys/records/a%00b', { body: 'v' }).status, 400);
  assert.equal(raw(s, 'PUT', `/api/v1/instances/default/tables/keys/records/${'k'.repeat(256)}`, { body: 'v' }).status, 400);
});

// Sends headers declaring a body of length bytes and one byte of it: {status line, ms}.
async function declaredOnly(s, path, length, auth = true) {
  const sock = connect(Number(new URL(s.url).port), '127.0.0.1');
  let text = '';
  const t0 = Date.now();
  sock.on('data', (d) => { text += d; });
  sock.on('error', () => {});
  const done = new Promise((resolve) => sock.on('close', resolve));
  await new Promise((resolve) => sock.on('connect', resolve));
  sock.write(`PUT ${path} HTTP/1.1\r\nHost: x\r\n${auth ? `Authorization: Bearer ${s.token}\r\n` : ''}` +
    `Content-Length: ${length}\r\n\r\nx`);
  await Promise.race([done, sleep(10000)]);
  sock.destroy();
  return { status: text.split('\r\n')[0], ms: Date.now() - t0 };
}

test('oversized headers get 431, oversized bodies 413, and the server goes on', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await server(t, { args: ['--max-body', '65536'] });
  const big = curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', 'X-Big: ' + 'a'.repeat(70000), s.url + '/healthz']);
  assert.equal(big.stdout.toString(), '431');
  const many = ['-o', '/dev/null', '-w', '%{http_code}'];
  for (let i = 0; i < 2000; i++) many.push('-H', `X-H${i}: ${'v'.repeat(30)}`);
  assert.equal(curl([...many, s.url + '/healthz']).stdout.toString(), '431');
  const longUrl = curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${s.token}`, `${s.url}/api/v1/backups?x=${'a'.repeat(80000)}`]);
  assert.ok(['414', '431', '400'].includes(longUrl.stdout.toString()), `a very long URL: ${longUrl.stdout}`);
  const body = await s.json('/api/v1/instances/default/tables/t/records/k', { method: 'PUT', body: Buffer.alloc(70000, 1) });
  assert.equal(body.status, 413);
  const json = await s.json('/api/v1/backups', { method: 'POST', body: '{"a":"' + 'x'.repeat(100000) + '"}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(json.status, 413);
  // a Content-Length far beyond the limit is refused before any byte of the body
  const claimed = await declaredOnly(s, '/api/v1/instances/default/tables/t/records/k', '99999999999999');
  assert.match(claimed.status, /^HTTP\/1\.1 413 /, 'answered at once, before any byte of the body');
  assert.ok(claimed.ms < 3000, `after ${claimed.ms} ms`);
  const unauth = await declaredOnly(s, '/api/v1/restores/1/files/x', '99999999999999', false);
  assert.match(unauth.status, /^HTTP\/1\.1 401 /, 'a huge upload without a token is refused at once too');
  assert.equal((await s.json('/healthz')).status, 200);
});

test('ranges: malformed and overflowing give 416, too many or overlapping fall back to 200, never more bytes than the file', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await server(t);
  const b = await beginBackup(s);
  const db = b.files.find((f) => f.kind === 'database');
  const get = (range, extra = []) => {
    const r = curl(['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', '-H', `Authorization: Bearer ${s.token}`,
      '-H', `Range: ${range}`, ...extra, s.url + db.url]);
    const [status, size] = r.stdout.toString().split(' ').map(Number);
    return { status, size };
  };
  for (const range of ['bytes=abc', 'bytes=99999999999999999999999-1', 'bytes=1-99999999999999999999999999', 'bytes=-',
    'bytes=--5', 'bytes=5-4', `bytes=${db.sizeBytes}-`, `bytes=${db.sizeBytes + 10}-${db.sizeBytes + 20}`, 'bytes=0-1;2-3',
    'bytes=1 2-3', 'bytes=-99999999999999999999', 'bytes=,', 'bytes=0-0,x']) {
    const r = get(range);
    assert.equal(r.status, 416, `${range}: ${r.status}`);
  }
  const many = 'bytes=' + Array.from({ length: 200 }, (_, i) => `${i}-${i}`).join(',');
  assert.deepEqual(get(many), { status: 200, size: db.sizeBytes }, '200 ranges: the whole file');
  const overlap = 'bytes=' + Array.from({ length: 10 }, () => `0-${db.sizeBytes - 1}`).join(',');
  assert.deepEqual(get(overlap), { status: 200, size: db.sizeBytes }, 'overlapping ranges adding up beyond the file');
  assert.deepEqual(get('items=0-5'), { status: 200, size: db.sizeBytes }, 'another unit is ignored');
  assert.deepEqual(get('bytes=0-9', ['-H', 'If-Range: "stale"']), { status: 200, size: db.sizeBytes });
  const two = get('bytes=0-9,-10');
  assert.equal(two.status, 206);
  assert.ok(two.size < 1000, 'two small ranges: a small multipart body');
  const hugeHeader = 'bytes=' + '0-0,'.repeat(15000) + '0-0';
  assert.ok([200, 431].includes(get(hugeHeader).status));
});

test('restore uploads: malformed Content-Range is 400, a body longer than its range is 400, a gap is 409', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await server(t);
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'cr-1' } });
  const url = `/api/v1/restores/${rs.doc.id}/files/main.edb`;
  for (const cr of ['bytes 0--1/*', 'bytes -1-5/10', 'bytes 0-5/3', 'bytes 5-1/10', 'bytes 0-18446744073709551616/*',
    'bytes +0-4/10', 'bytes 0-4', 'pages 0-4/10', 'bytes 0-4/10 trailing']) {
    const r = raw(s, 'PUT', url, { headers: [`Content-Range: ${cr}`], body: '01234' });
    assert.equal(r.status, 400, `${cr}: ${r.status} ${r.body}`);
  }
  const longer = raw(s, 'PUT', url, { headers: ['Content-Range: bytes 0-4/100'], body: '0123456789' });
  assert.equal(longer.status, 400, longer.body);
  const ok = raw(s, 'PUT', url, { headers: ['Content-Range: bytes 0-4/10'], body: '01234' });
  assert.equal(ok.status, 200, ok.body);
  const gap = raw(s, 'PUT', url, { headers: ['Content-Range: bytes 7-9/10'], body: '789' });
  assert.equal(gap.status, 409);
  const rest = raw(s, 'PUT', url, { headers: ['Content-Range: bytes 5-9/10'], body: '56789' });
  assert.equal(JSON.parse(rest.body).complete, true);
});

test('malformed JSON bodies get 400 problem documents', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await server(t);
  const bodies = ['{', '[]', '"text"', '{} trailing', '{"type": 1}', '{"type": "weekly"}', '{"maxBytesPerSecond": 1e400}',
    '{"maxBytesPerSecond": -1}', '[' .repeat(5000) + ']'.repeat(5000), '{"a":' .repeat(3000) + '1' + '}'.repeat(3000),
    '{"instance": "\\ud800"}', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), '{"instance": 7}'];
  for (const body of bodies) {
    const r = await s.json('/api/v1/backups', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    assert.ok([400, 404].includes(r.status), `${String(body).slice(0, 30)}: ${r.status}`);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
  }
  const b = await beginBackup(s);
  for (const body of ['{"abort": "yes"}', '{"abort": 1}', '[true]', '{']) {
    const r = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, body);
  }
  for (const body of ['{"maxBytesPerSecond": 1e300}', '{"maxBytesPerSecond": 0.5}', '{}', 'x']) {
    const r = await s.json(`/api/v1/backups/${b.id}`, { method: 'PATCH', body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, body);
  }
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'json-1' } });
  for (const body of ['{"genLow": -1}', '{"genHigh": 1e30}', '{"genLow": 4294967296}', '{"databases": []}', '{']) {
    const r = await s.json(`/api/v1/restores/${rs.doc.id}/run`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, body);
  }
  for (const body of ['{"writesPerSecond": 1e400}', '{"writesPerSecond": -5}', '{"writesPerSecond": 10, "seconds": 1e10}', '{']) {
    const r = await s.json('/api/v1/instances/default/load', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, body);
  }
  assert.equal((await s.json('/api/v1/restores', { method: 'POST', json: { instance: '../x' } })).status, 400);
  assert.equal((await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'x'.repeat(100) } })).status, 400);
});

test('a slowloris upload: bytes trickle, then stop; the connection is closed after --idle-timeout, what arrived can be resumed, other clients are served meanwhile', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await server(t, { args: ['--idle-timeout', '2'] });
  const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'slow-1' } });
  const port = Number(new URL(s.url).port);
  const sock = connect(port, '127.0.0.1');
  sock.on('error', () => {});
  sock.resume();
  const opened = Date.now();
  const closed = new Promise((resolve) => sock.on('close', () => resolve(Date.now() - opened)));
  await new Promise((resolve) => sock.on('connect', resolve));
  sock.write(`PUT /api/v1/restores/${rs.doc.id}/files/main.edb HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\n` +
    'Content-Length: 100000\r\n\r\n');
  for (let i = 0; i < 10; i++) { // 10 bytes, one every 500 ms: slower than any real client
    sock.write('0123456789'.slice(i, i + 1));
    assert.equal((await s.json('/healthz')).status, 200, 'others are served while the upload trickles');
    await sleep(500);
  }
  const ms = await Promise.race([closed, sleep(15000).then(() => Infinity)]);
  assert.ok(ms < 15000, `closed ${ms} ms after it opened, once the bytes stopped`);
  // the server records the bytes it kept as it closes the connection, maybe just after we see it
  let files;
  await until(async () => {
    files = (await s.json(`/api/v1/restores/${rs.doc.id}`)).doc.files;
    const f = files.find((x) => x.name === 'main.edb');
    return f && f.bytesReceived === 10;
  }, { ms: 5000, what: () => 'bytesReceived 10 of main.edb: ' + JSON.stringify(files) });
  const resumed = raw(s, 'PUT', `/api/v1/restores/${rs.doc.id}/files/main.edb`, { headers: ['Content-Range: bytes 10-19/20'], body: 'abcdefghij' });
  assert.equal(resumed.status, 200, resumed.body);
  assert.equal(JSON.parse(resumed.body).complete, true);
});
