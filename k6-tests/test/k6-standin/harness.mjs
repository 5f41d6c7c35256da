// Loads a k6 script in node as k6 would: k6 imports replaced by stand-ins, __ENV from the caller, __VU and
// __ITER set per call. Each load is a fresh module instance (the script reads __ENV at init).
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

import { k6 } from './state.mjs';

register('./hooks.mjs', import.meta.url);

let loads = 0;

export { k6 };

export async function loadScript(path, env) {
  globalThis.__ENV = { ...env };
  globalThis.__VU = 1;
  globalThis.__ITER = 0;
  loads += 1;
  return import(`${pathToFileURL(path).href}?load=${loads}`);
}

// Runs the scenario's exported function as one iteration of VU `vu`.
export function iterate(script, fnName, vu = 1, iter = 0) {
  globalThis.__VU = vu;
  globalThis.__ITER = iter;
  script[fnName]();
}
