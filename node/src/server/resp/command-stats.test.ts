import { describe, expect, it } from 'vitest';
import { CommandRegistry } from './command-registry.ts';
import { CommandStats } from './command-stats.ts';
import { COMMAND_TABLE } from './command-table.ts';

describe('CommandStats', () => {
  it("gives each command of a batch an equal share of the batch's time (commandstats usec)", () => {
    const registry = new CommandRegistry(COMMAND_TABLE);
    const stats = new CommandStats(registry);
    const get = registry.find('get')!;
    const set = registry.find('set')!;
    stats.noteCommand(get);
    stats.noteCommand(get);
    stats.noteCommand(set);
    stats.observeBatch(3, 0.03);
    expect([get.usec, set.usec]).toEqual([20, 10]);
    // The next batch starts empty.
    stats.noteCommand(set);
    stats.observeBatch(1, 0.005);
    expect([get.usec, set.usec]).toEqual([20, 15]);
    expect(stats.latency.count).toBe(4);
  });

  it('keeps a bounded list when no batch is ever observed', () => {
    const registry = new CommandRegistry(COMMAND_TABLE);
    const stats = new CommandStats(registry);
    const get = registry.find('get')!;
    for (let i = 0; i < 100_000; i++) stats.noteCommand(get);
    stats.observeBatch(100_000, 65.536);
    expect(get.usec).toBeCloseTo(65_536, 6);
  });
});
