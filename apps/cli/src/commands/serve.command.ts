import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Options of `vrft serve`. */
export interface ServeOptions {
  root: string;
  env: Record<string, string | undefined>;
  err: { write(text: string): unknown };
}

const EX_USAGE = 64;

/**
 * `vrft serve --checkpoint DIR [--port N] [--http-port N] [--host H]`: runs the
 * reasoning-server on a checkpoint in the foreground (its JSON logs on stdout);
 * every other setting comes from VRFT_* variables (docs/config.md). SIGINT/SIGTERM drain it.
 */
export async function runServe(args: readonly string[], options: ServeOptions): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        checkpoint: { type: 'string' },
        port: { type: 'string', default: '50051' },
        'http-port': { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
      },
    }));
  } catch (error) {
    options.err.write(`vrft serve: ${error instanceof Error ? error.message : String(error)}\n`);
    return EX_USAGE;
  }
  if (!values.checkpoint) {
    options.err.write('usage: vrft serve --checkpoint DIR [--port N] [--http-port N] [--host H]\n');
    return EX_USAGE;
  }
  const child = spawn(process.execPath, [join(options.root, 'apps', 'reasoning-server', 'dist', 'main.js')], {
    env: {
      ...options.env,
      VRFT_MODEL__CHECKPOINT_DIR: values.checkpoint,
      VRFT_GRPC__HOST: values.host,
      VRFT_GRPC__PORT: values.port,
      ...(values['http-port'] ? { VRFT_HTTP__PORT: values['http-port'], VRFT_HTTP__HOST: values.host } : {}),
    },
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
