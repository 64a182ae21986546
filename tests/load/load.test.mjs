// load.test.mjs — hotcopyd under load on loopback, measured with wrk (--latency): the instance API
// (GET /api/v1/instances/default) and a backup's database download while the backup runs, each
// with 64 and 256 connections for LOAD_SECONDS (10 in `make test`, 60 in `make soak`). Proven:
// no error (wrk's non-2xx/3xx count and socket errors are 0), the p99 latency is reported, and
// hotcopyd's resident memory (VmRSS) is flat across the runs. Then the connection limits: idle
// and slow connections are closed after --idle-timeout, and connections beyond --max-per-ip are
// refused while the ones inside it are served. Figures go to build/load-results.txt
// (LOAD_RESULTS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { startServer, tempDir, sleep, beginBackup, OWN_SERVER } from '../e2e/helpers.mjs';

const SECONDS = Number(process.env.LOAD_SECONDS || 10);
const RESULTS = process.env.LOAD_RESULTS || new URL('../../build/load-results.txt', import.meta.url).pathname;
const HAVE_WRK = spawnSync('wrk', ['--version']).error === undefined;

function record(line) {
  mkdirSync(dirname(RESULTS), { recursive: true });
  appendFileSync(RESULTS, `${new Date().toISOString()} ${line}\n`);
  console.log(line);
}

function rssKiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(m[1]);
}

function toMs(text) {
  const m = text.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]];
}

// Runs wrk and resolves {requests, rps, p50, p99 (ms), non2xx, socketErrors, mbRead, raw}. Not
// spawnSync: the event loop must keep reading hotcopyd's request log, or its stderr pipe fills and
// the server blocks. timeout: wrk's per-request timeout in seconds (a request that takes longer
// counts as a socket error).
async function wrk(url, token, connections, seconds, timeout = 10) {
  const threads = Math.min(2, connections);
  const child = spawn('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency',
    '--timeout', `${timeout}s`, '-H', `Authorization: Bearer ${token}`, url]);
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out + err);
  const num = (re) => { const m = out.match(re); return m ? Number(m[1]) : 0; };
  const requests = num(/(\d+) requests in/);
  const sock = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const read = out.match(/requests in [\d.]+\w+, ([\d.]+)(\w+) read/);
  const mb = read ? Number(read[1]) * { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024, TB: 1048576 }[read[2]] : 0;
  return {
    requests,
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: toMs((out.match(/^\s+50%\s+(\S+)/m) || [])[1] || ''),
    p99: toMs((out.match(/^\s+99%\s+(\S+)/m) || [])[1] || ''),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: sock ? sock.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
    mbRead: mb,
    raw: out,
  };
}

function describe(what, c, w) {
  return `${what} c=${c} ${SECONDS}s: ${w.requests} requests (${w.rps.toFixed(0)}/s, ${w.mbRead.toFixed(0)} MB), ` +
    `non-2xx/3xx ${w.non2xx}, socket errors ${w.socketErrors}, p50 ${w.p50.toFixed(2)} ms, p99 ${w.p99.toFixed(2)} ms`;
}

test(`load: the instance API and a backup download under 64 and 256 connections for ${SECONDS}s each: no errors, p99, flat memory`,
  { skip: OWN_SERVER || (!HAVE_WRK && 'wrk is not installed'), timeout: 120000 + 8 * SECONDS * 1000 }, async (t) => {
    const dataDir = tempDir('hotcopy-load-');
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const s = await startServer({ dataDir, args: ['--demo', '--max-per-ip', '1024', '--max-connections', '1024'] });
    t.after(() => s.cleanup());
    const pid = s.proc.pid;
    // some data, so that the database download is a few MiB
    const value = Buffer.alloc(64 * 1024, 3);
    for (let i = 0; i < 48; i++) await (await s.api(`/api/v1/instances/default/tables/bulk/records/k${i}`, { method: 'PUT', body: value })).arrayBuffer();
    const warm = await wrk(`${s.url}/api/v1/instances/default`, s.token, 16, 2); // allocations that stay: pools, caches
    assert.equal(warm.non2xx, 0);
    const rss0 = rssKiB(pid);
    const rss = [];
    for (const c of [64, 256]) {
      const w = await wrk(`${s.url}/api/v1/instances/default`, s.token, c, SECONDS);
      record(describe('GET /api/v1/instances/default', c, w));
      assert.ok(w.requests > 100, w.raw);
      assert.equal(w.non2xx, 0, w.raw);
      assert.equal(w.socketErrors, 0, w.raw);
      rss.push(rssKiB(pid));
    }
    const b = await beginBackup(s);
    const db = b.files.find((f) => f.kind === 'database');
    // 256 downloads of a few MiB at once share two cores: p99 is ~3 s here and grows with a slower
    // machine. The test is that none fails; the latency is only reported, so wrk waits up to 60 s.
    for (const c of [64, 256]) {
      const w = await wrk(`${s.url}${db.url}`, s.token, c, SECONDS, 60);
      record(describe(`GET ${db.url} (${(db.sizeBytes / 1048576).toFixed(1)} MiB, backup running)`, c, w));
      assert.ok(w.requests > 10, w.raw);
      assert.equal(w.non2xx, 0, w.raw);
      assert.equal(w.socketErrors, 0, w.raw);
      rss.push(rssKiB(pid));
    }
    const end = await s.json(`/api/v1/backups/${b.id}/end`, { method: 'POST', json: { abort: true } });
    assert.equal(end.doc.result.name, 'errBackupAbortByCaller');
    // the same API load again: memory must not have grown with the requests served
    const again = await wrk(`${s.url}/api/v1/instances/default`, s.token, 256, SECONDS);
    assert.equal(again.non2xx, 0, again.raw);
    await sleep(500);
    const rssEnd = rssKiB(pid);
    const mib = (k) => (k / 1024).toFixed(1);
    record(`hotcopyd VmRSS: ${mib(rss0)} MiB before; after the API runs ${mib(rss[0])} / ${mib(rss[1])} MiB, after the ` +
      `download runs ${mib(rss[2])} / ${mib(rss[3])} MiB; ${mib(rssEnd)} MiB after the backup ended and another API run ` +
      `(${again.requests} requests)`);
    // flat: serving requests keeps nothing, and what concurrent downloads needed is given back
    assert.ok(rss[1] - rss0 < 32 * 1024, `VmRSS grew by ${rss[1] - rss0} KiB serving API requests`);
    assert.ok(rssEnd - rss0 < 48 * 1024, `VmRSS ${mib(rss0)} -> ${mib(rssEnd)} MiB once the downloads were over`);
    assert.equal((await s.stop()).code, 0);
  });

// A raw connection that reads what comes: {socket, text(), closed: Promise<ms until closed>}.
async function rawConnection(port) {
  const socket = connect(port, '127.0.0.1');
  const opened = Date.now();
  let text = '';
  socket.on('data', (d) => { text += d; });
  const closed = new Promise((resolve) => {
    socket.on('close', () => resolve(Date.now() - opened));
    socket.on('error', () => {});
  });
  await new Promise((resolve, reject) => { socket.on('connect', resolve); socket.on('error', reject); });
  return { socket, closed, text: () => text };
}

test('idle and slow connections are closed after --idle-timeout', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const s = await startServer({ args: ['--demo', '--idle-timeout', '2'] });
  t.after(() => s.cleanup());
  const port = Number(new URL(s.url).port);
  const idle = await rawConnection(port);                 // says nothing
  const partial = await rawConnection(port);              // half a request line, then silence
  partial.socket.write('GET /api/v1/instances HTTP/1.1\r\nHost: x\r\n');
  const slowBody = await rawConnection(port);             // a body that stops coming
  slowBody.socket.write(`PUT /api/v1/instances/default/tables/t/records/slow HTTP/1.1\r\nHost: x\r\n` +
    `Authorization: Bearer ${s.token}\r\nContent-Length: 1000\r\n\r\nonly a few bytes`);
  // a reader that asks for a large download and reads nothing: the server cannot write (no
  // progress) and ends the request; its log line says "(aborted)". Larger than what loopback's
  // socket buffers can hold (send buffer up to net.ipv4.tcp_wmem's max, receive buffer up to
  // tcp_rmem's: 4 and 32 MiB here, more on some images), or the whole file is sent unread.
  const value = Buffer.alloc(1024 * 1024, 5);
  for (let i = 0; i < 40; i++) await (await s.api(`/api/v1/instances/default/tables/big/records/k${i}`, { method: 'PUT', body: value })).arrayBuffer();
  const b = await beginBackup(s);
  const db = b.files.find((f) => f.kind === 'database');
  assert.ok(db.sizeBytes > 36 * 1024 * 1024, `a database of ${db.sizeBytes} bytes`);
  const stalled = connect(port, '127.0.0.1');
  stalled.on('error', () => {});
  await new Promise((resolve) => stalled.on('connect', resolve));
  stalled.pause();
  const asked = Date.now();
  stalled.write(`GET ${db.url} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
  const times = await Promise.all([idle, partial, slowBody].map((c) => Promise.race([c.closed, sleep(15000).then(() => Infinity)])));
  for (const [name, ms] of [['idle', times[0]], ['partial request', times[1]], ['stalled body', times[2]]])
    assert.ok(ms >= 1500 && ms < 8000, `${name}: closed after ${ms} ms`);
  const logLine = new RegExp(`^GET ${db.url.replace(/[/.]/g, '\\$&')} 200 \\d+ [\\d.]+ms \\(aborted\\)$`, 'm');
  while (!logLine.test(s.stderr) && Date.now() - asked < 15000) await sleep(100);
  const unread = Date.now() - asked;
  assert.match(s.stderr, logLine, 'the unread download is ended by the server');
  assert.ok(unread >= 1500 && unread < 10000, `unread download ended after ${unread} ms`);
  stalled.destroy();
  record(`idle-timeout 2 s: idle connection closed after ${times[0]} ms, partial request ${times[1]} ms, stalled body ` +
    `${times[2]} ms, an unread ${(db.sizeBytes / 1048576).toFixed(1)} MiB download ended after ~${unread} ms`);
  // the stalled upload kept what arrived (a restore upload resumes; a record PUT is not committed)
  assert.equal((await s.json('/api/v1/instances/default/tables/t/records/slow')).status, 404);
  assert.equal((await s.json('/healthz')).status, 200, 'the server still answers');
});

test('the connection limit holds: beyond --max-per-ip connections are refused, the ones inside it are served', { skip: OWN_SERVER, timeout: 60000 }, async (t) => {
  const LIMIT = 40;
  const s = await startServer({ args: ['--max-per-ip', String(LIMIT), '--idle-timeout', '30'] });
  t.after(() => s.cleanup());
  const port = Number(new URL(s.url).port);
  const conns = [];
  for (let i = 0; i < LIMIT + 25; i++) conns.push(await rawConnection(port));
  await sleep(500);
  // every connection asks for /healthz; those over the limit were closed without an answer
  const status = (c, why) => (c.text() ? c.text().split('\r\n')[0] : why);
  const answers = await Promise.all(conns.map((c) => new Promise((resolve) => {
    c.socket.on('data', () => { if (/\r\n\r\n/.test(c.text())) resolve(status(c)); });
    c.closed.then(() => resolve(status(c, 'closed')));
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', () => {});
    setTimeout(() => resolve(status(c, 'no answer')), 5000);
  })));
  const served = answers.filter((a) => /^HTTP\/1\.1 200/.test(a)).length;
  const refused = answers.length - served;
  record(`max-per-ip ${LIMIT}: ${answers.length} connections opened, ${served} served, ${refused} refused`);
  assert.equal(served, LIMIT, JSON.stringify(answers));
  assert.equal(refused, 25);
  for (const c of conns) c.socket.destroy();
  await sleep(300);
  assert.equal((await s.json('/healthz')).status, 200, 'served again once the connections are gone');
});
