// helpers.mjs — shared by the HTTP end-to-end tests: start a hotcopyd of our own on 127.0.0.1
// with an ephemeral port in a temporary data directory, call its API, stop it.
//
// Against an existing server: with HOTCOPY_URL (e.g. http://127.0.0.1:49153) and HOTCOPY_TOKEN set,
// startServer() starts nothing and returns a client of that server (tests/docker/run.sh does this
// against the container). A test that needs a process of its own (flags, environment, its own or a
// fresh data directory, stop, kill, restart, signals, its stderr) declares it with
// `{ skip: OWN_SERVER }`, which skips it in that case only; startServer() refuses such options
// when HOTCOPY_URL is set, so a test that forgot fails loudly instead of testing the wrong server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';

export const HOTCOPYD = process.env.HOTCOPYD || new URL('../../build/bin/hotcopyd', import.meta.url).pathname;
export const TOKEN = 'e2e-token-' + process.pid;
// The existing server the tests target, or null: they start their own.
export const EXISTING_URL = process.env.HOTCOPY_URL ? process.env.HOTCOPY_URL.replace(/\/+$/, '') : null;
// Test option: `test(name, { skip: OWN_SERVER }, fn)` for a test that needs a hotcopyd of its own.
// false (never skipped) unless HOTCOPY_URL names an existing server.
export const OWN_SERVER = EXISTING_URL
  ? 'needs a hotcopyd of its own (HOTCOPY_URL names an existing server)' : false;

export function tempDir(prefix = 'hotcopy-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

// CRC32C (Castagnoli, reflected 0x82F63B78) as 8 hex digits: the file list's "crc32c".
const CRC32C_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c;
});
export function crc32c(buf) {
  let crc = -1;
  for (let i = 0; i < buf.length; i++) crc = CRC32C_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return ((crc ^ -1) >>> 0).toString(16).padStart(8, '0');
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Polls check() (sync or async) every `every` ms until it returns a truthy value, and returns that
// value; throws, naming `what` (a string, or a function called then, e.g. to show the last state
// seen), when `ms` pass first. For waiting on the server without assuming how fast this machine is:
// the deadline is generous, the wait ends as soon as the condition holds.
export async function until(check, { ms = 10000, every = 25, what = 'the condition' } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(every);
  }
}

// Arms the engine fault point named by the server's HOTCOPYD_TEST_FAULT (the test hook in
// server/main.c: SIGUSR1, answered on stderr by "hotcopyd: test fault SPEC armed: RESULT") and
// asserts that this signal armed it: waits up to `ms` for the line, then requires JET_errSuccess.
export async function arm(server, ms = 10000) {
  const from = server.stderr.length;
  const armedLine = () => server.stderr.slice(from).match(/test fault .* armed: (\S+)/);
  server.proc.kill('SIGUSR1');
  const m = await until(armedLine, { ms, every: 10, what: 'the "test fault ... armed:" line on stderr' });
  assert.equal(m[1], 'JET_errSuccess', `the test fault was not armed: ${m[0]}`);
}

// The API client of a server at url with token (null: none): api() returns fetch's Response,
// json() {status, headers, doc}.
function client(url, token) {
  const c = {
    url, token,
    async api(path, init = {}) {
      const headers = { ...(init.headers || {}) };
      if (token && !('Authorization' in headers) && !init.noAuth) headers.Authorization = `Bearer ${token}`;
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers['Content-Type'] = 'application/json';
      }
      const method = init.method || 'GET';
      try {
        return await fetch(url + path, { method, headers, body });
      } catch (e) {
        // fetch reuses kept-alive connections; one the server closed after its idle timeout just
        // as the request went out fails with "other side closed". Like any HTTP client (RFC 9110
        // 9.2.2), retry an idempotent request once, on a new connection; a server that is gone
        // fails the retry too.
        if (method !== 'GET' && method !== 'HEAD') throw e;
        return fetch(url + path, { method, headers, body });
      }
    },
    async json(path, init = {}) {
      const res = await c.api(path, init);
      const text = await res.text();
      let doc = null;
      try { doc = text ? JSON.parse(text) : null; } catch { doc = text; }
      return { status: res.status, headers: res.headers, doc };
    },
  };
  return c;
}

// The server named by HOTCOPY_URL: the same interface as a started one, but it is not ours to
// stop, kill or clean up (cleanup() does nothing; stop() and kill9() throw), and it has no
// process, data directory or output.
function existingServer(opts) {
  const own = ['dataDir', 'args', 'env', 'token', 'tls'].filter((k) => opts[k] !== undefined);
  if (own.length > 0)
    throw new Error(`startServer(${own.join(', ')}) needs a hotcopyd of its own, but HOTCOPY_URL ` +
                    'names an existing server: give the test { skip: OWN_SERVER }');
  if (!process.env.HOTCOPY_TOKEN) throw new Error('HOTCOPY_URL is set without HOTCOPY_TOKEN');
  const notOurs = async () => { throw new Error(`${EXISTING_URL} is not ours to stop`); };
  return {
    ...client(EXISTING_URL, process.env.HOTCOPY_TOKEN),
    existing: true, dataDir: null, proc: null, stdout: '', stderr: '',
    stop: notOurs, kill9: notOurs,
    cleanup() {},
  };
}

// Starts hotcopyd and resolves once it prints "listening on ...". opts: {dataDir, args, env,
// token (null: no HOTCOPY_TOKEN), tls}. With HOTCOPY_URL set: a client of that server instead
// (see the top of this file).
export async function startServer(opts = {}) {
  if (EXISTING_URL) return existingServer(opts);
  const dataDir = opts.dataDir || tempDir();
  const args = ['--listen', '127.0.0.1:0', '--data', dataDir, '--log-file-size', '128',
                '--threads', '4', ...(opts.args || [])];
  const env = { ...process.env, ...(opts.env || {}) };
  if (opts.token !== null) env.HOTCOPY_TOKEN = opts.token || TOKEN;
  else delete env.HOTCOPY_TOKEN;
  const proc = spawn(HOTCOPYD, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hotcopyd did not start:\n' + stderr)), 20000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on (https?:\/\/[0-9.]+:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`hotcopyd exited ${code}:\n${stderr}`)); });
  });
  const token = opts.token === null ? null : (opts.token || TOKEN);
  const server = {
    ...client(url, token),
    existing: false, dataDir, proc, exited,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    // SIGTERM and wait; resolves with the exit status.
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      proc.kill('SIGKILL');
      return exited;
    },
    cleanup() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

// Runs curl and returns {status, code, stdout (Buffer), stderr}.
export function curl(args, input) {
  const r = spawnSync('curl', ['-s', '-S', ...args], { input, maxBuffer: 1 << 30 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

// Drives a full backup to the log call: begin, returns the backup object.
export async function beginBackup(server, type = 'full', instance = 'default') {
  const r = await server.json('/api/v1/backups', { method: 'POST', json: { instance, type } });
  if (r.status !== 201) throw new Error(`begin: ${r.status} ${JSON.stringify(r.doc)}`);
  return r.doc;
}

export async function download(server, path, headers = {}) {
  const res = await server.api(path, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

// Opens GET /api/v1/events/stream (extra request headers, e.g. Last-Event-ID) and parses frames as
// they arrive into `frames`: {event ('message' unless the frame names one), id (a number, or null
// when the frame has none), data (parsed JSON)}. waitFor(pred, ms) resolves with the first frame,
// received or to come, for which pred is true, or null after ms; close() ends the stream.
export async function openEventStream(server, headers = {}) {
  const ctl = new AbortController();
  const auth = server.token ? { Authorization: `Bearer ${server.token}` } : {};
  const res = await fetch(server.url + '/api/v1/events/stream', { headers: { ...auth, ...headers }, signal: ctl.signal });
  if (res.status !== 200) throw new Error(`events/stream: ${res.status}`);
  const frames = [];
  const waiters = new Set();
  const offer = (frame) => {
    frames.push(frame);
    for (const w of waiters) if (w.pred(frame)) { waiters.delete(w); clearTimeout(w.timer); w.resolve(frame); }
  };
  const pump = (async () => {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const text = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = text.match(/^data: (.*)$/m);
          if (!data) continue; // a comment (": keep-alive") or the retry line
          const id = text.match(/^id: (\d+)$/m);
          const event = text.match(/^event: (.*)$/m);
          offer({ event: event ? event[1] : 'message', id: id ? Number(id[1]) : null, data: JSON.parse(data[1]) });
        }
      }
    } catch { /* aborted by close() */ }
  })();
  return {
    response: res,
    frames,
    waitFor(pred, ms = 10000) {
      const seen = frames.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const w = { pred, resolve };
        w.timer = setTimeout(() => { if (waiters.delete(w)) resolve(null); }, ms);
        waiters.add(w);
      });
    },
    async close() {
      ctl.abort();
      await pump;
    },
  };
}
