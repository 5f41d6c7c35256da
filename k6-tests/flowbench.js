// flowbench's k6 script: the six scenarios of the contract against either build.
//
//   k6 run -e ARCH=sync -e PROFILE=baseline k6-tests/flowbench.js
//
// Environment (k6 -e NAME=value):
//   ARCH        sync | async (required)
//   PROFILE     a profile of lib/contract.js: baseline, light, medium, medium_high, heavy,
//               stress (the study's published runs), study_light, study_medium (the study's
//               script), smoke; default baseline. LOAD_PROFILE is accepted too.
//   DURATION    overrides the profile's duration (e.g. 30s)
//   SCENARIOS   a subset, e.g. scenario1,scenario6 (default: all six)
//   BASE_URL    scheme and host of every service (default http://127.0.0.1); the port is the
//               contract's, or PORT_BASE + 1..10 when PORT_BASE is set (like --port-base)
//   <SERVICE>_URL  one service's full URL, e.g. USER_URL=http://user:8001 (wins over the above)
//   GATEWAY_URL every request goes there instead (the build's API gateway, e.g.
//               http://127.0.0.1:8000; it routes by path), with TOKEN
//   TOKEN       sent as `Authorization: Bearer TOKEN` on every request (a gateway needs one:
//               flowbench token --role customer); required with GATEWAY_URL
//   THRESHOLDS  off: no thresholds (the exit code then says nothing about the checks)
//
// k6 names each scenario scenario1 .. scenario6: k6 sets the system tag `scenario` to that
// name, so `http_req_duration{scenario:scenario3}` and `flowbench compare` find the samples.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';

import { answerMismatch, findScenario, PROFILES, SCENARIOS, SERVICES, servicePort } from './lib/contract.js';

const ARCH = __ENV.ARCH;
if (ARCH !== 'sync' && ARCH !== 'async') {
  throw new Error(`set ARCH to sync or async (k6 run -e ARCH=sync ...), not '${ARCH}'`);
}
const PROFILE_NAME = __ENV.PROFILE || __ENV.LOAD_PROFILE || 'baseline';
const PROFILE = PROFILES[PROFILE_NAME];
if (!PROFILE) {
  throw new Error(`unknown PROFILE '${PROFILE_NAME}'; one of ${Object.keys(PROFILES).join(', ')}`);
}
const DURATION = __ENV.DURATION || PROFILE.duration;
const ENABLED = __ENV.SCENARIOS
  ? __ENV.SCENARIOS.split(',').map((s) => s.trim()).filter((s) => s !== '')
  : SCENARIOS.map((s) => s.id);
for (const id of ENABLED) {
  if (!SCENARIOS.some((s) => s.id === id)) throw new Error(`unknown scenario '${id}' in SCENARIOS`);
}

// Where each service answers.
const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1').replace(/\/+$/, '');
const CONTRACT_BASE = ARCH === 'sync' ? 8000 : 8100;
function serviceUrl(name) {
  const override = __ENV[`${name.toUpperCase()}_URL`];
  if (override) return override.replace(/\/+$/, '');
  const port = servicePort(name, ARCH) - CONTRACT_BASE + (__ENV.PORT_BASE ? Number(__ENV.PORT_BASE) : CONTRACT_BASE);
  return `${BASE_URL}:${port}`;
}
// Through a gateway: one entry point for every service, and a token on every request.
const GATEWAY_URL = (__ENV.GATEWAY_URL || '').replace(/\/+$/, '');
const TOKEN = __ENV.TOKEN || '';
if (GATEWAY_URL && !TOKEN) {
  throw new Error('GATEWAY_URL needs TOKEN (k6 run -e TOKEN=$(flowbench token --role customer) ...)');
}
export const SERVICE_URLS = Object.fromEntries(
  SERVICES.map((s) => [s.name, GATEWAY_URL || serviceUrl(s.name)]));
const HEADERS = TOKEN
  ? { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` }
  : { 'Content-Type': 'application/json' };

// Per scenario: its own latency trend and error counter (the study's names), and one error
// rate over all of them.
const errors = new Rate('errors');
const TRENDS = {};
const ERROR_COUNTERS = {};
for (const s of SCENARIOS) {
  TRENDS[s.id] = new Trend(`${s.id}_duration`, true);
  ERROR_COUNTERS[s.id] = new Counter(`${s.id}_errors`);
}

// The request timeout of a scenario in this build, in ms ('30s' unless the contract says).
function timeoutMs(s) {
  const text = s.timeout ? s.timeout[ARCH] : '30s';
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!m) throw new Error(`unreadable timeout '${text}' for ${s.id}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000 }[m[2]];
}

function k6Scenario(s) {
  if (s.id === 'scenario6') {
    return {
      executor: 'constant-arrival-rate',
      exec: s.id,
      rate: PROFILE.scenario6_rate,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(1, Math.ceil(PROFILE.scenario6_max_vus / 5)),
      maxVUs: PROFILE.scenario6_max_vus,
    };
  }
  return {
    executor: 'constant-vus',
    exec: s.id,
    vus: PROFILE[`${s.id}_vus`],
    duration: DURATION,
    // A sync report answers after its CPU time: let the last ones finish.
    gracefulStop: s.timeout ? s.timeout[ARCH] : '30s',
  };
}

function thresholds() {
  if (__ENV.THRESHOLDS === 'off') return {};
  const t = {};
  // Keyed by the scenario's name, the system tag k6 really sets: never an empty sub-metric.
  for (const s of SCENARIOS.filter((s) => ENABLED.includes(s.id))) {
    t[`checks{scenario:${s.id}}`] = ['rate>0.95'];
    // k6 puts a sub-metric in --summary-export only when a threshold names it: this one
    // gives each scenario its own http_req_duration there (so `flowbench compare --threshold
    // 'scenario6:p95<50ms'` works on a summary file), and fails when a request ran into its
    // timeout.
    t[`http_req_duration{scenario:${s.id}}`] = [`max<${timeoutMs(s)}`];
  }
  return t;
}

export const options = {
  scenarios: Object.fromEntries(SCENARIOS.filter((s) => ENABLED.includes(s.id)).map((s) => [s.id, k6Scenario(s)])),
  thresholds: thresholds(),
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  tags: { arch: ARCH, profile: PROFILE_NAME },
};

// Unique per run and VU, so registrations never collide with an earlier run's (409).
const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

const EXPECTED = Object.fromEntries(SCENARIOS.map((s) => [
  s.id, http.expectedStatuses(...s.answers[ARCH].map((a) => a.status)),
]));

function run(scenario) {
  const { path, body } = scenario.request({ vu: __VU, iter: __ITER, run: RUN, random: Math.random });
  const url = `${SERVICE_URLS[scenario.service]}${path}`;
  const res = http.request(scenario.method, url, JSON.stringify(body), {
    headers: HEADERS,
    timeout: scenario.timeout ? scenario.timeout[ARCH] : '30s',
    // One URL name per route (not per product id), and every status the contract allows
    // counts as a success in http_req_failed (the compensated sync order answers 400).
    tags: { name: `${scenario.method} ${scenario.path}` },
    responseCallback: EXPECTED[scenario.id],
  });
  TRENDS[scenario.id].add(res.timings.duration);

  const expected = scenario.answers[ARCH].map((a) => a.status).join(' or ');
  const mismatch = answerMismatch(scenario, ARCH, res.status, res.body);
  const ok = check(res, {
    [`${scenario.id} status ${expected}`]: (r) => scenario.answers[ARCH].some((a) => a.status === r.status),
    [`${scenario.id} body as in the contract`]: () => mismatch === '',
  });
  errors.add(!ok);
  if (!ok) {
    ERROR_COUNTERS[scenario.id].add(1);
    if (__ITER < 3) console.warn(`${scenario.id} ${ARCH} ${scenario.method} ${url}: ${res.error || mismatch}`);
  }
  if (scenario.sleep_seconds > 0) sleep(scenario.sleep_seconds);
}

// One exported function per k6 scenario (its `exec`), named like it.
export function scenario1() { run(findScenario('scenario1')); }
export function scenario2() { run(findScenario('scenario2')); }
export function scenario3() { run(findScenario('scenario3')); }
export function scenario4() { run(findScenario('scenario4')); }
export function scenario5() { run(findScenario('scenario5')); }
export function scenario6() { run(findScenario('scenario6')); }
