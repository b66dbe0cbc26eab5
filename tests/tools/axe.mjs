// Accessibility, phone layout and Content-Security-Policy checks of HTML
// pages in headless Chromium (run by tests/it/site.rs).
//
//   node axe.mjs CHROMIUM PAGE.html...
//
// Opens each page over file:// in one browser, twice: at 1280×800 and as a
// phone at 390×844. Each time it collects the page's Content-Security-
// Policy violations and console errors, measures how wide the document is
// (and what sticks out past the viewport), and runs axe-core with the WCAG
// 2 A/AA rules (2.0, 2.1 and 2.2). Prints one JSON object:
//
//   {"axe": "4.14.1", "results": [{"page", "viewport": "desktop"|"phone",
//    "width", "scrollWidth", "clientWidth", "overflowing": [...],
//    "csp": [...], "errors": [...], "violations": [{"rule", "impact",
//    "help", "nodes": [{"target", "html", "summary"}]}]}]}
//
// axe is evaluated through the DevTools protocol, which the page's policy
// does not govern, so that injecting it neither needs nor breaks the
// policy being checked; the policy and the errors are read before axe
// runs. Nothing is fetched from the network, and nothing waits on a
// timer: each page is checked once its load event has fired.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// One tab per viewport, side by side: two cores busy.
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
];

/// Runs in the page before any of its own code: records the policy's
/// violations as the page reports them.
function watchCsp() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(
      `${e.violatedDirective} blocked ${e.blockedURI || 'inline'}` +
        (e.sample ? ` (${e.sample})` : '') +
        (e.lineNumber ? ` at line ${e.lineNumber}` : ''),
    );
  });
}

/// Runs in the page: how wide the document is, and the innermost elements
/// that stick out past the viewport's right edge outside any box that
/// scrolls or clips them (what makes the page scroll sideways).
function measure() {
  const width = document.documentElement.clientWidth;
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  const overflowing = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || el.getBoundingClientRect().width === 0) {
      continue;
    }
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') {
        clipped = true;
        break;
      }
    }
    if (clipped || Array.prototype.some.call(el.children, sticksOut)) {
      continue;
    }
    const cls = typeof el.className === 'string' && el.className.trim();
    const name = el.tagName.toLowerCase() + (cls ? '.' + cls.split(/\s+/).join('.') : '');
    const text = (el.textContent || '').trim().slice(0, 60);
    overflowing.push(`${name} (right edge at ${Math.round(el.getBoundingClientRect().right)}px): ${text}`);
    if (overflowing.length === 5) {
      break;
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, overflowing };
}

let axeVersion = null;

/// A tab at `viewport` that checks one page after another.
async function checker(browser, viewport) {
  const tab = await browser.newPage();
  const { name, ...vp } = viewport;
  await tab.setViewport(vp);
  await tab.evaluateOnNewDocument(watchCsp);
  let errors = [];
  tab.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) {
      errors.push(m.text());
    }
  });
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('requestfailed', (r) => errors.push(`failed to load ${r.url()}`));
  return async (page) => {
    errors = [];
    const url = pathToFileURL(path.resolve(page)).href;
    await tab.goto(url, { waitUntil: 'load' });
    const csp = await tab.evaluate(() => window.__cspViolations.slice());
    const pageErrors = errors.slice();
    const widths = await tab.evaluate(measure);
    await tab.evaluate(AXE);
    const result = await tab.evaluate(
      // No preload: axe would fetch the stylesheets, which the policy forbids.
      (tags) =>
        axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
          preload: false,
        }),
      TAGS,
    );
    axeVersion = result.testEngine.version;
    const violations = result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
    }));
    return {
      page,
      viewport: name,
      width: viewport.width,
      ...widths,
      csp,
      errors: pageErrors,
      violations,
    };
  };
}

async function main() {
  const [chromium, ...pages] = process.argv.slice(2);
  if (!chromium || pages.length === 0) {
    console.error('usage: node axe.mjs CHROMIUM PAGE.html...');
    process.exit(2);
  }
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const perViewport = await Promise.all(
      VIEWPORTS.map(async (v) => {
        const check = await checker(browser, v);
        const out = [];
        for (const page of pages) {
          out.push(await check(page));
        }
        return out;
      }),
    );
    process.stdout.write(JSON.stringify({ axe: axeVersion, results: perViewport.flat() }) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
