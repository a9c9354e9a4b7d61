import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** Where a script's usage error goes, and how it ends (the process's, unless a test passes its own). */
export interface ScriptIo {
  readonly name: string;
  readonly stderr: { write(text: string): unknown };
  readonly exit: (code: number) => never;
}

function processIo(): ScriptIo {
  return {
    name: basename(process.argv[1] ?? 'script'),
    stderr: process.stderr,
    exit: (code) => process.exit(code),
  };
}

/**
 * `parseArgs` for the bench and hack scripts: an unknown option, a missing value or a stray
 * argument ends the script with parseArgs' own message and exit status 2, as the mlcache CLI
 * does, instead of a stack trace. Any other error is thrown as it is.
 */
export function parseScriptArgs<T extends ParseArgsConfig>(
  config: T,
  io: ScriptIo = processIo(),
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    io.stderr.write(`${io.name}: ${(error as Error).message}\n`);
    return io.exit(2);
  }
}
