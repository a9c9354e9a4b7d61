import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import { startGateway, startNodes } from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';

/** SLOWLOG through the gateway: the nodes' logs, combined; rejected calls in its INFO. */
describe('SLOWLOG at the gateway', () => {
  let nodes: TestServer[];
  let gw: RunningGateway;
  beforeAll(async () => {
    nodes = await startNodes(2);
    gw = await startGateway({ ring: { nodes: nodes.map((node) => `127.0.0.1:${node.port}`) } });
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all(nodes.map((node) => node.close()));
  });

  it("joins the nodes' entries, sums their lengths and resets them all", async () => {
    for (const node of nodes) {
      const direct = await RespTestClient.connect(node.port);
      await direct.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      direct.close();
    }
    const client = await RespTestClient.connect(gw.port);
    expect(await client.call('SLOWLOG', 'RESET')).toBe('OK');
    const keys = Array.from({ length: 20 }, (_, i) => `slow:${i}`);
    for (const key of keys) expect(await client.call('SET', key, 'v')).toBe('OK');
    const entries = (await client.call('SLOWLOG', 'GET', '-1')) as unknown[][];
    // Each node logged its SETs and the RESET that went to it.
    const logged = entries.map((entry) => (entry[3] as string[]).join(' '));
    expect(logged.filter((command) => command === 'SLOWLOG RESET')).toHaveLength(2);
    expect(logged.filter((command) => command.startsWith('SET')).sort()).toEqual(
      keys.map((key) => `SET ${key} v`).sort(),
    );
    expect(await client.call('SLOWLOG', 'LEN')).toBe(entries.length + 2);
    expect(await client.call('SLOWLOG', 'HELP')).toContain('RESET');
    expect(await client.call('SLOWLOG', 'LEN', 'x')).toEqual({
      error: "ERR wrong number of arguments for 'slowlog|len' command",
    });
    const info = (await client.call('INFO', 'commandstats')) as string;
    expect(info).toContain(
      'cmdstat_slowlog|len:calls=1,usec=0,usec_per_call=0.00,rejected_calls=1',
    );
    client.close();
  });
});
