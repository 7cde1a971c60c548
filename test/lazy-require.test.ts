import { createHash } from 'node:crypto';
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { lazyBuiltins } from '../src/cli/lazy-require.ts';

/** A require that notes what it was asked for. */
function noting(): { require: NodeJS.Require; asked: string[] } {
  const real = createRequire(import.meta.url);
  const asked: string[] = [];
  const require = Object.assign((id: string): unknown => {
    asked.push(id);
    return real(id);
  }, real);
  return { require, asked };
}

/** The require the bundle runs with: built-in modules load at their first use. */
describe('the bundle’s require', () => {
  it('loads a built-in module only when an export is first used', () => {
    const { require, asked } = noting();
    const crypto = lazyBuiltins(require, new Set())('node:crypto') as typeof Crypto;
    expect(asked).toEqual([]);
    expect(crypto.createHash('sha1').update('cg').digest('hex')).toBe(createHash('sha1').update('cg').digest('hex'));
    expect(typeof crypto.randomBytes).toBe('function');
    expect(asked).toEqual(['node:crypto']);
  });

  it('lists the exports as the module does (the interop of await import)', () => {
    const { require } = noting();
    const events = lazyBuiltins(require, new Set())('node:events') as Record<string, unknown>;
    const real = createRequire(import.meta.url)('node:events') as Record<string, unknown>;
    expect(Reflect.ownKeys(events)).toEqual(Reflect.ownKeys(real));
    expect({ ...events }['once']).toBe(real['once']);
    expect('EventEmitter' in events).toBe(true);
  });

  it('hands over modules already loaded, packages and files as they are', () => {
    const { require, asked } = noting();
    const lazy = lazyBuiltins(require, new Set(['node:path']));
    expect(lazy('node:path')).toBe(createRequire(import.meta.url)('node:path'));
    expect(lazy('../package.json')).toMatchObject({ name: 'clipgraph' });
    expect(asked).toEqual(['node:path', '../package.json']);
  });
});
