import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { RawClient } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { ringOver, startGateway, startNodes } from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';

// CLIENT REPLY, NO-EVICT and NO-TOUCH through a gateway over three nodes.

let nodes: TestServer[];
let gw: RunningGateway;

beforeAll(async () => {
  nodes = await startNodes(3);
  const ring = ringOver(
    1,
    nodes.map((node) => node.port),
  );
  gw = await startGateway({ ring: { nodes: ring.nodes.map((node) => node.address) } });
});

afterAll(async () => {
  await gw.close();
  await Promise.all(nodes.map((node) => node.close()));
});

async function transcript(port: number, commands: string[][]): Promise<string> {
  const client = await RawClient.connect(port);
  client.send(encodePipeline([...commands, ['QUIT']]));
  await client.closesWithin(10_000);
  return client.text;
}

describe('CLIENT REPLY and NO-EVICT through the gateway', () => {
  it('drops the replies of keys on every node, and local ones, as a node does', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `modes:${i}`);
    const commands = [
      ['CLIENT', 'REPLY', 'OFF'],
      ...keys.map((key) => ['SET', key, 'v']),
      ['MGET', ...keys],
      ['NOSUCH'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['GET', 'modes:1'],
      ['GET', 'modes:2'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['PING'],
      ['CLIENT', 'REPLY', 'OFF'],
      ['SUBSCRIBE', 'modes:ch'],
      ['UNSUBSCRIBE', 'modes:ch'],
      ['RESET'],
      ['CLIENT', 'NO-EVICT', 'ON'],
      ['CLIENT', 'NO-EVICT', 'maybe'],
    ];
    const node = await transcript(nodes[0]!.port, commands);
    const gateway = await transcript(gw.port, commands);
    expect(gateway).toBe(node);
    expect(gateway).toBe(
      '+OK\r\n$1\r\nv\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$8\r\nmodes:ch\r\n:1\r\n' +
        '*3\r\n$11\r\nunsubscribe\r\n$8\r\nmodes:ch\r\n:0\r\n' +
        '+RESET\r\n+OK\r\n-ERR syntax error\r\n+OK\r\n',
    );
  });

  it('refuses CLIENT NO-TOUCH ON, naming why; OFF and CLIENT LIST flag e work', async () => {
    const text = await transcript(gw.port, [
      ['CLIENT', 'NO-TOUCH', 'ON'],
      ['CLIENT', 'NO-TOUCH', 'OFF'],
      ['CLIENT', 'NO-EVICT', 'ON'],
      ['CLIENT', 'INFO'],
    ]);
    expect(text).toMatch(
      /^-ERR CLIENT NO-TOUCH is not supported through the mlcache gateway: .*\r\n\+OK\r\n\+OK\r\n/,
    );
    expect(text).toMatch(/ flags=e db=0 /);
  });
});
