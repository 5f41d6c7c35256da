// What the k6 stand-ins record, and where a test plugs in its HTTP transport.
export const k6 = {
  // (method, url, body, params) -> { status, body, error }; the default refuses.
  transport: () => ({ status: 0, body: '', error: 'no transport set in the test' }),
  requests: [],  // { method, url, body, params }
  checks: [],    // { name, ok }
  sleeps: [],    // seconds
  metrics: {},   // name -> { type, isTime, values: [] }
  reset() {
    this.requests = [];
    this.checks = [];
    this.sleeps = [];
    for (const m of Object.values(this.metrics)) m.values = [];
  },
};
