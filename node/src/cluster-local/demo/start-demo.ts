import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DemoOptions } from './demo-options.ts';
import { DemoProcess } from './demo-process.ts';

/**
 * Start-up of `mlcache demo`: what this build has, which ports are free, then the scorer, the
 * nodes (at once) and the mirroring gateway, each waited for (`listening` line, then `/readyz`).
 */

export const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
/** The shipped model (ml-scorer/models/default.onnx), which `--scorer local` nodes also load. */
const SHIPPED_MODEL = join(import.meta.dirname, '../../../../ml-scorer/models/default.onnx');
/** Stand-ins for the learned policies when this build's node does not have them. */
const STAND_INS: Readonly<Record<string, string>> = { 'ml-lru': 'fifo', 'ml-lfu': 's3fifo' };

/** Records a started process (so that it is stopped whatever happens); returns its listening line. */
export type Track = (started: {
  process: DemoProcess;
  listening: Record<string, unknown>;
}) => Record<string, unknown>;

export interface StartIo {
  readonly print: (line: string) => void;
  readonly track: Track;
  /** Throws when the demo was asked to stop. */
  readonly checkStop: () => void;
}

export interface DemoPool {
  readonly policy: string;
  readonly resp: number;
  readonly admin: number;
}

export interface DemoSystem {
  readonly gateway: { readonly resp: number; readonly admin: number };
  /** In --policies order: the primary first, then the mirrors. */
  readonly pools: readonly DemoPool[];
  readonly scorer: { readonly grpc: number; readonly admin: number } | undefined;
  /** True when an ML policy runs (with or without the scorer service). */
  readonly learned: boolean;
}

export async function startDemoSystem(options: DemoOptions, io: StartIo): Promise<DemoSystem> {
  const { track, checkStop } = io;
  const dir = resolve(options.dir ?? (await mkdtemp(join(tmpdir(), 'mlcache-demo-'))));
  await mkdir(dir, { recursive: true });

  // What this build has: the learned policies in the node, the scorer service.
  const [cliHelp, nodeHelp] = await Promise.all([mlcache(['--help']), mlcache(['node', '--help'])]);
  const hasMl = /\bml-lru\b/.test(nodeHelp) && /\bml-lfu\b/.test(nodeHelp);
  const hasScorer = /^\s+scorer\s/m.test(cliHelp);
  const policies = options.policies.map((wanted) => {
    const standIn = STAND_INS[wanted];
    if (standIn === undefined || hasMl) return wanted;
    io.print(`note: this build's node has no ${wanted}; ${standIn} stands in for it.`);
    return standIn;
  });
  const learned = policies.some((policy) => policy.startsWith('ml-'));
  let scorerMode: 'grpc' | 'local' | 'none' = learned ? options.scorer : 'none';
  if (scorerMode === 'grpc' && !hasScorer) {
    io.print('note: this build has no scorer service; the ML nodes score locally.');
    scorerMode = 'local';
  }
  checkStop();

  const notes: string[] = [];
  const pick = async (wanted: number, what: string): Promise<number> => {
    if (wanted === 0 || (await portFree(wanted))) return wanted;
    notes.push(`${what}: port ${wanted} is busy, a free one was used`);
    return 0;
  };
  const launch = (
    name: string,
    logName: string,
    args: string[],
  ): ReturnType<typeof DemoProcess.start> =>
    DemoProcess.start({
      name,
      log: join(dir, `${logName}.log`),
      timeoutMs: START_TIMEOUT_MS,
      args,
    });
  io.print(`Starting the demo (logs in ${dir})...`);

  let scorer: { grpc: number; admin: number } | undefined;
  if (scorerMode === 'grpc') {
    const listening = track(
      await launch('scorer', 'scorer', [
        ...['scorer', '--bind', HOST, '--log-level', 'warn', '--seed', String(options.seed)],
        ...['--port', String(await pick(options.scorerPort, 'scorer gRPC'))],
        ...['--admin-port', String(await pick(options.scorerAdminPort, 'scorer admin'))],
        // The model a node's local scorer starts with, so that both modes start alike.
        ...(existsSync(SHIPPED_MODEL) ? ['--model', SHIPPED_MODEL] : []),
        // The replay lasts about ten seconds. At the service's default (a training every 65,536
        // rows) it trains once in that time and the nodes rank with the shipped model most of
        // the run (ML 60.7-60.8% in one test); every 2,048 rows (the demo's default) its models
        // can matter (62.2-62.3%).
        ...['--retrain-every', String(options.retrainEvery)],
      ]),
    );
    scorer = { grpc: Number(listening.grpc), admin: Number(listening.admin) };
  }
  checkStop();

  const offset = (base: number, i: number): number => (base === 0 ? 0 : base + i);
  const nodeArgs = async (policy: string, i: number): Promise<string[]> => [
    ...['node', '--bind', HOST, '--grpc-port', '0', '--log-level', 'warn'],
    ...['--port', String(await pick(offset(options.nodePort, i), `node ${policy}`))],
    ...[
      '--admin-port',
      String(await pick(offset(options.nodeAdminPort, i), `node ${policy} admin`)),
    ],
    ...['--policy', policy, '--maxmemory', options.maxmemory, '--node-name', `demo-${policy}`],
    ...(policy.startsWith('ml-') ? learnedArgs(scorer, options.scorerRank) : []),
  ];
  const argsPerNode: string[][] = [];
  for (const [i, policy] of policies.entries()) argsPerNode.push(await nodeArgs(policy, i));
  const started = await Promise.allSettled(
    policies.map((policy, i) => launch(`node ${policy}`, `node-${policy}`, argsPerNode[i]!)),
  );
  const nodes = started.map((result, i) => {
    if (result.status === 'rejected') return undefined;
    const listening = track(result.value);
    return { policy: policies[i]!, resp: Number(listening.resp), admin: Number(listening.admin) };
  });
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const pools = nodes.filter((node) => node !== undefined);
  const [primary, ...mirrors] = pools;
  if (primary === undefined) throw new Error('no node');
  checkStop();

  const gatewayListening = track(
    await launch('gateway', 'gateway', [
      ...['gateway', '--bind', HOST, '--gateway-name', 'demo', '--log-level', 'warn'],
      ...['--port', String(await pick(options.port, 'gateway'))],
      ...['--admin-port', String(await pick(options.adminPort, 'gateway admin'))],
      ...['--nodes', `${HOST}:${primary.resp}`, '--primary-name', primary.policy],
      ...mirrors.flatMap((node) => ['--mirror', `${node.policy}=${HOST}:${node.resp}`]),
    ]),
  );
  const gateway = { resp: Number(gatewayListening.resp), admin: Number(gatewayListening.admin) };
  const admins = [gateway.admin, ...pools.map((node) => node.admin)];
  if (scorer !== undefined) admins.push(scorer.admin);
  await waitReady(admins, checkStop);
  for (const note of notes) io.print(`note: ${note}`);

  return { gateway, pools, scorer, learned };
}

/**
 * How an ML node gets its model: from the scorer service (`--scorer grpc://`; by default the node
 * installs each model it publishes and scores in process, `--scorer-rank remote` asks it to score
 * every batch) or, without the service, its own local scorer.
 */
function learnedArgs(
  scorer: { readonly grpc: number } | undefined,
  rank: DemoOptions['scorerRank'],
): string[] {
  if (scorer === undefined) return ['--scorer', 'local'];
  return [
    ...['--scorer', `grpc://${HOST}:${scorer.grpc}`],
    ...(rank === 'remote' ? ['--scorer-rank', 'remote'] : []),
  ];
}

async function waitReady(admins: readonly number[], checkStop: () => void): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  let waiting = [...admins];
  while (waiting.length > 0) {
    checkStop();
    const ready = await Promise.all(
      waiting.map((port) =>
        fetch(`http://${HOST}:${port}/readyz`).then(
          (response) => response.status === 200,
          () => false,
        ),
      ),
    );
    waiting = waiting.filter((_, i) => !ready[i]);
    if (waiting.length === 0) return;
    if (performance.now() > deadline) {
      throw new Error(`not ready after ${START_TIMEOUT_MS} ms: admin ports ${waiting.join(', ')}`);
    }
    await sleep(100);
  }
}

/** True when nothing listens on 127.0.0.1:port (so that a process can take it). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, HOST, () => server.close(() => resolveFree(true)));
  });
}

/** Runs `mlcache ARGS` and resolves to its stdout ('' when it fails). */
function mlcache(args: readonly string[]): Promise<string> {
  const bin = join(import.meta.dirname, '../../../../bin/mlcache.js');
  return new Promise((resolveRun) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (error, stdout) =>
      resolveRun(error === null ? stdout : ''),
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
