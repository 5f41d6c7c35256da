// The Compose files, the Prometheus configuration and the Dockerfile, without Docker:
// Debian's docker-compose validates every file and their combination, promtool checks the
// Prometheus configuration, and the ports, health checks, start order and scrape targets
// are compared with the C++ service catalogue (through k6-tests/contract_tool).
// Needs FLOWBENCH_CONTRACT_TOOL (CTest sets it); DOCKER_COMPOSE and PROMTOOL may name the tools.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { COMPOSE_DIR } from './dashboard.mjs';

const DOCKER_COMPOSE = process.env.DOCKER_COMPOSE || 'docker-compose';
const PROMTOOL = process.env.PROMTOOL || 'promtool';
const TOOL = process.env.FLOWBENCH_CONTRACT_TOOL;
if (!TOOL) throw new Error('set FLOWBENCH_CONTRACT_TOOL to the built contract_tool (ctest does)');
const { services } = JSON.parse(execFileSync(TOOL, ['catalogue'], { encoding: 'utf8' }));

const FILES = ['docker-compose.sync.yml', 'docker-compose.async.yml', 'docker-compose.monitoring.yml'];
// The overrides that publish each build's services for a driver (flowbench run --target, k6).
const PORTS_FILES = ['docker-compose.sync.ports.yml', 'docker-compose.async.ports.yml'];
const WITH_PORTS = [...FILES, ...PORTS_FILES];
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

// The passwords come from compose/.env, which compose/init-env.sh writes on first use; the
// tests render with a .env of their own (never the developer's) and the environment cleared
// of the variables, so that what is rendered is what the files and that .env say.
const SECRET_VARS = ['FLOWBENCH_PG_PASSWORD', 'FLOWBENCH_RABBITMQ_PASSWORD', 'FLOWBENCH_GRAFANA_PASSWORD', 'FLOWBENCH_JWT_SECRET'];
const ENV_DIR = mkdtempSync(join(tmpdir(), 'flowbench-compose-'));
const ENV_FILE = join(ENV_DIR, '.env');
const EMPTY_ENV_FILE = join(ENV_DIR, 'empty.env');
execFileSync(join(COMPOSE_DIR, 'init-env.sh'), [ENV_FILE]);
execFileSync('touch', [EMPTY_ENV_FILE]);
const readEnv = (file) =>
  Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));

function runComposeConfig(files, envFile, extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  for (const name of [...SECRET_VARS, 'FLOWBENCH_BIND']) if (!(name in extraEnv)) delete env[name];
  const args = ['--env-file', envFile, ...files.flatMap((f) => ['-f', join(COMPOSE_DIR, f)]), 'config'];
  return spawnSync(DOCKER_COMPOSE, args, { encoding: 'utf8', env });
}

function composeConfig(files, extraEnv = {}) {
  const r = runComposeConfig(files, ENV_FILE, extraEnv);
  if (r.status !== 0) assert.fail(`docker-compose config ${files.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

// The published ports of each service in a rendered configuration (docker-compose config
// writes them in the long syntax: `- host_ip: ...`, `published: ...`, `target: ...`).
function publishedPorts(rendered) {
  const ports = {};
  for (const [name, block] of Object.entries(serviceBlocks(rendered))) {
    const section = /^    ports:\n((?:    [- ] .*\n)+)/m.exec(block);
    if (!section) continue;
    ports[name] = section[1].split(/^    - /m).filter(Boolean).map((item) => {
      const short = /^(?:([\d.]+):)?(\d+):(\d+)(?:\/\w+)?\n$/.exec(item);  // HOST_IP:PUBLISHED:TARGET/tcp
      if (short) return { host_ip: short[1], published: Number(short[2]), target: Number(short[3]) };
      const field = (key) => (new RegExp(`(?:^|\\n\\s*)${key}: "?([^"\\n]+)"?`).exec(item) || [])[1];
      return { host_ip: field('host_ip'), published: Number(field('published')), target: Number(field('target')) };
    });
  }
  return ports;
}

test('docker-compose config accepts every Compose file and all three together', () => {
  for (const file of FILES) composeConfig([file]);
  for (const arch of ['sync', 'async']) composeConfig([`docker-compose.${arch}.yml`, `docker-compose.${arch}.ports.yml`]);
  const all = composeConfig(WITH_PORTS);
  for (const name of ['postgres', 'rabbitmq', 'prometheus', 'grafana', 'sync-user', 'async-inventory', 'sync-gateway', 'async-gateway']) {
    assert.match(all, new RegExp(`^  ${name}:$`, 'm'), `${name} missing from the combined configuration`);
  }
});

test('every published port binds to 127.0.0.1 unless FLOWBENCH_BIND opens it', () => {
  const ports = publishedPorts(composeConfig(WITH_PORTS));
  assert.ok(Object.keys(ports).length >= 25, `too few services publish ports: ${Object.keys(ports)}`);
  for (const [name, list] of Object.entries(ports)) {
    for (const p of list) assert.equal(p.host_ip, '127.0.0.1', `${name} publishes ${p.published} on ${p.host_ip ?? 'every interface'}`);
  }
  // One variable opens the entry points, and only them.
  const opened = publishedPorts(composeConfig(WITH_PORTS, { FLOWBENCH_BIND: '0.0.0.0' }));
  for (const name of ['sync-gateway', 'async-gateway', 'sync-user', 'sync-order', 'async-user', 'rabbitmq', 'grafana', 'prometheus']) {
    assert.ok(opened[name].every((p) => p.host_ip === '0.0.0.0'), `${name} not opened by FLOWBENCH_BIND`);
  }
});

test('the sync build\'s internal-only services are never published beyond loopback', () => {
  // email, search, cache and inventory serve only internal routes (CONTRACT §3.5: /send_email,
  // /reindex, /invalidate, /reserve, /release) besides their read and built-in routes: not
  // even FLOWBENCH_BIND opens them (a /release from outside could fence future orders).
  const opened = publishedPorts(composeConfig(['docker-compose.sync.yml', 'docker-compose.sync.ports.yml'], { FLOWBENCH_BIND: '0.0.0.0' }));
  for (const name of ['email', 'search', 'cache', 'inventory']) {
    const s = services.find((x) => x.name === name);
    for (const p of opened[`sync-${name}`] ?? []) {
      assert.equal(p.host_ip, '127.0.0.1', `sync-${name} publishes ${p.published} on ${p.host_ip}`);
      assert.equal(p.target, s.sync_port);
    }
  }
});

test('no password has a default: without compose/.env the configuration does not render', () => {
  for (const [file, variable] of [['docker-compose.sync.yml', 'FLOWBENCH_PG_PASSWORD'], ['docker-compose.async.yml', 'FLOWBENCH_JWT_SECRET'],
    ['docker-compose.async.yml', 'FLOWBENCH_RABBITMQ_PASSWORD'], ['docker-compose.monitoring.yml', 'FLOWBENCH_GRAFANA_PASSWORD']]) {
    const others = Object.fromEntries(SECRET_VARS.filter((v) => v !== variable).map((v) => [v, 'set']));
    const r = runComposeConfig([file], EMPTY_ENV_FILE, others);
    assert.notEqual(r.status, 0, `${file} renders without any password set`);
    assert.match(r.stderr, new RegExp(variable), `${file}: the error does not name ${variable}`);
    assert.match(r.stderr, /init-env\.sh/, `${file}: the error does not say how to make compose/.env`);
  }
  // The passwords rendered are the generated ones; none is a known default.
  const rendered = composeConfig(FILES);
  const env = readEnv(ENV_FILE);
  for (const v of SECRET_VARS) assert.ok(rendered.includes(env[v]), `${v} not used`);
  for (const known of ['flowbench:flowbench@', 'POSTGRES_PASSWORD: flowbench', 'GF_SECURITY_ADMIN_PASSWORD: admin', 'guest:guest']) {
    assert.ok(!rendered.includes(known), `a default password in the configuration: ${known}`);
  }
  assert.doesNotMatch(read('rabbitmq/20-flowbench.conf'), /default_pass/);
});

test('Jaeger takes OTLP on 4318 and every service of both builds sends its spans there', () => {
  const jaeger = serviceBlocks(composeConfig(['docker-compose.monitoring.yml'])).jaeger;
  assert.ok(jaeger, 'no jaeger service in docker-compose.monitoring.yml');
  assert.match(jaeger, /image: jaegertracing\/all-in-one:/);
  assert.match(jaeger, /COLLECTOR_OTLP_ENABLED: "true"/);
  const ports = publishedPorts(composeConfig(['docker-compose.monitoring.yml'], { FLOWBENCH_BIND: '0.0.0.0' })).jaeger;
  assert.deepEqual(ports.map((p) => [p.target, p.host_ip]).sort(), [[16686, '0.0.0.0'], [4318, '127.0.0.1']].sort());
  for (const arch of ['sync', 'async']) {
    const blocks = serviceBlocks(composeConfig([`docker-compose.${arch}.yml`]));
    for (const s of [...services, { name: 'gateway' }]) {
      assert.match(blocks[`${arch}-${s.name}`], /FLOWBENCH_OTLP_ENDPOINT: http:\/\/jaeger:4318/, `${arch}-${s.name} exports no spans`);
    }
  }
});

test('Grafana allows no anonymous access', () => {
  const grafana = serviceBlocks(composeConfig(['docker-compose.monitoring.yml'])).grafana;
  assert.match(grafana, /GF_AUTH_ANONYMOUS_ENABLED: "false"/);
  assert.doesNotMatch(grafana, /GF_AUTH_ANONYMOUS_ORG_ROLE: (Admin|Editor)/);
});

test('init-env.sh writes random passwords to a 0600 .env once, and keeps it after', () => {
  const env = readEnv(ENV_FILE);
  for (const v of SECRET_VARS) assert.match(env[v] ?? '', /^([0-9a-f]{32}){1,2}$/, `${v} in ${ENV_FILE}`);
  assert.equal(env.FLOWBENCH_JWT_SECRET.length, 64, 'HS256 wants 32 bytes at least');
  assert.equal(new Set(SECRET_VARS.map((v) => env[v])).size, SECRET_VARS.length, 'the passwords differ');
  assert.equal(statSync(ENV_FILE).mode & 0o777, 0o600);
  const before = readFileSync(ENV_FILE, 'utf8');
  execFileSync(join(COMPOSE_DIR, 'init-env.sh'), [ENV_FILE]);
  assert.equal(readFileSync(ENV_FILE, 'utf8'), before, 'a second run changed the passwords');
  const other = join(ENV_DIR, 'other.env');
  execFileSync(join(COMPOSE_DIR, 'init-env.sh'), [other]);
  assert.notEqual(readEnv(other).FLOWBENCH_PG_PASSWORD, env.FLOWBENCH_PG_PASSWORD, 'not random');
  assert.match(readFileSync(join(COMPOSE_DIR, '..', '.gitignore'), 'utf8'), /^\/compose\/\.env$/m);
  // A .env from before the gateways gets the JWT secret, and keeps its passwords.
  const old = join(ENV_DIR, 'old.env');
  execFileSync('sh', ['-c', `grep -v '^FLOWBENCH_JWT_SECRET=' '${ENV_FILE}' > '${old}'`]);
  execFileSync(join(COMPOSE_DIR, 'init-env.sh'), [old]);
  const upgraded = readEnv(old);
  assert.match(upgraded.FLOWBENCH_JWT_SECRET ?? '', /^[0-9a-f]{64}$/);
  assert.equal(upgraded.FLOWBENCH_PG_PASSWORD, env.FLOWBENCH_PG_PASSWORD);
});

for (const [arch, base] of [['sync', 8000], ['async', 8100]]) {
  test(`${arch} stack: the gateway is the only published service port, and reaches every service by its Compose name`, () => {
    const rendered = composeConfig([`docker-compose.${arch}.yml`], { FLOWBENCH_BIND: '0.0.0.0' });
    const ports = publishedPorts(rendered);
    assert.deepEqual(ports[`${arch}-gateway`], [{ host_ip: '0.0.0.0', published: base, target: base }]);
    for (const s of services) assert.equal(ports[`${arch}-${s.name}`], undefined, `${arch}-${s.name} is published`);
    assert.deepEqual(Object.keys(ports).sort(), arch === 'sync' ? ['sync-gateway'] : ['async-gateway', 'rabbitmq']);
    const gateway = serviceBlocks(rendered)[`${arch}-gateway`];
    assert.match(gateway, new RegExp(`- flowbench-gateway\\n\\s+- --arch\\n\\s+- ${arch}\\n`));
    assert.match(gateway, new RegExp(`FLOWBENCH_GATEWAY_PORT: ["']?${base}["']?\\n`));
    assert.match(gateway, new RegExp(`http://127\\.0\\.0\\.1:${base}/health`));
    const upstreams = /FLOWBENCH_UPSTREAMS: (\S+)/.exec(gateway)[1].split(',');
    for (const s of services) {
      const port = arch === 'sync' ? s.sync_port : s.async_port;
      assert.ok(upstreams.includes(`${s.name}=http://${arch}-${s.name}:${port}`), `FLOWBENCH_UPSTREAMS lacks ${s.name}`);
    }
    // The token secret comes from compose/.env, never from the file itself.
    assert.match(gateway, new RegExp(`FLOWBENCH_JWT_SECRET: ${readEnv(ENV_FILE).FLOWBENCH_JWT_SECRET}$`, 'm'));
    assert.match(read(`docker-compose.${arch}.yml`), /FLOWBENCH_JWT_SECRET: \$\{FLOWBENCH_JWT_SECRET:\?run compose\/init-env\.sh/);
    assert.doesNotMatch(gateway, /FLOWBENCH_PG_URL|FLOWBENCH_AMQP_URL/, 'the gateway needs no database or broker password');
  });
}

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
    const expectedNames = new Set([...infra, ...services.map((s) => `${arch}-${s.name}`), `${arch}-gateway`]);
    const direct = serviceBlocks(read(`docker-compose.${arch}.ports.yml`));
    assert.deepEqual(new Set(Object.keys(direct)), new Set(services.map((s) => `${arch}-${s.name}`)));
    assert.deepEqual(new Set(Object.keys(blocks)), expectedNames);
    for (const s of services) {
      const port = arch === 'sync' ? s.sync_port : s.async_port;
      const block = blocks[`${arch}-${s.name}`];
      assert.match(block, new RegExp(`command: \\["${arch}-${s.name}"\\]`), `${arch}-${s.name} command`);
      assert.doesNotMatch(block, /ports:/, `${arch}-${s.name} is published: only the gateway is`);
      assert.match(direct[`${arch}-${s.name}`], new RegExp(`- "[^"]*:${port}:${port}"`), `${arch}-${s.name} port in the ports file`);
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
  // The services log in as the broker's only user, with the password of compose/.env.
  const rabbitmq = serviceBlocks(composeConfig(['docker-compose.async.yml'])).rabbitmq;
  const user = /RABBITMQ_DEFAULT_USER: (\S+)/.exec(rabbitmq)[1];
  const pass = readEnv(ENV_FILE).FLOWBENCH_RABBITMQ_PASSWORD;
  assert.match(rabbitmq, new RegExp(`RABBITMQ_DEFAULT_PASS: ${pass}$`, 'm'));
  assert.match(composeConfig(['docker-compose.async.yml']), new RegExp(`FLOWBENCH_AMQP_URL: amqp://${user}:${pass}@rabbitmq:5672/`));
});

test('Prometheus scrapes every service and the gateway of both builds with arch and service labels, and RabbitMQ', () => {
  const text = read('prometheus/prometheus.yml');
  for (const arch of ['sync', 'async']) {
    for (const s of services) {
      const port = arch === 'sync' ? s.sync_port : s.async_port;
      assert.match(text, new RegExp(`- targets: \\["${arch}-${s.name}:${port}"\\]\\n\\s+labels: \\{arch: ${arch}, service: ${s.name}\\}`),
        `no scrape target ${arch}-${s.name}:${port}`);
    }
    // Where the Compose file has the gateway listen, inside the Compose network.
    const gateway = serviceBlocks(composeConfig([`docker-compose.${arch}.yml`]))[`${arch}-gateway`];
    const port = /FLOWBENCH_GATEWAY_PORT: ["']?(\d+)["']?\n/.exec(gateway)[1];
    assert.match(text, new RegExp(`- targets: \\["${arch}-gateway:${port}"\\]\\n\\s+labels: \\{arch: ${arch}, service: gateway\\}`),
      `no scrape target ${arch}-gateway:${port}`);
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
