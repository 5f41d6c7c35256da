// Stand-in for `k6/metrics`: each custom metric records what is added to it.
import { k6 } from './state.mjs';

class Metric {
  constructor(type, name, isTime = false) {
    if (k6.metrics[name] && k6.metrics[name].type !== type) {
      throw new Error(`metric '${name}' defined as ${k6.metrics[name].type} and ${type}`);
    }
    this.name = name;
    k6.metrics[name] = k6.metrics[name] || { type, isTime, values: [] };
  }

  add(value) {
    k6.metrics[this.name].values.push(Number(value));
  }
}

export class Trend extends Metric { constructor(name, isTime) { super('trend', name, isTime); } }
export class Counter extends Metric { constructor(name) { super('counter', name); } }
export class Rate extends Metric { constructor(name) { super('rate', name); } }
export class Gauge extends Metric { constructor(name) { super('gauge', name); } }
