// The PromQL of the Grafana dashboard (compose/grafana/dashboards/flowbench.json), ready for
// Prometheus: every target's expression with Grafana's variables replaced, the metrics it
// reads, and which builds it must show data for.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COMPOSE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DASHBOARD = join(COMPOSE_DIR, 'grafana', 'dashboards', 'flowbench.json');

// What Grafana substitutes, as a query over both builds would see it.
export function substitute(expr, rateInterval = '1m') {
  return expr.replaceAll('$__rate_interval', rateInterval).replaceAll('$arch', 'sync|async');
}

// Every panel (rows' nested panels included) with at least one target.
export function panels(dashboard) {
  const all = [];
  for (const p of dashboard.panels) {
    all.push(p);
    if (p.panels) all.push(...p.panels);
  }
  return all.filter((p) => Array.isArray(p.targets) && p.targets.length > 0);
}

export function expressions(dashboard, rateInterval) {
  return panels(dashboard).flatMap((panel) => panel.targets.map((target) => ({
    panel: panel.title,
    panelId: panel.id,
    refId: target.refId,
    expr: target.expr,
    query: substitute(target.expr, rateInterval),
  })));
}

export function loadDashboard() {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8'));
}

// The metric names an expression selects: every name right before a `{` matcher.
export function metricsOf(expr) {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]);
}

// CONTRACT.md §5: the families only one build has; everything else both builds export.
const ONLY = [
  [/^flowbench_messages_(published|consumed)_total$/, 'async'],
  [/^flowbench_message_handling_seconds/, 'async'],
  [/^rabbitmq_/, 'async'],
  [/^flowbench_downstream_/, 'sync'],
  [/^flowbench_circuit_breaker_state$/, 'sync'],
];

// Metrics the dashboard reads that nothing exports when the builds run natively (flowbench
// up): the services have no process collector (prometheus-cpp has none), and container
// figures come from cAdvisor in Docker Compose only. An expression made only of these may
// return nothing here; the live test says so instead of failing, and fails once one of them
// does appear, so that this list is shortened then.
export const NOT_EXPORTED_NATIVELY = new Map([
  ['container_cpu_usage_seconds_total', 'container metrics come from cAdvisor, in Docker Compose only'],
  ['container_memory_working_set_bytes', 'container metrics come from cAdvisor, in Docker Compose only'],
]);

// The builds an expression must return data for: those every metric it reads exists in.
export function expectedArchs(expr) {
  const archs = new Set(['sync', 'async']);
  for (const metric of metricsOf(expr)) {
    const only = ONLY.find(([pattern]) => pattern.test(metric));
    if (only) for (const arch of ['sync', 'async']) if (arch !== only[1]) archs.delete(arch);
  }
  return [...archs];
}
