/**
 * The `require` the CLI bundle runs with (boot.ts): Node's built-in modules it names are
 * loaded when first used, not when the bundle starts. The bundle requires every built-in its
 * modules import as it starts, and most commands use few of them: child_process pulls in
 * dgram and net, crypto the streams, fs/promises the readline interface, and a no-op build
 * needs none of them. The modules Node's own start has loaded already (`eager`) are handed
 * over as they are; anything else (packages, the bundle's vendor files) goes to `require`.
 */
export type BundleRequire = ((id: string) => unknown) & Pick<NodeJS.Require, 'resolve' | 'cache'>;

export function lazyBuiltins(require: NodeJS.Require, eager: ReadonlySet<string>): BundleRequire {
  const lazy = (id: string): unknown => (id.startsWith('node:') && !eager.has(id) ? deferred(() => require(id) as object) : require(id));
  return Object.assign(lazy, { resolve: require.resolve, cache: require.cache });
}

/**
 * A stand-in for a module's exports that loads it at the first look inside: reading an
 * export, or listing them (as esbuild's interop does for `await import(...)`).
 */
function deferred(load: () => object): object {
  let real: object | undefined;
  const module = (): object => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key): unknown => Reflect.get(module(), key),
      has: (_, key) => Reflect.has(module(), key),
      ownKeys: () => Reflect.ownKeys(module()),
      // Reported configurable: the stand-in itself holds no properties, and a proxy may not claim one it lacks is fixed.
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(module(), key);
        return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
      },
    },
  );
}
