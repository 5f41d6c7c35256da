// The k6 contract table (lib/contract.js) against the C++ side: the scenario catalogue the
// services use (common/domain/catalogue.cpp) and the request parsers of both builds
// (common/domain/requests.cpp), through k6-tests/contract_tool.cpp. Needs
// FLOWBENCH_CONTRACT_TOOL=<path of the built contract_tool> (CTest sets it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

import { PROFILES, SCENARIOS, SERVICES } from '../lib/contract.js';

const TOOL = process.env.FLOWBENCH_CONTRACT_TOOL;
if (!TOOL) throw new Error('set FLOWBENCH_CONTRACT_TOOL to the built contract_tool (ctest does)');

const catalogue = JSON.parse(execFileSync(TOOL, ['catalogue'], { encoding: 'utf8' }));

test('services and ports are the C++ catalogue\'s', () => {
  assert.deepEqual(SERVICES, catalogue.services);
});

test('each scenario\'s service, method, route, statuses and think time are the C++ catalogue\'s', () => {
  assert.deepEqual(SCENARIOS.map((s) => s.id), catalogue.scenarios.map((s) => s.id));
  for (const cpp of catalogue.scenarios) {
    const k6 = SCENARIOS.find((s) => s.id === cpp.id);
    assert.equal(k6.title, cpp.title, cpp.id);
    assert.equal(k6.service, cpp.service, cpp.id);
    assert.equal(k6.method, cpp.method, cpp.id);
    assert.equal(k6.path, cpp.path, cpp.id);
    assert.equal(k6.sleep_seconds, cpp.think_time_s, `${cpp.id} think time`);
    // The first answer is the success of the catalogue; the only other one is the failure.
    const sync = [cpp.sync_status, ...(cpp.sync_failure_status ? [cpp.sync_failure_status] : [])];
    assert.deepEqual(k6.answers.sync.map((a) => a.status).sort(), sync.sort(), `${cpp.id} sync statuses`);
    assert.deepEqual(k6.answers.async.map((a) => a.status), [cpp.async_status], `${cpp.id} async statuses`);
  }
});

test('the load profiles are the C++ ones (`flowbench profiles`), same names and numbers', () => {
  const fromScript = Object.entries(PROFILES).map(([name, p]) => ({
    name,
    vus: [p.scenario1_vus, p.scenario2_vus, p.scenario3_vus, p.scenario4_vus, p.scenario5_vus],
    rate: p.scenario6_rate,
    duration_s: Number.parseInt(p.duration, 10),
  }));
  const byName = (a, b) => a.name.localeCompare(b.name);
  assert.deepEqual(fromScript.sort(byName), [...catalogue.profiles].sort(byName));
});

test('every request the script builds is accepted by the services\' own parsers', () => {
  let seed = 1;
  const random = () => {  // deterministic, covers the whole [0, 1) range over the loop
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  const lines = [];
  for (const scenario of SCENARIOS) {
    for (let i = 0; i < 40; i += 1) {
      const { path, body } = scenario.request({ vu: 1 + (i % 7), iter: i * 13, run: 'lq3x9k1a2b', random });
      lines.push({ scenario: scenario.id, path, body: JSON.stringify(body) });
    }
  }
  const answers = execFileSync(TOOL, ['parse'], { input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', encoding: 'utf8' })
    .trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(answers.length, lines.length);
  answers.forEach((answer, i) => {
    assert.ok(answer.ok, `${lines[i].scenario} ${lines[i].path} ${lines[i].body}: rejected with ${answer.status} ${answer.error}`);
  });
});

test('the parsers really reject what the contract calls bad input (the check above can fail)', () => {
  const bad = [
    { scenario: 'scenario1', path: '/register', body: '{"email":"not-an-email"}' },
    { scenario: 'scenario2', path: '/process_payment', body: '{"amount":-5,"currency":"USD"}' },
    { scenario: 'scenario3', path: '/products/0', body: '{"stock":1}' },
    { scenario: 'scenario5', path: '/create_order', body: '{"product_id":1}' },
    { scenario: 'scenario6', path: '/track_click', body: '{"user_id":1,' },
  ];
  const answers = execFileSync(TOOL, ['parse'], { input: bad.map((l) => JSON.stringify(l)).join('\n') + '\n', encoding: 'utf8' })
    .trim().split('\n').map((l) => JSON.parse(l));
  answers.forEach((answer, i) => assert.ok(!answer.ok && answer.status >= 400, `${bad[i].body} was accepted`));
});
