// The Grafana dashboard and its provisioning, without a server: valid JSON, every PromQL
// expression parses (promtool check rules), every panel splits by the `arch` label, and the
// panels the project promises are there. The live test (dashboard_live.mjs) then runs
// the same expressions against real services.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { COMPOSE_DIR, DASHBOARD, expectedArchs, expressions, loadDashboard, metricsOf, panels } from './dashboard.mjs';

const PROMTOOL = process.env.PROMTOOL || 'promtool';

test('the dashboard is valid JSON with a uid, and Grafana provisioning points at it', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  assert.equal(dashboard.uid, 'flowbench');
  const datasource = readFileSync(join(COMPOSE_DIR, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8');
  assert.match(datasource, /uid: prometheus\b/);
  assert.match(datasource, /url: http:\/\/prometheus:9090/);
  const provider = readFileSync(join(COMPOSE_DIR, 'grafana/provisioning/dashboards/flowbench.yml'), 'utf8');
  assert.match(provider, /path: \/var\/lib\/grafana\/dashboards/);
  const monitoring = readFileSync(join(COMPOSE_DIR, 'docker-compose.monitoring.yml'), 'utf8');
  assert.match(monitoring, /\.\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards/);
  for (const panel of panels(dashboard)) {
    assert.equal(panel.datasource.uid, 'prometheus', panel.title);
    for (const target of panel.targets) assert.equal(target.datasource.uid, 'prometheus', panel.title);
  }
});

test('every PromQL expression of the dashboard parses (promtool check rules)', () => {
  const all = expressions(loadDashboard());
  assert.ok(all.length >= 20, `only ${all.length} expressions`);
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-dashboard-'));
  try {
    // A rules file is JSON-compatible YAML: one recording rule per expression.
    const rules = {
      groups: [{
        name: 'dashboard',
        rules: all.map((e) => ({ record: `dashboard:panel${e.panelId}_${e.refId}`, expr: e.query })),
      }],
    };
    const file = join(dir, 'dashboard-rules.yml');
    writeFileSync(file, JSON.stringify(rules, null, 2));
    try {
      execFileSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      assert.fail(`promtool rejects an expression:\n${e.stdout}${e.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every selector filters by the arch variable and every aggregation keeps arch', () => {
  for (const e of expressions(loadDashboard())) {
    const selectors = [...e.expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\s*\{([^}]*)\}/g)];
    assert.ok(selectors.length > 0, `${e.panel}: no selector`);
    for (const [selector, matchers] of selectors) {
      assert.match(matchers, /arch=~"\$arch"/, `${e.panel}: ${selector} does not filter by $arch`);
    }
    for (const [, labels] of e.expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
      assert.ok(labels.split(',').map((l) => l.trim()).includes('arch'), `${e.panel}: 'by (${labels})' drops arch`);
    }
    assert.match(e.expr, /\b(sum|max)\s+by\s*\(/, `${e.panel}: not aggregated by arch`);
  }
});

test('panels per build are repeated side by side over the arch variable', () => {
  const dashboard = loadDashboard();
  const variable = dashboard.templating.list.find((v) => v.name === 'arch');
  assert.deepEqual(variable.options.map((o) => o.value), ['sync', 'async']);
  assert.equal(variable.multi, true);
  for (const panel of panels(dashboard)) {
    const oneBuild = panel.targets.every((t) => expectedArchs(t.expr).length === 1);
    if (oneBuild) continue;  // queues (async) and breakers (sync): one panel, still split by arch
    assert.equal(panel.repeat, 'arch', `${panel.title} shows both builds but is not repeated per build`);
    assert.equal(panel.repeatDirection, 'h');
    assert.match(panel.title, /\$arch/);
  }
});

test('the dashboard has the panels the project promises', () => {
  const all = expressions(loadDashboard());
  const uses = (metric) => all.filter((e) => metricsOf(e.expr).includes(metric));
  const quantiles = (metric) => new Set(uses(metric).map((e) => /histogram_quantile\((0\.\d+)/.exec(e.expr)?.[1]).filter(Boolean));
  assert.ok(uses('http_requests_total').some((e) => /rate\(/.test(e.expr)), 'request rate');
  assert.deepEqual([...quantiles('http_request_duration_seconds_bucket')].sort(), ['0.5', '0.95', '0.99'], 'p50/p95/p99 per route');
  assert.deepEqual([...quantiles('flowbench_scenario_completion_seconds_bucket')].sort(), ['0.5', '0.95', '0.99'], 'completion per scenario');
  assert.ok(uses('http_requests_total').some((e) => /status=~"5\.\."/.test(e.expr)), 'error rate');
  assert.ok(uses('rabbitmq_detailed_queue_messages').length > 0, 'queue depth');
  assert.ok(uses('flowbench_messages_consumed_total').length > 0, 'consume rate');
  assert.ok(uses('flowbench_circuit_breaker_state').length > 0, 'circuit breaker state');
  assert.ok(uses('process_cpu_seconds_total').length > 0, 'CPU per service');
  assert.ok(uses('process_resident_memory_bytes').length > 0, 'memory per service');
  assert.ok(all.some((e) => /by \(arch, scenario/.test(e.expr)), 'per scenario');
});
