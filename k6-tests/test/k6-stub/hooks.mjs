// Node module hooks: `k6`, `k6/http` and `k6/metrics` resolve to the small stand-ins in this
// folder, so node can load the k6 scripts as the ES modules they are.
const STUBS = {
  k6: 'k6.mjs',
  'k6/http': 'http.mjs',
  'k6/metrics': 'metrics.mjs',
};

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    const file = STUBS[specifier];
    if (!file) throw new Error(`the k6 stub has no module '${specifier}': add it to k6-tests/test/k6-stub/`);
    return { url: new URL(file, import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
