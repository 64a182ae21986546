// s3_rgw.mjs — shared by the offsite tests (tests/e2e/s3_*.test.mjs): a real Ceph RADOS Gateway
// started by tests/rgw/rgw.sh once per test file (it stops with the test process), hotcopyd
// arguments and environment for a target on it, raw S3 requests with curl --aws-sigv4, and a
// backup driven to its end with an offsite copy. A store that cannot start makes the test fail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './helpers.mjs';

const RGW_SH = new URL('../rgw/rgw.sh', import.meta.url).pathname;

function rgwCmd(args, timeout = 180000) {
  const r = spawnSync('bash', [RGW_SH, ...args], { timeout, maxBuffer: 1 << 24 });
  if (r.status !== 0)
    throw new Error(`rgw.sh ${args[0]} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout.toString();
}

function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^([A-Z_]+)=(.*)$/);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

// Starts a store; throws (the test fails) when it cannot.
export function startRgw() {
  const parent = mkdtempSync(join(tmpdir(), 'hotcopy-rgw-'));
  const dir = join(parent, 'store');
  const env = parseEnv(rgwCmd(['start', dir, '--owner', String(process.pid)]));
  if (!env.RGW_ENDPOINT || !env.RGW_ACCESS_KEY) throw new Error('rgw.sh printed no endpoint');
  return {
    dir,
    endpoint: env.RGW_ENDPOINT,
    accessKey: env.RGW_ACCESS_KEY,
    secretKey: env.RGW_SECRET_KEY,
    stopGateway() { rgwCmd(['stop-gateway', dir]); },
    addUser(uid, noBuckets = false) {
      const u = parseEnv(rgwCmd(['add-user', dir, uid, ...(noBuckets ? ['--no-buckets'] : [])]));
      return { accessKey: u.RGW_ACCESS_KEY, secretKey: u.RGW_SECRET_KEY };
    },
    stop() {
      try { rgwCmd(['stop', dir]); } finally { rmSync(parent, { recursive: true, force: true }); }
    },
  };
}

// hotcopyd arguments for target NAME = s3://BUCKET/PREFIX on the store.
export function targetArgs(rgw, name, bucket, prefix = 'hotcopy') {
  return ['--target', `${name}=s3://${bucket}/${prefix}`, '--target-endpoint', `${name}=${rgw.endpoint}`];
}

// The environment that gives target NAME its credentials.
export function targetEnv(name, keys) {
  const up = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return { [`HOTCOPY_TARGET_${up}_ACCESS_KEY`]: keys.accessKey, [`HOTCOPY_TARGET_${up}_SECRET_KEY`]: keys.secretKey };
}

// A raw S3 request with curl's SigV4 (path style): returns {code, status, body}.
export function s3curl(rgw, method, path, { data, keys } = {}) {
  const k = keys || rgw;
  const args = ['-s', '-S', '-o', '-', '-w', '\n%{http_code}', '-X', method, '--aws-sigv4', 'aws:amz:us-east-1:s3',
                '--user', `${k.accessKey}:${k.secretKey}`, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD'];
  if (data !== undefined) args.push('--data-binary', '@-');
  args.push(`${rgw.endpoint}/${path}`);
  const r = spawnSync('curl', args, { input: data, maxBuffer: 1 << 28 });
  const out = r.stdout;
  const nl = out.lastIndexOf(10);
  return { code: r.status, status: Number(out.subarray(nl + 1).toString()), body: out.subarray(0, nl) };
}

// Path of an object key in a request: each segment percent-encoded, the slashes kept.
function keyPath(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

// The multipart uploads in progress (ListMultipartUploads) under prefix: [{key, uploadId}].
export function openUploads(rgw, bucket, prefix) {
  // query parameters in byte order, the valueless sub-resource written with '=' (ceph-rgw.md)
  const r = s3curl(rgw, 'GET', `${bucket}?prefix=${encodeURIComponent(prefix)}&uploads=`);
  if (r.status !== 200) throw new Error(`ListMultipartUploads: ${r.status} ${r.body}`);
  return [...r.body.toString().matchAll(/<Upload>([\s\S]*?)<\/Upload>/g)].map((m) => ({
    key: m[1].match(/<Key>([^<]+)<\/Key>/)[1],
    uploadId: m[1].match(/<UploadId>([^<]+)<\/UploadId>/)[1],
  }));
}

// The part numbers the store holds for one multipart upload (ListParts).
export function listedParts(rgw, bucket, { key, uploadId }) {
  const r = s3curl(rgw, 'GET', `${bucket}/${keyPath(key)}?uploadId=${encodeURIComponent(uploadId)}`);
  if (r.status !== 200) throw new Error(`ListParts ${key}: ${r.status} ${r.body}`);
  return [...r.body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
}

export async function waitFor(what, fn, timeoutMs = 60000, stepMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(stepMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Polls the backup until its offsite copy is no longer uploading; returns the backup.
export async function waitTarget(s, id, timeoutMs = 120000) {
  return waitFor(`backup ${id}'s offsite copy`, async () => {
    const b = await s.json(`/api/v1/backups/${id}`);
    return b.doc.target && b.doc.target.state !== 'uploading' ? b.doc : null;
  }, timeoutMs, 200);
}

// Begins a backup with a target; returns the backup object.
export async function beginTargetBackup(s, { type = 'full', target = 's3', instance = 'default', maxBytesPerSecond } = {}) {
  const json = { instance, type, target };
  if (maxBytesPerSecond !== undefined) json.maxBytesPerSecond = maxBytesPerSecond;
  const r = await s.json('/api/v1/backups', { method: 'POST', json });
  if (r.status !== 201) throw new Error(`begin: ${r.status} ${JSON.stringify(r.doc)}`);
  return r.doc;
}

// Log call, truncate, end of a running backup; returns {logs, end}.
export async function finishBackup(s, id, { truncate = true } = {}) {
  const logs = await s.json(`/api/v1/backups/${id}/logs`, { method: 'POST' });
  if (logs.status !== 200) throw new Error(`logs: ${logs.status} ${JSON.stringify(logs.doc)}`);
  if (truncate) {
    const tr = await s.json(`/api/v1/backups/${id}/truncate`, { method: 'POST' });
    if (tr.status !== 200) throw new Error(`truncate: ${tr.status} ${JSON.stringify(tr.doc)}`);
  }
  const end = await s.json(`/api/v1/backups/${id}/end`, { method: 'POST', json: {} });
  if (end.status !== 200) throw new Error(`end: ${end.status} ${JSON.stringify(end.doc)}`);
  return { logs: logs.doc, end: end.doc };
}

// Grows the default instance's first database by about `mib` MiB of incompressible records.
export async function fillDatabase(s, mib, table = 'bulk', instance = 'default') {
  const value = Buffer.alloc(512 * 1024);
  for (let i = 0; i < mib * 2; i++) {
    for (let j = 0; j < value.length; j += 4) value.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, j);
    const r = await s.api(`/api/v1/instances/${instance}/tables/${table}/records/r${String(i).padStart(6, '0')}`,
                          { method: 'PUT', body: value });
    if (r.status !== 200 && r.status !== 201) throw new Error(`fill: ${r.status} ${await r.text()}`);
    await r.arrayBuffer().catch(() => {});
  }
}

export function messages(backup) {
  return backup.events.map((e) => e.message).join('\n');
}
