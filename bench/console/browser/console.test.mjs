// The live console in Debian's headless Chromium, driven by playwright-core: `flowbench serve`
// over the committed results/ (the list, a report, two runs compared), and a short real
// `flowbench run --ui` whose live chart gains points and whose completion p99 is a number while
// it runs, both with no console error; and a short real `flowbench sweep --quick --ui`, whose
// live JSON gains steps and points while it sweeps.
// FLOWBENCH_CONSOLE_SCREENSHOTS=DIR also saves the pictures the README shows.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';

const require = createRequire(path.join(process.env.FLOWBENCH_CONSOLE_NODE_DIR, 'package.json'));
const {chromium} = require('playwright-core');

const flowbench = path.join(process.env.FLOWBENCH_BIN_DIR, 'flowbench');
const source = process.env.FLOWBENCH_SOURCE_DIR;
const screenshots = process.env.FLOWBENCH_CONSOLE_SCREENSHOTS;
const chromiumPath = '/usr/bin/chromium';

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
});

// Starts flowbench with `args`; resolves with the process and the console's URL once it says it.
function startFlowbench(args) {
  const child = spawn(flowbench, args, {stdio: ['ignore', 'pipe', 'pipe']});
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise((resolve, reject) => {
    const look = (chunk) => {
      output += chunk;
      const found = output.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (found) resolve(found[0]);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    exited.then((code) => reject(new Error('flowbench exited (' + code + ') before serving:\n' + output)));
  });
  return {child, url, exited, output: () => output};
}

// A page that records every console error and uncaught exception.
async function newPage(viewport = {width: 1400, height: 900}) {
  const page = await browser.newPage({viewport});
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return {page, errors};
}

test('serve: the results list, a report and two runs compared, with no console error', async () => {
  const serve = startFlowbench(['serve', '--port', '0', '--results', path.join(source, 'results')]);
  try {
    const url = await serve.url;
    const {page, errors} = await newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    const names = await page.$$eval('#results-list tr[data-name]', (rows) => rows.map((r) => r.dataset.name));
    for (const name of ['reference-default', 'reference-repeat3', 'reference-sweep']) {
      assert.ok(names.includes(name), name + ' listed in ' + names);
    }
    if (screenshots) await page.screenshot({path: path.join(screenshots, 'console-results.png')});

    await page.click('tr[data-name="reference-default"] a');
    const frame = page.frameLocator('#report-frame');
    await frame.locator('h2', {hasText: 'p95 latency per profile'}).waitFor();

    await page.goto(url + '#compare/reference-default/reference-repeat3');
    await page.waitForSelector('#compare-title');
    const title = await page.textContent('#compare-title');
    assert.match(title, /reference-default vs reference-repeat3/);
    const legend = await page.textContent('#compare-output');
    assert.match(legend, /A: reference-default/);
    assert.match(legend, /B: reference-repeat3/);
    const headings = await page.$$eval('#compare-output th', (th) => th.map((h) => h.textContent));
    assert.deepEqual(headings.slice(0, 4), ['metric', 'stat', 'A', 'B']);
    assert.ok(await page.locator('#compare-output tbody tr').count() > 20);
    await page.fill('#compare-filter', 'scenario6 p(99) http_req_duration');
    if (screenshots) await page.screenshot({path: path.join(screenshots, 'console-compare.png')});

    // A bad name is the page's error message, not a broken page.
    await page.goto(url + '#compare/reference-default/..');
    await page.waitForSelector('#compare-output .error');
    assert.deepEqual(errors.filter((e) => !e.includes('400')), []);
    assert.equal(errors.length, 1, errors.join('\n'));  // the 400 response itself
    await page.close();
  } finally {
    serve.child.kill('SIGINT');
    assert.equal(await serve.exited, 0);
  }
});

test('run --ui: the live chart of each build gains points while it runs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-console-live-'));
  // The smallest run that shows both builds live: scenario 6 alone (the click stream, 50
  // req/s in the baseline profile), 1 s of warm-up and 4 s of load each.
  const run = startFlowbench(['run', '--ui', '--ui-port', '0', '--state-dir', path.join(dir, 'state'),
    '--out', path.join(dir, 'results', 'live-run'), '--profile', 'baseline',
    '--scenario', 'scenario6', '--duration', '4s', '--warmup', '1']);
  try {
    const url = await run.url;
    const {page, errors} = await newPage({width: 1400, height: 1000});
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(new URL(page.url()).hash, '#live');
    const points = (arch) => page.$eval('#live-' + arch + ' canvas.rate', (c) => Number(c.dataset.points))
        .catch(() => 0);
    // A run that fails (a build not built, a port taken) ends the test with its output.
    const whileRunning = (waiting) => Promise.race([waiting, run.exited.then((code) => {
      throw new Error('flowbench run exited (' + code + ') first:\n' + run.output());
    })]);
    // Each build in turn: its chart grows during its load, and its completion p99 (the
    // services' records joined to the schedule while it runs) becomes a number.
    for (const arch of ['sync', 'async']) {
      await whileRunning(page.waitForFunction((a) => Number(document.querySelector('#live-' + a +
          ' canvas.rate')?.dataset.points) >= 1, arch, {timeout: 90_000}));
      const first = await points(arch);
      await whileRunning(page.waitForFunction(([a, n]) => Number(document.querySelector('#live-' +
          a + ' canvas.rate').dataset.points) > n, [arch, first], {timeout: 20_000}));
      await whileRunning(page.waitForFunction((a) => /^\d+\.\d$/.test(document.querySelector('#live-' +
          a + ' .tile.completion-p99 b')?.textContent ?? ''), arch, {timeout: 20_000}));
      const state = await whileRunning(page.evaluate(() => fetch('/api/live').then((r) => r.json())));
      const newest = [...state.runs].reverse().find((r) => r.arch === arch);
      // Known while the load still ran, not only after the drain.
      const during = newest.points.filter((p) => p.phase === 'load' && p.completion_p99_ms !== null);
      assert.ok(during.length >= 1, arch + ': no completion p99 during the load: ' +
          JSON.stringify(newest.points));
      for (const p of during) {
        assert.ok(p.completions > 0 && p.completion_p99_ms > 0 &&
            p.completion_p99_ms >= p.completion_p50_ms, JSON.stringify(p));
      }
      assert.ok(Number(await page.$eval('#live-' + arch + ' canvas.latency',
          (c) => c.dataset.completionPoints)) >= 1, arch + ' completion line');
      if (screenshots && arch === 'async') {
        await page.screenshot({path: path.join(screenshots, 'console-live.png'), fullPage: true});
      }
    }
    await page.waitForSelector('#live-badge:has-text("finished")', {timeout: 120_000});
    assert.ok(await points('sync') >= 3, 'sync points');
    assert.deepEqual(errors, []);
    await page.close();
    assert.equal(await run.exited, 0, run.output());
  } finally {
    run.child.kill('SIGINT');
    await run.exited;
    fs.rmSync(dir, {recursive: true, force: true});
  }
});

test('sweep --ui: the live JSON gains steps and their points while it sweeps', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-console-sweep-'));
  // Two short steps of the clicks on the async build (100/s, then 400/s, 2 s each), no
  // physical limits measured: the smallest sweep with more than one step.
  const sweep = startFlowbench(['sweep', '--quick', '--ui', '--ui-port', '0', '--state-dir',
    path.join(dir, 'state'), '--out', path.join(dir, 'results', 'live-sweep'), '--arch', 'async',
    '--scenario', 'scenario6', '--from', '100', '--max', '400', '--no-limits']);
  try {
    const url = await sweep.url;
    // What the page polls, read once a second until the sweep ends (its console goes with it).
    const seen = [];
    for (;;) {
      let state;
      try {
        state = await (await fetch(url + 'api/live')).json();
      } catch {
        break;  // the sweep's process ended
      }
      assert.equal(state.live, true);
      assert.equal(state.command, 'sweep');
      seen.push(state);
      if (state.finished) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(await sweep.exited, 0, sweep.output());
    const last = seen[seen.length - 1];
    assert.ok(last.finished, 'the last state read says the sweep finished');
    // Each step is a run of its own, named after its rate, with seconds of load in it.
    const steps = last.runs.map((r) => r.profile);
    assert.deepEqual(steps, ['scenario6 at 100/s', 'scenario6 at 400/s']);
    for (const run of last.runs) {
      assert.equal(run.arch, 'async');
      assert.ok(run.points.filter((p) => p.phase === 'load').length >= 1, JSON.stringify(run));
    }
    // Seen growing while it ran: a state with only the first step, and points added to it.
    const firstStepOnly = seen.filter((s) => s.runs.length === 1 && !s.finished);
    assert.ok(firstStepOnly.length >= 2, 'the first step was seen live, twice');
    assert.ok(firstStepOnly[firstStepOnly.length - 1].runs[0].points.length >
              firstStepOnly[0].runs[0].points.length, 'its points grew');
  } finally {
    sweep.child.kill('SIGINT');
    await sweep.exited;
    fs.rmSync(dir, {recursive: true, force: true});
  }
});
