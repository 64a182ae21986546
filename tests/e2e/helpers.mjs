// helpers.mjs — shared by the HTTP end-to-end tests: start a hotcopyd of our own on 127.0.0.1
// with an ephemeral port in a temporary data directory, call its API, stop it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export const HOTCOPYD = process.env.HOTCOPYD || new URL('../../build/bin/hotcopyd', import.meta.url).pathname;
export const TOKEN = 'e2e-token-' + process.pid;

export function tempDir(prefix = 'hotcopy-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Starts hotcopyd and resolves once it prints "listening on ...". opts: {dataDir, args, env,
// token (null: no HOTCOPY_TOKEN), tls}.
export async function startServer(opts = {}) {
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
    url, dataDir, proc, token, exited,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    async api(path, init = {}) {
      const headers = { ...(init.headers || {}) };
      if (token && !('Authorization' in headers) && !init.noAuth) headers.Authorization = `Bearer ${token}`;
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers['Content-Type'] = 'application/json';
      }
      return fetch(url + path, { method: init.method || 'GET', headers, body });
    },
    async json(path, init = {}) {
      const res = await server.api(path, init);
      const text = await res.text();
      let doc = null;
      try { doc = text ? JSON.parse(text) : null; } catch { doc = text; }
      return { status: res.status, headers: res.headers, doc };
    },
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
