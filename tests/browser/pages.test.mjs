// pages.test.mjs — what surrounds the workflow: pages refuse without a session (to the login page),
// fragments and actions answer 401/403 without a session or CSRF token, a wrong token reads as a
// sentence, signing out ends the session, an ended session sends the browser to sign in again, the
// static assets are public and cacheable, the dashboard is usable by keyboard and at 390 px wide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, signIn, screenshot, assertAccessible, assertNoErrors, PHONE } from './browser.mjs';

const PAGES = ['/', '/ui/backups', '/ui/backups/1', '/ui/events', '/ui/restores', '/ui/restores/1'];

test('without a session every page sends the browser to /login, and fragments and actions answer 401', { timeout: 60000 }, async (t) => {
  const { s, b, page } = await setup(t);
  for (const path of PAGES) {
    await page.goto(s.url + path);
    assert.equal(page.url(), s.url + '/login', path);
  }
  await assertAccessible(page);
  await screenshot(page, 'login');
  for (const [method, path] of [['GET', '/ui/instances/default/card'], ['GET', '/ui/backups/1/live'],
    ['GET', '/ui/events/rows'], ['POST', '/ui/backups'], ['POST', '/ui/backups/1/end'],
    ['POST', '/ui/restores'], ['POST', '/ui/instances/default/load']]) {
    const res = await fetch(s.url + path, { method, redirect: 'manual' });
    assert.equal(res.status, 401, `${method} ${path}`);
  }
  // a wrong token is a sentence on the form, not a document
  await page.fill('#token', 'not-the-token');
  await page.press('#token', 'Enter');
  await page.waitForSelector('[role="alert"]');
  assert.match(await page.textContent('[role="alert"]'), /That token is not right/);
  // the 401 answering the wrong token is the one console line expected here
  assert.ok(b.errors.length === 1 && /status of 401/.test(b.errors[0]), b.errors.join('\n'));
  b.errors.splice(0);
  await signIn(page, s);
  assertNoErrors(b);
});

test('actions need the CSRF token: a cookie alone gets 403 and changes nothing', { timeout: 60000 }, async (t) => {
  const { s, b, page } = await setup(t);
  await signIn(page, s);
  const cookies = await page.context().cookies();
  const header = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const res = await fetch(s.url + '/ui/backups', {
    method: 'POST', headers: { Cookie: header, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'instance=default&type=full',
  });
  assert.equal(res.status, 403);
  assert.equal((await s.json('/api/v1/backups')).doc.length, 0, 'no backup was begun');
  const session = cookies.find((c) => c.name === 'hc_session');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assertNoErrors(b);
});

test('signing out ends the session; an ended session sends an open page to /login', { timeout: 60000 }, async (t) => {
  const { s, b, page } = await setup(t);
  await signIn(page, s);
  await page.click('text=Sign out');
  await page.waitForURL(s.url + '/login');
  await page.goto(s.url + '/');
  assert.equal(page.url(), s.url + '/login');
  // sign in again, then end the session behind the page's back: the next refresh goes to /login
  await signIn(page, s);
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const out = await fetch(s.url + '/logout', { method: 'POST', headers: { Cookie: cookie } });
  assert.equal(out.status, 204);
  await page.waitForURL(s.url + '/login', { timeout: 10000 });
  assert.ok(b.errors.every((e) => /401|Response Status Error Code 401/.test(e)), b.errors.join('\n'));
});

test('static assets: public, cacheable, ETag and 304; pages carry a CSP', { timeout: 60000 }, async (t) => {
  const { s, b, page } = await setup(t);
  for (const name of ['htmx.min.js', 'sse.min.js', 'app.js', 'app.css', 'favicon.svg']) {
    const res = await fetch(`${s.url}/static/${name}`);
    assert.equal(res.status, 200, name);
    assert.match(res.headers.get('cache-control'), /public, max-age=\d+/);
    const etag = res.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]+-\d+"$/);
    assert.ok((await res.arrayBuffer()).byteLength > 0);
    const again = await fetch(`${s.url}/static/${name}`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, name);
  }
  assert.match((await fetch(`${s.url}/static/htmx.min.js`)).headers.get('content-type'), /^text\/javascript/);
  assert.equal((await fetch(`${s.url}/static/nothing.js`)).status, 404);
  await signIn(page, s);
  const res = await page.request.get(s.url + '/');
  assert.match(res.headers()['content-security-policy'], /default-src 'self'/);
  assert.match(res.headers()['content-type'], /^text\/html/);
  // nothing is loaded from anywhere but this origin
  const origins = await page.evaluate(() => [...document.querySelectorAll('script[src], link[href]')]
    .map((e) => new URL(e.src || e.href, location.href).origin));
  assert.ok(origins.every((o) => o === new URL(s.url).origin), origins.join(' '));
  assertNoErrors(b);
});

test('keyboard alone: Tab reaches "Start full backup" with a visible focus, Enter starts it', { timeout: 60000 }, async (t) => {
  const { s, b, page } = await setup(t);
  await signIn(page, s);
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement && document.activeElement.id === 'begin-full-default');
  }
  assert.ok(found, 'reachable by Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focus is visible');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ui\/backups\/\d+$/);
  assertNoErrors(b);
});

test('at 390 px wide: overview, workspace, history and restore fit without sideways scrolling', { timeout: 60000 }, async (t) => {
  const { s, b, page } = await setup(t, { args: ['--demo'] }, PHONE);
  await signIn(page, s);
  await assertAccessible(page);
  await screenshot(page, 'overview-390');
  await page.click('#begin-full-default');
  await page.waitForURL(/\/ui\/backups\/\d+$/);
  await assertAccessible(page);
  await screenshot(page, 'backup-workspace-390');
  await page.click('#act-abort');
  await page.waitForSelector('.result-panel');
  await assertAccessible(page);
  for (const path of ['/ui/backups', '/ui/events', '/ui/restores']) {
    await page.goto(s.url + path);
    await assertAccessible(page);
  }
  assertNoErrors(b);
});
