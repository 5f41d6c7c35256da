// The scenario contract (CONTRACT.md §1, §3, §6) as data for the k6 script: services and ports,
// each scenario's route, request body and expected answers per architecture, and the load
// profiles. Plain data and pure functions, no k6 import, so that the node tests in
// k6-tests/test/ can check it against the C++ catalogue (common/domain/catalogue.cpp) and
// feed its bodies to the services' own parsers.

export const ARCHS = ['sync', 'async'];

// CONTRACT.md §1: one port per service and build.
export const SERVICES = [
  { name: 'user', sync_port: 8001, async_port: 8101 },
  { name: 'payment', sync_port: 8002, async_port: 8102 },
  { name: 'product', sync_port: 8003, async_port: 8103 },
  { name: 'report', sync_port: 8004, async_port: 8104 },
  { name: 'order', sync_port: 8005, async_port: 8105 },
  { name: 'analytics', sync_port: 8006, async_port: 8106 },
  { name: 'email', sync_port: 8007, async_port: 8107 },
  { name: 'search', sync_port: 8008, async_port: 8108 },
  { name: 'cache', sync_port: 8009, async_port: 8109 },
  { name: 'inventory', sync_port: 8010, async_port: 8110 },
];

// CONTRACT.md §3. `request(ctx)` builds one request from ctx = { vu, iter, run, random } (random()
// in [0, 1)); `answers[arch]` lists every answer the contract allows, each with its status,
// the body fields that must be present (dotted paths reach into objects) and the fields
// that must have an exact value. Sleep is the closed-loop think time of §6.
export const SCENARIOS = [
  {
    id: 'scenario1',
    title: 'Fire-and-forget email on registration',
    service: 'user',
    method: 'POST',
    path: '/register',
    sleep_seconds: 1,
    request: (ctx) => ({
      path: '/register',
      body: { email: `k6-${ctx.run}-${ctx.vu}-${ctx.iter}@example.com` },
    }),
    answers: {
      sync: [{ status: 201, fields: ['id', 'email', 'message'] }],
      async: [{ status: 202, fields: ['id', 'email', 'message'], equals: { event_published: true } }],
    },
  },
  {
    id: 'scenario2',
    title: 'Background payment',
    service: 'payment',
    method: 'POST',
    path: '/process_payment',
    sleep_seconds: 1,
    request: () => ({ path: '/process_payment', body: { amount: 100.0, currency: 'USD' } }),
    answers: {
      sync: [{ status: 200, fields: ['transaction_id', 'amount'], equals: { status: 'success' } }],
      async: [{ status: 202, fields: ['payment_id', 'message'], equals: { status: 'processing' } }],
    },
  },
  {
    id: 'scenario3',
    title: 'Fan-out of product updates',
    service: 'product',
    method: 'PUT',
    path: '/products/{id}',
    sleep_seconds: 1,
    request: (ctx) => ({
      path: `/products/${1 + Math.floor(ctx.random() * 3)}`,  // ids 1-3 are seeded
      body: { name: `Product ${ctx.vu}-${ctx.iter}`, stock: 1 + Math.floor(ctx.random() * 100) },
    }),
    answers: {
      sync: [{ status: 200, fields: ['id', 'name', 'stock'] }],
      async: [{ status: 200, fields: ['id', 'name', 'stock'], equals: { event_published: true } }],
    },
  },
  {
    id: 'scenario4',
    title: 'CPU report job',
    service: 'report',
    method: 'POST',
    path: '/generate_report',
    sleep_seconds: 2,
    // The sync answer waits for 10 s of CPU per report, behind the other VUs' reports.
    timeout: { sync: '120s', async: '10s' },
    request: () => ({ path: '/generate_report', body: { report_type: 'monthly' } }),
    answers: {
      sync: [{
        status: 200,
        fields: ['report_hash', 'computation_time_seconds', 'iterations'],
        equals: { status: 'completed' },
      }],
      async: [{ status: 202, fields: ['job_id', 'message'], equals: { status: 'queued' } }],
    },
  },
  {
    id: 'scenario5',
    title: 'Order saga with compensation',
    service: 'order',
    method: 'POST',
    path: '/create_order',
    sleep_seconds: 1,
    request: () => ({ path: '/create_order', body: { product_id: 1, quantity: 1 } }),
    answers: {
      // Payment fails (payment_failure_rate 1.0 by default) or succeeds: both are the contract.
      sync: [
        {
          status: 400,
          fields: ['detail.order_id'],
          equals: { 'detail.status': 'failed', 'detail.compensation_executed': true },
        },
        { status: 201, fields: ['order_id'], equals: { status: 'confirmed' } },
      ],
      async: [{ status: 202, fields: ['id', 'product_id', 'quantity'], equals: { status: 'pending' } }],
    },
  },
  {
    id: 'scenario6',
    title: 'Click buffering',
    service: 'analytics',
    method: 'POST',
    path: '/track_click',
    sleep_seconds: 0,  // constant arrival rate: k6 paces the iterations
    request: (ctx) => ({
      path: '/track_click',
      body: { user_id: 1 + Math.floor(ctx.random() * 10000), page: 'homepage' },
    }),
    answers: {
      sync: [{ status: 200, fields: [], equals: { status: 'tracked' } }],
      async: [{ status: 200, fields: [], equals: { status: 'tracked' } }],
    },
  },
];

// CONTRACT.md §6: the profiles of the study's published runs (flowbench's own names) ...
const PUBLISHED = {
  baseline: { vus: [2, 2, 2, 1, 2], rate: 50, duration: '120s' },
  light: { vus: [5, 5, 5, 2, 5], rate: 100, duration: '120s' },
  medium: { vus: [10, 10, 10, 3, 10], rate: 150, duration: '120s' },
  medium_high: { vus: [15, 15, 15, 5, 15], rate: 200, duration: '120s' },
  heavy: { vus: [20, 20, 20, 7, 20], rate: 250, duration: '180s' },
  stress: { vus: [30, 30, 30, 10, 30], rate: 300, duration: '180s' },
};
// ... the two rows of the study's k6 script unified-test.js that the contract gives, under
// distinct names (max_vus: flowbench's cap for scenario 6) ...
const STUDY_SCRIPT = {
  study_light: { vus: [2, 2, 2, 1, 2], rate: 20, max_vus: 10, duration: '30s' },
  study_medium: { vus: [5, 5, 5, 2, 5], rate: 100, max_vus: 50, duration: '60s' },
  // ... and flowbench's own smoke profile. Not a load: one VU per closed-loop scenario and 5 clicks/s for 10 s, to try the setup.
  smoke: { vus: [1, 1, 1, 1, 1], rate: 5, max_vus: 5, duration: '10s' },
};

export const PROFILES = Object.fromEntries(
  Object.entries(Object.assign({}, PUBLISHED, STUDY_SCRIPT)).map(([name, p]) => [name, {
    scenario1_vus: p.vus[0],
    scenario2_vus: p.vus[1],
    scenario3_vus: p.vus[2],
    scenario4_vus: p.vus[3],
    scenario5_vus: p.vus[4],
    scenario6_rate: p.rate,
    // Enough VUs for the rate at up to 1 s per click (the study's script capped lower).
    scenario6_max_vus: p.max_vus || p.rate,
    duration: p.duration,
  }]),
);

export function findScenario(id) {
  return SCENARIOS.find((s) => s.id === id);
}

export function servicePort(name, arch) {
  const service = SERVICES.find((s) => s.name === name);
  if (!service) throw new Error(`unknown service '${name}'`);
  return arch === 'sync' ? service.sync_port : service.async_port;
}

// The value at a dotted path ('detail.status') of a parsed JSON body, undefined if absent.
export function fieldAt(body, path) {
  return path.split('.').reduce((v, key) => (v !== null && typeof v === 'object' ? v[key] : undefined), body);
}

// Why `status` + `bodyText` is not one of the answers the contract allows, or '' if it is.
export function answerMismatch(scenario, arch, status, bodyText) {
  const answers = scenario.answers[arch];
  const answer = answers.find((a) => a.status === status);
  if (!answer) {
    return `status ${status}, expected ${answers.map((a) => a.status).join(' or ')}`;
  }
  let body;
  try {
    body = JSON.parse(bodyText);
  } catch (e) {
    return `status ${status} with a body that is not JSON`;
  }
  for (const field of answer.fields) {
    if (fieldAt(body, field) === undefined) return `status ${status} without field '${field}'`;
  }
  for (const [field, value] of Object.entries(answer.equals || {})) {
    if (fieldAt(body, field) !== value) {
      return `status ${status} with ${field}=${JSON.stringify(fieldAt(body, field))}, expected ${JSON.stringify(value)}`;
    }
  }
  return '';
}
