// browser.mjs — shared by the browser tests: Debian's Chromium driven by playwright-core (headless,
// a fresh profile directory per test), a hotcopyd of the test's own (tests/e2e/helpers.mjs), sign-in
// through the login form, console errors collected (any one fails the test), screenshots into
// build/screenshots/, and the accessibility checks every page gets (labels, names, contrast, no
// horizontal scrolling at 390 px).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '../../web/node_modules/playwright-core/index.mjs';
import { startServer } from '../e2e/helpers.mjs';

export { startServer, sleep, sha256, tempDir } from '../e2e/helpers.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ROOT = new URL('../../', import.meta.url).pathname;
export const SHOTS = join(ROOT, 'build/screenshots');
const LOGS = join(ROOT, 'build/test-logs');
const DOC_SHOTS = join(ROOT, 'docs/screenshots');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

// A browser with a fresh profile (--user-data-dir) and a page whose console errors and uncaught
// exceptions are collected in `errors`. close() ends the browser and removes the profile.
// javaScript: false for a browser with scripts off.
export async function openBrowser(viewport = DESKTOP, javaScript = true) {
  const profile = mkdtempSync(join(tmpdir(), 'hotcopy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--disable-gpu'],
    viewport,
    acceptDownloads: true,
    javaScriptEnabled: javaScript,
  });
  const errors = [];
  const watch = (page) => {
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${page.url()} ${JSON.stringify(msg.location())} at ${new Date().toISOString()})`); });
    page.on('pageerror', (err) => errors.push(`page error: ${err.message} (${page.url()})`));
  };
  context.on('page', watch);
  const page = context.pages()[0] || await context.newPage();
  watch(page);
  page.setDefaultTimeout(15000);
  return {
    context, page, errors,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Starts hotcopyd and a browser; t.after stops both (browser first, so that no stream breaks
// under an open page). Returns {s, b, page}.
export async function setup(t, serverOpts = { args: ['--demo'] }, viewport = DESKTOP, javaScript = true) {
  const s = await startServer(serverOpts);
  let b;
  try {
    b = await openBrowser(viewport, javaScript);
  } catch (e) {
    s.cleanup();
    throw e;
  }
  t.after(async () => {
    await b.close();
    await s.stop();
    // the server's request log, for reading after a failure
    mkdirSync(LOGS, { recursive: true });
    writeFileSync(join(LOGS, `browser-${t.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}.server.log`), s.stderr);
    s.cleanup();
  });
  return { s, b, page: b.page };
}

// Signs in through the form with the keyboard alone: the token field has focus on load, Enter
// submits. Ends on the overview.
export async function signIn(page, s) {
  await page.goto(s.url + '/login');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  assert.equal(focused, 'token', 'the token field has the focus');
  await page.keyboard.type(s.token);
  await page.keyboard.press('Enter');
  await page.waitForURL(s.url + '/');
}

export function assertNoErrors(b) {
  assert.deepEqual(b.errors, [], 'no console errors');
}

// The screenshots the README shows, committed in docs/screenshots/.
const DOC_NAMES = new Set(['backup-workspace', 'result-panel']);

// Saves a screenshot of the viewport (1280 px wide on the desktop) into build/screenshots/<name>.png;
// with HOTCOPY_UPDATE_SCREENSHOTS=1 the README's ones are also copied into docs/screenshots/.
export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  if (process.env.HOTCOPY_UPDATE_SCREENSHOTS === '1' && DOC_NAMES.has(name)) {
    mkdirSync(DOC_SHOTS, { recursive: true });
    copyFileSync(file, join(DOC_SHOTS, `${name}.png`));
  }
  return file;
}

// Checks the page a user sees: every form control has a label, every button and link a name, text
// contrast is at least 4.5:1 (3:1 for large text) against its background, and nothing makes the
// page scroll sideways.
export async function assertAccessible(page) {
  const problems = await page.evaluate(() => {
    const out = [];
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const st = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none';
    };
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, progress')) {
      if (el.hidden) continue;
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') ||
                       el.getAttribute('aria-labelledby');
      if (!labelled) out.push(`no label: ${el.outerHTML.slice(0, 120)}`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!visible(el)) continue;
      if (!(el.textContent || '').trim() && !el.getAttribute('aria-label')) out.push(`no name: ${el.outerHTML.slice(0, 120)}`);
    }
    if (new Set([...document.querySelectorAll('[id]')].map((e) => e.id)).size !== document.querySelectorAll('[id]').length)
      out.push('duplicate ids');
    // contrast of text against the first opaque background behind it
    const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(',').map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
    const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
    const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim() || !visible(el)) continue;
      seen.add(el);
      const st = getComputedStyle(el);
      const fg = parse(st.color);
      if (!fg) continue;
      const bg = background(el);
      const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const large = parseFloat(st.fontSize) >= 24 || (parseFloat(st.fontSize) >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`contrast ${ratio.toFixed(2)}: "${n.textContent.trim().slice(0, 40)}"`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth + 1)
      out.push(`scrolls sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    return out;
  });
  assert.deepEqual(problems, [], `accessibility of ${page.url()}`);
}

// The text of the event table rows as [{eventId, text}].
export async function eventRows(page, scope = '') {
  return page.$$eval(`${scope} tr[data-event-id]`, (rows) =>
    rows.map((r) => ({ eventId: Number(r.dataset.eventId), text: r.textContent })));
}
