// The Compose files, the Prometheus configuration and the Dockerfile, without Docker:
// Debian's docker-compose validates every file and their combination, promtool checks the
// Prometheus configuration, and the ports, health checks, start order and scrape targets
// are compared with the C++ service catalogue (through k6-tests/contract_tool).
// Needs FLOWBENCH_CONTRACT_TOOL (CTest sets it); DOCKER_COMPOSE and PROMTOOL may name the tools.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { COMPOSE_DIR } from './dashboard.mjs';

const DOCKER_COMPOSE = process.env.DOCKER_COMPOSE || 'docker-compose';
const PROMTOOL = process.env.PROMTOOL || 'promtool';
const TOOL = process.env.FLOWBENCH_CONTRACT_TOOL;
if (!TOOL) throw new Error('set FLOWBENCH_CONTRACT_TOOL to the built contract_tool (ctest does)');
const { services } = JSON.parse(execFileSync(TOOL, ['catalogue'], { encoding: 'utf8' }));

const FILES = ['docker-compose.sync.yml', 'docker-compose.async.yml', 'docker-compose.monitoring.yml'];
const read = (file) => readFileSync(join(COMPOSE_DIR, file), 'utf8');

// The blocks under `services:` of one of our Compose files, by service name (our files
// indent services by two spaces and their keys by four).
function serviceBlocks(text) {
  const section = text.split(/^services:\n/m)[1].split(/^\S/m)[0];
  const blocks = {};
  for (const part of section.split(/^(?=  [a-z][a-z0-9-]*:\n)/m)) {
    const name = /^  ([a-z][a-z0-9-]*):\n/.exec(part);
    if (name) blocks[name[1]] = part;
  }
  return blocks;
}

function composeConfig(files) {
  const args = files.flatMap((f) => ['-f', join(COMPOSE_DIR, f)]);
  try {
    return execFileSync(DOCKER_COMPOSE, [...args, 'config'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`docker-compose config ${files.join(' ')} failed:\n${e.stderr}`);
  }
}

test('docker-compose config accepts every Compose file and all three together', () => {
  for (const file of FILES) composeConfig([file]);
  const all = composeConfig(FILES);
  for (const name of ['postgres', 'rabbitmq', 'prometheus', 'grafana', 'sync-user', 'async-inventory']) {
    assert.match(all, new RegExp(`^  ${name}:$`, 'm'), `${name} missing from the combined configuration`);
  }
});

test('promtool check config accepts the Prometheus configuration', () => {
  try {
    execFileSync(PROMTOOL, ['check', 'config', join(COMPOSE_DIR, 'prometheus/prometheus.yml')], { stdio: 'pipe' });
  } catch (e) {
    assert.fail(`promtool check config failed:\n${e.stdout}${e.stderr}`);
  }
});

for (const arch of ['sync', 'async']) {
  test(`${arch} stack: every service on its contract port, health-checked, started after its infrastructure and callees`, () => {
    const text = read(`docker-compose.${arch}.yml`);
    const blocks = serviceBlocks(text);
    const infra = arch === 'sync' ? ['postgres'] : ['postgres', 'rabbitmq'];
    for (const name of infra) assert.match(blocks[name], /healthcheck:/, `${name} has no health check`);
    const peers = /FLOWBENCH_PEERS: (\S+)/.exec(text)[1].split(',');
    const expectedNames = new Set([...infra, ...services.map((s) => `${arch}-${s.name}`)]);
    assert.deepEqual(new Set(Object.keys(blocks)), expectedNames);
    for (const s of services) {
      const port = arch === 'sync' ? s.sync_port : s.async_port;
      const block = blocks[`${arch}-${s.name}`];
      assert.match(block, new RegExp(`command: \\["${arch}-${s.name}"\\]`), `${arch}-${s.name} command`);
      assert.match(block, new RegExp(`- "${port}:${port}"`), `${arch}-${s.name} port`);
      assert.match(block, new RegExp(`http://127\\.0\\.0\\.1:${port}/health`), `${arch}-${s.name} health check`);
      for (const name of infra) {
        assert.match(block, new RegExp(`      ${name}:\\n        condition: service_healthy`), `${arch}-${s.name} must wait for ${name}`);
      }
      assert.ok(peers.includes(`${s.name}=http://${arch}-${s.name}:${port}`), `FLOWBENCH_PEERS lacks ${s.name}`);
    }
    // Callers start after the services they call (sync) or publish to (async).
    for (const [caller, callees] of Object.entries({ user: ['email'], product: ['search', 'cache', 'analytics'], order: ['inventory', 'payment'] })) {
      for (const callee of callees) {
        assert.match(blocks[`${arch}-${caller}`], new RegExp(`      ${arch}-${callee}:\\n        condition: service_healthy`), `${caller} must wait for ${callee}`);
      }
    }
  });
}

test('the async stack\'s RabbitMQ has the management and Prometheus plugins, and the services its address', () => {
  const text = read('docker-compose.async.yml');
  assert.match(read('rabbitmq/enabled_plugins'), /^\[rabbitmq_management,rabbitmq_prometheus\]\.$/m);
  assert.match(serviceBlocks(text).rabbitmq, /\.\/rabbitmq\/enabled_plugins:\/etc\/rabbitmq\/enabled_plugins/);
  assert.match(read('rabbitmq/20-flowbench.conf'), /^prometheus\.tcp\.port = 15692$/m);
  const user = /^default_user = (\S+)$/m.exec(read('rabbitmq/20-flowbench.conf'))[1];
  const pass = /^default_pass = (\S+)$/m.exec(read('rabbitmq/20-flowbench.conf'))[1];
  assert.match(text, new RegExp(`FLOWBENCH_AMQP_URL: amqp://${user}:${pass}@rabbitmq:5672/`));
});

test('Prometheus scrapes every service of both builds with arch and service labels, and RabbitMQ', () => {
  const text = read('prometheus/prometheus.yml');
  for (const arch of ['sync', 'async']) {
    for (const s of services) {
      const port = arch === 'sync' ? s.sync_port : s.async_port;
      assert.match(text, new RegExp(`- targets: \\["${arch}-${s.name}:${port}"\\]\\n\\s+labels: \\{arch: ${arch}, service: ${s.name}\\}`),
        `no scrape target ${arch}-${s.name}:${port}`);
    }
  }
  assert.match(text, /targets: \["rabbitmq:15692"\]\n\s+labels: \{arch: async, service: rabbitmq\}/);
  assert.match(text, /metrics_path: \/metrics\/detailed/);
});

test('the Dockerfile builds with packages of compose/install-deps.sh only, on Debian 12', () => {
  const dockerfile = read('Dockerfile');
  assert.match(dockerfile, /^FROM debian:12 AS build$/m);
  assert.match(dockerfile, /^FROM debian:12-slim AS runtime$/m);
  const listed = new Set(/packages=\(([^)]*)\)/.exec(read('install-deps.sh'))[1].split(/\s+/).filter(Boolean));
  const install = /FROM debian:12 AS build[\s\S]*?apt-get install -y --no-install-recommends([\s\S]*?)&&/.exec(dockerfile)[1];
  const packages = install.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
  assert.ok(packages.length > 10);
  for (const p of packages) assert.ok(listed.has(p), `Dockerfile installs ${p}, which compose/install-deps.sh does not list`);
  for (const s of services) {
    assert.match(dockerfile, new RegExp(`\\b${s.name}\\b`), `the Dockerfile does not build ${s.name}`);
  }
});

test('runtime-packages.sh names the installed Debian packages an executable needs (what the runtime image installs)', () => {
  assert.match(read('Dockerfile'), /compose\/runtime-packages\.sh \/out\/bin\/\* > \/out\/runtime-packages\.txt/);
  const packages = execFileSync(join(COMPOSE_DIR, 'runtime-packages.sh'), [TOOL], { encoding: 'utf8' }).trim().split('\n');
  for (const p of ['libboost-json1.81.0', 'libstdc++6', 'libc6']) assert.ok(packages.includes(p), `${p} missing from ${packages}`);
  for (const p of packages) {
    assert.match(p, /^[a-z0-9][a-z0-9.+-]+$/, `'${p}' is not a package name`);
    assert.doesNotMatch(p, /i386|^lib32/, `${p}: a 32-bit package for a 64-bit executable`);
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    assert.equal(status, 'install ok installed', p);
  }
});
