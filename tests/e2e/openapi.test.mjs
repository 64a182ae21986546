// openapi.test.mjs — the router's routes and docs/openapi.yaml's paths are the same set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { HOTCOPYD } from './helpers.mjs';

function openapiRoutes() {
  const text = readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8');
  const routes = new Set();
  let inPaths = false, path = null;
  for (const line of text.split('\n')) {
    if (/^paths:\s*$/.test(line)) { inPaths = true; continue; }
    if (inPaths && /^\S/.test(line)) inPaths = false;
    if (!inPaths) continue;
    const p = line.match(/^  (\/\S*):\s*$/);
    if (p) { path = p[1]; continue; }
    const m = line.match(/^    (get|put|post|delete|patch|head|options):/);
    if (m && path) routes.add(`${m[1].toUpperCase()} ${path}`);
  }
  return routes;
}

test('hotcopyd --print-routes and docs/openapi.yaml list the same routes', () => {
  const r = spawnSync(HOTCOPYD, ['--print-routes']);
  assert.equal(r.status, 0, r.stderr.toString());
  const server = new Set(r.stdout.toString().trim().split('\n'));
  const doc = openapiRoutes();
  assert.ok(server.size > 25, 'the server has its routes');
  assert.deepEqual([...server].filter((x) => !doc.has(x)), [], 'routes missing from openapi.yaml');
  assert.deepEqual([...doc].filter((x) => !server.has(x)), [], 'documented routes the server lacks');
});

test('--help documents every flag and --version answers', () => {
  const help = spawnSync(HOTCOPYD, ['--help']).stdout.toString();
  for (const flag of ['--listen', '--data', '--instance', '--token-file', '--tls-cert', '--tls-key',
                      '--log-file-size', '--page-size', '--cache-size', '--threads', '--metrics-public',
                      '--demo', '--max-body', '--help', '--version'])
    assert.ok(help.includes(flag), flag);
  const v = spawnSync(HOTCOPYD, ['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout.toString(), /^hotcopyd \d+\.\d+/);
  assert.equal(spawnSync(HOTCOPYD, ['--no-such-flag']).status, 2);
});
