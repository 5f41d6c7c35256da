// The k6 script (k6-tests/flowbench.js) loaded as an ES module with the k6 imports replaced by stand-ins:
// its options (scenario names, executors, profiles, thresholds, summary stats), the requests
// it sends and the checks it makes against answers that do and do not follow the contract.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { iterate, k6, loadScript } from './k6-standin/harness.mjs';
import { PROFILES, SCENARIOS } from '../lib/contract.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'flowbench.js');
const IDS = ['scenario1', 'scenario2', 'scenario3', 'scenario4', 'scenario5', 'scenario6'];

// CONTRACT.md §6, typed in again from the contract: S1-S5 VUs, S6 rate, duration.
const CONTRACT_PROFILES = {
  baseline: [[2, 2, 2, 1, 2], 50, '120s'],
  light: [[5, 5, 5, 2, 5], 100, '120s'],
  medium: [[10, 10, 10, 3, 10], 150, '120s'],
  medium_high: [[15, 15, 15, 5, 15], 200, '120s'],
  heavy: [[20, 20, 20, 7, 20], 250, '180s'],
  stress: [[30, 30, 30, 10, 30], 300, '180s'],
  // The study's unified-test.js table, under distinct names.
  study_light: [[2, 2, 2, 1, 2], 20, '30s'],
  study_medium: [[5, 5, 5, 2, 5], 100, '60s'],
};

// An answer that follows the contract for `scenario` and `arch` (its first allowed answer).
function contractAnswer(scenario, arch, answerIndex = 0) {
  const answer = scenario.answers[arch][answerIndex];
  const body = {};
  const put = (path, value) => {
    const keys = path.split('.');
    let node = body;
    for (const key of keys.slice(0, -1)) node = node[key] = node[key] || {};
    node[keys[keys.length - 1]] = value;
  };
  for (const field of answer.fields) put(field, 7);
  for (const [field, value] of Object.entries(answer.equals || {})) put(field, value);
  return { status: answer.status, body: JSON.stringify(body) };
}

test('every .js file of k6-tests loads as an ES module', async () => {
  const files = [SCRIPT, ...readdirSync(join(ROOT, 'lib')).filter((f) => f.endsWith('.js')).map((f) => join(ROOT, 'lib', f))];
  for (const file of files) {
    await assert.doesNotReject(loadScript(file, { ARCH: 'sync' }), `${file} does not load`);
  }
});

test('k6 scenarios are named scenario1..scenario6, each running the function of its name', async () => {
  for (const arch of ['sync', 'async']) {
    const script = await loadScript(SCRIPT, { ARCH: arch });
    assert.deepEqual(Object.keys(script.options.scenarios), IDS);
    for (const [name, scenario] of Object.entries(script.options.scenarios)) {
      assert.equal(scenario.exec, name);
      assert.equal(typeof script[name], 'function', `no exported function ${name}`);
    }
  }
});

test('closed-loop VUs for scenarios 1-5, constant arrival rate for scenario 6, as each profile says', async () => {
  for (const [name, [vus, rate, duration]] of Object.entries(CONTRACT_PROFILES)) {
    const { scenarios } = (await loadScript(SCRIPT, { ARCH: 'async', PROFILE: name })).options;
    IDS.slice(0, 5).forEach((id, i) => {
      assert.equal(scenarios[id].executor, 'constant-vus', `${name} ${id}`);
      assert.equal(scenarios[id].vus, vus[i], `${name} ${id} VUs`);
      assert.equal(scenarios[id].duration, duration, `${name} ${id} duration`);
    });
    assert.equal(scenarios.scenario6.executor, 'constant-arrival-rate');
    assert.equal(scenarios.scenario6.rate, rate, `${name} scenario6 rate`);
    assert.equal(scenarios.scenario6.timeUnit, '1s');
    assert.equal(scenarios.scenario6.duration, duration);
    assert.ok(scenarios.scenario6.preAllocatedVUs >= 1 && scenarios.scenario6.preAllocatedVUs <= scenarios.scenario6.maxVUs);
  }
});

test('every profile of the table loads, and DURATION and the study name LOAD_PROFILE are honoured', async () => {
  for (const name of Object.keys(PROFILES)) {
    await assert.doesNotReject(loadScript(SCRIPT, { ARCH: 'sync', PROFILE: name }), name);
  }
  const { scenarios } = (await loadScript(SCRIPT, { ARCH: 'sync', LOAD_PROFILE: 'study_medium', DURATION: '15s' })).options;
  assert.equal(scenarios.scenario1.vus, 5);
  assert.equal(scenarios.scenario6.duration, '15s');
});

test('a wrong ARCH, PROFILE or scenario name stops the script with a message', async () => {
  await assert.rejects(loadScript(SCRIPT, {}), /ARCH/);
  await assert.rejects(loadScript(SCRIPT, { ARCH: 'sync', PROFILE: 'huge' }), /unknown PROFILE 'huge'/);
  await assert.rejects(loadScript(SCRIPT, { ARCH: 'sync', SCENARIOS: 'scenario7' }), /unknown scenario 'scenario7'/);
});

test('summary has p(99); every threshold names a scenario that runs (no empty sub-metric)', async () => {
  for (const env of [{ ARCH: 'sync' }, { ARCH: 'async', SCENARIOS: 'scenario1,scenario6' }]) {
    const { options } = await loadScript(SCRIPT, env);
    assert.ok(options.summaryTrendStats.includes('p(99)'));
    assert.ok(options.summaryTrendStats.includes('p(95)'));
    const names = Object.keys(options.scenarios);
    const keys = Object.keys(options.thresholds);
    assert.equal(keys.length, 2 * names.length, 'checks and http_req_duration per running scenario');
    for (const name of names) {
      // The sub-metric `flowbench compare --threshold 'scenarioN:p95<...'` reads in a summary.
      assert.ok(keys.includes(`http_req_duration{scenario:${name}}`), `no http_req_duration sub-metric for ${name}`);
    }
    for (const key of keys) {
      const tag = /\{scenario:([^}]+)\}/.exec(key);
      assert.ok(tag, `threshold ${key} is not per scenario`);
      assert.ok(names.includes(tag[1]), `threshold ${key} names a scenario that does not run: it would pass on no samples`);
    }
  }
  const { options } = await loadScript(SCRIPT, { ARCH: 'sync', THRESHOLDS: 'off' });
  assert.deepEqual(options.thresholds, {});
});

test('the duration threshold of a scenario is its request timeout in this build', async () => {
  const sync = (await loadScript(SCRIPT, { ARCH: 'sync' })).options.thresholds;
  const async = (await loadScript(SCRIPT, { ARCH: 'async' })).options.thresholds;
  assert.deepEqual(sync['http_req_duration{scenario:scenario4}'], ['max<120000']);
  assert.deepEqual(async['http_req_duration{scenario:scenario4}'], ['max<10000']);
  assert.deepEqual(sync['http_req_duration{scenario:scenario1}'], ['max<30000']);
});

test('each scenario sends the contract route, method and JSON body to the right port', async () => {
  for (const arch of ['sync', 'async']) {
    const script = await loadScript(SCRIPT, { ARCH: arch });
    for (const scenario of SCENARIOS) {
      k6.reset();
      k6.transport = () => contractAnswer(scenario, arch);
      iterate(script, scenario.id, 3, 4);
      assert.equal(k6.requests.length, 1);
      const [request] = k6.requests;
      const port = arch === 'sync' ? { user: 8001, payment: 8002, product: 8003, report: 8004, order: 8005, analytics: 8006 }[scenario.service]
        : { user: 8101, payment: 8102, product: 8103, report: 8104, order: 8105, analytics: 8106 }[scenario.service];
      const path = scenario.path.replace('{id}', '([1-3])');
      assert.match(request.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}${path}$`), `${arch} ${scenario.id}`);
      assert.equal(request.method, scenario.method);
      assert.equal(request.params.headers['Content-Type'], 'application/json');
      assert.equal(request.params.tags.name, `${scenario.method} ${scenario.path}`);
      assert.deepEqual(request.params.responseCallback.expectedStatuses, scenario.answers[arch].map((a) => a.status));
      assert.equal(typeof JSON.parse(request.body), 'object');
    }
  }
});

test('think time: 1 s after scenarios 1-3 and 5, 2 s after scenario 4, none for the arrival-rate scenario 6', async () => {
  const script = await loadScript(SCRIPT, { ARCH: 'sync' });
  const expected = { scenario1: [1], scenario2: [1], scenario3: [1], scenario4: [2], scenario5: [1], scenario6: [] };
  for (const scenario of SCENARIOS) {
    k6.reset();
    k6.transport = () => contractAnswer(scenario, 'sync');
    iterate(script, scenario.id);
    assert.deepEqual(k6.sleeps, expected[scenario.id], scenario.id);
  }
});

test('registrations never repeat an email across VUs and iterations', async () => {
  const script = await loadScript(SCRIPT, { ARCH: 'async' });
  k6.reset();
  k6.transport = () => contractAnswer(SCENARIOS[0], 'async');
  for (let vu = 1; vu <= 3; vu += 1) for (let iter = 0; iter < 3; iter += 1) iterate(script, 'scenario1', vu, iter);
  const emails = k6.requests.map((r) => JSON.parse(r.body).email);
  assert.equal(new Set(emails).size, 9);
});

test('checks pass on every answer the contract allows, per architecture', async () => {
  for (const arch of ['sync', 'async']) {
    const script = await loadScript(SCRIPT, { ARCH: arch });
    for (const scenario of SCENARIOS) {
      scenario.answers[arch].forEach((_, index) => {
        k6.reset();
        k6.transport = () => contractAnswer(scenario, arch, index);
        iterate(script, scenario.id);
        assert.ok(k6.checks.length >= 2);
        for (const c of k6.checks) assert.ok(c.ok, `${arch} ${scenario.id} answer ${index}: check '${c.name}' failed`);
        assert.deepEqual(k6.metrics.errors.values, [0]);
        assert.equal(k6.metrics[`${scenario.id}_duration`].values.length, 1);
        assert.equal(k6.metrics[`${scenario.id}_duration`].isTime, true);
      });
    }
  }
});

test('checks fail on the other architecture\'s answer, a missing field or a wrong value', async () => {
  const sync = await loadScript(SCRIPT, { ARCH: 'sync' });
  const cases = [
    // The async 202 where sync promises 201.
    ['scenario1', { status: 202, body: '{"id":1,"email":"a@b.c","message":"m","event_published":true}' }],
    ['scenario2', { status: 200, body: '{"status":"success","amount":100}' }],  // no transaction_id
    ['scenario4', { status: 200, body: '{"status":"queued","report_hash":"h","computation_time_seconds":1,"iterations":1}' }],
    ['scenario5', { status: 400, body: '{"detail":{"status":"failed","order_id":1,"compensation_executed":false}}' }],
    ['scenario6', { status: 200, body: 'tracked' }],  // not JSON
    ['scenario3', { status: 0, body: '', error: 'connection refused' }],
  ];
  for (const [id, answer] of cases) {
    k6.reset();
    k6.transport = () => answer;
    iterate(sync, id);
    assert.ok(k6.checks.some((c) => !c.ok), `${id}: ${JSON.stringify(answer)} passed every check`);
    assert.deepEqual(k6.metrics.errors.values, [1]);
    assert.deepEqual(k6.metrics[`${id}_errors`].values, [1]);
  }
  const asyncScript = await loadScript(SCRIPT, { ARCH: 'async' });
  k6.reset();
  k6.transport = () => ({ status: 200, body: '{"id":1,"name":"n","stock":3}' });  // no event_published
  iterate(asyncScript, 'scenario3');
  assert.ok(k6.checks.some((c) => !c.ok));
});

test('BASE_URL, PORT_BASE and <SERVICE>_URL move the services', async () => {
  const url = async (env, id) => {
    const script = await loadScript(SCRIPT, env);
    k6.reset();
    k6.transport = () => ({ status: 0, body: '' });
    iterate(script, id);
    return k6.requests[0].url;
  };
  assert.equal(await url({ ARCH: 'sync', BASE_URL: 'http://bench-host/' }, 'scenario1'), 'http://bench-host:8001/register');
  assert.equal(await url({ ARCH: 'async', PORT_BASE: '20100' }, 'scenario6'), 'http://127.0.0.1:20106/track_click');
  assert.equal(await url({ ARCH: 'async', ORDER_URL: 'http://async-order:8105' }, 'scenario5'), 'http://async-order:8105/create_order');
});

test('GATEWAY_URL sends every scenario to the gateway with TOKEN as a Bearer token', async () => {
  for (const arch of ['sync', 'async']) {
    const script = await loadScript(SCRIPT, { ARCH: arch, GATEWAY_URL: 'http://127.0.0.1:8000/', TOKEN: 'a.b.c' });
    for (const scenario of SCENARIOS) {
      k6.reset();
      k6.transport = () => contractAnswer(scenario, arch);
      iterate(script, scenario.id);
      const [request] = k6.requests;
      const path = scenario.path.replace('{id}', '([1-3])');
      assert.match(request.url, new RegExp(`^http://127\\.0\\.0\\.1:8000${path}$`), `${arch} ${scenario.id}`);
      assert.equal(request.params.headers.Authorization, 'Bearer a.b.c');
      assert.equal(request.params.headers['Content-Type'], 'application/json');
    }
  }
  const direct = await loadScript(SCRIPT, { ARCH: 'sync' });
  k6.reset();
  k6.transport = () => ({ status: 0, body: '' });
  iterate(direct, 'scenario1');
  assert.equal(k6.requests[0].params.headers.Authorization, undefined, 'no token without TOKEN');
  await assert.rejects(loadScript(SCRIPT, { ARCH: 'sync', GATEWAY_URL: 'http://127.0.0.1:8000' }), /GATEWAY_URL needs TOKEN/);
});
