// Stand-in for `k6/http`: requests go to the test's transport (k6.transport) and are recorded.
import { k6 } from './state.mjs';

function request(method, url, body, params = {}) {
  k6.requests.push({ method, url, body, params });
  const started = Date.now();
  const answer = k6.transport(method, url, body, params);
  return {
    status: answer.status,
    body: answer.body,
    error: answer.error || '',
    timings: { duration: Date.now() - started },
  };
}

function expectedStatuses(...statuses) {
  return { expectedStatuses: statuses };
}

const http = {
  request,
  get: (url, params) => request('GET', url, null, params),
  post: (url, body, params) => request('POST', url, body, params),
  put: (url, body, params) => request('PUT', url, body, params),
  del: (url, body, params) => request('DELETE', url, body, params),
  expectedStatuses,
  setResponseCallback: () => {},
};

export default http;
export { request, expectedStatuses };
