import { describe, expect, it } from 'vitest';
import { CommandArgs } from '../../protocol/resp/command-args.ts';
import { createGatewayCommands } from './gateway-command-table.ts';
import type { Route } from './gateway-command-table.ts';

describe('createGatewayCommands', () => {
  const { registry, routes } = createGatewayCommands();
  const routeOf = (name: string): Route | undefined => {
    const entry = registry.lookup(CommandArgs.fromBuffers([Buffer.from(name)]));
    return entry === undefined ? undefined : routes.get(entry);
  };

  it('routes every command of the node table', () => {
    expect(routeOf('GET')).toBe('key');
    expect(routeOf('set')).toBe('key');
    expect(routeOf('incrby')).toBe('key');
    expect(routeOf('expire')).toBe('key');
    expect(routeOf('mget')).toBe('mget');
    expect(routeOf('mset')).toBe('mset');
    expect(routeOf('del')).toBe('count');
    expect(routeOf('exists')).toBe('count');
    expect(routeOf('scan')).toBe('scan');
    expect(routeOf('dbsize')).toBe('dbsize');
    expect(routeOf('flushall')).toBe('flush');
    expect(routeOf('info')).toBe('info');
    for (const name of ['eval', 'evalsha', 'eval_ro', 'evalsha_ro']) {
      expect(routeOf(name), name).toBe('eval');
    }
    expect(routeOf('script')).toBe('script');
    for (const name of [
      'ping',
      'echo',
      'auth',
      'hello',
      'select',
      'quit',
      'client',
      'command',
      'config',
    ]) {
      expect(routeOf(name), name).toBe('local');
    }
    for (const entry of registry.commands())
      expect(routes.get(entry), entry.fullName).toBeDefined();
  });

  it('uses the gateway CONFIG (GET of its own parameters; SET refused)', () => {
    const config = registry.find('config|set');
    expect(config?.spec.summary).toMatch(/refused/);
  });
});
