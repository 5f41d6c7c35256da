// Node module hooks: `k6`, `k6/http` and `k6/metrics` resolve to the small stand-ins in this
// folder, so node can load the k6 scripts as the ES modules they are.
const STAND_INS = {
  k6: 'k6.mjs',
  'k6/http': 'http.mjs',
  'k6/metrics': 'metrics.mjs',
};

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    const file = STAND_INS[specifier];
    if (!file) throw new Error(`no k6 stand-in for module '${specifier}': add it to k6-tests/test/k6-standin/`);
    return { url: new URL(file, import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
