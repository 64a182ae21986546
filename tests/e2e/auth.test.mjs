// auth.test.mjs — bearer token, token file, login cookie, CSRF, metrics access, name validation,
// body limits, TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, tempDir, curl, OWN_SERVER } from './helpers.mjs';

test('missing or wrong token: 401 with WWW-Authenticate: Bearer; healthz needs none', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  for (const auth of [undefined, 'Bearer wrong', 'Basic abc', `Bearer ${s.token}x`]) {
    const headers = auth ? { Authorization: auth } : {};
    const r = await s.json('/api/v1/instances', { headers, noAuth: true });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /^Bearer/);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.doc.status, 401);
  }
  assert.equal((await s.json('/api/v1/instances')).status, 200);
  const h = await s.json('/healthz', { noAuth: true });
  assert.equal(h.status, 200);
  assert.equal(h.doc.status, 'ok');
  assert.equal((await s.json('/metrics', { noAuth: true })).status, 401);
  const m = await s.api('/metrics');
  assert.equal(m.status, 200);
  const text = await m.text();
  assert.match(text, /hotcopy_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
  assert.match(text, /hotcopy_log_generation\{instance="default"\}/);
  assert.ok(!text.includes(s.token), 'no token in metrics');
  await s.stop();
  assert.ok(!s.stderr.includes(s.token), 'the token never reaches the log');
});

test('--metrics-public serves /metrics without a token', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer({ args: ['--metrics-public'] });
  t.after(() => s.cleanup());
  assert.equal((await s.json('/metrics', { noAuth: true })).status, 200);
  assert.equal((await s.json('/api/v1/backups', { noAuth: true })).status, 401);
});

test('the token file is created 0600 at first start, printed once, and used after', { skip: OWN_SERVER }, async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const s1 = await startServer({ dataDir, token: null });
  const printed = s1.stdout.match(/API token[^:]*: (\S+)/);
  assert.ok(printed, 'printed at first start');
  const file = join(dataDir, 'token');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8').trim(), printed[1]);
  const ok = await fetch(s1.url + '/api/v1/instances', { headers: { Authorization: `Bearer ${printed[1]}` } });
  assert.equal(ok.status, 200);
  assert.equal((await s1.stop()).code, 0);
  const s2 = await startServer({ dataDir, token: null });
  t.after(() => s2.cleanup());
  assert.ok(!/API token/.test(s2.stdout), 'not printed again');
  const again = await fetch(s2.url + '/api/v1/instances', { headers: { Authorization: `Bearer ${printed[1]}` } });
  assert.equal(again.status, 200);
});

test('with --token-file the token is created in that file and the message names it', { skip: OWN_SERVER }, async (t) => {
  const dataDir = tempDir();
  const elsewhere = tempDir();
  t.after(() => { rmSync(dataDir, { recursive: true, force: true }); rmSync(elsewhere, { recursive: true, force: true }); });
  const file = join(elsewhere, 'api-token');
  const s = await startServer({ dataDir, token: null, args: ['--token-file', file] });
  t.after(() => s.cleanup());
  const printed = s.stdout.match(/API token \(saved in ([^)]*)\): (\S+)\n/);
  assert.ok(printed, s.stdout);
  assert.equal(printed[1], file, 'the message names the file the token was saved in');
  assert.equal(readFileSync(file, 'utf8').trim(), printed[2]);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.throws(() => statSync(join(dataDir, 'token')), { code: 'ENOENT' }, 'nothing written to DATA/token');
});

test('login sets an HttpOnly SameSite=Strict cookie; unsafe methods need the CSRF token', async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const form = await fetch(s.url + '/login');
  assert.equal(form.status, 200);
  assert.match(await form.text(), /<form/);
  const bad = await fetch(s.url + '/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'token=nope', redirect: 'manual' });
  assert.equal(bad.status, 401);
  const res = await fetch(s.url + '/login', {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'token=' + encodeURIComponent(s.token),
  });
  assert.equal(res.status, 303);
  const cookies = res.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('hc_session='));
  const csrfCookie = cookies.find((c) => c.startsWith('hc_csrf='));
  assert.match(session, /HttpOnly/);
  assert.match(session, /SameSite=Strict/);
  const cookie = [session, csrfCookie].map((c) => c.split(';')[0]).join('; ');
  const csrf = csrfCookie.split(';')[0].split('=')[1];
  const get = await fetch(s.url + '/api/v1/backups', { headers: { Cookie: cookie } });
  assert.equal(get.status, 200);
  const sess = await (await fetch(s.url + '/api/v1/session', { headers: { Cookie: cookie } })).json();
  assert.equal(sess.csrfToken, csrf);
  const body = JSON.stringify({ instance: 'default', type: 'bogus' });
  const noCsrf = await fetch(s.url + '/api/v1/backups', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body });
  assert.equal(noCsrf.status, 403);
  const wrong = await fetch(s.url + '/api/v1/backups', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': 'x' + csrf.slice(1), 'Content-Type': 'application/json' }, body });
  assert.equal(wrong.status, 403);
  const withCsrf = await fetch(s.url + '/api/v1/backups', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body });
  assert.equal(withCsrf.status, 400, 'passes the CSRF check, then fails on the bad type');
  const formCsrf = await fetch(s.url + '/api/v1/instances/default/load', { method: 'DELETE', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'csrf=' + csrf });
  assert.notEqual(formCsrf.status, 403, 'the form field works too');
  const out = await fetch(s.url + '/logout', { method: 'POST', headers: { Cookie: cookie } });
  assert.equal(out.status, 204);
  assert.equal((await fetch(s.url + '/api/v1/backups', { headers: { Cookie: cookie } })).status, 401);
});

// Signs in with JSON; returns the Cookie header of the new session.
async function signIn(s) {
  const res = await fetch(s.url + '/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: s.token }) });
  assert.equal(res.status, 200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

test('POST /logout: 303 to /login for a form without JavaScript, 204 for scripts; the session ends either way', async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const cases = [
    { what: 'a form body', status: 303, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' },
    { what: 'a multipart form', status: 303, headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x--\r\n' },
    { what: 'a browser asking for HTML', status: 303, headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } },
    { what: 'htmx (HX-Request, form body)', status: 204, headers: { 'HX-Request': 'true', 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' },
    { what: 'a script (fetch, JSON)', status: 204, headers: { Accept: 'application/json' } },
    { what: 'no headers at all', status: 204, headers: {} },
  ];
  for (const c of cases) {
    const cookie = await signIn(s);
    assert.equal((await fetch(s.url + '/api/v1/backups', { headers: { Cookie: cookie } })).status, 200);
    const out = await fetch(s.url + '/logout', { method: 'POST', redirect: 'manual', headers: { Cookie: cookie, ...c.headers }, body: c.body });
    assert.equal(out.status, c.status, c.what);
    if (c.status === 303) assert.equal(out.headers.get('location'), '/login', c.what);
    else assert.equal(out.headers.get('location'), null, c.what);
    const cleared = out.headers.getSetCookie();
    assert.ok(['hc_session', 'hc_csrf'].every((n) => cleared.some((x) => x.startsWith(`${n}=;`) && /Max-Age=0/.test(x))), `${c.what}: ${cleared}`);
    assert.equal((await fetch(s.url + '/api/v1/backups', { headers: { Cookie: cookie } })).status, 401, `${c.what}: the session is over`);
  }
  // what a browser does with the 303: GET /login, the sign-in form
  const follow = await fetch(s.url + '/logout', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
  assert.equal(follow.status, 200);
  assert.equal(new URL(follow.url).pathname, '/login');
  assert.match(await follow.text(), /<form method="post" action="\/login"/);
});

test('names in URLs are decoded then validated: 400 for "..", "/", NUL, control characters', async (t) => {
  const s = await startServer();
  t.after(() => s.cleanup());
  const created = await s.json('/api/v1/restores', { method: 'POST', json: { instance: 'r1' } });
  assert.equal(created.status, 201);
  const id = created.doc.id;
  for (const name of ['..', '%2e%2e', 'a%2Fb', 'a%00b', 'a%0Ab', '%zz', 'x..y', '.']) {
    // curl --path-as-is: fetch() would resolve ".." itself
    const r = curl(['--path-as-is', '-X', 'PUT', '--data-binary', 'x', '-H', `Authorization: Bearer ${s.token}`,
                    '-w', '\n%{http_code} %{content_type}', `${s.url}/api/v1/restores/${id}/files/${name}`]);
    assert.match(r.stdout.toString(), /\n400 application\/problem\+json$/, name);
  }
  const good = await s.json(`/api/v1/restores/${id}/files/main.edb`, { method: 'PUT', body: 'x' });
  assert.equal(good.status, 200);
  assert.equal((await s.json('/api/v1/backups/abc')).status, 400);
  assert.equal((await s.json('/api/v1/nothing')).status, 404);
  assert.equal((await s.json('/api/v1/backups', { method: 'DELETE' })).status, 405);
});

test('bodies beyond --max-body get 413', { skip: OWN_SERVER }, async (t) => {
  const s = await startServer({ args: ['--max-body', '4096'] });
  t.after(() => s.cleanup());
  const r = await s.json('/api/v1/instances/default/tables/t/records/k', { method: 'PUT', body: Buffer.alloc(5000, 1) });
  assert.equal(r.status, 413);
  assert.equal(r.doc.status, 413);
  const ok = await s.json('/api/v1/instances/default/tables/t/records/k', { method: 'PUT', body: Buffer.alloc(4000, 1) });
  assert.ok(ok.status === 201 || ok.status === 200, JSON.stringify(ok.doc));
});

test('TLS: HTTPS with --tls-cert/--tls-key, checked by curl against the certificate', { skip: OWN_SERVER }, async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  // a self-signed certificate for 127.0.0.1: openssl when present, else GnuTLS's certtool
  let gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  if (gen.error) {
    const tmpl = join(dir, 'cert.cfg');
    writeFileSync(tmpl, 'cn = 127.0.0.1\nip_address = 127.0.0.1\nexpiration_days = 1\ntls_www_server\n');
    gen = spawnSync('certtool', ['--generate-privkey', '--outfile', key]);
    if (!gen.error && gen.status === 0)
      gen = spawnSync('certtool', ['--generate-self-signed', '--load-privkey', key, '--template', tmpl, '--outfile', cert]);
  }
  if (gen.error) return t.skip('neither openssl nor certtool is installed');
  assert.equal(gen.status, 0, gen.stderr.toString());
  const s = await startServer({ args: ['--tls-cert', cert, '--tls-key', key] });
  t.after(() => s.cleanup());
  assert.match(s.url, /^https:/);
  const r = curl(['--cacert', cert, '-H', `Authorization: Bearer ${s.token}`, '-w', '\n%{http_code}', s.url + '/api/v1/instances']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /\n200$/);
  const plain = curl(['-w', '%{http_code}', s.url.replace('https', 'http') + '/healthz']);
  assert.notEqual(plain.stdout.toString(), '200', 'plain HTTP is not served on the TLS port');
  const login = curl(['--cacert', cert, '-i', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ token: s.token }), s.url + '/login']);
  assert.match(login.stdout.toString(), /hc_session=[^\r\n]*Secure/);
});

test('limits: oversized headers get 431, connections beyond --max-per-ip are refused, idle ones closed', { skip: OWN_SERVER, timeout: 30000 }, async (t) => {
  const { connect } = await import('node:net');
  const s = await startServer({ args: ['--max-per-ip', '3', '--idle-timeout', '2'] });
  t.after(() => s.cleanup());
  const big = curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', 'X-Big: ' + 'a'.repeat(70000), s.url + '/healthz']);
  assert.equal(big.stdout.toString(), '431');
  const { port } = new URL(s.url);
  const open = [];
  for (let i = 0; i < 3; i++) {
    const c = connect(Number(port), '127.0.0.1');
    await new Promise((r) => c.on('connect', r));
    open.push(c);
  }
  const over = curl(['-o', '/dev/null', '-w', '%{http_code}', s.url + '/healthz']);
  assert.notEqual(over.stdout.toString(), '200', 'a fourth connection from the same address is refused');
  const closed = await Promise.all(open.map((c) => new Promise((r) => { c.on('close', () => r(true)); setTimeout(() => r(false), 6000); })));
  assert.ok(closed.every(Boolean), 'idle connections are closed after --idle-timeout');
  const after = curl(['-o', '/dev/null', '-w', '%{http_code}', s.url + '/healthz']);
  assert.equal(after.stdout.toString(), '200');
});
