// nginx.test.mjs — for a log file of a backup, every Range answer matches nginx's for the same
// file and header: status, Content-Range, Content-Length and body (multipart boundaries aside;
// the bodies of 416 answers are each server's own error document). nginx (Debian's) runs on an
// ephemeral port with a config in a temporary directory, serving a copy of the log file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, chmodSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startServer, tempDir, beginBackup, download, sleep, OWN_SERVER } from './helpers.mjs';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function startNginx(dir, name, body) {
  const root = join(dir, 'root');
  mkdirSync(root, { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(root, name), body);
  for (const p of [dir, root]) chmodSync(p, 0o755);
  chmodSync(join(root, name), 0o644);
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `
master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  default_type application/octet-stream;
  types { }
  max_ranges 16;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    etag off;
  }
}
`);
  const proc = spawn(NGINX, ['-c', conf, '-p', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/${name}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url, { method: 'HEAD' })).status === 200) return { proc, url }; } catch { /* not yet */ }
    await sleep(50);
  }
  proc.kill('SIGTERM');
  throw new Error('nginx did not start');
}

// The body with its multipart boundary replaced by a fixed token.
function normalise(res) {
  const type = res.headers.get('content-type') || '';
  const m = type.match(/boundary=(\S+)/);
  let body = res.body.toString('latin1');
  if (m) body = body.split(m[1]).join('BOUNDARY');
  return body;
}

test('Range answers for a log file match nginx', { skip: OWN_SERVER || (!NGINX && 'nginx is not installed'), timeout: 60000 }, async (t) => {
  const dir = tempDir();
  const s = await startServer({ args: ['--demo'] });
  t.after(() => { s.cleanup(); rmSync(dir, { recursive: true, force: true }); });
  const b = await beginBackup(s);
  const logs = await s.json(`/api/v1/backups/${b.id}/logs`, { method: 'POST' });
  assert.equal(logs.status, 200, JSON.stringify(logs.doc));
  const f = logs.doc.files[0];
  const whole = await download(s, f.url);
  assert.equal(whole.status, 200);
  const size = whole.body.length;
  assert.ok(size >= 8192, `a log file of ${size} bytes`);
  assert.equal(size, f.sizeBytes);
  const ng = await startNginx(dir, f.name, whole.body);
  // one process (master_process off): SIGTERM ends it and leaves no worker behind
  t.after(() => new Promise((resolve) => { ng.proc.on('exit', resolve); ng.proc.kill('SIGTERM'); }));

  const many = 'bytes=' + Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10 + 3}`).join(',');
  const sixteen = 'bytes=' + Array.from({ length: 16 }, (_, i) => `${i * 10}-${i * 10 + 3}`).join(',');
  const headers = [
    'bytes=0-0', 'bytes=0-99', 'bytes=100-', 'bytes=-100', 'bytes=-0', 'bytes=0-',
    `bytes=${size - 1}-`, `bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=5-3',
    'bytes=0-99999999999', `bytes=-${size + 5}`, 'bytes=0-1,3-4', 'bytes=0-1,0-1', 'bytes=0-,0-',
    'bytes=  1-2 ,  4-5', 'bytes=abc', 'bytes=1-2,', 'items=0-1', 'bytes=', 'BYTES=0-1',
    many, sixteen, 'bytes=-5,10-20', 'bytes=10-20,-5', 'bytes=0-1x', `bytes=${size - 10}-${size + 10},0-0`,
    'bytes=99999999999999999999-',
  ];
  for (const range of headers) {
    const ours = await download(s, f.url, { Range: range });
    const res = await fetch(ng.url, { headers: { Range: range } });
    const theirs = { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
    const what = `Range: ${range}`;
    assert.equal(ours.status, theirs.status, what);
    assert.equal(ours.headers.get('content-range'), theirs.headers.get('content-range'), what);
    if (ours.status === 416) continue;
    const a = normalise(ours), z = normalise(theirs);
    assert.equal(a.length, z.length, what + ' (length without boundaries)');
    assert.ok(a === z, what + ' (body)');
    const multipart = /multipart/.test(theirs.headers.get('content-type') || '');
    if (!multipart) assert.equal(ours.headers.get('content-length'), theirs.headers.get('content-length'), what);
    else {
      assert.equal(Number(ours.headers.get('content-length')), ours.body.length, what);
      assert.equal(ours.headers.get('content-length'), theirs.headers.get('content-length'), what + ' (20-digit boundaries, as nginx)');
    }
  }
});
