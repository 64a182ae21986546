// readme.test.mjs — README.md's code, run as it is written, so that the README cannot drift from
// the code; and the files and functions that README.md's code tour and docs/ARCHITECTURE.md name
// must exist. `make readme` runs it (`make test` too); HOTCOPYD names the server binary.
//
// Runnable blocks are marked in README.md by an HTML comment on the line before their fence:
//   <!-- ci: walkthrough [LABEL] -->  ```sh   the curl walkthrough. Every such block, in order, runs
//       in one `bash -euo pipefail` (variables carry from block to block, as in a terminal) against
//       a hotcopyd started with the arguments of the Makefile's `run` recipe, except an ephemeral
//       port, in a temporary directory that holds its ./data, so `TOKEN=$(cat data/token)` runs as
//       written. The one change made to the blocks: the line `H=http://127.0.0.1:8080` gets the
//       server's real address. After the blocks labelled database, logs, end and restore the test
//       runs checks of its own in the same shell (CHECKS below).
//   <!-- ci: example.c -->  ```c   the C example: compiled with the README's `cc` command (plus
//       warnings as errors) and run in an empty temporary directory; the backup set it writes must
//       pass `jetutil verify-backup`.
//   <!-- ci: example.out -->  ```  what the example prints, compared digits aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOTCOPYD = process.env.HOTCOPYD || join(ROOT, 'build/bin/hotcopyd');
const JETUTIL = join(dirname(HOTCOPYD), 'jetutil');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ARCHITECTURE_PATH = join(ROOT, 'docs/ARCHITECTURE.md');

// What the walkthrough writes before the backup and must read back from the restored instance.
const RECORD_VALUE = 'written before the backup';
const TOP_DIRS = ['engine', 'server', 'db', 'web', 'tests', 'bench', 'docker', 'docs', 'mk'];

// ---- README parsing ---------------------------------------------------------------------------

// The marked blocks: [{tag, lang, text, line}] in file order (line: 1-based line of the fence).
function markedBlocks(md) {
  const lines = md.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const mark = lines[i].match(/^<!-- ci: (.+?) -->$/);
    if (!mark) continue;
    const fence = (lines[i + 1] || '').match(/^```(\w*)$/);
    assert.ok(fence, `README.md line ${i + 1}: a ci marker must be followed by a code fence`);
    const body = [];
    let j = i + 2;
    for (; j < lines.length && lines[j] !== '```'; j++) body.push(lines[j]);
    assert.ok(j < lines.length, `README.md line ${i + 2}: unterminated code block`);
    blocks.push({ tag: mark[1].trim(), lang: fence[1], text: body.join('\n') + '\n', line: i + 2 });
    i = j;
  }
  return blocks;
}

function onlyBlock(blocks, tag) {
  const found = blocks.filter((b) => b.tag === tag);
  assert.equal(found.length, 1, `README.md must have exactly one block marked <!-- ci: ${tag} -->`);
  return found[0];
}

// The text of a "## Title" section, up to the next "## ".
function section(md, title) {
  const start = md.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README.md has no section "## ${title}"`);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end < 0 ? md.length : end);
}

// The Makefile's `run` recipe: the server binary and its arguments.
function makeRunArgs() {
  const mk = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  const m = mk.match(/^run:[^\n]*\n\t(\S*\/hotcopyd) ([^\n]+)$/m);
  assert.ok(m, 'Makefile: the run recipe starts .../hotcopyd with its arguments');
  return m[2].trim().split(/\s+/);
}

// ---- a server started as `make run` starts it ---------------------------------------------------

async function startAsMakeRun(workDir) {
  const args = makeRunArgs();
  const li = args.indexOf('--listen');
  assert.ok(li >= 0 && args[li + 1], 'make run passes --listen HOST:PORT');
  const listen = args[li + 1];
  args[li + 1] = listen.replace(/:\d+$/, ':0');
  const env = { ...process.env };
  delete env.HOTCOPY_TOKEN; // the README reads the token file the server makes
  const proc = spawn(HOTCOPYD, args, { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hotcopyd did not start:\n${stderr}`)), 30000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`hotcopyd exited ${code}:\n${stderr}`)); });
  });
  return {
    url, listen, proc, exited,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

function run(cmd, args, opts) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// ---- the walkthrough ------------------------------------------------------------------------------

// Checks run in the walkthrough's shell after the block with that label. They use the README's
// variables H, AUTH, ID, R and NEW, and CI_OUT (scratch), CI_DATA (the server's data directory),
// JETUTIL from the test.
const CHECKS = {
  database: `
curl -fsS -H "$AUTH" -o "$CI_OUT/whole.edb" "$H/api/v1/backups/$ID/files/demo.edb"
cmp demo.edb "$CI_OUT/whole.edb" || ci_fail "the resumed demo.edb differs from a download in one piece"
`,
  logs: `
ci_logs=0
for f in edb*.log; do
  cmp "$f" "$CI_DATA/default/$f" || ci_fail "$f differs from that generation on the appliance's disk"
  ci_logs=$((ci_logs + 1))
done
[ "$ci_logs" -ge 1 ] || ci_fail "no log generation was downloaded"
"$JETUTIL" verify-backup . >"$CI_OUT/verify-backup.txt" 2>&1 ||
  ci_fail "jetutil verify-backup refuses the downloaded set: $(cat "$CI_OUT/verify-backup.txt")"
`,
  end: `
curl -fsS -H "$AUTH" "$H/api/v1/backups/$ID" >"$CI_OUT/backup.json"
jq -e '.phase == "ended" and .result.code == 0 and .result.name == "JET_errSuccess" and .recordedAs == "full"' \\
  "$CI_OUT/backup.json" >/dev/null || ci_fail "the backup did not end as a full backup: $(cat "$CI_OUT/backup.json")"
`,
  restore: `
curl -fsS -H "$AUTH" "$H/api/v1/restores/$R" | jq -e '.state == "succeeded"' >/dev/null ||
  ci_fail "restore $R did not succeed"
[ "$(curl -fsS -H "$AUTH" "$H/api/v1/instances/$NEW/tables/notes/records/hello")" = "${RECORD_VALUE}" ] ||
  ci_fail "the restored instance does not hold the record written before the backup"
[ "$(curl -fsS -H "$AUTH" "$H/api/v1/instances/$NEW/tables/demo/records/sample-0042")" = \\
  "$(curl -fsS -H "$AUTH" "$H/api/v1/instances/default/tables/demo/records/sample-0042")" ] ||
  ci_fail "the restored demo record differs from the original"
`,
};

// One bash script: the walkthrough blocks, each one's stdout kept in $CI_OUT/block-N.out, with the
// checks after their blocks.
function walkthroughScript(blocks, url, listen) {
  const hLine = new RegExp(`^H=http://${listen.replace(/\./g, '\\.')}(?=\\s|$)`, 'm');
  const withH = blocks.filter((b) => hLine.test(b.text));
  assert.equal(withH.length, 1, `one walkthrough block sets H=http://${listen} (make run's address)`);
  const parts = ['ci_fail() { echo "README CHECK FAILED: $*" >&2; exit 1; }'];
  blocks.forEach((b, i) => {
    const text = b.text.replace(hLine, `H=${url}`);
    parts.push(`echo "### walkthrough block ${i + 1} (README.md line ${b.line})" >&2`);
    parts.push(`{\n${text}} >"$CI_OUT/block-${i + 1}.out"`);
    parts.push(`cat "$CI_OUT/block-${i + 1}.out"`);
    const label = b.tag.replace(/^walkthrough\s*/, '');
    if (label) {
      assert.ok(CHECKS[label], `README.md line ${b.line}: unknown walkthrough label "${label}"`);
      parts.push(CHECKS[label]);
    }
  });
  return parts.join('\n') + '\n';
}

test('the README walkthrough runs against an appliance started as make run starts it', { timeout: 240000 }, async () => {
  const blocks = markedBlocks(README).filter((b) => /^walkthrough\b/.test(b.tag));
  assert.ok(blocks.length >= 5, 'README.md has the walkthrough blocks');
  for (const b of blocks) assert.equal(b.lang, 'sh', `README.md line ${b.line}: walkthrough blocks are sh`);
  const labels = blocks.map((b) => b.tag.replace(/^walkthrough\s*/, '')).filter(Boolean);
  assert.deepEqual([...labels].sort(), Object.keys(CHECKS).sort(), 'each checked step is labelled once');
  assert.ok(README.includes(RECORD_VALUE), 'the walkthrough writes the record the test reads back');
  const jq = spawnSync('jq', ['--version']);
  assert.equal(jq.status, 0, 'the walkthrough needs jq (apt-get install jq)');

  const work = mkdtempSync(join(tmpdir(), 'hotcopy-readme-'));
  let server = null;
  try {
    server = await startAsMakeRun(work);
    const token = readFileSync(join(work, 'data/token'), 'utf8').trim();
    assert.match(server.stdout, new RegExp(`API token \\(saved in \\./data/token\\): ${token}\\n`),
                 'the first start prints the token it saved in data/token');
    const out = join(work, 'ci-out');
    spawnSync('mkdir', ['-p', out]);
    const script = join(work, 'walkthrough.sh');
    writeFileSync(script, walkthroughScript(blocks, server.url, server.listen));
    const env = { ...process.env, TMPDIR: work, LC_ALL: 'C', CI_OUT: out, CI_DATA: join(work, 'data'), JETUTIL };
    delete env.HOTCOPY_TOKEN;
    const r = await run('bash', ['-euo', 'pipefail', script], { cwd: work, env });
    const blockOut = (i) => (existsSync(join(out, `block-${i}.out`)) ? readFileSync(join(out, `block-${i}.out`), 'utf8') : '');
    const report = `exit ${r.code}\n--- stderr ---\n${r.stderr.slice(-4000)}\n--- stdout ---\n${r.stdout.slice(-4000)}` +
                   `\n--- server stderr ---\n${server.stderr.slice(-3000)}`;
    assert.equal(r.code, 0, `the walkthrough failed:\n${report}`);

    const outputOf = (label) => blockOut(blocks.findIndex((b) => b.tag === `walkthrough ${label}`) + 1);
    assert.match(blockOut(1), /^\{"status":"ok"/m, 'healthz answered');
    const partial = outputOf('database').match(/^206 \d+ bytes$/gm) || [];
    assert.equal(partial.length, 2, `a range request and its resumption, both 206:\n${outputOf('database')}`);
    assert.match(outputOf('end'), /"name": "JET_errSuccess"/, 'the end call shows its status');
    assert.match(outputOf('end'), /"213 The backup procedure has been successfully completed/, 'and the events');
    assert.ok(outputOf('restore').includes(`${RECORD_VALUE}\n`), 'the record is read back from the restored instance');
  } finally {
    if (server) {
      const exit = await server.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `hotcopyd stops cleanly:\n${server.stderr.slice(-2000)}`);
    }
    rmSync(work, { recursive: true, force: true });
  }
});

// ---- the C example ----------------------------------------------------------------------------------

test('the C example compiles with the README command, runs, and its backup set verifies', { timeout: 120000 }, () => {
  const blocks = markedBlocks(README);
  const source = onlyBlock(blocks, 'example.c');
  assert.equal(source.lang, 'c');
  const expected = onlyBlock(blocks, 'example.out');
  const cmdLine = README.split('\n').find((l) => /^cc .*example\.c/.test(l));
  assert.ok(cmdLine, 'README.md shows the cc command that builds example.c');
  assert.ok(cmdLine.startsWith('cc -std=c11 -Iengine/include example.c build/lib/libjet.a -pthread'),
            `the documented command links libjet as the Makefile builds it: ${cmdLine}`);

  const work = mkdtempSync(join(tmpdir(), 'hotcopy-readme-c-'));
  try {
    const src = join(work, 'example.c');
    const bin = join(work, 'example');
    writeFileSync(src, source.text);
    const words = cmdLine.trim().split(/\s+/);
    const args = words.slice(1).map((w, i, a) => (w === 'example.c' ? src : a[i - 1] === '-o' ? bin : w));
    if (!args.includes('-o')) args.push('-o', bin);
    const cc = spawnSync(words[0], ['-Wall', '-Wextra', '-Werror', ...args], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(cc.status, 0, `the example does not compile:\n${cc.stderr}`);

    const runDir = join(work, 'run');
    spawnSync('mkdir', [runDir]);
    const ex = spawnSync(bin, [], { cwd: runDir, encoding: 'utf8', timeout: 60000 });
    assert.equal(ex.status, 0, `the example failed:\n${ex.stdout}\n${ex.stderr}`);
    assert.match(ex.stdout, /^record 42: Ada Lovelace$/m, 'the record is read back by its key');
    const digitsAside = (s) => s.trim().replace(/\d+/g, 'N');
    assert.equal(digitsAside(ex.stdout), digitsAside(expected.text), 'the output is the one README.md shows');

    const set = readdirSync(join(runDir, 'backup')).sort();
    assert.ok(set.includes('example.edb') && set.some((f) => /^edb[0-9A-F]{8}\.log$/.test(f)),
              `the backup set holds the database and its logs: ${set}`);
    const verify = spawnSync(JETUTIL, ['verify-backup', 'backup'], { cwd: runDir, encoding: 'utf8' });
    assert.equal(verify.status, 0, `jetutil verify-backup refuses the example's set:\n${verify.stdout}${verify.stderr}`);
    assert.match(verify.stdout, /^result: ok$/m);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// ---- the prose that names the code ---------------------------------------------------------------------

test('README.md keeps the two commands, literally', () => {
  const m = README.match(/## Two commands\n\n```sh\n([^`]*)```/);
  assert.ok(m, 'README.md has the "Two commands" block');
  assert.match(m[1], /^make run\b/m);
  assert.match(m[1], /^make test\b/m);
});

test('the configuration section names every flag of hotcopyd --help, and no other', () => {
  const help = spawnSync(HOTCOPYD, ['--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  const helpFlags = new Set([...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]));
  assert.ok(helpFlags.size > 10, 'hotcopyd --help lists its flags');
  const config = section(README, 'Configuration');
  const readmeFlags = new Set([...config.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]));
  const missing = [...helpFlags].filter((f) => !readmeFlags.has(f));
  const unknown = [...readmeFlags].filter((f) => !helpFlags.has(f));
  assert.deepEqual(missing, [], 'flags of --help missing from README.md');
  assert.deepEqual(unknown, [], 'flags in README.md that hotcopyd does not have');
  for (const v of new Set(help.stdout.match(/HOTCOPY_[A-Z_]+/g))) assert.ok(config.includes(v), `README.md documents ${v}`);
});

// Every relative link of a markdown file points to a file or directory that exists.
function checkLinks(path, text) {
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1].split('#')[0];
    if (!target || /^[a-z]+:/.test(target)) continue;
    assert.ok(existsSync(join(dirname(path), target)), `${path}: the link ${m[1]} points to nothing`);
  }
}

test('the links of README.md and docs/ARCHITECTURE.md resolve', () => {
  checkLinks(join(ROOT, 'README.md'), README);
  checkLinks(ARCHITECTURE_PATH, readFileSync(ARCHITECTURE_PATH, 'utf8'));
});

function isRepoPath(token) {
  return TOP_DIRS.some((d) => token === d + '/' || token.startsWith(d + '/')) && !/[<>{}*]/.test(token);
}

function filesUnder(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules')
    .flatMap((e) => filesUnder(join(path, e.name)));
}

function defines(files, fn) {
  const re = new RegExp(`\\b${fn}\\(`);
  return files.some((f) => re.test(readFileSync(f, 'utf8')));
}

test('every file and function of the README code tour exists', () => {
  const tour = section(README, 'Code tour');
  const items = tour.split(/\n(?=- )/).filter((s) => s.startsWith('- '));
  assert.ok(items.length > 20, 'the code tour lists the files');
  for (const item of items) {
    const paths = [...item.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]).filter(isRepoPath);
    assert.ok(paths.length > 0, `a tour entry names no file: ${item.slice(0, 80)}`);
    for (const p of paths) assert.ok(existsSync(join(ROOT, p)), `the code tour names ${p}, which does not exist`);
    const files = paths.flatMap((p) => filesUnder(join(ROOT, p)));
    for (const m of item.matchAll(/`([A-Za-z_]\w*)\(\)`/g))
      assert.ok(defines(files, m[1]), `the code tour puts ${m[1]}() in ${paths.join(', ')}, which do not have it`);
  }
});

test('every file and function docs/ARCHITECTURE.md names exists', () => {
  const text = readFileSync(ARCHITECTURE_PATH, 'utf8');
  const paths = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]).filter(isRepoPath);
  assert.ok(paths.length > 10, 'ARCHITECTURE.md points into the code');
  for (const p of paths) assert.ok(existsSync(join(ROOT, p)), `ARCHITECTURE.md names ${p}, which does not exist`);
  const sources = ['engine', 'server', 'db'].flatMap((d) => filesUnder(join(ROOT, d)));
  for (const m of new Set([...text.matchAll(/`([A-Za-z_]\w*)\(\)`/g)].map((x) => x[1])))
    assert.ok(defines(sources, m), `ARCHITECTURE.md names ${m}(), which engine/, server/ and db/ do not have`);
});
