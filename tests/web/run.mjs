// Runs the browser specs in specs/*.mjs against a running stockbridge demo
// (scripts/test-web starts one). Each spec module exports `tests`, a list of
// {name, fn}; fn(t) gets the helpers below. Sequential, one browser.
//   SB_BASE=http://127.0.0.1:PORT SB_FAKE=http://127.0.0.1:PORT \
//   SB_SHOTS="dir1 dir2" node run.mjs [name-filter]
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.env.SB_BASE || 'http://127.0.0.1:8080';
const fake = process.env.SB_FAKE || 'http://127.0.0.1:8081';
const shotDirs = (process.env.SB_SHOTS || path.join(here, 'screenshots')).split(/\s+/).filter(Boolean);
const filter = process.argv[2] || '';
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 15000;

export class AssertionError extends Error {}
function assert(cond, msg) { if (!cond) throw new AssertionError(msg); }

// Expect-style polling for state outside the browser (the fakestore): retries
// fn until it returns a truthy value or the timeout passes. Not a sleep: it
// returns as soon as the condition holds.
async function poll(fn, what, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) throw new AssertionError(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function fakeApi(method, p, body) {
  const res = await fetch(fake + p, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fakestore ${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
const contexts = [];

// timezoneId and locale: the browser's own, to show the app does not depend on them.
async function newPage({ viewport = { width: 1280, height: 860 }, timezoneId, locale } = {}) {
  const context = await browser.newContext({ baseURL: base, viewport, timezoneId, locale });
  context.setDefaultTimeout(TIMEOUT);
  contexts.push(context);
  const page = await context.newPage();
  page.errors = [];
  page.exceptions = []; // uncaught exceptions in the app fail the test
  page.on('pageerror', (e) => { page.exceptions.push(e.message); page.errors.push(e.message); });
  // Refused requests the specs cause on purpose (401, 403, 404, 409, 429) are logged by
  // Chromium as console errors; anything else is reported.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (40[1349]|429)/.test(m.text())) page.errors.push(m.text()); });
  return page;
}

async function signIn(username, password = `${username}-demo`, opts) {
  const page = await newPage(opts);
  await page.goto('/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL('**/shipping'), page.getByLabel('Password').press('Enter')]);
  await page.locator('#bell').waitFor();
  return page;
}

async function shot(page, name) {
  await page.evaluate(() => document.fonts && document.fonts.ready);
  for (const dir of shotDirs) {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: false });
  }
}

// Accessibility (issue 16): axe-core, pinned in package.json, run over the page as it
// is; any violation of serious or critical impact fails the test, named with the
// elements it was found on. Rules that judge a screen's content rather than its
// markup stay on, colour contrast included.
const axeSource = fs.readFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
async function axe(page, name) {
  // evaluated through the DevTools protocol: the app's Content-Security-Policy (no inline
  // scripts) stays as it is
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert(found.length === 0, `${name}: accessibility violations:\n  ${found.join('\n  ')}`);
}

const t = { base, fake, fakeApi, poll, assert, newPage, signIn, shot, axe, browser };

const files = fs.readdirSync(path.join(here, 'specs')).filter((f) => f.endsWith('.mjs')).sort();
let passed = 0, failed = 0;
const started = Date.now();
for (const file of files) {
  const mod = await import(pathToFileURL(path.join(here, 'specs', file)));
  for (const { name, fn } of mod.tests) {
    const full = `${file.replace(/\.mjs$/, '')} › ${name}`;
    if (filter && !full.includes(filter)) continue;
    const t0 = Date.now();
    try {
      await fn(t);
      const thrown = contexts.flatMap((c) => c.pages()).flatMap((p) => p.exceptions || []);
      if (thrown.length) throw new AssertionError(`uncaught exceptions in the app: ${thrown.join(' | ')}`);
      passed++;
      console.log(`ok   ${full} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${full} (${Date.now() - t0} ms)\n     ${String(e && e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
    } finally {
      for (const c of contexts.splice(0)) {
        for (const p of c.pages()) if (p.errors && p.errors.length) console.log(`     page errors: ${p.errors.join(' | ')}`);
        await c.close().catch(() => {});
      }
    }
  }
}
await browser.close();
console.log(`\n${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed || !passed ? 1 : 0);
