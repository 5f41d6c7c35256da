// Stand-in for the `k6` module: check() and sleep() as k6 defines them, recorded.
import { k6 } from './state.mjs';

export function check(value, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(value));
    k6.checks.push({ name, ok });
    all = all && ok;
  }
  return all;
}

export function sleep(seconds) {
  k6.sleeps.push(seconds);
}

export function group(name, fn) {
  return fn();
}

export default { check, sleep, group };
