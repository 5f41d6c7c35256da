// The Kubernetes manifests (compose/kubernetes), without a cluster: `kubectl kustomize`
// renders every base and overlay, and the rendered objects are checked against the C++
// service catalogue (through k6-tests/contract_tool) and the Compose files: every service of
// both builds on its contract port with /health readiness and Prometheus annotations, the
// same image and requests/limits for all twenty, the environment Compose passes, passwords
// only from the Secret, RabbitMQ as a 3-node cluster with quorum queues.
// Needs FLOWBENCH_CONTRACT_TOOL (CTest sets it); KUBECTL and PYTHON3 may name the tools
// (python3 with Debian's python3-yaml turns the rendered YAML into JSON).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { COMPOSE_DIR } from './dashboard.mjs';

const KUBECTL = process.env.KUBECTL || 'kubectl';
const PYTHON3 = process.env.PYTHON3 || 'python3';
const TOOL = process.env.FLOWBENCH_CONTRACT_TOOL;
if (!TOOL) throw new Error('set FLOWBENCH_CONTRACT_TOOL to the built contract_tool (ctest does)');
const { services } = JSON.parse(execFileSync(TOOL, ['catalogue'], { encoding: 'utf8' }));

const K8S_DIR = join(COMPOSE_DIR, 'kubernetes');
const BASES = ['base/infra', 'base/sync', 'base/async'];
const OVERLAYS = ['overlays/small', 'overlays/large'];
const ARCHS = ['sync', 'async'];
const SECRET = 'flowbench-credentials';
const SECRET_KEYS = new Set(['postgres-password', 'rabbitmq-password', 'rabbitmq-erlang-cookie']);
// The async services that consume the queues where the work happens (autoscaling.yaml).
const WORKERS = ['payment', 'report', 'email', 'search', 'cache', 'inventory'];

function kustomize(dir) {
  try {
    return execFileSync(KUBECTL, ['kustomize', join(K8S_DIR, dir)], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`kubectl kustomize ${dir} failed:\n${e.stderr}`);
  }
}

// The rendered YAML stream as objects (YAML 1.1 through PyYAML, as Kubernetes reads it).
function parse(yaml) {
  const script = 'import sys, json, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)';
  return JSON.parse(execFileSync(PYTHON3, ['-c', script], { input: yaml, encoding: 'utf8' }));
}

const rendered = new Map();  // overlay -> { text, objects }
function render(overlay) {
  if (!rendered.has(overlay)) {
    const text = kustomize(overlay);
    rendered.set(overlay, { text, objects: parse(text) });
  }
  return rendered.get(overlay);
}

const find = (objects, kind, name) => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(found.length, 1, `${kind} ${name}: ${found.length} rendered`);
  return found[0];
};
const portOf = (s, arch) => (arch === 'sync' ? s.sync_port : s.async_port);
// A URL with any password taken out: postgresql://flowbench:x@postgres -> ...flowbench@postgres.
const withoutPassword = (url) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1@');

// What Compose passes every service of a build (x-<arch>-service's environment, a map or a
// list of NAME=value).
function composeEnvironment(arch) {
  const text = readFileSync(join(COMPOSE_DIR, `docker-compose.${arch}.yml`), 'utf8');
  const environment = parse(text)[0][`x-${arch}-service`].environment;
  if (!Array.isArray(environment)) return environment;
  return Object.fromEntries(environment.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
}

// The environment a container ends up with: its envFrom ConfigMaps, then env, with $(VAR)
// expanded as the kubelet does; a variable from a Secret stays a `secret:KEY` marker.
function containerEnvironment(objects, container) {
  const env = {};
  for (const source of container.envFrom || []) {
    Object.assign(env, find(objects, 'ConfigMap', source.configMapRef.name).data);
  }
  for (const variable of container.env || []) {
    if (variable.valueFrom) {
      const ref = variable.valueFrom.secretKeyRef;
      assert.ok(ref, `${variable.name} comes from something other than a Secret`);
      env[variable.name] = `secret:${ref.key}`;
    } else {
      env[variable.name] = variable.value.replace(/\$\(([A-Z_]+)\)/g, (whole, name) => {
        assert.ok(name in env, `${variable.name} refers to $(${name}), which is not defined before it`);
        return env[name];
      });
    }
  }
  return env;
}

test('kubectl kustomize renders every base and overlay', () => {
  for (const dir of [...BASES, ...OVERLAYS]) assert.ok(kustomize(dir).includes('kind: '), dir);
});

for (const overlay of OVERLAYS) {
  test(`${overlay}: every service of both builds on its contract port, ready by /health, scraped by Prometheus`, () => {
    const { objects } = render(overlay);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    assert.equal(deployments.length, 2 * services.length, 'one Deployment per service and build, no other');
    for (const arch of ARCHS) {
      for (const s of services) {
        const name = `${arch}-${s.name}`;
        const port = portOf(s, arch);
        const pod = find(objects, 'Deployment', name).spec.template;
        const [container] = pod.spec.containers;
        assert.equal(pod.spec.containers.length, 1, name);
        assert.equal(container.image, 'flowbench:local', `${name} image`);
        assert.deepEqual(container.args, [name], `${name} runs its own executable, as Compose's command`);
        assert.deepEqual(container.ports, [{ name: 'http', containerPort: port }], `${name} port`);
        for (const probe of ['readinessProbe', 'livenessProbe']) {
          assert.deepEqual(container[probe].httpGet, { path: '/health', port: 'http' }, `${name} ${probe}`);
        }
        assert.deepEqual(pod.metadata.annotations,
          { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' },
          `${name} Prometheus annotations`);
        assert.deepEqual(pod.metadata.labels['flowbench/arch'], arch);
        const service = find(objects, 'Service', name);
        assert.deepEqual(service.spec.selector, { 'app.kubernetes.io/name': name });
        assert.equal(pod.metadata.labels['app.kubernetes.io/name'], name, `${name}: the Service selects its pods`);
        assert.equal(service.spec.ports.length, 1);
        assert.equal(service.spec.ports[0].port, port, `${name} Service port`);
        assert.equal(service.spec.ports[0].targetPort, 'http');
      }
    }
  });

  test(`${overlay}: the same requests and limits for every service of both builds`, () => {
    const { objects } = render(overlay);
    const resources = objects.filter((o) => o.kind === 'Deployment')
      .map((d) => ({ name: d.metadata.name, resources: d.spec.template.spec.containers[0].resources }));
    const [first] = resources;
    assert.ok(first.resources.requests.cpu && first.resources.requests.memory, 'requests set');
    assert.ok(first.resources.limits.cpu && first.resources.limits.memory, 'limits set');
    for (const r of resources) assert.deepEqual(r.resources, first.resources, `${r.name} differs from ${first.name}`);
  });

  test(`${overlay}: the environment Compose passes, consistent with the contract; passwords only from the Secret`, () => {
    const { text, objects } = render(overlay);
    assert.doesNotMatch(text, /flowbench:flowbench@|password: flowbench|guest/i, 'a default password is rendered');
    assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0, 'the Secret is created apart (create-secret.sh)');
    for (const arch of ARCHS) {
      const compose = composeEnvironment(arch);
      assert.ok(Object.keys(compose).length >= 3, `no environment read from docker-compose.${arch}.yml`);
      const peers = services.map((s) => `${s.name}=http://${arch}-${s.name}:${portOf(s, arch)}`).join(',');
      for (const s of services) {
        const name = `${arch}-${s.name}`;
        const env = containerEnvironment(objects, find(objects, 'Deployment', name).spec.template.spec.containers[0]);
        for (const [key, value] of Object.entries(compose)) {
          assert.ok(key in env, `${name} lacks ${key}, which Compose sets`);
          // A value Compose interpolates (from its .env) has no fixed text to compare.
          if (!withoutPassword(String(value)).includes('${')) {
            assert.equal(withoutPassword(env[key]), withoutPassword(String(value)), `${name} ${key}`);
          }
        }
        assert.equal(env.FLOWBENCH_PEERS, peers, `${name} FLOWBENCH_PEERS`);
        assert.equal(env.FLOWBENCH_HOST, '0.0.0.0');
        assert.equal(env.FLOWBENCH_PG_URL, 'postgresql://flowbench@postgres:5432/flowbench', `${name}: no password in the URL`);
        assert.equal(env.PGPASSWORD, 'secret:postgres-password', `${name}: libpq's password from the Secret`);
        if (arch === 'async') {
          assert.equal(env.FLOWBENCH_AMQP_URL, 'amqp://flowbench:secret:rabbitmq-password@rabbitmq:5672/%2f', name);
        } else {
          assert.ok(!('FLOWBENCH_AMQP_URL' in env), `${name}: the sync build has no broker`);
        }
      }
    }
    // Every Secret reference, anywhere (env and volumes), is to the one Secret and its keys:
    // 20 + 10 services' passwords, PostgreSQL's, RabbitMQ's and its cookie.
    const refs = [];
    const walk = (value) => {
      if (value === null || typeof value !== 'object') return;
      if (value.secretKeyRef) refs.push([value.secretKeyRef.name, value.secretKeyRef.key]);
      if (value.secret?.secretName) value.secret.items.forEach((item) => refs.push([value.secret.secretName, item.key]));
      Object.values(value).forEach(walk);
    };
    walk(objects);
    assert.equal(refs.length, 3 * services.length + 3);
    for (const [name, key] of refs) {
      assert.equal(name, SECRET);
      assert.ok(SECRET_KEYS.has(key), `unknown Secret key ${key}`);
    }
    assert.deepEqual(new Set(refs.map(([, key]) => key)), SECRET_KEYS, 'every key of the Secret is used');
  });

  test(`${overlay}: only the services are reachable from outside, on consecutive node ports`, () => {
    const { objects } = render(overlay);
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const name = service.metadata.name;
      const s = services.find((c) => ARCHS.some((arch) => name === `${arch}-${c.name}`));
      if (!s) {
        assert.ok(!service.spec.type || service.spec.type === 'ClusterIP', `${name} is ${service.spec.type}`);
        continue;
      }
      const port = service.spec.ports[0].port;
      assert.equal(service.spec.type, 'NodePort', name);
      assert.equal(service.spec.ports[0].nodePort, 30000 + port - 8000, `${name} node port`);
      assert.ok(service.spec.ports[0].nodePort <= 32767, 'within the default node port range');
    }
  });

  test(`${overlay}: PostgreSQL, RabbitMQ as a 3-node cluster with quorum queues, autoscaled async workers`, () => {
    const { objects } = render(overlay);
    for (const o of objects) {
      if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'flowbench', `${o.kind} ${o.metadata.name}`);
    }
    const postgres = find(objects, 'StatefulSet', 'postgres');
    assert.equal(postgres.spec.replicas, 1);
    assert.equal(find(objects, 'Service', 'postgres').spec.ports[0].port, 5432);

    const rabbitmq = find(objects, 'StatefulSet', 'rabbitmq');
    assert.equal(rabbitmq.spec.replicas, 3);
    const headless = find(objects, 'Service', rabbitmq.spec.serviceName);
    assert.equal(headless.spec.clusterIP, 'None');
    assert.equal(headless.spec.publishNotReadyAddresses, true);
    assert.deepEqual(find(objects, 'Service', 'rabbitmq').spec.ports.map((p) => p.port), [5672, 15672, 15692]);
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('rabbitmq-config'));
    const conf = config.data['rabbitmq.conf'];
    assert.match(conf, /^default_queue_type = quorum$/m);
    for (let i = 0; i < rabbitmq.spec.replicas; ++i) {
      assert.match(conf, new RegExp(`^cluster_formation\\.classic_config\\.nodes\\.${i + 1} = rabbit@rabbitmq-${i}\\.${headless.metadata.name}$`, 'm'));
    }
    const [node] = rabbitmq.spec.template.spec.containers;
    const env = Object.fromEntries(node.env.map((v) => [v.name, v.value ?? `secret:${v.valueFrom.secretKeyRef?.key}`]));
    assert.equal(env.RABBITMQ_NODENAME, `rabbit@$(POD_NAME).${headless.metadata.name}`);
    assert.equal(env.RABBITMQ_DEFAULT_USER, 'flowbench');
    assert.equal(env.RABBITMQ_DEFAULT_PASS, 'secret:rabbitmq-password');
    assert.match(conf, /^prometheus\.tcp\.port = 15692$/m);
    assert.equal(config.data.enabled_plugins, readFileSync(join(COMPOSE_DIR, 'rabbitmq/enabled_plugins'), 'utf8'),
      'the same plugins as Compose');
    assert.equal(rabbitmq.spec.template.metadata.annotations['prometheus.io/port'], '15692');

    const autoscalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    assert.deepEqual(autoscalers.map((h) => h.spec.scaleTargetRef.name).sort(), WORKERS.map((w) => `async-${w}`).sort());
    for (const h of autoscalers) {
      find(objects, 'Deployment', h.spec.scaleTargetRef.name);
      assert.ok(h.spec.maxReplicas > h.spec.minReplicas, h.metadata.name);
      assert.equal(h.spec.metrics[0].resource.name, 'cpu');
    }
  });
}

test('the large overlay gives every service more than the small one', () => {
  const cpu = (overlay) => find(render(overlay).objects, 'Deployment', 'sync-user').spec.template.spec.containers[0].resources;
  const millis = (q) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
  assert.ok(millis(cpu('overlays/large').requests.cpu) > millis(cpu('overlays/small').requests.cpu));
});
