#!/usr/bin/env node
// `vrft train` without the rest of the CLI. Run: node apps/cli/dist/train/train-entry.js <stage> [options]
// (after npm run build); `vrft train …` runs the same command.
import { runTrainCommand } from '../commands/train.command.js';

runTrainCommand(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`vrft train: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
