#include "bench/console/console_page.hpp"

namespace flowbench::console {

// One page, three views chosen by the URL's hash: #results (the list), #report/NAME (a run's
// report.html or a sweep's sweep.html in a frame), #compare/A/B (`flowbench compare A B`'s
// table), #live (the running experiment, polled once a second). Chart.js comes from the
// server (/assets/chart.min.js, Debian's copy): nothing is fetched from elsewhere.
std::string_view ConsolePage() {
  return R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>flowbench console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #263238; color: #fff; padding: 0.6em 1.2em; display: flex; gap: 1.5em;
         align-items: baseline; }
header h1 { font-size: 1.15em; margin: 0; }
header a { color: #cfd8dc; text-decoration: none; }
header a.active { color: #fff; border-bottom: 2px solid #80cbc4; }
main { padding: 1em 1.2em; }
table { border-collapse: collapse; background: #fff; }
td, th { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
th { background: #eceff1; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.hidden { display: none !important; }
.error { color: #b71c1c; background: #ffebee; padding: 0.5em 0.8em; border-radius: 4px; }
.builds { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.build { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.8em; }
.build h2 { margin: 0 0 0.3em; font-size: 1.1em; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 0.4em; margin: 0.5em 0; }
.tile { background: #f5f5f5; border-radius: 4px; padding: 0.3em 0.5em; }
.tile b { display: block; font-size: 1.25em; font-variant-numeric: tabular-nums; }
.tile span { color: #666; font-size: 0.85em; }
.chart { height: 200px; position: relative; margin-top: 0.5em; }
.phase { font-weight: 600; }
.build h3 { font-size: 0.95em; margin: 0.8em 0 0.3em; }
.queues { display: flex; flex-wrap: wrap; gap: 0.3em; color: #555; }
.queue { background: #f5f5f5; border-radius: 3px; padding: 0.1em 0.4em; font-size: 0.85em; }
.queue.busy { background: #fff3e0; color: #e65100; }
.fault { color: #b71c1c; }
.completion-note { color: #666; font-size: 0.85em; }
iframe { width: 100%; height: calc(100vh - 9em); border: 1px solid #ddd; background: #fff; }
#compare-output table { font-size: 12px; }
#compare-controls { display: flex; gap: 1em; align-items: center; margin-bottom: 0.8em; }
</style>
<script src="/assets/chart.min.js"></script>
</head>
<body>
<header>
  <h1>flowbench console</h1>
  <a href="#results" id="nav-results">Results</a>
  <a href="#compare" id="nav-compare">Compare</a>
  <a href="#live" id="nav-live" class="hidden">Live</a>
  <span id="live-badge"></span>
</header>
<main>
<div id="problem" class="error hidden"></div>

<section id="view-results">
  <p>Runs and sweeps in <code id="results-dir"></code>, newest first. Tick two of a kind to
  compare them.</p>
  <table id="results-list">
    <thead><tr><th></th><th>name</th><th>kind</th><th>written</th><th>report</th></tr></thead>
    <tbody></tbody>
  </table>
  <p id="results-empty" class="hidden">No results yet: <code>flowbench run</code> writes them.</p>
  <p><button id="compare-selected" disabled>Compare the two ticked</button></p>
</section>

<section id="view-report" class="hidden">
  <p><a href="#results">&larr; results</a> &middot; <span id="report-name"></span> &middot;
  <a id="report-tab" target="_blank">open in its own tab</a></p>
  <iframe id="report-frame" title="report"></iframe>
</section>

<section id="view-compare" class="hidden">
  <div id="compare-controls">
    <label>A (baseline) <select id="compare-a"></select></label>
    <label>B <select id="compare-b"></select></label>
    <label>filter rows <input id="compare-filter" placeholder="e.g. scenario6 p(99)"></label>
  </div>
  <div id="compare-output"></div>
</section>

<section id="view-live" class="hidden">
  <p id="live-status"></p>
  <div class="builds">
    <div class="build" id="live-sync" data-arch="sync"></div>
    <div class="build" id="live-async" data-arch="async"></div>
  </div>
</section>
</main>

<script>
'use strict';
const $ = (id) => document.getElementById(id);
let results = [];
let liveTimer = null;
const liveCharts = {};

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;',
    '"': '&quot;', "'": '&#39;'}[c]));
}

function showProblem(message) {
  $('problem').textContent = message;
  $('problem').classList.toggle('hidden', !message);
}

async function getJson(url) {
  const response = await fetch(url, {cache: 'no-store'});
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

// `flowbench compare`'s markdown: headings, bullet lists, tables, `code` and **bold**.
function markdownToHtml(markdown) {
  const inline = (text) => escapeHtml(text)
      .replace(/`([^`]*)`/g, '<code>$1</code>').replace(/\*\*([^*]*)\*\*/g, '<b>$1</b>');
  const cells = (line) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const out = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; ++i) {
    const line = lines[i];
    if (line.startsWith('|')) {
      const head = cells(line);
      const aligns = i + 1 < lines.length && /^\|[-:| ]+\|$/.test(lines[i + 1].trim())
          ? cells(lines[++i]).map((c) => c.endsWith(':') ? 'num' : '') : head.map(() => '');
      let html = '<table><thead><tr>' + head.map((c) => '<th>' + inline(c) + '</th>').join('') +
          '</tr></thead><tbody>';
      while (i + 1 < lines.length && lines[i + 1].startsWith('|')) {
        const row = cells(lines[++i]);
        html += '<tr>' + row.map((c, k) => '<td class="' + (aligns[k] || '') + '">' + inline(c) +
            '</td>').join('') + '</tr>';
      }
      out.push(html + '</tbody></table>');
    } else if (/^#+ /.test(line)) {
      const level = Math.min(line.indexOf(' ') + 1, 6);
      out.push('<h' + level + '>' + inline(line.slice(line.indexOf(' ') + 1)) + '</h' + level + '>');
    } else if (line.startsWith('- ')) {
      out.push('<li>' + inline(line.slice(2)) + '</li>');
    } else if (line.trim()) {
      out.push('<p>' + inline(line) + '</p>');
    }
  }
  return out.join('\n');
}

async function loadResults() {
  const body = await getJson('/api/results');
  results = body.results;
  $('results-dir').textContent = body.results_dir;
  $('results-empty').classList.toggle('hidden', results.length > 0);
  const rows = results.map((r) => {
    const at = r.created_at ? Date.parse(r.created_at) : r.modified_unix_s * 1000;
    const written = at ? new Date(at).toLocaleString() : '';
    const report = r.report ? '<a href="#report/' + encodeURIComponent(r.name) + '">' +
        escapeHtml(r.report) + '</a>' : '-';
    return '<tr data-name="' + escapeHtml(r.name) + '" data-kind="' + r.kind + '">' +
        '<td><input type="checkbox" aria-label="compare ' + escapeHtml(r.name) + '"></td>' +
        '<td>' + escapeHtml(r.name) + '</td><td>' + r.kind + '</td><td>' + written + '</td><td>' +
        report + '</td></tr>';
  });
  $('results-list').tBodies[0].innerHTML = rows.join('');
  for (const box of $('results-list').querySelectorAll('input')) {
    box.addEventListener('change', updateCompareButton);
  }
  updateCompareButton();
}

function ticked() {
  return [...$('results-list').querySelectorAll('tr[data-name]')]
      .filter((tr) => tr.querySelector('input').checked);
}

function updateCompareButton() {
  const rows = ticked();
  $('compare-selected').disabled = !(rows.length === 2 && rows[0].dataset.kind === rows[1].dataset.kind);
}

$('compare-selected').addEventListener('click', () => {
  const [a, b] = ticked().map((tr) => encodeURIComponent(tr.dataset.name));
  location.hash = '#compare/' + a + '/' + b;
});

function showReport(name) {
  const entry = results.find((r) => r.name === name);
  if (!entry || !entry.report) {
    showProblem('no report for ' + name);
    return;
  }
  const url = '/results/' + encodeURIComponent(name) + '/' + entry.report;
  $('report-name').textContent = name + ' (' + entry.kind + ')';
  $('report-tab').href = url;
  if ($('report-frame').getAttribute('src') !== url) $('report-frame').src = url;
}

function fillCompareSelects(a, b) {
  const options = (chosen) => results.map((r) => '<option value="' + escapeHtml(r.name) + '"' +
      (r.name === chosen ? ' selected' : '') + '>' + escapeHtml(r.name) + ' (' + r.kind + ')</option>')
      .join('');
  $('compare-a').innerHTML = options(a);
  $('compare-b').innerHTML = options(b);
}

async function showCompare(a, b) {
  if (!a || !b) {
    const runs = results.filter((r) => r.kind === 'run');
    a = a || (runs[1] || runs[0] || {}).name;
    b = b || (runs[0] || {}).name;
  }
  fillCompareSelects(a, b);
  if (!a || !b) {
    $('compare-output').innerHTML = '<p>Two runs are needed to compare.</p>';
    return;
  }
  $('compare-output').innerHTML = '<p>Comparing&hellip;</p>';
  try {
    const body = await getJson('/api/compare?a=' + encodeURIComponent(a) + '&b=' + encodeURIComponent(b));
    $('compare-output').innerHTML = '<h2 id="compare-title">' + escapeHtml(body.a) + ' vs ' +
        escapeHtml(body.b) + ' (' + body.kind + ')</h2>' + markdownToHtml(body.markdown);
    $('compare-output').dataset.compared = body.a + '|' + body.b;
    filterCompareRows();
  } catch (error) {
    $('compare-output').innerHTML = '<p class="error">' + escapeHtml(error.message) + '</p>';
  }
}

function filterCompareRows() {
  const words = $('compare-filter').value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const tr of $('compare-output').querySelectorAll('tbody tr')) {
    const text = tr.textContent.toLowerCase();
    tr.classList.toggle('hidden', !words.every((w) => text.includes(w)));
  }
}
$('compare-filter').addEventListener('input', filterCompareRows);
for (const select of [$('compare-a'), $('compare-b')]) {
  select.addEventListener('change', () => {
    location.hash = '#compare/' + encodeURIComponent($('compare-a').value) + '/' +
        encodeURIComponent($('compare-b').value);
  });
}

// The live view: per build, its newest run's seconds. `axes[k]` 'y2': dataset k on a
// second axis, on the right (completion takes the work's time, often far above the answer's).
function liveChart(canvas, labels, colours, axes = []) {
  const scales = {x: {type: 'linear', title: {display: true, text: 's'}}, y: {beginAtZero: true}};
  if (axes.includes('y2')) {
    scales.y2 = {beginAtZero: true, position: 'right', grid: {drawOnChartArea: false},
      title: {display: true, text: 'completion ms'}};
  }
  return new Chart(canvas, {
    type: 'line',
    data: {datasets: labels.map((label, k) => ({label, data: [], borderColor: colours[k],
      backgroundColor: colours[k], pointRadius: 0, borderWidth: 2, tension: 0,
      yAxisID: axes[k] || 'y'}))},
    options: {animation: false, maintainAspectRatio: false, parsing: false, scales,
      plugins: {legend: {position: 'bottom'}}},
  });
}

function buildPanel(arch) {
  const panel = $('live-' + arch);
  panel.innerHTML = '<h2>' + arch + ' <span class="run-label"></span></h2>' +
      '<div class="phase"></div><div class="fault"></div><div class="tiles"></div>' +
      '<div class="completion-note"></div>' +
      '<div class="chart"><canvas class="rate" data-points="0" aria-label="' + arch + ' rates"></canvas></div>' +
      '<div class="chart"><canvas class="latency" aria-label="' + arch + ' latency"></canvas></div>' +
      '<h3>ready messages per queue</h3><div class="queues"></div>';
  liveCharts[arch] = {
    rate: liveChart(panel.querySelector('canvas.rate'), ['offered req/s', 'answered req/s'],
                    ['#90a4ae', '#1e88e5']),
    latency: liveChart(panel.querySelector('canvas.latency'),
                       ['answer p50 ms', 'answer p99 ms', 'completion p99 ms'],
                       ['#43a047', '#e53935', '#8e24aa'], ['y', 'y', 'y2']),
  };
}

function tile(value, label, name = '') {
  return '<div class="tile' + (name ? ' ' + name : '') + '"><b>' + value + '</b><span>' + label +
      '</span></div>';
}

// A completion figure in ms, or n/a when there is none (not tracked, or none seen yet: the
// note under the tiles says which), never a 0 that was not measured.
function completionMs(value) {
  return value === null || value === undefined ? 'n/a' : value.toFixed(1);
}

function showBuild(arch, run) {
  const panel = $('live-' + arch);
  if (!liveCharts[arch]) buildPanel(arch);
  if (!run) {
    panel.querySelector('.phase').textContent = 'not started yet';
    return;
  }
  const points = run.points;
  const last = points[points.length - 1] || {};
  panel.querySelector('.run-label').textContent = run.profile + ', repeat ' + run.repeat + ' of ' + run.repeats;
  panel.querySelector('.phase').textContent = (last.phase || '') + ' ' + Math.round(last.t || 0) +
      ' of ' + Math.round(run.total_s) + ' s (warm-up ' + run.warmup_s + ' s)';
  panel.querySelector('.fault').textContent = last.fault || '';
  panel.querySelector('.tiles').innerHTML =
      tile((last.offered_per_s || 0).toFixed(1), 'offered req/s') +
      tile((last.answered_per_s || 0).toFixed(1), 'answered req/s') +
      tile(last.errors || 0, 'errors') + tile(last.dropped || 0, 'dropped') +
      tile(last.backlog || 0, 'backlog (ready)') +
      tile((last.p50_ms || 0).toFixed(1), 'answer p50 ms') +
      tile((last.p99_ms || 0).toFixed(1), 'answer p99 ms') +
      tile(completionMs(last.completion_p50_ms), 'completion p50 ms', 'completion-p50') +
      tile(completionMs(last.completion_p99_ms), 'completion p99 ms', 'completion-p99') +
      tile(last.completions || 0, 'completions seen');
  panel.querySelector('.completion-note').textContent = last.completion_note
      ? 'completion: ' + last.completion_note : '';
  const xy = (field) => points.filter((p) => p.phase !== 'draining').map((p) => ({x: p.t, y: p[field]}));
  // Completion goes on during the drain (the backlog's work ends then): its seconds are charted.
  const completionXy = points.filter((p) => p.completion_p99_ms !== null && p.completion_p99_ms !== undefined)
      .map((p) => ({x: p.t, y: p.completion_p99_ms}));
  const charts = liveCharts[arch];
  charts.rate.data.datasets[0].data = xy('offered_per_s');
  charts.rate.data.datasets[1].data = xy('answered_per_s');
  charts.latency.data.datasets[0].data = xy('p50_ms');
  charts.latency.data.datasets[1].data = xy('p99_ms');
  charts.latency.data.datasets[2].data = completionXy;
  for (const chart of [charts.rate, charts.latency]) {
    chart.options.scales.x.min = 0;
    chart.options.scales.x.max = Math.max(Math.ceil(run.total_s), Math.ceil(last.t || 0));
  }
  charts.rate.update();
  charts.latency.update();
  panel.querySelector('canvas.rate').dataset.points = String(charts.rate.data.datasets[1].data.length);
  panel.querySelector('canvas.latency').dataset.completionPoints = String(completionXy.length);
  // Every work queue; a dead-letter queue only when something is in it.
  const shown = run.queues.filter((q) => !q.queue.endsWith('.dlq') || q.depth > 0);
  const emptyDlqs = run.queues.length - shown.length;
  panel.querySelector('.queues').innerHTML = run.queues.length
      ? shown.map((q) => '<span class="queue' + (q.depth > 0 ? ' busy' : '') + '">' +
          escapeHtml(q.queue.replace(/_queue/, '')) + ' <b>' + q.depth + '</b></span>').join('') +
        (emptyDlqs ? '<span class="queue">' + emptyDlqs + ' dead-letter queues empty</span>' : '')
      : (arch === 'sync' ? 'no queues (blocking HTTP)' : 'no queue sample yet');
}

async function pollLive() {
  let state;
  try {
    state = await getJson('/api/live');
  } catch (error) {
    $('live-status').textContent = 'the run has ended (the console went away with it)';
    $('live-badge').textContent = 'ended';
    clearInterval(liveTimer);
    return;
  }
  $('nav-live').classList.toggle('hidden', !state.live);
  if (!state.live) return;
  const newest = (arch) => [...state.runs].reverse().find((r) => r.arch === arch);
  for (const arch of ['sync', 'async']) showBuild(arch, newest(arch));
  const reportName = state.results_dir.split('/').filter(Boolean).pop();
  $('live-status').innerHTML = state.finished
      ? 'Finished. Results: <code>' + escapeHtml(state.results_dir) + '</code>' +
        (results.some((r) => r.name === reportName) ? ' &middot; <a href="#report/' +
         encodeURIComponent(reportName) + '">report</a>' : '')
      : 'flowbench ' + escapeHtml(state.command) + ' running: updated every second.';
  $('live-badge').textContent = state.finished ? 'finished' : '\u25cf live';
  document.body.dataset.liveUpdates = String(Number(document.body.dataset.liveUpdates || 0) + 1);
  if (state.finished) {
    clearInterval(liveTimer);  // the run's process ends next, and its console with it
    loadResults().catch((e) => showProblem(e.message));
  }
}

async function route() {
  showProblem('');
  const [view, ...args] = (location.hash.slice(1) || 'results').split('/').map(decodeURIComponent);
  const known = ['results', 'report', 'compare', 'live'];
  const shown = known.includes(view) ? view : 'results';
  for (const v of known) {
    $('view-' + v).classList.toggle('hidden', v !== shown);
    const nav = $('nav-' + v);
    if (nav) nav.classList.toggle('active', v === shown || (v === 'results' && shown === 'report'));
  }
  if (shown === 'report') showReport(args[0]);
  if (shown === 'compare') await showCompare(args[0], args[1]);
}

window.addEventListener('hashchange', () => route().catch((e) => showProblem(e.message)));
(async () => {
  try {
    await loadResults();
    const live = await getJson('/api/live');
    if (live.live) {
      $('nav-live').classList.remove('hidden');
      if (!location.hash) location.hash = '#live';
      liveTimer = setInterval(pollLive, 1000);
      await pollLive();
    }
    await route();
    document.body.dataset.ready = 'true';
  } catch (error) {
    showProblem(error.message);
  }
})();
</script>
</body>
</html>
)HTML";
}

}  // namespace flowbench::console
