#!/usr/bin/env node
// The `vrft` command. Run: node apps/cli/dist/main.js <command> (after npm run build);
// `npm start` runs `vrft stack`.
import 'reflect-metadata';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCurateCommand } from './commands/curate.command.js';
import { runDataCommand } from './commands/data.command.js';
import { runEncoderCommand } from './commands/encoder.command.js';
import { plannedCommands } from './commands/planned.js';
import { runQueryCommand } from './commands/query.command.js';
import { runServe } from './commands/serve.command.js';
import { runTrainCommand } from './commands/train.command.js';
import { runHealth, runServices } from './commands/probe.command.js';
import { runStack } from './commands/stack.command.js';

const EX_USAGE = 64;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const usage = `usage: vrft <command> [options]

commands:
  stack [--base-port N] [--checkpoint DIR] [--exit-after-ready] [--state-dir DIR]
                          start NATS and every app locally; print where each listens
  health ADDRESS [SERVICE]
                          grpc.health.v1 status of a server (exit 0 when SERVING)
  services ADDRESS        list a server's services through reflection
  train tokenizer|pretrain|sft|grpo --local|eval [options]
                          the learner's stages: base model, SFT on CoT data, GRPO, held-out accuracy
  train encoder --out DIR [options]
                          train the dual encoder of the semantic-consistency reward, export ONNX, report retrieval
  serve --checkpoint DIR [--port N] [--http-port N] [--host H]
                          run the reasoning-server on a checkpoint (gRPC + OpenAI-compatible HTTP)
  query ADDRESS QUESTION [--video PATH] [--json] …
                          ask a reasoning-server about a video (streams the answer)
  data generate --out DIR --count N --seed S [--split train] [--no-encode] [--concurrency K]
                          render the synthetic video-reasoning benchmark (Video-R1 JSONL + mp4)
  data show DIR ID        print a sample and write its frames as a PNG contact sheet
  curate --data DIR --out DIR [--describer|--writer|--reviser builtin|openai] [--endpoint URL] [--model NAME] [--concurrency K]
                          the CoT curation pipeline: describe, draft, revise, filter → sft.jsonl, rl.jsonl, report
${Object.entries(plannedCommands)
  .map(([name, issue]) => `  ${name.padEnd(22)}  not built yet: ${issue}`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'stack': {
      const { values } = parseArgs({
        args: rest,
        options: {
          'base-port': { type: 'string', default: '50051' },
          'exit-after-ready': { type: 'boolean', default: false },
          'state-dir': { type: 'string', default: join(root, '.vrft', 'stack') },
          'ready-timeout-ms': { type: 'string', default: '30000' },
          checkpoint: { type: 'string' },
        },
      });
      const basePort = Number(values['base-port']);
      if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65_530) {
        process.stderr.write(`--base-port: expected a port number 0..65530, got "${values['base-port']}"\n`);
        return EX_USAGE;
      }
      return runStack({
        root,
        basePort,
        exitAfterReady: values['exit-after-ready'],
        stateDir: values['state-dir'],
        checkpoint: values.checkpoint,
        // The apps inherit this process's environment (PATH, VRFT_* settings).
        // eslint-disable-next-line no-restricted-syntax
        env: { ...process.env },
        readyTimeoutMs: Number(values['ready-timeout-ms']),
        out: process.stdout,
      });
    }
    case 'data':
      return runDataCommand(rest, { out: process.stdout, err: process.stderr });
    case 'curate':
      // Remote endpoints read their API key from the environment (OPENAI_API_KEY).
      // eslint-disable-next-line no-restricted-syntax
      return runCurateCommand(rest, { out: process.stdout, err: process.stderr, env: { ...process.env } });
    case 'train':
      if (rest[0] === 'encoder') return runEncoderCommand(rest.slice(1), { out: process.stdout, err: process.stderr });
      return runTrainCommand(rest, { out: process.stdout, err: process.stderr });
    case 'serve':
      // The server inherits this process's environment (VRFT_* settings).
      // eslint-disable-next-line no-restricted-syntax
      return runServe(rest, { root, env: { ...process.env }, err: process.stderr });
    case 'query':
      // The bearer token may come from the environment (VRFT_TOKEN).
      // eslint-disable-next-line no-restricted-syntax
      return runQueryCommand(rest, { out: process.stdout, err: process.stderr, env: { ...process.env } });
    case 'health':
      if (!rest[0]) break;
      return runHealth(rest[0], rest[1] ?? '', process.stdout);
    case 'services':
      if (!rest[0]) break;
      return runServices(rest[0], process.stdout);
    default:
      if (command && command in plannedCommands) {
        process.stderr.write(`vrft ${command}: not built yet; it arrives with ${plannedCommands[command]}\n`);
        return 2;
      }
  }
  process.stderr.write(usage);
  return command === undefined || command === '--help' || command === 'help' ? 0 : EX_USAGE;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`vrft: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
