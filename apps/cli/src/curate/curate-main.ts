#!/usr/bin/env node
// Stand-alone entry of `vrft curate` (the same as `node apps/cli/dist/main.js curate …` once main.ts
// routes it): node apps/cli/dist/curate/curate-main.js --data DIR --out DIR. The resume test
// starts it as a child process and kills it.
import { runCurateCommand } from '../commands/curate.command.js';

runCurateCommand(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  // The API key variable is named on the command line; this entry hands the environment over.
  // eslint-disable-next-line no-restricted-syntax
  env: { ...process.env },
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`vrft curate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
