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

if (major < 24) {
  const local = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(
      `mlcache needs Node 24 or newer (found ${process.version}); run 'npm install' first.\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
} else {
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(process.argv.slice(2), process.stdout, process.stderr);
}
