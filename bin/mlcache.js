#!/usr/bin/env node
// The mlcache executable. The sources are TypeScript that Node 26 runs directly (type stripping),
// so there is no build step. When started by an older Node (for example the machine's own, outside
// npm scripts and npx), re-run under the Node 26 that the project installs as a dev dependency.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
const script = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

// V8 flags for the long-running servers. A node keeps its entries outside the JavaScript heap, so
// the heap stays small (20 to 40 MB), and V8 then keeps the old generation's limit just above what
// is live: under a write load it ran an incremental mark-compact about every 200 ms, each with a
// pause of 2 to 5 ms, and those pauses were the p99 of pipelined SETs. Starting the old generation
// at 64 MB leaves a handful per run (docs/benchmarks.md, "The heap's first limit"). Heap sizes
// must be given when the process starts, so the launcher replaces itself with a Node started with
// them (process.execve: the same pid, so signals and supervisors see no difference).
// MLCACHE_V8_FLAGS="" turns this off; other flags given to node (--cpu-prof, say) are kept.
const SERVERS = new Set(['node', 'gateway', 'scorer']);
const serverFlags = SERVERS.has(args[0] ?? '')
  ? (process.env.MLCACHE_V8_FLAGS ?? '--initial-old-space-size=64').split(' ').filter(Boolean)
  : [];
const missing = serverFlags.filter(
  (flag) => !process.execArgv.some((given) => given.split('=')[0] === flag.split('=')[0]),
);

if (major < 24) {
  const local = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(
      `mlcache needs Node 24 or newer (found ${process.version}); run 'npm install' first.\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(local, [...serverFlags, script, ...args], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
} else if (missing.length > 0 && typeof process.execve === 'function') {
  process.execve(process.execPath, [
    process.execPath,
    ...missing,
    ...process.execArgv,
    script,
    ...args,
  ]);
} else {
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(args, process.stdout, process.stderr);
}
