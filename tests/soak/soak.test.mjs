// soak.test.mjs — crash soak of the whole appliance: hotcopyd is killed SOAK_KILLS times (100 in
// `make test`, 1000 in `make soak`) at random moments while it writes (the load generator and
// this driver's own PUTs), streams a backup (database and log downloads in flight), truncates the
// log of a backup, and restores a backup set (upload or hard recovery in flight). Each cycle picks
// a step of its scenario and SIGKILLs the process a random few milliseconds after reaching it; half
// of the truncation cycles instead arm the engine's crash fault (server/main.c test hook), so the
// process dies inside JetTruncateLog between two deletions. After every restart:
//   - recovery succeeded: the instance is "running" and /healthz answers 200;
//   - no acknowledged write is lost: every record whose PUT answered 2xx since the last check is
//     read back byte for byte (older ones by sample, all of them at the end), and GET load/verify
//     confirms the load generator's sequence up to the highest acknowledged one seen;
//   - the catalog is consistent: a backup the kill interrupted shows as "failed" with an error
//     event (never "running" or a live phase), a restore never stays "running";
// and at the end the last successful full backup (downloaded whole, its logs truncated by the
// engine only after they were served) is restored by hard recovery into a new instance, which
// must hold every record acknowledged before that backup's log call: no generation its restore
// needs was deleted. Figures go to build/soak-results.txt (SOAK_RESULTS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, appendFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// The soak runs its own copy of hotcopyd: a rebuild of build/bin during a long soak (a shared
// checkout) must not swap the binary between two restarts.
const binDir = mkdtempSync(join(tmpdir(), 'hotcopy-soak-bin-'));
const original = process.env.HOTCOPYD || new URL('../../build/bin/hotcopyd', import.meta.url).pathname;
process.env.HOTCOPYD = join(binDir, 'hotcopyd');
copyFileSync(original, process.env.HOTCOPYD);
process.on('exit', () => rmSync(binDir, { recursive: true, force: true }));
const { startServer, tempDir, sleep } = await import('../e2e/helpers.mjs');

const KILLS = Number(process.env.SOAK_KILLS || 100);
const SEED = Number(process.env.SOAK_SEED || Date.now() % 1000000);
const RESULTS = process.env.SOAK_RESULTS || new URL('../../build/soak-results.txt', import.meta.url).pathname;
const SCENARIOS = ['writes', 'backup', 'restore', 'truncate', 'full'];

// Deterministic randomness (xorshift), so a failing run can be replayed with SOAK_SEED.
let rngState = SEED * 2654435761 + 1;
function rand() {
  rngState ^= rngState << 13; rngState >>>= 0;
  rngState ^= rngState >>> 17;
  rngState ^= rngState << 5; rngState >>>= 0;
  return rngState / 4294967296;
}
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo));

function valueOf(n) {
  return `soak-value-${n}-` + 'x'.repeat(n % 97);
}

// Swallows the errors a killed server causes (refused or reset connections, cut bodies).
async function quietly(promise) {
  try { return await promise; } catch { return null; }
}

class Soak {
  constructor(dataDir) {
    this.dataDir = dataDir;
    this.server = null;
    this.nextKey = 0;
    this.acked = new Map();        // key number -> value, for every PUT answered 2xx
    this.unchecked = [];           // acknowledged since the last restart's check
    this.loadAcked = 0;            // highest load generator sequence seen acknowledged
    this.pendingBackup = null;     // {id, endAnswered} of a backup the kill may interrupt
    this.pendingRestore = null;    // id of a restore the kill may interrupt
    this.lastFull = null;          // {files: {name: Buffer}, genLow, genHigh, keys: [...], loadSeq}
    this.kills = Object.fromEntries(SCENARIOS.map((s) => [s, 0]));
    this.fullBackups = 0;
    this.restoresDone = 0;
    this.checkedRecords = 0;
    this.startMs = [];
    this.step = null;              // what the cycle's backup or restore was doing when killed
    this.cutAt = {};               // step -> kills that cut it
  }

  // Restored instances are started at every start-up: those of earlier cycles are removed while the
  // server is down (housekeeping of the soak: their restores were checked when they ran), so that
  // start-up stays the same and the instance table never fills.
  async start() {
    rmSync(join(this.dataDir, 'instances'), { recursive: true, force: true });
    const t0 = Date.now();
    // SIGUSR1 arms a crash (_exit(99)) at the n-th deletion of a log generation: hotcopyd dies
    // inside JetTruncateLog between two deletions (server/main.c test hook)
    const env = { HOTCOPYD_TEST_FAULT: `unlink:crash:.log:${between(0, 2)}:1:0` };
    this.server = await startServer({ dataDir: this.dataDir, args: ['--demo', '--cache-size', '8'], env });
    this.startMs.push(Date.now() - t0);
  }

  async kill() {
    return this.server.kill9();
  }

  // Records what the cycle is doing; reaching the cycle's chosen step arms the kill.
  note(step) {
    this.step = step;
    const t = this.trigger;
    if (t && !t.armed && step === t.step) {
      t.armed = true;
      setTimeout(() => this.fire(), t.delay);
    }
  }

  async fire() {
    const t = this.trigger;
    if (!t || t.fired) return;
    t.fired = true;
    let cut = this.step;
    const exit = await this.kill();
    if (exit.code === 99) cut = 'truncate: crashed inside JetTruncateLog (exit 99)';
    this.cutAt[cut] = (this.cutAt[cut] || 0) + 1;
    t.resolve();
  }

  // ---- checks after a restart ------------------------------------------------------------------

  async checkRecord(n) {
    const r = await this.server.api(`/api/v1/instances/default/tables/soak/records/k${n}`);
    const body = await r.text();
    assert.equal(r.status, 200, `acknowledged record k${n} is missing after a restart (seed ${SEED})`);
    assert.equal(body, this.acked.get(n), `record k${n} has other bytes (seed ${SEED})`);
    this.checkedRecords++;
  }

  async checkAfterRestart(all = false) {
    const s = this.server;
    const inst = await s.json('/api/v1/instances/default');
    assert.equal(inst.doc.state, 'running', `recovery: ${JSON.stringify(inst.doc)}`);
    assert.equal((await s.json('/healthz')).status, 200);
    const sample = [];
    const keys = [...this.acked.keys()];
    for (let i = 0; i < 20 && keys.length; i++) sample.push(keys[between(0, keys.length)]);
    for (const n of all ? keys : this.unchecked.concat(sample)) await this.checkRecord(n);
    this.unchecked = [];
    if (this.loadAcked > 0) {
      const v = await s.json(`/api/v1/instances/default/load/verify?through=${this.loadAcked}`);
      assert.equal(v.doc.ok, true, `load generator sequence through ${this.loadAcked}: ${JSON.stringify(v.doc)} (seed ${SEED})`);
    }
    if (this.pendingBackup) {
      const b = await s.json(`/api/v1/backups/${this.pendingBackup.id}`);
      assert.equal(b.status, 200);
      const allowed = this.pendingBackup.endAnswered ? ['ended', 'stopped'] : ['failed', 'ended', 'stopped'];
      assert.ok(allowed.includes(b.doc.phase), `backup ${b.doc.id} after the kill: ${b.doc.phase} (seed ${SEED})`);
      if (b.doc.phase === 'failed') {
        assert.ok(b.doc.result && b.doc.result.code < 0, JSON.stringify(b.doc.result));
        assert.ok(b.doc.events.some((e) => e.level === 'error'), 'an error event says why it failed');
      }
      this.pendingBackup = null;
    }
    if (this.pendingRestore) {
      const r = await s.json(`/api/v1/restores/${this.pendingRestore}`);
      assert.equal(r.status, 200);
      assert.notEqual(r.doc.state, 'running', `restore ${this.pendingRestore} still running after a restart`);
      this.pendingRestore = null;
    }
    const running = (await s.json('/api/v1/backups?limit=5')).doc.filter((b) => !['ended', 'stopped', 'failed'].includes(b.phase));
    assert.deepEqual(running, [], 'no backup survives a restart as running');
  }

  // ---- activities (any of them may be cut by the kill) -----------------------------------------

  async writer(stop) {
    while (!stop.done) {
      const n = this.nextKey++;
      const v = valueOf(n);
      const r = await quietly(this.server.api(`/api/v1/instances/default/tables/soak/records/k${n}`, { method: 'PUT', body: v }));
      if (!r) return;
      await quietly(r.arrayBuffer());
      if (r.status === 200 || r.status === 201) {
        this.acked.set(n, v);
        this.unchecked.push(n);
      }
    }
  }

  async pollLoad(stop) {
    while (!stop.done) {
      const r = await quietly(this.server.json('/api/v1/instances/default/load'));
      if (!r) return;
      if (r.status === 200 && r.doc.highestSequence > this.loadAcked) this.loadAcked = r.doc.highestSequence;
      await sleep(25);
    }
  }

  async startLoad() {
    const r = await quietly(this.server.json('/api/v1/instances/default/load', { method: 'POST', json: { writesPerSecond: 300, seconds: 600 } }));
    return r && r.status === 201;
  }

  async stopLoad() {
    const r = await quietly(this.server.json('/api/v1/instances/default/load', { method: 'DELETE' }));
    if (r && r.status === 200 && r.doc.highestSequence > this.loadAcked) this.loadAcked = r.doc.highestSequence;
  }

  // A full backup: begin, database, log call, logs, truncate, end. Returns the set when every step
  // succeeded. Downloads run in parallel ranges to keep several in flight.
  async fullBackup(truncate = true) {
    const s = this.server;
    const begin = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default', type: 'full' } });
    if (begin.status !== 201) throw new Error(`begin ${begin.status} ${JSON.stringify(begin.doc)}`);
    const id = begin.doc.id;
    this.pendingBackup = { id, endAnswered: false };
    const files = {};
    this.note('backup: database download');
    for (const f of begin.doc.files) files[f.name] = await this.fetchRanges(f.url, f.sizeBytes);
    const keysBefore = [...this.acked.keys()];
    const loadBefore = this.loadAcked;
    this.note('backup: log call');
    const logs = await s.json(`/api/v1/backups/${id}/logs`, { method: 'POST' });
    if (logs.status !== 200) throw new Error(`logs ${logs.status}`);
    this.note('backup: log download');
    for (const f of logs.doc.files.filter((x) => x.kind === 'log')) files[f.name] = await this.fetchRanges(f.url, f.sizeBytes);
    this.note('backup: truncate and end');
    if (truncate) {
      const tr = await s.json(`/api/v1/backups/${id}/truncate`, { method: 'POST' });
      if (tr.status !== 200) throw new Error(`truncate ${tr.status}`);
    }
    const end = await s.json(`/api/v1/backups/${id}/end`, { method: 'POST', json: {} });
    this.pendingBackup.endAnswered = true;
    this.note('backup: ended');
    if (end.status !== 200 || end.doc.result.code !== 0) throw new Error(`end ${end.status}`);
    return { id, files, genLow: logs.doc.genLow, genHigh: logs.doc.genHigh, keys: keysBefore, loadSeq: loadBefore };
  }

  async fetchRanges(url, size) {
    const parts = size > 256 * 1024 ? 3 : 1;
    const step = Math.ceil(size / parts);
    const jobs = [];
    for (let start = 0; start < size; start += step) {
      const end = Math.min(size, start + step) - 1;
      jobs.push(this.server.api(url, { headers: { Range: `bytes=${start}-${end}` } }).then(async (r) => {
        if (r.status !== 206 && r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
        return Buffer.from(await r.arrayBuffer());
      }));
    }
    const body = Buffer.concat(await Promise.all(jobs));
    if (body.length !== size) throw new Error(`GET ${url}: ${body.length} of ${size} bytes`);
    return body;
  }

  async uploadAndRun(set, name, run) {
    const s = this.server;
    const rs = await s.json('/api/v1/restores', { method: 'POST', json: { instance: name } });
    if (rs.status !== 201) throw new Error(`restore ${rs.status} ${JSON.stringify(rs.doc)}`);
    this.pendingRestore = rs.doc.id;
    this.note('restore: upload');
    for (const [file, body] of Object.entries(set.files)) {
      const p = await s.json(`/api/v1/restores/${rs.doc.id}/files/${file}`, { method: 'PUT', body });
      if (p.status !== 200) throw new Error(`upload ${file}: ${p.status}`);
    }
    if (!run) return null;
    this.note('restore: hard recovery');
    const r = await s.json(`/api/v1/restores/${rs.doc.id}/run`, { method: 'POST', json: { genLow: set.genLow, genHigh: set.genHigh } });
    this.note('restore: done');
    return r;
  }

  // ---- one cycle: a scenario cut by SIGKILL at a chosen step, after a random delay -----------

  async prepareTruncate() {
    const s = this.server;
    const b = await s.json('/api/v1/backups', { method: 'POST', json: { instance: 'default' } });
    if (b.status !== 201) return;
    this.pendingBackup = { id: b.doc.id, endAnswered: false };
    for (const f of b.doc.files) await this.fetchRanges(f.url, f.sizeBytes);
    const logs = await s.json(`/api/v1/backups/${b.doc.id}/logs`, { method: 'POST' });
    for (const f of logs.doc.files.filter((x) => x.kind === 'log')) await this.fetchRanges(f.url, f.sizeBytes);
    if (this.trigger.step === 'truncate: crash armed') {
      s.proc.kill('SIGUSR1');
      for (let i = 0; i < 50 && !/armed: JET_errSuccess/.test(s.stderr); i++) await sleep(10);
      this.note('truncate: crash armed');
    } else {
      this.note('truncate: in flight'); // the kill races the engine's deletion of generations
    }
    await s.json(`/api/v1/backups/${b.doc.id}/truncate`, { method: 'POST' });
    this.note('truncate: answered');
  }

  async cycle(i) {
    const scenario = SCENARIOS[i % SCENARIOS.length];
    const steps = {
      writes: ['writes'],
      backup: ['backup: database download', 'backup: log call', 'backup: log download', 'backup: truncate and end'],
      full: ['writes (after a full backup)'],
      truncate: ['truncate: in flight', 'truncate: crash armed'],
      restore: ['restore: upload', 'restore: hard recovery'],
    }[scenario];
    const step = steps[between(0, steps.length)];
    const delay = step === 'writes' ? between(50, 600) : step === 'truncate: in flight' ? between(0, 4)
      : step === 'truncate: crash armed' ? 500 : between(0, 40);
    const killed = new Promise((resolve) => { this.trigger = { step, delay, resolve }; });
    const stop = { done: false };
    const background = [this.writer(stop), this.pollLoad(stop)];
    await this.startLoad();
    let work;
    switch (scenario) {
      case 'writes':
        this.note('writes');
        work = killed;
        break;
      case 'backup': // downloads in flight, or the calls between them (no truncation: a copy)
        work = quietly(this.fullBackup(false));
        break;
      case 'full': // a complete backup; its set is the one restored at the end
        work = quietly(this.fullBackup(true)).then((set) => {
          if (set) {
            this.lastFull = set;
            this.fullBackups++;
          }
          this.note('writes (after a full backup)');
        });
        break;
      case 'truncate':
        work = quietly(this.prepareTruncate());
        break;
      case 'restore': // upload or hard recovery in flight
        work = this.lastFull ? quietly(this.uploadAndRun(this.lastFull, `r${i}`, true)) : Promise.resolve();
        break;
    }
    await Promise.race([killed, work]);
    await this.fire(); // the step was not reached (or the work ended first): kill now
    stop.done = true;
    await Promise.all([work, ...background]);
    this.trigger = null;
    this.kills[scenario]++;
  }

  // ---- the end: everything acknowledged, and the last full backup restores -----------------------

  async finalChecks() {
    await this.checkAfterRestart(true);
    await this.stopLoad();
    const set = this.lastFull || await this.fullBackup(true);
    if (!this.lastFull) this.fullBackups++;
    const run = await this.uploadAndRun(set, 'soak-final', true);
    assert.equal(run.status, 200, `restore of backup ${set.id}: ${JSON.stringify(run.doc)}`);
    assert.equal(run.doc.result.code, 0);
    this.restoresDone++;
    for (const n of set.keys) {
      const r = await this.server.api(`/api/v1/instances/soak-final/tables/soak/records/k${n}`);
      assert.equal(r.status, 200, `k${n}, acknowledged before backup ${set.id}'s log call, is in its restore`);
      assert.equal(await r.text(), this.acked.get(n));
    }
    if (set.loadSeq > 0) {
      const v = await this.server.json(`/api/v1/instances/soak-final/load/verify?through=${set.loadSeq}`);
      assert.equal(v.doc.ok, true, JSON.stringify(v.doc));
    }
    return set;
  }
}

test(`crash soak: ${KILLS} kills (SIGKILL, or a crash inside JetTruncateLog) during writes, backups, truncation and restores lose nothing`, { timeout: Infinity }, async (t) => {
  const dataDir = tempDir('hotcopy-soak-');
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const soak = new Soak(dataDir);
  const began = Date.now();
  await soak.start();
  t.after(() => soak.server && soak.server.cleanup());
  for (let i = 0; i < KILLS; i++) {
    await soak.cycle(i);
    await soak.start();
    await soak.checkAfterRestart(false);
  }
  const set = await soak.finalChecks();
  const seconds = (Date.now() - began) / 1000;
  const ms = soak.startMs.slice(1).sort((a, b) => a - b);
  const line = `soak seed=${SEED} kills=${KILLS} (${SCENARIOS.map((s) => `${s} ${soak.kills[s]}`).join(', ')}) ` +
    `acknowledged: ${soak.acked.size} records + load sequence ${soak.loadAcked}; reads verified ${soak.checkedRecords}; ` +
    `full backups completed ${soak.fullBackups}; final restore of backup ${set.id} (generations ${set.genLow}-${set.genHigh}, ` +
    `${set.keys.length} records + load ${set.loadSeq}) ok; restart to listening p50 ${ms[Math.floor(ms.length / 2)]} ms, ` +
    `max ${ms[ms.length - 1]} ms; ${seconds.toFixed(0)} s; kills cut: ` +
    Object.entries(soak.cutAt).sort().map(([k, v]) => `${k} ${v}`).join(', ');
  mkdirSync(dirname(RESULTS), { recursive: true });
  appendFileSync(RESULTS, `${new Date().toISOString()} ${line}\n`);
  console.log(line);
  assert.equal(Object.values(soak.kills).reduce((a, b) => a + b, 0), KILLS);
  assert.equal((await soak.server.stop()).code, 0);
});
